"""/api/v1/parallel/: bundles (一件事), parent cases with their children, joint meetings.

Same authentication and error shape as /api/v1/cases/: a staff token or the login session;
refusals answer `{"detail", "errors"}` with 403 / 404 / 409 / 422.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from yichuang.catalog.models import Bundle
from yichuang.catalog.selectors_bundles import (
    bundle_checklist,
    bundle_entries,
    bundle_form,
    bundles_published,
)
from yichuang.catalog.services_bundles import bundle_problems, bundle_publish, bundle_upsert
from yichuang.org.models import Department
from yichuang.org.tokens import TokenAuth

from . import selectors_parallel as sel
from .api import ERRORS, StaffSessionAuth, case_errors
from .meetings import meeting_attendance_record, meeting_close, meeting_convene, meeting_opinion_record
from .models import Case, JointMeeting
from .services import applicant_register
from .services_parallel import bundle_apply, parallel_deliver

router = Router(tags=["parallel"], auth=[TokenAuth(), StaffSessionAuth()])
R = {200: dict, **ERRORS}


class BundleIn(Schema):
    code: str
    name: str
    description: str = ""
    audience: str = "company"
    mode: str = "parallel"
    promised_limit: int
    on_denial: str = "continue"
    centre: str | None = None
    items: list[dict[str, Any]]
    field_map: list[dict[str, str]] = []


class ApplyIn(Schema):
    applicant: dict[str, Any]
    form_data: dict[str, Any] = {}
    materials: dict[str, dict[str, Any]] = {}
    contact_phone: str = ""


class DeliverIn(Schema):
    method: str = "in_person"
    expected_version: int | None = None
    collected_by: str = ""
    collector_id_last4: str = ""
    address: str = ""
    recipient: str = ""
    recipient_phone: str = ""
    carrier: str = ""
    tracking_number: str = ""


class ConveneIn(Schema):
    kind: str
    title: str
    departments: list[str]
    held_on: datetime.date
    opinion_days: int
    place: str = ""
    case_number: str | None = None
    subject_type: str = ""
    subject_id: str = ""
    subject_label: str = ""


class OpinionIn(Schema):
    opinion: str
    text: str = ""


class AttendanceIn(Schema):
    department: str
    present: bool
    attendee: str = ""


def _bundle_out(bundle: Bundle) -> dict:
    return {
        "code": bundle.code, "name": bundle.name, "status": bundle.status, "mode": bundle.mode,
        "promised_limit": bundle.promised_limit, "on_denial": bundle.on_denial,
        "items": [{"code": e.entry.item.implementation_code, "name": e.version.name if e.version else "",
                   "department": e.version.department.name if e.version else "", "stage": e.stage}
                  for e in bundle_entries(bundle)],
        "form": [{"key": f.key, "label": f.label, "type": f.type, "required": f.required, "choices": f.choices,
                  "targets": [{"item": v.item.implementation_code, "field": ff.key} for v, ff in f.targets]}
                 for f in bundle_form(bundle)],
        "checklist": [{"key": m.key, "name": m.name, "necessity": m.necessity, "items": m.item_names,
                       "produced_by": m.produced_by.name if m.produced_by else None} for m in bundle_checklist(bundle)],
        "problems": bundle_problems(bundle) if bundle.status != Bundle.Status.PUBLISHED else [],
    }


def _parent_out(pk: int) -> dict:
    o = sel.parallel_overview(pk)
    parent = o.parent
    return {
        "number": parent.number, "bundle": o.record.bundle.code, "status": parent.status,
        "status_label": parent.get_status_display(), "outcome": o.record.outcome,
        "current_stage": o.record.current_stage, "due_date": parent.due_date, "delivery": parent.delivery,
        "failed_parts": o.record.failed_parts,
        "children": [{"number": c.number, "item": c.item_version.name, "department": c.department.name,
                      "stage": c.stage, "status": c.status, "status_label": c.get_status_display(),
                      "due_date": c.due_date, "delivery": c.delivery} for c in o.children],
    }


def _meeting_out(m: JointMeeting) -> dict:
    return {
        "id": m.pk, "kind": m.kind, "title": m.title, "case": m.case.number if m.case_id else None,
        "subject_type": m.subject_type, "subject_id": m.subject_id, "subject_label": m.subject_label,
        "held_on": m.held_on, "opinion_deadline": m.opinion_deadline, "state": m.state, "result": m.result,
        "invitations": [{"department": i.department.code, "attendance": i.attendance, "opinion": i.opinion,
                         "text": i.text, "deemed": i.deemed, "recorded_at": i.recorded_at}
                        for i in m.invitations.select_related("department").order_by("id")],
    }


def _parent(number: str) -> Case:
    return get_object_or_404(Case, number=number, parallel__isnull=False)


@router.get("/bundles", summary="已发布的一件事")
def bundles_list(request):
    return [_bundle_out(b) for b in bundles_published()]


@router.get("/bundles/{code}", summary="一件事详情：事项、一张表单、合并材料清单")
def bundle_detail(request, code: str):
    return _bundle_out(get_object_or_404(Bundle, code=code))


@router.put("/bundles/{code}", summary="保存一件事（中心管理员）；publish=true 时同时发布", response=R)
@case_errors
def bundle_save(request, code: str, payload: BundleIn, publish: bool = False):
    if not (request.user.is_superuser or request.user.has_role("admin")):
        return Status(403, {"detail": "此操作需要「中心管理员」角色。", "errors": []})
    bundle, _changed = bundle_upsert(actor=request.user, data={**payload.dict(), "code": code}, publish=publish)
    return _bundle_out(bundle)


@router.post("/bundles/{code}/publish", summary="发布一件事（检查不通过时说明原因）", response=R)
@case_errors
def bundle_publish_api(request, code: str):
    if not (request.user.is_superuser or request.user.has_role("admin")):
        return Status(403, {"detail": "此操作需要「中心管理员」角色。", "errors": []})
    return _bundle_out(bundle_publish(actor=request.user, bundle=get_object_or_404(Bundle, code=code)))


@router.post("/bundles/{code}/apply", summary="窗口申请一件事：生成主办件和各事项子办件", response=R)
@case_errors
def bundle_apply_api(request, code: str, payload: ApplyIn):
    bundle = get_object_or_404(Bundle, code=code)
    user = request.user
    if user.centre is None:
        raise ValidationError("您的账号未设置所在中心，不能接件。")
    applicant = applicant_register(actor=user, **payload.applicant)
    parent = bundle_apply(actor=user, applicant=applicant, bundle=bundle, form_data=payload.form_data,
                          materials=payload.materials, centre=user.centre, contact_phone=payload.contact_phone)
    return _parent_out(parent.pk)


@router.get("/cases/{number}", summary="一件事主办件：各子办件状态和到期日")
def parent_detail(request, number: str):
    return _parent_out(_parent(number).pk)


@router.post("/cases/{number}/deliver", summary="统一出件", response=R)
@case_errors
def parent_deliver(request, number: str, payload: DeliverIn):
    parent = parallel_deliver(actor=request.user, case=_parent(number), **payload.dict())
    return _parent_out(parent.pk)


@router.get("/meetings", summary="联审会议（本人牵头、本部门受邀或本中心）")
def meetings_list(request, subject_type: str = "", subject_id: str = ""):
    if subject_type:
        return [_meeting_out(m) for m in sel.meetings_for_subject(subject_type, subject_id)]
    return [_meeting_out(m) for m in sel.meetings_for_user(request.user)]


@router.post("/meetings", summary="发起联审 / 联合踏勘 / 联合验收", response=R)
@case_errors
def meetings_convene(request, payload: ConveneIn):
    case = get_object_or_404(Case, number=payload.case_number) if payload.case_number else None
    departments = list(Department.objects.filter(code__in=payload.departments))
    missing = set(payload.departments) - {d.code for d in departments}
    if missing:
        raise ValidationError({"departments": [f"部门 {'、'.join(sorted(missing))} 不存在。"]})
    meeting = meeting_convene(actor=request.user, kind=payload.kind, title=payload.title, departments=departments,
                              held_on=payload.held_on, opinion_days=payload.opinion_days, place=payload.place,
                              case=case, subject_type=payload.subject_type, subject_id=payload.subject_id,
                              subject_label=payload.subject_label)
    return _meeting_out(meeting)


@router.get("/meetings/{pk}", summary="会议详情")
def meeting_detail(request, pk: int):
    return _meeting_out(get_object_or_404(JointMeeting, pk=pk))


@router.post("/meetings/{pk}/opinion", summary="提交本部门意见（截止日后拒绝）", response=R)
@case_errors
def meeting_opinion(request, pk: int, payload: OpinionIn):
    meeting = get_object_or_404(JointMeeting, pk=pk)
    meeting_opinion_record(actor=request.user, meeting=meeting, opinion=payload.opinion, text=payload.text)
    return _meeting_out(JointMeeting.objects.get(pk=pk))


@router.post("/meetings/{pk}/attendance", summary="登记出席情况", response=R)
@case_errors
def meeting_attendance(request, pk: int, payload: AttendanceIn):
    meeting = get_object_or_404(JointMeeting, pk=pk)
    department = get_object_or_404(Department, code=payload.department)
    meeting_attendance_record(actor=request.user, meeting=meeting, department=department, present=payload.present,
                              attendee=payload.attendee)
    return _meeting_out(JointMeeting.objects.get(pk=pk))


@router.post("/meetings/{pk}/close", summary="闭会（意见期限届满后；未提交意见视为同意）", response=R)
@case_errors
def meeting_close_api(request, pk: int):
    meeting = meeting_close(meeting=get_object_or_404(JointMeeting, pk=pk), actor=request.user)
    return _meeting_out(meeting)

