"""Writes to the catalogue. Every change records its audit entry in the same transaction."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from yichuang.core.audit import audit_record
from yichuang.org.models import Department, ServiceCentre

from .models import (
    AllowedSpecialProcedure,
    Fee,
    FormField,
    Item,
    ItemType,
    ItemVersion,
    MaterialRequirement,
    ProcessStep,
    SpecialProcedureType,
    Topic,
)
from .serialization import (
    ELEMENT_FIELDS,
    FEE_FIELDS,
    FORM_FIELD_FIELDS,
    MATERIAL_FIELDS,
    PROCEDURE_FIELDS,
    STEP_FIELDS,
    version_to_dict,
)

PUBLIC_STATUSES = (ItemVersion.Status.PUBLISHED, ItemVersion.Status.SUSPENDED, ItemVersion.Status.ABOLISHED)


def pinyin_initials(name: str) -> str:
    """营业执照 → yyzz: clerks find items by the first letters of the syllables."""
    return "".join(s[0] for s in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore") if s).lower()


def _next_version_no(item: Item) -> int:
    last = item.versions.order_by("-version_no").values_list("version_no", flat=True).first()
    return (last or 0) + 1


def _copy_children(source: ItemVersion, target: ItemVersion) -> None:
    target.topics.set(source.topics.all())
    target.accepting_centres.set(source.accepting_centres.all())
    for model, related in (
        (AllowedSpecialProcedure, source.allowed_procedures),
        (MaterialRequirement, source.materials),
        (Fee, source.fees),
        (ProcessStep, source.steps),
        (FormField, source.form_fields),
    ):
        rows = list(related.all())
        for row in rows:
            row.pk = None
            row.id = None
            row.version = target
        model.objects.bulk_create(rows)


@transaction.atomic
def item_version_revise(*, actor, version: ItemVersion, change_note: str = "") -> ItemVersion:
    """Start a new draft from a public version; the public one stays as it is until the draft is published."""
    version = ItemVersion.objects.select_for_update().get(pk=version.pk)
    existing = version.item.versions.filter(status=ItemVersion.Status.DRAFT).first()
    if existing:
        return existing
    if version.status == ItemVersion.Status.DRAFT:
        return version
    source_id = version.pk
    draft = ItemVersion.objects.get(pk=source_id)
    draft.pk = None
    draft.id = None
    draft.version_no = _next_version_no(version.item)
    draft.status = ItemVersion.Status.DRAFT
    draft.published_at = None
    draft.change_note = change_note
    draft.save()
    _copy_children(version, draft)
    audit_record(
        actor=actor, action="catalog.version.revise", obj=draft,
        after={"from_version": version.version_no, "version": draft.version_no}, note=change_note,
    )
    return draft


@transaction.atomic
def item_version_publish(*, actor, version: ItemVersion) -> ItemVersion:
    """Publish a draft: it becomes the public version and the previous one becomes history."""
    version = ItemVersion.objects.select_for_update().select_related("item").get(pk=version.pk)
    if version.status != ItemVersion.Status.DRAFT:
        raise ValidationError(_("只有草稿版本可以发布；已发布的版本请先「修订」生成新版本。"))
    problems = item_version_problems(version)
    if problems:
        raise ValidationError(problems)
    previous = version.item.current
    if previous and previous.pk != version.pk and previous.status in PUBLIC_STATUSES:
        previous.status = ItemVersion.Status.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
    version.status = ItemVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at", "updated_at"])
    version.item.current = version
    version.item.save(update_fields=["current"])
    audit_record(
        actor=actor, action="catalog.version.publish", obj=version,
        before={"version": previous.version_no} if previous else None,
        after=version_to_dict(version),
    )
    return version


def item_version_problems(version: ItemVersion) -> list[str]:
    """What keeps a version from being published, in words an admin can act on."""
    problems = []
    if version.promised_limit > version.statutory_limit:
        problems.append(
            _("承诺时限（%(p)d 个工作日）不能长于法定时限（%(s)d 个工作日）。")
            % {"p": version.promised_limit, "s": version.statutory_limit}
        )
    if not version.materials.exists():
        problems.append(_("请至少填写一项申请材料。"))
    if version.handling_type == ItemVersion.HandlingType.PROMISED and not version.steps.exists():
        problems.append(_("承诺件需要配置办理流程（至少一个环节）。"))
    if not version.department.is_active:
        problems.append(_("实施主体「%(d)s」已停用。") % {"d": version.department.name})
    if version.tongban_scope == ItemVersion.TongbanScope.LISTED and not version.accepting_centres.exists():
        problems.append(
            _("通办范围为「指定的中心和站点」，请在「可受理的中心和站点」中至少选择一个，或改选其他通办范围。")
        )
    choice_types = (FormField.Type.CHOICE, FormField.Type.MULTI_CHOICE)
    for field in version.form_fields.all():
        if field.type in choice_types and not field.choices:
            problems.append(
                _("表单字段「%(label)s」是%(type)s，请填写选项，如 [\"餐饮服务\",\"食品销售\"]。")
                % {"label": field.label, "type": field.get_type_display()}
            )
        if field.min_value is not None and field.max_value is not None and field.min_value > field.max_value:
            problems.append(
                _("表单字段「%(label)s」的最小值（%(min)s）大于最大值（%(max)s），请改正。")
                % {"label": field.label, "min": field.min_value, "max": field.max_value}
            )
    budget = sum(version.steps.values_list("budget_days", flat=True))
    if version.promised_limit and budget > version.promised_limit:
        problems.append(
            _("各环节时限之和（%(b)d 个工作日）超过承诺时限（%(p)d 个工作日）。")
            % {"b": budget, "p": version.promised_limit}
        )
    return problems


@transaction.atomic
def item_version_set_status(*, actor, version: ItemVersion, status: str, reason: str) -> ItemVersion:
    """Suspend, resume or abolish the public version of an item."""
    allowed = {
        ItemVersion.Status.PUBLISHED: {ItemVersion.Status.SUSPENDED, ItemVersion.Status.ABOLISHED},
        ItemVersion.Status.SUSPENDED: {ItemVersion.Status.PUBLISHED, ItemVersion.Status.ABOLISHED},
    }
    version = ItemVersion.objects.select_for_update().get(pk=version.pk)
    if status not in allowed.get(version.status, set()):
        raise ValidationError(
            _("「%(from)s」状态的版本不能改为「%(to)s」。")
            % {"from": version.get_status_display(), "to": ItemVersion.Status(status).label}
        )
    if not reason.strip():
        raise ValidationError(_("请填写原因。"))
    before = version.status
    version.status = status
    version.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action="catalog.version.status", obj=version,
        before={"status": before}, after={"status": status}, note=reason,
    )
    return version


def _lookup(model, code: str, label: str, field: str = "pk"):
    try:
        return model.objects.get(**{field: code})
    except model.DoesNotExist:
        raise ValidationError({label: _("「%(code)s」不存在。") % {"code": code}}) from None


def _fill_version(version: ItemVersion, data: dict[str, Any]) -> None:
    for field in ELEMENT_FIELDS:
        if field in data:
            setattr(version, field, data[field])
    version.item_type = _lookup(ItemType, data["item_type"], "item_type")
    version.department = _lookup(Department, data["department"], "department", "code")
    version.pinyin_initials = pinyin_initials(version.name)
    version.full_clean(exclude=["item", "result_sample"], validate_constraints=False)
    version.save()
    version.topics.set([_lookup(Topic, c, "topics", "code") for c in data.get("topics", [])])
    version.accepting_centres.set(
        [_lookup(ServiceCentre, c, "accepting_centres", "code") for c in data.get("accepting_centres", [])]
    )
    for related in ("allowed_procedures", "materials", "fees", "steps", "form_fields"):
        getattr(version, related).all().delete()

    def build(model, rows, fields, extra=None):
        objects = []
        for order, row in enumerate(rows):
            obj = model(version=version, **{f: row[f] for f in fields if f in row and row[f] is not None})
            if hasattr(obj, "order"):
                obj.order = order
            if extra:
                extra(obj, row)
            obj.full_clean(exclude=["version", "blank_form", "example_file"], validate_constraints=False)
            objects.append(obj)
        model.objects.bulk_create(objects)

    def procedure(obj, row):
        obj.procedure = _lookup(SpecialProcedureType, row["procedure"], "special_procedures")

    def step_department(obj, row):
        obj.department = _lookup(Department, row["department"], "steps", "code") if row.get("department") else None

    build(AllowedSpecialProcedure, data.get("special_procedures", []), PROCEDURE_FIELDS, procedure)
    build(MaterialRequirement, data.get("materials", []), MATERIAL_FIELDS)
    build(Fee, data.get("fees", []), FEE_FIELDS)
    build(ProcessStep, data.get("steps", []), STEP_FIELDS, step_department)
    build(FormField, data.get("form_fields", []), FORM_FIELD_FIELDS)
    keys = [row["key"] for row in data.get("form_fields", [])]
    if len(keys) != len(set(keys)):
        raise ValidationError({"form_fields": _("表单字段代码重复。")})


@transaction.atomic
def item_upsert(*, actor, data: dict[str, Any], publish: bool = True) -> tuple[ItemVersion, bool]:
    """Create or update an item from its dictionary form (import, seed, API).

    Returns (version, changed). Content equal to the current public version changes nothing,
    so loading the same catalogue twice is idempotent. Otherwise the content goes into the
    item's draft (created if needed), which is published when `publish` is true.
    """
    code = str(data.get("implementation_code", "")).strip()
    if not code:
        raise ValidationError({"implementation_code": _("请填写实施编码。")})
    item, created = Item.objects.select_for_update().get_or_create(implementation_code=code)
    if not created and item.current_id:
        current = version_to_dict(item.current)
        if all(current.get(k) == v for k, v in _normalised(data).items() if k in current):
            return item.current, False
    draft = item.versions.filter(status=ItemVersion.Status.DRAFT).first()
    if draft is None:
        draft = ItemVersion(item=item, version_no=_next_version_no(item), status=ItemVersion.Status.DRAFT)
    draft.change_note = str(data.get("change_note", ""))[:200]
    _fill_version(draft, data)
    audit_record(
        actor=actor, action="catalog.item.create" if created else "catalog.version.edit", obj=draft,
        after=version_to_dict(draft),
    )
    if publish:
        draft = item_version_publish(actor=actor, version=draft)
    return draft, True


def _normalised(data: dict[str, Any]) -> dict[str, Any]:
    """Fill defaults so a dictionary compares equal to what `version_to_dict` gives back."""
    out = dict(data)
    out.pop("change_note", None)
    for key in ("topics", "accepting_centres"):
        if key in out:
            out[key] = sorted(out[key])
    defaults = {
        "materials": {f.name: f.get_default() for f in MaterialRequirement._meta.fields},
        "fees": {f.name: f.get_default() for f in Fee._meta.fields},
        "form_fields": {f.name: f.get_default() for f in FormField._meta.fields},
        "special_procedures": {f.name: f.get_default() for f in AllowedSpecialProcedure._meta.fields},
        "steps": {f.name: f.get_default() for f in ProcessStep._meta.fields},
    }
    fields_of = {
        "materials": MATERIAL_FIELDS, "fees": FEE_FIELDS, "form_fields": FORM_FIELD_FIELDS,
        "special_procedures": ["procedure", *PROCEDURE_FIELDS], "steps": [*STEP_FIELDS, "department"],
    }
    for key, fields in fields_of.items():
        if key not in out:
            continue
        rows = []
        for row in out[key]:
            full = {}
            for f in fields:
                default = defaults[key].get(f)
                value = row.get(f, default)
                if value is None and f in ("choices",):
                    value = []
                full[f] = value
            rows.append(full)
        if key == "special_procedures":
            rows.sort(key=lambda r: r["procedure"])
        out[key] = rows
    return out


@transaction.atomic
def topic_upsert(*, actor, code: str, name: str, audience: str, sort_order: int = 0) -> tuple[Topic, bool, bool]:
    """Create or update a browsing topic. Returns (topic, created, changed); unchanged writes nothing."""
    values = {"name": name, "audience": audience, "sort_order": sort_order}
    topic = Topic.objects.select_for_update().filter(code=code).first()
    if topic is None:
        topic = Topic(code=code, **values)
        topic.full_clean()
        topic.save()
        audit_record(actor=actor, action="catalog.topic.create", obj=topic, after={"code": code, **values})
        return topic, True, True
    before = {key: getattr(topic, key) for key in values}
    if before == values:
        return topic, False, False
    for key, value in values.items():
        setattr(topic, key, value)
    topic.full_clean()
    topic.save(update_fields=list(values))
    audit_record(actor=actor, action="catalog.topic.update", obj=topic, before=before, after=values)
    return topic, False, True
