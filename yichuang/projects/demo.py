"""The demo centre's 投资项目: called by yichuang.demo.seed after the cases (idempotent).

Two projects in progress: a government hospital rebuild whose first stage (立项用地规划许可) is
done — one item approved on the owner's commitment, with its follow-up check scheduled — and
whose second stage (工程建设许可) runs with a joint design review waiting for opinions; and a
private factory whose first stage has just been applied for.
"""

import datetime

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from yichuang.catalog.models import Bundle, FormField, ItemVersion
from yichuang.catalog.selectors_bundles import bundle_checklist, bundle_form
from yichuang.core.calendar import is_workday
from yichuang.core.validators import uscc_check_char
from yichuang.org.models import Department, Role, ServiceCentre, User

from .models import Project, StageDefinition

CENTRE = "SLX"
# The departments of construction approval need people to route the children to.
DEPARTMENT_STAFF = {
    "ZRZY": (("reviewer_zrzy", "潘海峰"), ("approver_zrzy", "邵国强")),
    "ZJJ": (("reviewer_zjj", "程晓军"), ("approver_zjj", "田伟明")),
    "STHJ": (("reviewer_sthj", "葛春燕"), ("approver_sthj", "汪志华")),
}
STAGE_BUNDLES = {
    1: ("gcjs-lixiang-yongdi", "工程建设项目·立项用地规划许可", 15,
        ["建设用地规划许可证核发", "建设项目环境影响报告表审批"]),
    2: ("gcjs-gongcheng-jianshe", "工程建设项目·工程建设许可", 15,
        ["建设工程规划许可证核发", "城市建筑垃圾处置核准"]),
    3: ("gcjs-shigong", "工程建设项目·施工许可", 8,
        ["建筑工程施工许可证核发", "城镇污水排入排水管网许可"]),
    4: ("gcjs-jungong-yanshou", "工程建设项目·竣工验收", 10,
        ["房屋建筑和市政基础设施工程竣工验收备案", "排污许可证核发"]),
}
HOSPITAL = "示例县第二人民医院迁建工程"
FACTORY = "青山镇智能装备制造基地（一期）"
REVIEW_TITLE = "第二人民医院迁建工程设计方案联审"


def _uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


def _workdays_back(day: datetime.date, n: int, region) -> datetime.date:
    while n:
        day -= datetime.timedelta(days=1)
        if is_workday(day, region):
            n -= 1
    return day


def _version(name: str) -> ItemVersion | None:
    return ItemVersion.objects.filter(name=name, item__current__pk__isnull=False, status="published").first()


def _ensure_staff(actor, lines: list[str]) -> None:
    from yichuang.demo import org_data
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
            password_hash = password_hash or make_password(org_data.DEMO_PASSWORD)
            org.staff_create(actor=actor, username=username, display_name=display_name, password_hash=password_hash,
                             roles=[role], centre=centre, department=department)
            lines.append(f"投资项目：{department.name} 账号 {username}（{display_name}）")


def _ensure_bundles(actor, lines: list[str]) -> None:
    from yichuang.catalog.services_bundles import bundle_upsert

    for number, (code, name, limit, items) in STAGE_BUNDLES.items():
        versions = [_version(n) for n in items]
        if any(v is None for v in versions):
            lines.append(f"投资项目：第 {number} 阶段缺少事项，未配置一件事")
            continue
        bundle, changed = bundle_upsert(actor=actor, data={
            "code": code, "name": name, "mode": "parallel", "promised_limit": limit,
            "description": "工程建设项目审批制度改革：本阶段事项一表申请、并联审批、限时办结。",
            "items": [{"item": v.item.implementation_code, "stage": 1} for v in versions]})
        if changed:
            lines.append(f"一件事：{bundle.name}（{len(items)} 个事项）")
        definition = StageDefinition.objects.filter(number=number).first()
        if definition is not None and definition.government_bundle_id is None:
            definition.government_bundle = bundle
            definition.save(update_fields=["government_bundle"])


def _form(bundle: Bundle, project: Project, today: datetime.date) -> dict:
    known = {"project_code": project.code, "project_name": project.name, "entity_name": project.owner.name,
             "uscc": project.owner.uscc, "contact_name": project.owner_contact, "contact_mobile": project.owner_phone,
             "site": project.address}
    sample = {FormField.Type.INTEGER: "1", FormField.Type.DECIMAL: "1000", FormField.Type.MOBILE: project.owner_phone,
              FormField.Type.USCC: project.owner.uscc, FormField.Type.REGION: project.region.code,
              FormField.Type.BOOLEAN: "true", FormField.Type.ID_NUMBER: "110101199003070054"}
    out = {}
    for field in bundle_form(bundle):
        if not field.required:
            continue
        if field.key in known and known[field.key]:
            out[field.key] = known[field.key]
        elif field.choices:
            out[field.key] = field.choices[0] if field.type != FormField.Type.MULTI_CHOICE else [field.choices[0]]
        elif field.type == FormField.Type.DATE:
            out[field.key] = today.isoformat()
        else:
            out[field.key] = sample.get(field.type, "见附件")
    return out


def _people(department: Department) -> tuple[User, User]:
    reviewer = User.objects.filter(department=department, roles__code="reviewer").order_by("id").first()
    approver = User.objects.filter(department=department, roles__code="approver").order_by("id").first()
    return reviewer, approver


