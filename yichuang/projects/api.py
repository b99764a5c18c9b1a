"""The investment-project API (投资项目接口), mounted at /api/v1/projects/.

Staff authenticate like the case API (a bearer token bound to a staff account, or the browser
session with CSRF). Reads go through `projects_visible_to` (a project outside the caller's
counties answers 404); writes call one service each. Errors: 403 role or department, 404 not
found or out of scope, 422 bad input or a state that does not allow the action — always as
`{"detail": ..., "errors": [{"field", "message", "code"}]}`.
"""

import datetime
import functools
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from yichuang.cases.api import StaffSessionAuth, error_body
from yichuang.cases.api_schemas import ErrorOut
from yichuang.cases.selectors import case_by_number_for_user
from yichuang.org.models import Department
from yichuang.org.tokens import TokenAuth

from . import selectors, services
from .errors import ProjectPermissionDenied
from .models import Commitment, Project

router = Router(tags=["projects"], auth=[TokenAuth(), StaffSessionAuth()])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class NotFound(Exception):
    """No project by that code within the caller's scope (answered 404)."""


def project_errors(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return Status(404, {"detail": str(exc), "errors": []})
        except ProjectPermissionDenied as err:
            return Status(403, error_body(err))
        except ValidationError as err:
            if getattr(err, "code", "") in ("role", "department"):
                return Status(403, error_body(err))
            return Status(422, error_body(err))

    return wrapper


# --- schemas -----------------------------------------------------------------------------------


class ProjectIn(Schema):
    name: str = Field(..., description="项目名称")
    owner_name: str = Field(..., description="项目单位名称")
    owner_uscc: str = Field(..., description="项目单位统一社会信用代码")
    legal_representative: str = ""
    owner_contact: str = ""
    owner_phone: str = ""
    region_code: str = Field(..., description="建设地点 12 位区划代码（县级或以下）")
    address: str = ""
    total_investment: Decimal = Field(..., description="总投资（万元）")
    industry: str = Field(..., description="国民经济行业大类代码（两位）")
    investment_kind: str = Field(..., description="government 政府投资 / private 企业投资")
    approval_type: str = Field("", description="01 审批 / 02 核准 / 03 备案；留空按投资类型")
    scale: str = ""


class StageOut(Schema):
    number: int
    name: str
    state: str
    state_label: str
    parent_case: str | None
    started_on: datetime.date | None
    finished_on: datetime.date | None
    elapsed_workdays: int | None
    target_workdays: int
    counts_toward_target: bool
    children: list[dict[str, Any]]
    meetings: list[dict[str, Any]]


class BlockerOut(Schema):
    kind: str
    text: str
    department: str
    due: datetime.date | None
    case: str | None
    meeting: int | None


class ProjectOut(Schema):
    code: str
    name: str
    owner: str
    owner_uscc: str
    region_code: str
    total_investment: Decimal
    industry: str
    investment_kind: str
    approval_type: str
    status: str
    status_label: str
    total_elapsed_workdays: int
    target_workdays: int
    over_target: bool


class ProjectDetailOut(ProjectOut):
    stages: list[StageOut]
    blockers: list[BlockerOut]
    commitments: list[dict[str, Any]]


class StageApplyIn(Schema):
    form_data: dict[str, Any] = Field(default_factory=dict, description="一表制表单（一件事的字段代码）")
    materials: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description='合并材料清单，键为清单代码：{"state": "received"}')


class MeetingIn(Schema):
    kind: str = Field(..., description="review 联审 / site 联合踏勘 / acceptance 联合验收")
    title: str
    departments: list[str] = Field(..., description="邀请部门的部门编码")
    held_on: datetime.date
    opinion_days: int = 3
    place: str = ""
    stage_number: int | None = None


class MeetingOut(Schema):
    id: int
    kind: str
    title: str
    opinion_deadline: datetime.date


class CommitmentIn(Schema):
    case_number: str = Field(..., description="项目某阶段子办件的办件编号")
    text: str = Field(..., description="书面承诺内容")
    signed_by: str
    signed_on: datetime.date | None = None
    check_days: int = services.DEFAULT_CHECK_DAYS
    reason: str = ""


class CheckIn(Schema):
    passed: bool
    note: str
    follow_up: str = Field("", description="不通过时：rectify 责令限期整改 / revoke 依法撤销审批决定")
    follow_up_note: str = ""
    follow_up_days: int = services.DEFAULT_FOLLOW_UP_DAYS


class CommitmentOut(Schema):
    id: int
    project: str
    case: str
    item: str
    department: str
    state: str
    check_due: datetime.date
    follow_up: str
    follow_up_due: datetime.date | None


def _commitment(c: Commitment) -> dict:
    return {"id": c.pk, "project": c.project.code, "case": c.case.number, "item": c.item_name,
            "department": c.department.name, "state": c.state, "check_due": c.check_due,
            "follow_up": c.follow_up, "follow_up_due": c.follow_up_due}


def _summary(project: Project, overview) -> dict:
    return {
        "code": project.code, "name": project.name, "owner": project.owner.name, "owner_uscc": project.owner.uscc,
        "region_code": project.region.code, "total_investment": project.total_investment,
        "industry": project.industry, "investment_kind": project.investment_kind,
        "approval_type": project.approval_type, "status": overview.status, "status_label": overview.status_label,
        "total_elapsed_workdays": overview.total_elapsed, "target_workdays": overview.target_days,
        "over_target": overview.over_target,
    }


