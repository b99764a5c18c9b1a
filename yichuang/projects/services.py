"""Every change of an investment project goes through a function here.

Each function checks the actor's role, the project's state and the inputs, then writes the
change, a `ProjectEvent` and an audit entry in one transaction. The approvals themselves are
cases of the cases engine: a stage is applied for through the engine's bundle application,
an item approved on commitment is decided through the engine's `case_decide` — this module
never writes a case table.
"""

import datetime
import functools
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.cases import meetings as case_meetings
from yichuang.cases import services as case_services
from yichuang.cases import services_parallel
from yichuang.cases.models import DECIDED_STATUSES, Applicant, Case, JointMeeting
from yichuang.catalog.models import Bundle
from yichuang.core.actors import staff_user
from yichuang.core.audit import audit_record
from yichuang.core.calendar import add_workdays
from yichuang.org.models import Department, Region, Role, ServiceCentre, User

from .codes import project_code_next
from .errors import ProjectError, ProjectPermissionDenied
from .models import INDUSTRIES, Commitment, Project, ProjectEvent, ProjectStage, StageDefinition

REGISTER_ROLES = (Role.Code.CLERK, Role.Code.AGENT, Role.Code.ADMIN)
COORDINATOR_ROLES = (Role.Code.CLERK, Role.Code.AGENT, Role.Code.ADMIN)
INDUSTRY_CODES = frozenset(code for code, _label in INDUSTRIES)
APPROVED_STATUSES = frozenset({Case.Status.APPROVED, Case.Status.APPROVED_DEFERRED})
# Most provinces' 告知承诺 rules ask for the check within two months; 40 working days is about that.
DEFAULT_CHECK_DAYS = 40
DEFAULT_FOLLOW_UP_DAYS = 20


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return at or timezone.now()


