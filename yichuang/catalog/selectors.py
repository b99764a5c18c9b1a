"""Reads of the public catalogue: search, browse and the item guides (办事指南).

What the public sees: the current version of each item (`Item.current`). Published and
suspended items are listed (a suspended one carries a 暂停办理 notice); an abolished item is
not listed, but its guide still answers and says 已废止, because printed QR codes and old links
keep pointing at it. Superseded versions stay readable at their own address; drafts never show.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Length
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yichuang.org.models import Department

from .models import AllowedSpecialProcedure, Item, ItemVersion, MaterialRequirement, ProcessStep, Topic

LISTED_STATUSES = (ItemVersion.Status.PUBLISHED, ItemVersion.Status.SUSPENDED)
PUBLIC_STATUSES = (*LISTED_STATUSES, ItemVersion.Status.ABOLISHED)


# --- wording shared by the guide page, the printed checklist and the API -------------------


def visits_label(visits: int) -> str:
    """到现场次数 in the words of the 最多跑一次 reform: 0 → 零跑动, 1 → 最多跑一次."""
    if visits == 0:
        return _("零跑动（无需到现场）")
    if visits == 1:
        return _("最多跑一次")
    return ngettext("到现场 %(n)d 次", "到现场 %(n)d 次", visits) % {"n": visits}


def limit_label(days: int) -> str:
    """A limit in working days; 0 means it is settled on the spot."""
    if days == 0:
        return _("当场办结")
    return ngettext("%(n)d 个工作日", "%(n)d 个工作日", days) % {"n": days}


def extension_label(days: int) -> str:
    """可延长 N 个工作日, or 不得延长 for an item whose law allows none."""
    if days == 0:
        return _("不得延长")
    return ngettext("可延长 %(n)d 个工作日", "可延长 %(n)d 个工作日", days) % {"n": days}


# --- search and browse ----------------------------------------------------------------------


def _current_versions() -> QuerySet[ItemVersion]:
    """Versions that are their item's public face (whatever their status)."""
    return ItemVersion.objects.filter(item__current=F("pk"))


def listed_items() -> QuerySet[ItemVersion]:
    """Every item the public can browse, with what a result row shows loaded in the same query."""
    return (
        _current_versions()
        .filter(status__in=LISTED_STATUSES)
        .select_related("item", "item_type", "department")
    )


def _audience_condition(audience: str) -> Q:
    """个人办事 / 法人办事 cover the items that serve that audience or sit in one of its topics."""
    if audience not in Topic.Audience.values:
        raise ValueError(f"unknown audience {audience!r}")
    in_topic = Q(
        pk__in=ItemVersion.topics.through.objects.filter(topic__audience=audience).values("itemversion_id")
    )
    if audience == Topic.Audience.PERSON:
        return Q(for_persons=True) | in_topic
    if audience == Topic.Audience.COMPANY:
        return Q(for_companies=True) | in_topic
    return in_topic


def search_items(
    query: str = "",
    department: str | None = None,
    topic: str | None = None,
    audience: str | None = None,
) -> QuerySet[ItemVersion]:
    """Listed items matching every word of `query` and the filters, most relevant first.

    A word matches a part of the name (食品经营, 经营许可 → 食品经营许可), a part of the
    implementation or basic code, or the pinyin initials (spjy). Order: exact name or code,
    then names that start with the query, then names that contain it, then code and pinyin
    matches; within a rank, shorter (more specific) names first.
    `department` and `topic` are codes; `audience` is a `Topic.Audience` value.
    """
    qs = listed_items()
    if department:
        qs = qs.filter(department__code=department)
    if topic:
        qs = qs.filter(topics__code=topic)
    if audience:
        qs = qs.filter(_audience_condition(audience))
    query = " ".join(query.split())
    if not query:
        return qs.order_by("department__sort_order", "department__code", "name", "item__implementation_code")
    for word in query.split(" "):
        qs = qs.filter(
            Q(name__icontains=word)
            | Q(item__implementation_code__icontains=word)
            | Q(basic_code__icontains=word)
            | Q(pinyin_initials__icontains=word)
        )
    rank = Case(
        When(Q(name__iexact=query) | Q(item__implementation_code__iexact=query) | Q(basic_code__iexact=query),
             then=Value(0)),
        When(name__istartswith=query, then=Value(1)),
        When(name__icontains=query, then=Value(2)),
        When(Q(item__implementation_code__istartswith=query) | Q(basic_code__istartswith=query), then=Value(3)),
        When(pinyin_initials__istartswith=query, then=Value(4)),
        default=Value(5),
        output_field=IntegerField(),
    )
    return qs.annotate(rank=rank, name_length=Length("name")).order_by(
        "rank", "name_length", "name", "item__implementation_code"
    )