def _detail(project: Project) -> dict:
    o = selectors.project_overview(project)
    body = _summary(project, o)
    body["stages"] = [{
        "number": s.number, "name": s.name, "state": s.state, "state_label": s.state_label,
        "parent_case": s.parent.number if s.parent else None, "started_on": s.started_on,
        "finished_on": s.finished_on, "elapsed_workdays": s.elapsed, "target_workdays": s.target_days,
        "counts_toward_target": s.counts_toward_target,
        "children": [{"case": c.case.number, "item": c.item, "department": c.department, "status": c.status,
                      "due_date": c.due_date, "commitment": bool(c.commitment)} for c in s.children],
        "meetings": [{"id": m.pk, "kind": m.kind, "title": m.title, "state": m.state, "result": m.result,
                      "opinion_deadline": m.opinion_deadline} for m in s.meetings],
    } for s in o.stages]
    body["blockers"] = [{"kind": b.kind, "text": b.text, "department": b.department, "due": b.due,
                         "case": b.case.number if b.case else None, "meeting": b.meeting.pk if b.meeting else None}
                        for b in o.blockers]
    body["commitments"] = [_commitment(c) for c in o.commitments]
    return body


def _visible(request, code: str) -> Project:
    project = selectors.project_for_user(request.user, code)
    if project is None:
        raise NotFound(_("未找到项目 %(c)s，或您无权查看：请核对项目代码。") % {"c": code})
    return project


# --- endpoints ---------------------------------------------------------------------------------


@router.get("/", response={200: list[ProjectOut], **ERRORS}, summary="投资项目列表", operation_id="projects_list")
@project_errors
def list_projects(request, q: str = "", investment_kind: str = "", status: str = ""):
    """status：registered / running / between / failed / completed / over（超过目标时限）。"""
    projects = selectors.projects_visible_to(request.user)
    if q:
        projects = projects.filter(name__icontains=q) | projects.filter(code__icontains=q)
    if investment_kind:
        projects = projects.filter(investment_kind=investment_kind)
    return [_summary(r.project, r.overview) for r in selectors.project_rows(projects, status=status)]


@router.post("/", response={201: ProjectDetailOut, **ERRORS}, summary="项目赋码登记", operation_id="projects_register")
@project_errors
def register(request, body: ProjectIn):
    project = services.project_register(actor=request.user, **body.dict())
    return Status(201, _detail(project))


@router.get("/checks", response={200: list[CommitmentOut], **ERRORS}, summary="告知承诺核查任务",
            operation_id="projects_checks")
@project_errors
def checks(request, state: str = Commitment.State.PENDING):
    return [_commitment(c) for c in selectors.commitment_checks_for(request.user, state=state)]


@router.post("/checks/{check_id}", response={200: CommitmentOut, **ERRORS}, summary="登记核查结果",
             operation_id="projects_check_record")
@project_errors
def check_record(request, check_id: int, body: CheckIn):
    commitment = selectors.commitment_checks_for(request.user, state="").filter(pk=check_id).first()
    if commitment is None:
        raise NotFound(_("未找到核查任务 %(i)s，或您无权办理。") % {"i": check_id})
    return _commitment(services.commitment_check_record(actor=request.user, commitment=commitment, **body.dict()))


@router.post("/commitments", response={201: CommitmentOut, **ERRORS}, summary="按告知承诺制准予",
             operation_id="projects_commitment_approve")
@project_errors
def commitment_approve(request, body: CommitmentIn):
    data = body.dict()
    case = case_by_number_for_user(request.user, data.pop("case_number"))
    if case is None:
        raise NotFound(_("未找到办件 %(n)s，或您无权查看。") % {"n": body.case_number})
    return Status(201, _commitment(services.commitment_approve(actor=request.user, case=case, **data)))


@router.get("/{code}", response={200: ProjectDetailOut, **ERRORS}, summary="项目全流程", operation_id="projects_detail")
@project_errors
def detail(request, code: str):
    return _detail(_visible(request, code))


@router.post("/{code}/stages/{number}/apply", response={200: ProjectDetailOut, **ERRORS}, summary="申报审批阶段",
             operation_id="projects_stage_apply")
@project_errors
def stage_apply(request, code: str, number: int, body: StageApplyIn):
    project = _visible(request, code)
    services.project_stage_apply(actor=request.user, project=project, number=number, form_data=body.form_data,
                                 materials=body.materials)
    return _detail(project)


@router.post("/{code}/meetings", response={201: MeetingOut, **ERRORS}, summary="发起联审/联合踏勘/联合验收",
             operation_id="projects_meeting_convene")
@project_errors
def meeting_convene(request, code: str, body: MeetingIn):
    project = _visible(request, code)
    data = body.dict()
    codes = data.pop("departments")
    departments = list(Department.objects.filter(code__in=codes, is_active=True))
    unknown = sorted(set(codes) - {d.code for d in departments})
    if unknown:
        raise ValidationError({"departments": [_("部门编码不存在或已停用：%(c)s。") % {"c": "、".join(unknown)}]})
    meeting = services.project_meeting_convene(actor=request.user, project=project, departments=departments, **data)
    return Status(201, {"id": meeting.pk, "kind": meeting.kind, "title": meeting.title,
                        "opinion_deadline": meeting.opinion_deadline})
