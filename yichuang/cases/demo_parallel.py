"""The demo centre's bundles (一件事), parent and child cases and joint meetings (idempotent)."""

import datetime

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from yichuang.catalog.models import Bundle, FormField, ItemVersion
from yichuang.catalog.selectors_bundles import bundle_checklist, bundle_form
from yichuang.catalog.services_bundles import bundle_upsert
from yichuang.core.calendar import add_workdays, is_workday
from yichuang.org.models import Department, Role, ServiceCentre, User

CENTRE = "SLX"
RESTAURANT_TITLE = "好味道餐饮店开办联合踏勘"
# Departments whose items are in a bundle need a reviewer and a decision-maker to route children to.
DEPARTMENT_STAFF = {
    "ZHZF": (("reviewer_zhzf", "钱立新"), ("approver_zhzf", "冯建军")),
    "RSJ": (("reviewer_rsj", "许丽华"), ("approver_rsj", "蒋志勇")),
    "GAJ": (("reviewer_gaj", "沈晓东"), ("approver_gaj", "韩卫国")),
}
BUNDLES = [
    {"code": "kaiban-canyin", "name": "开办餐饮店", "mode": "parallel", "promised_limit": 10,
     "description": "营业执照、食品经营许可、公共场所卫生许可和户外招牌设置一次申请、一表填报、并联审批、统一出件。",
     "items": ["企业设立登记（有限责任公司）", "食品经营许可（新办）", "公共场所卫生许可（新办）", "户外招牌设置"]},
    {"code": "qiye-kaiban", "name": "企业开办", "mode": "staged", "promised_limit": 3,
     "description": "先领营业执照，再办单位参保登记：一次申请，分阶段办理。",
     "items": [("企业设立登记（有限责任公司）", 1), ("社会保险登记（单位参保）", 2)]},
    {"code": "xinshenger", "name": "新生儿出生一件事", "mode": "parallel", "promised_limit": 5, "audience": "person",
     "description": "出生登记（落户）与生育登记一次申请、并联办理。",
     "items": ["出生登记", "生育登记服务"]},
]
SAMPLE = {
    FormField.Type.TEXT: "示例县好味道餐饮有限公司", FormField.Type.TEXTAREA: "中餐类制售，不含裱花蛋糕。",
    FormField.Type.INTEGER: "120", FormField.Type.DECIMAL: "120", FormField.Type.USCC: "91350100M000100Y43",
    FormField.Type.ID_NUMBER: "110101199003070054", FormField.Type.MOBILE: "13800138000",
    FormField.Type.REGION: "339901101000", FormField.Type.BOOLEAN: "true",
}


def _version(name: str) -> ItemVersion | None:
    return ItemVersion.objects.filter(name=name, item__current__pk__isnull=False, status="published").first()


def _ensure_staff(actor, lines: list[str]) -> None:
    from yichuang.org import services as org

    centre = ServiceCentre.objects.get(code=CENTRE)
    password_hash = None
    for code, people in DEPARTMENT_STAFF.items():
        department = Department.objects.filter(code=code).first()
        if department is None:
            continue
        for (username, display_name), role in zip(people, (Role.Code.REVIEWER, Role.Code.APPROVER), strict=True):
            if User.objects.filter(username=username).exists():
                continue
            from yichuang.demo import org_data

            password_hash = password_hash or make_password(org_data.DEMO_PASSWORD)
            org.staff_create(actor=actor, username=username, display_name=display_name, password_hash=password_hash,
                             roles=[role], centre=centre, department=department)
            lines.append(f"并联审批：{department.name} 账号 {username}（{display_name}）")


def _ensure_sign_item(actor, lines: list[str]) -> None:
    """户外招牌设置: the demo catalogue has the (suspended) 户外广告 item only; the shop sign is its own item."""
    from yichuang.catalog.serialization import version_to_dict
    from yichuang.catalog.services import item_upsert

    if _version("户外招牌设置") is not None:
        return
    source = ItemVersion.objects.filter(name="户外广告设施设置审批", item__current__pk__isnull=False).first()
    if source is None:
        return
    data = version_to_dict(source)
    data.update(
        implementation_code=source.item.implementation_code[:-6] + "017001", basic_code=source.basic_code[:-3] + "001",
        name="户外招牌设置", result_name="户外招牌设置核准书", promised_limit=min(source.promised_limit, 5),
        conditions="招牌设置在本单位经营场所外墙，每个经营场所设置一块；规格、材质和亮化符合县城店招店牌设置导则。",
        change_note="一件事「开办餐饮店」所需的店招店牌设置事项",
    )
    version, changed = item_upsert(actor=actor, data=data)
    if changed:
        lines.append(f"事项：{version.name}（{version.implementation_code}）")


def _decide_child(child, at: datetime.datetime) -> bool:
    """Walk the child through its department's open steps and approve it."""
    from yichuang.cases import services
    from yichuang.cases.models import CaseStep

    for _round in range(6):
        step = child.steps.filter(state=CaseStep.State.OPEN).order_by("order").first()
        if step is None:
            return False
        user = User.objects.filter(department=child.department, roles__code=step.role, is_active=True).first()
        if step.role == "approver":
            services.case_decide(actor=user, case=child, approve=True, reason="符合法定条件，准予许可", at=at)
            return True
        child = services.case_step_complete(actor=user, case=child, opinion="材料齐全，符合法定条件", at=at)