def _listed_count(prefix: str) -> Count:
    """Count the listed items reached through the relation `prefix` (one query, no N+1)."""
    return Count(
        prefix,
        filter=Q(**{f"{prefix}__status__in": LISTED_STATUSES}) & Q(**{f"{prefix}__item__current": F(f"{prefix}__pk")}),
        distinct=True,
    )


def departments_with_counts(*, only_with_items: bool = False) -> QuerySet[Department]:
    """Active departments, each with `item_count`: how many listed items it implements."""
    qs = (
        Department.objects.filter(is_active=True)
        .annotate(item_count=_listed_count("item_versions"))
        .order_by("sort_order", "code")
    )
    if only_with_items:
        qs = qs.filter(item_count__gt=0)
    return qs


def topics_with_counts(audience: str | None = None) -> QuerySet[Topic]:
    """Topics (optionally of one audience), each with `item_count` of listed items."""
    qs = Topic.objects.annotate(item_count=_listed_count("itemversion")).order_by("audience", "sort_order", "code")
    if audience:
        qs = qs.filter(audience=audience)
    return qs


@dataclass
class AudienceEntry:
    code: str
    label: str
    item_count: int
    topics: list[Topic] = field(default_factory=list)


@dataclass
class HomeOverview:
    total_items: int
    audiences: list[AudienceEntry]
    departments: list[Department]


def home_overview() -> HomeOverview:
    """What the home page shows: totals, the three entry tiles with their topics, departments."""
    topics = list(topics_with_counts())
    listed = listed_items()
    audiences = []
    for code, label in Topic.Audience.choices:
        audiences.append(AudienceEntry(
            code=code, label=label,
            item_count=listed.filter(_audience_condition(code)).count(),
            topics=[t for t in topics if t.audience == code],
        ))
    return HomeOverview(
        total_items=listed.count(),
        audiences=audiences,
        departments=list(departments_with_counts(only_with_items=True)),
    )


def filter_choices() -> tuple[list[Department], list[Topic]]:
    """The departments and topics that have listed items, for the list page's filters."""
    departments = list(departments_with_counts(only_with_items=True))
    topics = list(topics_with_counts().filter(item_count__gt=0))
    return departments, topics


# --- the guide of one item -------------------------------------------------------------------


def _guide_queryset() -> QuerySet[ItemVersion]:
    return ItemVersion.objects.select_related(
        "item", "item_type", "department", "department__centre"
    ).prefetch_related(
        "materials",
        "fees",
        Prefetch("steps", queryset=ProcessStep.objects.select_related("department")),
        Prefetch("allowed_procedures", queryset=AllowedSpecialProcedure.objects.select_related("procedure")),
        "topics",
        "accepting_centres",
        Prefetch(
            "item__versions",
            queryset=ItemVersion.objects.filter(status=ItemVersion.Status.SUPERSEDED)
            .only("id", "item_id", "version_no", "name", "status", "published_at", "change_note")
            .order_by("-version_no"),
            to_attr="superseded_versions",
        ),
    )


def is_printable(version: ItemVersion) -> bool:
    """A checklist is printed only from an item's current version, and never for an abolished item."""
    return version.status in LISTED_STATUSES and version.item.current_id == version.pk