@transaction.atomic
def seed_demo_projects(actor, *, today=None) -> list[str]:
    """Create what the demo shows; return one line per thing that changed, for the seed report."""
    from yichuang.cases import services as case_services

    from . import services

    today = today or timezone.localdate()
    lines: list[str] = []
    centre = ServiceCentre.objects.filter(code=CENTRE).select_related("region").first()
    clerk = User.objects.filter(username="clerk").first()
    if centre is None or clerk is None:
        return lines
    _ensure_staff(actor, lines)
    _ensure_bundles(actor, lines)
    if Project.objects.filter(name__in=[HOSPITAL, FACTORY]).exists():
        return lines
    if not all(services.stage_bundle(Project(investment_kind="government"), n) for n in (1, 2)):
        return lines
    region = centre.region
    tz = timezone.get_current_timezone()

    def moment(day: datetime.date, hour: int) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)

    def apply(project: Project, number: int, day: datetime.date):
        bundle = services.stage_bundle(project, number)
        materials = {m.key: {"state": "received"} for m in bundle_checklist(bundle) if m.produced_by is None}
        stage = services.project_stage_apply(actor=clerk, project=project, number=number,
                                             form_data=_form(bundle, project, day), materials=materials,
                                             at=moment(day, 9))
        lines.append(f"投资项目：{project.name} 申报「{stage.name}」，主办件 {stage.parent_case.number}")
        return stage.parent_case

    # 1. The hospital (政府投资): stage 1 done, stage 2 running with a design review.
    start = _workdays_back(today, 24, region)
    hospital = services.project_register(
        actor=clerk, owner_name="示例县城市建设投资集团有限公司", owner_uscc=_uscc("91339901MA2H0CP1T"),
        legal_representative="周建华", owner_contact="陈志远", owner_phone="13905701234", name=HOSPITAL,
        region_code="339901001000", address="示例县白云街道康宁路以南、学院路以东地块", total_investment="68500",
        industry="84", investment_kind="government",
        scale="总建筑面积约 9.6 万平方米，床位 600 张，含门急诊医技综合楼、住院楼、感染楼及地下车库。",
        at=moment(start, 9))
    lines.append(f"投资项目：{hospital.name}，项目代码 {hospital.code}")
    parent = apply(hospital, 1, start)
    decided = _workdays_back(today, 12, region)
    for child in parent.children.select_related("department", "item_version").order_by("id"):
        reviewer, approver = _people(child.department)
        case_services.case_step_complete(actor=reviewer, case=child, opinion="材料齐全，符合要求",
                                         at=moment(decided, 10))
        if child.department.code == "STHJ":
            services.commitment_approve(
                actor=approver, case=child, signed_by="周建华", signed_on=decided, check_days=40,
                text="本单位承诺：项目环境影响报告表内容真实，污染防治措施与主体工程同时设计、同时施工、同时投产使用；"
                     "如有不实，自愿承担审批决定被撤销的法律后果。", at=moment(decided, 11))
            lines.append(f"投资项目：{child.item_version.name} 按告知承诺制准予，已安排事后核查")
        else:
            case_services.case_decide(actor=approver, case=child, approve=True, reason="符合用地规划条件",
                                      at=moment(decided, 11))
    stage2_day = _workdays_back(today, 6, region)
    parent2 = apply(hospital, 2, stage2_day)
    first = parent2.children.select_related("department").order_by("id").first()
    reviewer, approver = _people(first.department)
    case_services.case_step_complete(actor=reviewer, case=first, opinion="设计方案符合规划条件", at=moment(
        _workdays_back(today, 3, region), 10))
    departments = list(Department.objects.filter(code__in=["ZRZY", "ZJJ", "STHJ", "ZHZF"]).order_by("sort_order"))
    held = _workdays_back(today, 1, region)
    meeting = services.project_meeting_convene(
        actor=clerk, project=hospital, kind="review", title=REVIEW_TITLE, departments=departments, held_on=held,
        opinion_days=3, place="示例县政务服务中心三楼联审室", stage_number=2, at=moment(_workdays_back(today, 2, region), 9))
    from yichuang.cases.meetings import meeting_opinion_record

    for code, opinion, text in (("ZRZY", "agree", ""), ("ZJJ", "conditions", "施工图阶段补充装配式建筑实施方案")):
        _reviewer, dept_approver = _people(Department.objects.get(code=code))
        if dept_approver is not None:
            meeting_opinion_record(actor=dept_approver, meeting=meeting, opinion=opinion, text=text,
                                   at=moment(held, 15))
    lines.append(f"投资项目：{REVIEW_TITLE}（意见截止 {meeting.opinion_deadline}）")

    # 2. The factory (企业投资, 备案): stage 1 just applied for.
    factory_day = _workdays_back(today, 4, region)
    factory = services.project_register(
        actor=clerk, owner_name="示例县青山智能装备有限公司", owner_uscc=_uscc("91339901MA2QCKN8X"),
        legal_representative="林国栋", owner_contact="林晓", owner_phone="13857012345", name=FACTORY,
        region_code="339901101000", address="示例县青山镇工业功能区青山大道 66 号", total_investment="23600",
        industry="35", investment_kind="private",
        scale="新建标准厂房 4.2 万平方米，年产智能装备 1200 台（套）。", at=moment(factory_day, 9))
    lines.append(f"投资项目：{factory.name}，项目代码 {factory.code}")
    parent3 = apply(factory, 1, factory_day)
    child = parent3.children.select_related("department").order_by("id").first()
    reviewer, _approver = _people(child.department)
    case_services.case_step_complete(actor=reviewer, case=child, opinion="材料齐全", at=moment(
        _workdays_back(today, 2, region), 10))
    return lines