def _workdays_back(day: datetime.date, n: int, region) -> datetime.date:
    while n:
        day -= datetime.timedelta(days=1)
        if is_workday(day, region):
            n -= 1
    return day


def _form_for(bundle: Bundle, today: datetime.date) -> dict:
    out = {}
    for field in bundle_form(bundle):
        if not field.required:
            continue
        if field.choices:
            out[field.key] = field.choices[0] if field.type != FormField.Type.MULTI_CHOICE else [field.choices[0]]
        elif field.type == FormField.Type.DATE:
            out[field.key] = today.isoformat()
        else:
            out[field.key] = SAMPLE.get(field.type, "示例")
    return out


def _demo_application(actor, bundle: Bundle, today: datetime.date, lines: list[str]) -> None:
    from yichuang.cases import services
    from yichuang.cases.meetings import meeting_close, meeting_convene, meeting_opinion_record
    from yichuang.cases.models import Case, JointMeeting, ParallelCase
    from yichuang.cases.services_parallel import bundle_apply

    if ParallelCase.objects.filter(bundle=bundle).exists():
        return
    centre = ServiceCentre.objects.get(code=CENTRE)
    clerk = User.objects.get(username="clerk")
    tz = timezone.get_current_timezone()
    region = centre.region

    def moment(day: datetime.date, hour: int) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)

    applied = _workdays_back(today, 4, region)
    applicant = services.applicant_register(
        actor=clerk, kind="company", name="示例县好味道餐饮有限公司", uscc="91350100M000100Y43",
        phone="13800138000", legal_representative="王小明", address="示例县城关镇人民路 8 号")
    materials = {m.key: {"state": "received"} for m in bundle_checklist(bundle) if m.produced_by is None}
    parent = bundle_apply(actor=clerk, applicant=applicant, bundle=bundle, form_data=_form_for(bundle, today),
                          materials=materials, centre=centre, window=clerk.windows.first(), at=moment(applied, 9))
    lines.append(f"一件事：开办餐饮店申请 {parent.number}（{parent.children.count()} 个子办件）")
    decided_on = add_workdays(applied, 2, region).date
    for child in parent.children.select_related("department", "item_version").filter(
            department__code__in=["SCJG"]).order_by("id"):
        if _decide_child(child, moment(decided_on, 10)):
            lines.append(f"一件事：{child.item_version.name} 已准予")
    # 联合踏勘 of the premises: 市场监管 and 卫健 answer, 综合执法 stays silent and is recorded as consenting.
    departments = list(Department.objects.filter(code__in=["SCJG", "WJJ", "ZHZF"]).order_by("sort_order", "code"))
    if len(departments) == 3 and not JointMeeting.objects.filter(title=RESTAURANT_TITLE).exists():
        held = add_workdays(applied, 1, region).date
        meeting = meeting_convene(actor=clerk, kind="site", title=RESTAURANT_TITLE, departments=departments,
                                  held_on=held, opinion_days=1, place="示例县城关镇人民路 8 号",
                                  case=Case.objects.get(pk=parent.pk), at=moment(applied, 10))
        for code, opinion, text in (("SCJG", "agree", ""), ("WJJ", "conditions", "开业前完成专间紫外线消毒设施安装")):
            approver = User.objects.filter(department__code=code, roles__code="approver").first()
            meeting_opinion_record(actor=approver, meeting=meeting, opinion=opinion, text=text, at=moment(held, 15))
        if meeting.opinion_deadline < today:
            meeting_close(meeting=meeting, at=moment(today, 8))
            lines.append(f"联审：{RESTAURANT_TITLE} 已闭会，综合行政执法局超时默许")
        else:
            lines.append(f"联审：{RESTAURANT_TITLE} 征求意见中（{meeting.opinion_deadline} 截止）")


@transaction.atomic
def seed_demo_parallel(actor, *, today=None) -> list[str]:
    """Create what the demo shows; return one line per thing that changed, for the seed report."""
    today = today or timezone.localdate()
    lines: list[str] = []
    if not ServiceCentre.objects.filter(code=CENTRE).exists():
        return lines
    _ensure_staff(actor, lines)
    _ensure_sign_item(actor, lines)
    for spec in BUNDLES:
        items = []
        for entry in spec["items"]:
            name, stage = entry if isinstance(entry, tuple) else (entry, 1)
            version = _version(name)
            if version is None:
                lines.append(f"一件事「{spec['name']}」：缺少事项「{name}」，未创建")
                break
            items.append({"item": version.item.implementation_code, "stage": stage})
        else:
            data = {k: v for k, v in spec.items() if k != "items"}
            bundle, changed = bundle_upsert(actor=actor, data={**data, "items": items})
            if changed:
                lines.append(f"一件事：{bundle.name}（{len(items)} 个事项，{bundle.get_status_display()}）")
    restaurant = Bundle.objects.filter(code="kaiban-canyin", status=Bundle.Status.PUBLISHED).first()
    if restaurant is not None:
        _demo_application(actor, restaurant, today, lines)
    return lines