@dataclass
class Guide:
    """One version of an item as the public reads it, with its history."""

    version: ItemVersion
    current_version_no: int | None

    @property
    def code(self) -> str:
        return self.version.item.implementation_code

    @property
    def is_current(self) -> bool:
        return self.version.version_no == self.current_version_no

    @property
    def is_historical(self) -> bool:
        return self.version.status == ItemVersion.Status.SUPERSEDED

    @property
    def suspended(self) -> bool:
        return self.version.status == ItemVersion.Status.SUSPENDED

    @property
    def abolished(self) -> bool:
        return self.version.status == ItemVersion.Status.ABOLISHED

    @property
    def can_print_checklist(self) -> bool:
        return is_printable(self.version)

    @property
    def history(self) -> list[ItemVersion]:
        """The superseded versions of the item, newest first."""
        return self.version.item.superseded_versions

    @property
    def visits_label(self) -> str:
        return visits_label(self.version.visits_required)

    @property
    def statutory_limit_label(self) -> str:
        return limit_label(self.version.statutory_limit)

    @property
    def promised_limit_label(self) -> str:
        return limit_label(self.version.promised_limit)

    @property
    def extension_label(self) -> str:
        """How far the head of the body may extend the limit (行政许可法 Art. 42, or the item's own law)."""
        return extension_label(self.version.extension_limit)

    @property
    def public_url(self) -> str:
        """The address a phone opens from the QR code (SITE_URL, because paper outlives the request)."""
        return settings.SITE_URL + reverse("catalog:guide", args=[self.code])

    @property
    def centre_name(self) -> str:
        centre = self.version.department.centre
        return centre.name if centre else str(settings.SITE_NAME)

    @cached_property
    def materials(self) -> list[MaterialRequirement]:
        return list(self.version.materials.all())

    @cached_property
    def has_deferrable_materials(self) -> bool:
        return any(m.necessity == MaterialRequirement.Necessity.DEFERRABLE for m in self.materials)


def guide_for(code: str) -> Guide | None:
    """The current public guide of an item (published, suspended or abolished), or None."""
    version = _guide_queryset().filter(
        item__implementation_code=code, item__current=F("pk"), status__in=PUBLIC_STATUSES
    ).first()
    if version is None:
        return None
    return Guide(version=version, current_version_no=version.version_no)


def guide_version(code: str, version_no: int) -> Guide | None:
    """A given version of an item if the public may read it (the current one or a superseded one)."""
    version = (
        _guide_queryset()
        .filter(item__implementation_code=code, version_no=version_no)
        .filter(_readable_version())
        .first()
    )
    if version is None:
        return None
    current = (
        Item.objects.filter(pk=version.item_id, current__status__in=PUBLIC_STATUSES)
        .values_list("current__version_no", flat=True)
        .first()
    )
    return Guide(version=version, current_version_no=current)


def checklist_guide(code: str) -> Guide | None:
    """The guide a checklist is printed from: the current version, unless the item is abolished."""
    guide = guide_for(code)
    if guide is None or guide.abolished:
        return None
    return guide


def current_form(code: str) -> tuple[ItemVersion, list] | None:
    """The application form of an item that can still be applied for (not abolished)."""
    version = (
        ItemVersion.objects.select_related("item")
        .prefetch_related("form_fields")
        .filter(item__implementation_code=code, item__current=F("pk"), status__in=LISTED_STATUSES)
        .first()
    )
    if version is None:
        return None
    return version, list(version.form_fields.all())


def _readable_version(prefix: str = "") -> Q:
    """A version the public may read: the current public one, or a superseded one."""
    return Q(**{f"{prefix}status": ItemVersion.Status.SUPERSEDED}) | Q(
        **{f"{prefix}item__current": F(f"{prefix}pk"), f"{prefix}status__in": PUBLIC_STATUSES}
    )


def public_material_file(code: str, version_no: int, material_id: int, kind: str) -> FieldFile | None:
    """The blank form or example of a material of a readable version, if one was uploaded."""
    if kind not in ("blank_form", "example_file"):
        return None
    material = (
        MaterialRequirement.objects.filter(
            pk=material_id, version__item__implementation_code=code, version__version_no=version_no
        )
        .filter(_readable_version("version__"))
        .first()
    )
    if material is None:
        return None
    file = getattr(material, kind)
    return file if file else None


def public_result_sample(code: str, version_no: int) -> FieldFile | None:
    """The sample of the result (证照样本) of a readable version, if one was uploaded."""
    version = (
        ItemVersion.objects.filter(item__implementation_code=code, version_no=version_no)
        .filter(_readable_version())
        .only("id", "result_sample")
        .first()
    )
    if version is None or not version.result_sample:
        return None
    return version.result_sample