def audited_refusal(action: str):
    """Run the service in its own transaction; if it refuses, record the refusal and re-raise."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*, actor, **kwargs):
            try:
                with transaction.atomic():
                    return fn(actor=actor, **kwargs)
            except ValidationError as err:
                target = kwargs.get("project") or kwargs.get("commitment")
                audit_record(
                    actor=actor, action=f"{action}.refused", object_type=f"projects.{action.split('.')[0]}",
                    object_id=str(getattr(target, "pk", "") or ""), note="；".join(err.messages),
                )
                raise

        return wrapper

    return decorate


def _require_role(actor: User, *roles: str) -> None:
    if getattr(actor, "is_superuser", False):
        return
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*roles):
        names = "、".join(str(Role.Code(r).label) for r in roles)
        raise ProjectPermissionDenied(_("此操作需要「%(roles)s」角色。") % {"roles": names}, code="role")


def _event(project: Project, actor, action: str, *, at: datetime.datetime, summary: str,
           data: dict[str, Any] | None = None) -> ProjectEvent:
    event = ProjectEvent.objects.create(
        project=project, at=at, actor=staff_user(actor), actor_label=str(actor) if actor is not None else _("系统"),
        action=action, summary=summary[:500], data=data or {},
    )
    audit_record(actor=actor, action=f"project.{action}", obj=project, after={"current_stage": project.current_stage, **(data or {})},
                 note=summary)
    return event


def _save(project: Project, *fields: str) -> None:
    project.version += 1
    project.save(update_fields=[*fields, "version", "updated_at"])


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update(of=("self",)).select_related("region", "owner").get(pk=project.pk)


def _messages(err: ValidationError) -> list[str]:
    return list(err.messages)


def stage_definitions() -> list[StageDefinition]:
    return list(StageDefinition.objects.order_by("number"))


def default_target_days() -> int:
    return sum(d.target_days for d in StageDefinition.objects.filter(counts_toward_target=True))


# --- registration -----------------------------------------------------------------------------


def _clean_investment(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ProjectError({"total_investment": [_("总投资应为数字（单位：万元），如 12800 或 3500.5。")]}) from None
    if not amount.is_finite() or amount <= 0:
        raise ProjectError({"total_investment": [_("总投资应大于 0（单位：万元）。")]})
    if amount >= Decimal("1e12"):
        raise ProjectError({"total_investment": [_("总投资超出了可登记的范围，请核对单位是否为万元。")]})
    return amount.quantize(Decimal("0.01"))


@audited_refusal("project.register")
def project_register(
    *, actor, owner_name: str, owner_uscc: str, name: str, region_code: str, total_investment: Any,
    industry: str, investment_kind: str, approval_type: str = "", address: str = "", scale: str = "",
    owner_contact: str = "", owner_phone: str = "", legal_representative: str = "",
    coordinator: User | None = None, centre: ServiceCentre | None = None, at: datetime.datetime | None = None,
) -> Project:
    """赋码: register the project and its owner company; the project gets its national code."""
    at = _now(at)
    _require_role(actor, *REGISTER_ROLES)
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = [_("请填写项目名称。")]
    region = Region.objects.filter(code=(region_code or "").strip()).first()
    if region is None:
        errors["region_code"] = [_("建设地点的行政区划代码「%(c)s」不存在，请选择项目所在的县（区）、乡镇或村。")
                                 % {"c": region_code}]
    elif region.level < Region.Level.COUNTY:
        errors["region_code"] = [_("建设地点应具体到县（区）或以下，项目代码使用所在县（区）的 6 位区划代码。")]
    if industry not in INDUSTRY_CODES:
        errors["industry"] = [_("请选择项目所属的国民经济行业（两位行业大类代码）。")]
    if investment_kind not in Project.Investment.values:
        errors["investment_kind"] = [_("请选择政府投资或企业投资。")]
    approval_type = approval_type or (
        Project.ApprovalType.APPROVAL if investment_kind == Project.Investment.GOVERNMENT else Project.ApprovalType.FILING
    )
    if approval_type not in Project.ApprovalType.values:
        errors["approval_type"] = [_("管理类型应为审批、核准或备案。")]
    elif investment_kind == Project.Investment.GOVERNMENT and approval_type != Project.ApprovalType.APPROVAL:
        errors["approval_type"] = [_("政府投资项目实行审批制，管理类型应为「审批」。")]
    elif investment_kind == Project.Investment.PRIVATE and approval_type == Project.ApprovalType.APPROVAL:
        errors["approval_type"] = [_("企业投资项目实行核准或备案，管理类型应为「核准」或「备案」。")]
    try:
        amount = _clean_investment(total_investment)
    except ProjectError as err:
        errors.update(err.message_dict)
        amount = None
    if coordinator is not None and not (coordinator.is_superuser or coordinator.has_role(*COORDINATOR_ROLES)):
        errors["coordinator"] = [_("项目专员应为窗口或帮办代办工作人员。")]
    centre = centre or getattr(actor, "centre", None)
    if centre is None and region is not None:
        centre = ServiceCentre.objects.filter(kind=ServiceCentre.Kind.CENTRE,
                                              region__code__startswith=region.code[:6]).first()
    if centre is None:
        errors["centre"] = [_("没有可办理此项目的服务中心，请先设置您的所在中心。")]
    if not owner_uscc:
        errors["owner_uscc"] = [_("请填写项目单位的统一社会信用代码。")]
    if errors:
        raise ProjectError(errors)
    try:
        owner = case_services.applicant_register(
            actor=actor, kind=Applicant.Kind.COMPANY, name=owner_name, uscc=owner_uscc, phone=owner_phone,
            legal_representative=legal_representative,
        )
    except ValidationError as err:
        fields = {"name": "owner_name", "uscc": "owner_uscc", "phone": "owner_phone"}
        raise ProjectError({fields.get(k, k): v for k, v in err.message_dict.items()}
                           if hasattr(err, "error_dict") else {"owner_uscc": _messages(err)}) from None
    code = project_code_next(year=timezone.localdate(at).year, region_code=region.code, industry=industry,
                             approval_type=approval_type)
    project = Project.objects.create(
        code=code, name=name, owner=owner, owner_contact=(owner_contact or "").strip(), owner_phone=owner.phone,
        region=region, address=(address or "").strip(), total_investment=amount, industry=industry,
        investment_kind=investment_kind, approval_type=approval_type, scale=(scale or "").strip(), centre=centre,
        coordinator=coordinator, target_days=default_target_days(), registered_at=at, registered_by=staff_user(actor),
    )
    ProjectStage.objects.bulk_create([
        ProjectStage(project=project, number=d.number, name=d.name, target_days=d.target_days,
                     counts_toward_target=d.counts_toward_target)
        for d in stage_definitions()
    ])
    _event(project, actor, "register", at=at, summary=_("赋码：%(c)s") % {"c": code},
           data={"code": code, "owner": owner.uscc})
    return project


def stage_is_approved(stage: ProjectStage) -> bool:
    case = stage.parent_case
    return case is not None and case.status in APPROVED_STATUSES


def stage_is_decided(stage: ProjectStage) -> bool:
    case = stage.parent_case
    return case is not None and case.status in DECIDED_STATUSES


# --- stages ---------------------------------------------------------------------------------------

SUBJECT_TYPE = "projects.project"


def stage_bundle(project: Project, number: int) -> Bundle | None:
    """The bundle (一件事) a stage of this project is applied for with, as the centre configured it."""
    definition = StageDefinition.objects.select_related("government_bundle", "private_bundle").filter(
        number=number).first()
    if definition is None:
        return None
    if project.investment_kind == Project.Investment.PRIVATE and definition.private_bundle_id:
        return definition.private_bundle
    return definition.government_bundle


@audited_refusal("project.stage_apply")
def project_stage_apply(
    *, actor, project: Project, number: int, form_data: dict[str, Any], materials: dict[str, dict[str, Any]],
    at: datetime.datetime | None = None,
) -> ProjectStage:
    """申报一个阶段: the stage's bundle is applied for once (一表申请); its children run in parallel.

    A stage starts only when the one before it is approved — the cases engine's join decides the
    previous stage's parent case once all its children are approved (并联审批, 阶段推进).
    """
    at = _now(at)
    project = _lock(project)
    stage = project.stages.select_related("parent_case").filter(number=number).first()
    if stage is None:
        raise ProjectError(_("项目没有第 %(n)s 阶段。") % {"n": number}, code="stage")
    current = stage.parent_case
    if current is not None and current.status in APPROVED_STATUSES:
        raise ProjectError(_("「%(s)s」已全部准予，无需再申报。") % {"s": stage.name}, code="stage_done")
    if current is not None and current.is_open:
        raise ProjectError(_("「%(s)s」正在审批（主办件 %(n)s），不能重复申报。")
                           % {"s": stage.name, "n": current.number}, code="stage_running")
    previous = project.stages.select_related("parent_case").filter(number__lt=number).order_by("-number").first()
    if previous is not None and not stage_is_approved(previous):
        raise ProjectError(_("第 %(p)d 阶段「%(ps)s」尚未全部准予，「%(s)s」还不能开始。请等前一阶段各事项办结后再申报。")
                           % {"p": previous.number, "ps": previous.name, "s": stage.name}, code="previous_stage")
    bundle = stage_bundle(project, number)
    if bundle is None:
        raise ProjectError(_("中心尚未为「%(s)s」配置一件事（阶段包含的审批事项），请联系中心管理员。") % {"s": stage.name},
                           code="no_bundle")
    centre = getattr(actor, "centre", None) or project.centre
    replaced = stage.parent_case.number if stage.parent_case_id else ""
    parent = services_parallel.bundle_apply(
        actor=actor, applicant=project.owner, bundle=bundle, form_data=form_data, materials=materials,
        centre=centre, contact_phone=project.owner_phone, at=at,
    )
    stage.parent_case = parent
    stage.applied_at = at
    stage.save(update_fields=["parent_case", "applied_at"])
    project.current_stage = max(project.current_stage, number)
    _save(project, "current_stage")
    summary = _("申报「%(s)s」（一件事「%(b)s」），主办件 %(n)s") % {"s": stage.name, "b": bundle.name, "n": parent.number}
    if replaced:
        summary += _("；此前未获准予的主办件 %(o)s 留存备查") % {"o": replaced}
    _event(project, actor, "stage_apply", at=at, summary=summary,
           data={"stage": number, "bundle": bundle.code, "parent": parent.number, "replaced": replaced})
    return stage


@audited_refusal("project.meeting")
def project_meeting_convene(
    *, actor, project: Project, kind: str, title: str, departments: list[Department], held_on: datetime.date,
    opinion_days: int, place: str = "", stage_number: int | None = None, at: datetime.datetime | None = None,
) -> JointMeeting:
    """联审 / 联合踏勘 / 联合验收 for the project, through the cases engine's meetings (linked to the
    running stage's parent case when there is one)."""
    at = _now(at)
    project = _lock(project)
    case = None
    if stage_number:
        stage = project.stages.select_related("parent_case").filter(number=stage_number).first()
        if stage is None:
            raise ProjectError({"stage_number": [_("项目没有第 %(n)s 阶段。") % {"n": stage_number}]})
        case = stage.parent_case
    meeting = case_meetings.meeting_convene(
        actor=actor, kind=kind, title=title, departments=departments, held_on=held_on, opinion_days=opinion_days,
        place=place, case=case, subject_type=SUBJECT_TYPE, subject_id=str(project.pk),
        subject_label=f"{project.name}（{project.code}）", at=at,
    )
    _save(project)
    _event(project, actor, "meeting_convene", at=at,
           summary=_("发起%(k)s「%(t)s」，意见截止 %(d)s") % {
               "k": meeting.get_kind_display(), "t": meeting.title, "d": meeting.opinion_deadline},
           data={"meeting": meeting.pk, "stage": stage_number})
    return meeting


