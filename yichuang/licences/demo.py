"""The demo county's e-licences: the bureau's one seal, a licence type per licence result, and
signed licences for the approved demo cases. Idempotent: a second run changes nothing.

Validity periods and type codes are demo values in the national shape (the implementing
department's code + a 3-digit number), not a province's published catalogue: check the
province's 电子证照目录 before relying on them.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from yichuang.cases import services as case_services
from yichuang.cases.models import OPEN_STATUSES, Case
from yichuang.cases.rules import can_accept_at
from yichuang.catalog.models import ItemVersion, MaterialRequirement
from yichuang.org.models import Department, Role, User

from . import services
from .errors import LicenceError
from .models import Licence, LicenceReuse, LicenceType, Seal
from .selectors import licence_types_for_requirement, reusable_licences_for_case
from .signing import key_generate, key_path

BUREAU_CODE = "SPJ"
BUREAU_KEY = "bureau"
SEAL_PURPOSE = "行政审批专用章"

# result name → (validity in years, layout, also stands in for these materials, issued automatically)
LICENCE_RULES: dict[str, tuple[int, str, list[str], bool]] = {
    "食品经营许可证": (5, "portrait", [], True),
    "食品生产许可证": (5, "portrait", [], True),
    "营业执照（个体工商户）": (0, "landscape", ["营业执照", "登记证书或者营业执照"], True),
    "营业执照": (0, "landscape", ["登记证书或者营业执照"], True),
    "药品经营许可证": (5, "portrait", [], True),
    "特种设备使用登记证": (0, "portrait", [], True),
    "公共场所卫生许可证": (4, "portrait", [], True),
    "医疗机构执业许可证": (5, "portrait", [], True),
    "放射诊疗许可证": (0, "portrait", [], True),
    "母婴保健技术服务执业许可证": (3, "portrait", [], True),
    "道路运输经营许可证": (4, "portrait", [], True),
    "道路运输从业资格证": (6, "landscape", [], True),
    "出租汽车驾驶员从业资格证": (6, "landscape", [], True),
    "建筑工程施工许可证": (0, "landscape", [], True),
    "城镇污水排入排水管网许可证": (5, "portrait", [], True),
    "建设工程规划许可证": (0, "landscape", ["建设工程规划许可证"], True),
    "建设用地规划许可证": (0, "landscape", [], True),
    "排污许可证": (5, "portrait", [], True),
    "人力资源服务许可证": (0, "portrait", [], True),
    "劳务派遣经营许可证": (3, "portrait", [], True),
    "社会团体法人登记证书": (5, "landscape", ["登记证书或者营业执照"], True),
    "民办非企业单位（法人）登记证书": (5, "landscape", ["登记证书或者营业执照"], True),
    "结婚证": (0, "landscape", [], True),
    "烟草专卖零售许可证": (5, "portrait", [], True),
    # The window prints it after checking the applicant in person: the result clerk issues it.
    "就业创业证（电子证）": (0, "portrait", [], False),
}
# Form fields that repeat the holder or are only for contacting the applicant.
SKIPPED_FORM_KEYS = {"uscc", "entity_name", "applicant_name", "applicant_id", "contact_name", "contact_mobile",
                     "delivery_address", "appointment_date", "reason"}


@dataclass
class DemoLicenceReport:
    seals: int = 0
    types_created: int = 0
    types_updated: int = 0
    issued: int = 0
    reused: int = 0
    second_applications: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = []
        for label, value in (("印章", self.seals), ("证照类型新建", self.types_created),
                             ("证照类型更新", self.types_updated), ("签发电子证照", self.issued),
                             ("复用证照", self.reused)):
            if value:
                parts.append(f"{label} {value} 个")
        return "；".join(parts) or "电子证照已是最新"


def _bureau_seal(actor, today: datetime.date, report: DemoLicenceReport) -> Seal:
    bureau = Department.objects.get(code=BUREAU_CODE)
    seal = Seal.objects.filter(key_ref=BUREAU_KEY, owner_uscc=bureau.uscc).order_by("-valid_to").first()
    if seal is not None:
        return seal
    if not key_path(BUREAU_KEY).exists():
        key_generate(BUREAU_KEY)
    report.seals += 1
    return services.seal_create(
        actor=actor, name=f"{bureau.name}{SEAL_PURPOSE}", owner_name=bureau.name, owner_uscc=bureau.uscc,
        key_ref=BUREAU_KEY, valid_from=today.replace(month=1, day=1) - datetime.timedelta(days=366),
        valid_to=datetime.date(today.year + 5, 12, 31), purpose=SEAL_PURPOSE,
    )


def _fields_for(version: ItemVersion) -> list[dict]:
    holder_label = "名称" if version.for_companies and not version.for_persons else "持证人"
    fields = [{"key": "holder", "label": holder_label, "source": "case:holder_name", "required": True}]
    for form_field in version.form_fields.all():
        if form_field.key in SKIPPED_FORM_KEYS:
            continue
        fields.append({"key": form_field.key, "label": form_field.label, "source": f"form:{form_field.key}",
                       "required": False})
    return fields


def _licence_types(actor, seal: Seal, report: DemoLicenceReport) -> None:
    versions = (ItemVersion.objects.filter(status=ItemVersion.Status.PUBLISHED, result_type=ItemVersion.ResultType.LICENCE,
                                           result_name__in=list(LICENCE_RULES))
                .select_related("department", "item").prefetch_related("form_fields").order_by("item__implementation_code"))
    numbers: dict[str, int] = {}
    for version in versions:
        years, template, materials, auto = LICENCE_RULES[version.result_name]
        numbers[version.department.code] = numbers.get(version.department.code, 0) + 1
        existing = LicenceType.objects.filter(name=version.result_name).first()
        code = existing.code if existing else f"{version.department.uscc}{numbers[version.department.code]:03d}"
        before = _snapshot(existing)
        licence_type = services.licence_type_save(
            actor=actor, code=code, name=version.result_name, fields=_fields_for(version), validity_years=years,
            template=template, seal=seal, auto_issue=auto, satisfies_materials=materials, items=[version.item],
        )
        if existing is None:
            report.types_created += 1
        elif _snapshot(licence_type) != before:
            report.types_updated += 1


def _snapshot(licence_type: LicenceType | None):
    if licence_type is None:
        return None
    licence_type.refresh_from_db()
    return (licence_type.name, licence_type.fields, licence_type.validity_years, licence_type.template,
            licence_type.seal_id, licence_type.auto_issue, licence_type.satisfies_materials,
            tuple(sorted(licence_type.items.values_list("pk", flat=True))))


# A licence holder's next application, shown in the demo: the window takes the material from the
# library instead of a paper copy. (licence that stands in, item applied for next)
SECOND_APPLICATIONS = [
    ("营业执照（个体工商户）", "小餐饮店登记"),
    ("医疗机构执业许可证", "放射诊疗许可"),
    ("结婚证", "生育登记服务"),
]
REUSE_NOTE = "电子证照库调取（A 级可信），申请人无需提交"


def _last_working_morning(today: datetime.date) -> datetime.datetime:
    """10:00 on the last working day before `today`: the demo's history never happens on a day off."""
    from yichuang.core.calendar import is_workday

    day = today - datetime.timedelta(days=1)
    while not is_workday(day):
        day -= datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _second_application(report: DemoLicenceReport, today: datetime.date) -> None:
    """Receive one later application from a licence holder, its material taken from the library."""
    if LicenceReuse.objects.exists():
        return
    received_at = _last_working_morning(today)
    for licence_title, item_name in SECOND_APPLICATIONS:
        version = ItemVersion.objects.filter(name=item_name, status=ItemVersion.Status.PUBLISHED).first()
        licence = (Licence.objects.filter(title=licence_title, status=Licence.Status.VALID, applicant__isnull=False,
                                          case__isnull=False)
                   .select_related("applicant", "case__centre", "type").order_by("issued_at", "pk").first())
        if version is None or licence is None:
            continue
        requirement = next((r for r in version.materials.filter(source=MaterialRequirement.Source.GOVERNMENT)
                            if licence.type in licence_types_for_requirement(r)), None)
        centre = licence.case.centre if can_accept_at(version, licence.case.centre) else version.department.centre
        clerk = (User.objects.filter(roles__code__in=[Role.Code.CLERK, Role.Code.TOWN_CLERK], centre=centre,
                                   is_active=True)
                 .order_by("pk").first())
        if requirement is None or clerk is None:
            continue
        materials = {
            m.pk: {"state": "received", "note": REUSE_NOTE if m.pk == requirement.pk else ""}
            for m in version.materials.all() if m.necessity != MaterialRequirement.Necessity.OPTIONAL
        }
        case = case_services.case_receive(
            actor=clerk, item_version=version, applicant=licence.applicant, centre=centre,
            materials=materials, form_data=dict(licence.case.form_data or {}),
            contact_phone=licence.applicant.phone, at=received_at,
        )
        services.licence_reuse(actor=clerk, case=case, requirement=requirement, licence=licence, at=received_at)
        report.reused += 1
        report.second_applications += 1
        return