# --- commitments (告知承诺制) ---------------------------------------------------------------------


def _project_of_case(case: Case) -> Project | None:
    parent = case.parent
    if parent is None:
        return None
    stage = ProjectStage.objects.select_related("project").filter(parent_case=parent).first()
    return stage.project if stage else None


@audited_refusal("commitment.approve")
def commitment_approve(
    *, actor, case: Case, text: str, signed_by: str, signed_on: datetime.date | None = None,
    check_days: int = DEFAULT_CHECK_DAYS, reason: str = "", expected_version: int | None = None,
    at: datetime.datetime | None = None,
) -> Commitment:
    """告知承诺: decide the item on the owner's written commitment, and schedule the check.

    The decision is the cases engine's own (`case_decide`, which checks that the actor is the
    department's approver at the decision step); the commitment and its check date are written
    in the same transaction, so there is never an approval on commitment without its check.
    """
    at = _now(at)
    today = timezone.localdate(at)
    project = _project_of_case(case)
    errors: dict[str, list[str]] = {}
    if project is None:
        errors["case"] = [_("办件 %(n)s 不属于任何投资项目的审批阶段，不能按项目告知承诺制审批。") % {"n": case.number}]
    if not (text or "").strip():
        errors["text"] = [_("请填写项目单位的书面承诺内容。")]
    if not (signed_by or "").strip():
        errors["signed_by"] = [_("请填写承诺人（项目单位法定代表人或其授权的人）。")]
    signed_on = signed_on or today
    if signed_on > today:
        errors["signed_on"] = [_("承诺日期不能晚于今天。")]
    if isinstance(check_days, bool) or not isinstance(check_days, int) or not 1 <= check_days <= 120:
        errors["check_days"] = [_("核查期限应为 1 至 120 个工作日。")]
    if Commitment.objects.filter(case=case).exists():
        errors["case"] = [_("办件 %(n)s 已登记过告知承诺。") % {"n": case.number}]
    if errors:
        raise ProjectError(errors)
    project = _lock(project)
    decided = case_services.case_decide(
        actor=actor, case=case, approve=True, expected_version=expected_version, at=at,
        reason=(reason or "").strip() or _("申请人已书面承诺符合审批条件，按告知承诺制准予许可，事后核查。"),
    )
    due = add_workdays(today, check_days, decided.department.region).date
    commitment = Commitment.objects.create(
        project=project, case=decided, department=decided.department, item_name=decided.item_version.name,
        text=text.strip(), signed_by=signed_by.strip(), signed_on=signed_on, check_due=due,
        approved_by=staff_user(actor),
    )
    _save(project)
    _event(project, actor, "commitment_approve", at=at,
           summary=_("「%(i)s」按告知承诺制准予，%(d)s 前由%(dept)s核查")
           % {"i": commitment.item_name, "d": due, "dept": decided.department.display_name},
           data={"case": decided.number, "check_due": str(due), "commitment": commitment.pk})
    return commitment


@audited_refusal("commitment.check")
def commitment_check_record(
    *, actor, commitment: Commitment, passed: bool, note: str, follow_up: str = "", follow_up_note: str = "",
    follow_up_days: int = DEFAULT_FOLLOW_UP_DAYS, at: datetime.datetime | None = None,
) -> Commitment:
    """事后核查: record the outcome; a failed check records the follow-up (rectify or revoke) and its deadline."""
    at = _now(at)
    commitment = Commitment.objects.select_for_update().select_related("project", "case", "department__region").get(
        pk=commitment.pk)
    _require_role(actor, Role.Code.REVIEWER, Role.Code.APPROVER)
    if not actor.is_superuser and actor.department_id != commitment.department_id:
        raise ProjectPermissionDenied(_("此核查任务由%(d)s负责，您无权登记。") % {"d": commitment.department}, code="department")
    if commitment.state != Commitment.State.PENDING:
        raise ProjectError(_("此告知承诺已于 %(t)s 核查（%(s)s），不能重复登记。")
                           % {"t": timezone.localtime(commitment.checked_at).strftime("%Y-%m-%d"),
                              "s": commitment.get_state_display()}, code="state")
    errors: dict[str, list[str]] = {}
    if not (note or "").strip():
        errors["note"] = [_("请填写核查情况（现场核查或书面核查的结果）。")]
    if not passed:
        if follow_up not in Commitment.FollowUp.values:
            errors["follow_up"] = [_("核查不通过，请选择后续处置：责令限期整改，或依法撤销审批决定。")]
        if not (follow_up_note or "").strip():
            errors["follow_up_note"] = [_("请写明处置要求（整改内容或撤销的理由与依据）。")]
        if isinstance(follow_up_days, bool) or not isinstance(follow_up_days, int) or not 1 <= follow_up_days <= 120:
            errors["follow_up_days"] = [_("处置期限应为 1 至 120 个工作日。")]
    if errors:
        raise ProjectError(errors)
    today = timezone.localdate(at)
    commitment.state = Commitment.State.PASSED if passed else Commitment.State.FAILED
    commitment.checked_at = at
    commitment.checked_by = staff_user(actor)
    commitment.check_note = note.strip()
    if not passed:
        commitment.follow_up = follow_up
        commitment.follow_up_note = follow_up_note.strip()
        commitment.follow_up_due = add_workdays(today, follow_up_days, commitment.department.region).date
    commitment.save()
    project = _lock(commitment.project)
    _save(project)
    if passed:
        summary = _("「%(i)s」告知承诺核查通过：%(n)s") % {"i": commitment.item_name, "n": commitment.check_note}
    else:
        summary = _("「%(i)s」告知承诺核查不通过，%(f)s（%(d)s 前）：%(n)s") % {
            "i": commitment.item_name, "f": commitment.get_follow_up_display(), "d": commitment.follow_up_due,
            "n": commitment.follow_up_note}
    _event(project, actor, "commitment_check", at=at, summary=summary,
           data={"commitment": commitment.pk, "passed": passed, "follow_up": commitment.follow_up,
                 "case": commitment.case.number})
    return commitment