DEMO_LICENCE_LIMIT = 500


def _issue_for_approved_cases(actor, report: DemoLicenceReport) -> None:
    # The demo's history has a few hundred cases; a database loaded for benchmarks has a million,
    # and must not get a licence for each of them, so only the most recent few hundred are taken.
    approved = (Case.objects.filter(status__in=[Case.Status.APPROVED, Case.Status.APPROVED_DEFERRED], licences__isnull=True)
                .select_related("item_version", "applicant", "department", "centre").order_by("-decided_at", "-pk")[:DEMO_LICENCE_LIMIT])
    for case in reversed(list(approved)):
        try:
            licence = services.licence_issue_for_case(actor=actor, case=case, at=case.decided_at)
        except LicenceError as err:
            report.problems.append(f"{case.number}：{'；'.join(err.messages)}")
            continue
        if licence is not None:
            report.issued += 1


def _reuse_for_open_cases(actor, report: DemoLicenceReport) -> None:
    """Open cases whose applicant already holds a licence a material asks for: take it from the library."""
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES).select_related("applicant", "item_version")
    for case in open_cases:
        offers = reusable_licences_for_case(case)
        taken = set(LicenceReuse.objects.filter(case=case).values_list("requirement_id", flat=True))
        for requirement_id, licence in offers.items():
            if requirement_id not in taken:
                # Just after the case's last step, so its history stays in order and in the past.
                last = case.events.order_by("-at").values_list("at", flat=True).first() or case.received_at
                services.licence_reuse(actor=actor, case=case, requirement=MaterialRequirement.objects.get(pk=requirement_id),
                                       licence=licence, at=last + datetime.timedelta(minutes=1))
                report.reused += 1


def seed_demo_licences(actor=None, *, today: datetime.date | None = None) -> DemoLicenceReport:
    """Seal, licence types, licences for approved cases, and reuse for open cases of the same holders."""
    today = today or timezone.localdate()
    report = DemoLicenceReport()
    # One transaction: a failure leaves the demo as it was. A licence that cannot be issued is
    # reported and skipped (its own savepoint rolls back), not fatal.
    with transaction.atomic():
        seal = _bureau_seal(actor, today, report)
        _licence_types(actor, seal, report)
        _issue_for_approved_cases(actor, report)
        _second_application(report, today)
        _reuse_for_open_cases(actor, report)
    return report
