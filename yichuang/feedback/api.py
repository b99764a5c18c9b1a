"""Ratings (好差评) with rectification, callbacks and complaints (投诉): the JSON API at /api/v1/feedback/.

A provincial 好差评 platform pushes ratings by case number (`POST /ratings`, channel "platform" unless
given) and pulls them (`GET /ratings?since=...`, `GET /cases/{number}/ratings`). Staff systems read
rectifications and move them on, register complaints and move them through their stages. Auth as
for the case API: a bearer token bound to a staff account, or the browser session (CSRF checked).
Errors answer `{"detail": ..., "errors": [...]}` with 403 (role), 404 (not found or out of scope), 422.
"""

import datetime
import functools

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from yichuang.cases.api import StaffSessionAuth, error_body
from yichuang.cases.api_schemas import ErrorOut, site_url
from yichuang.cases.models import Case
from yichuang.org.models import Department, User, Window
from yichuang.org.tokens import TokenAuth

from . import selectors, services
from .errors import FeedbackPermissionDenied
from .models import Complaint, Rating, Rectification
from .services_complaints import complaint_advance, complaint_extend, complaint_submit

router = Router(tags=["feedback"], auth=[TokenAuth(), StaffSessionAuth()])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class NotFound(Exception):
    """Nothing by that id or number within the caller's scope (answered 404)."""


def answers(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return Status(404, {"detail": str(exc), "errors": []})
        except FeedbackPermissionDenied as err:
            return Status(403, error_body(err))
        except ValidationError as err:
            return Status(422, error_body(err))

    return wrapper


# --- schemas -----------------------------------------------------------------------------------------


class RatingIn(Schema):
    case_number: str = Field(..., max_length=40, description="办件编号")
    level: int = Field(..., ge=1, le=5, description="5 非常满意 … 1 非常不满意")
    channel: str = Field("platform", description="platform（省平台）、hotline、callback")
    indicators: dict[str, int] = Field(default_factory=dict, description="分项评价，如 {\"efficiency\": 5}")
    comment: str = Field("", max_length=1000)
    real_name: bool = False
    rater_name: str = Field("", max_length=60)
    rater_phone: str = Field("", max_length=20)
    external_ref: str = Field("", max_length=64, description="省平台的评价编号")
    rated_at: datetime.datetime | None = None


class RectificationStepOut(Schema):
    kind: str
    name: str
    budget_days: int
    due_date: datetime.date
    state: str
    alarm: str
    finished_at: datetime.datetime | None
    actor: str
    note: str


class RectificationOut(Schema):
    id: int
    rating_id: int
    state: str
    opened_on: datetime.date
    total_days: int
    due_date: datetime.date
    alarm: str
    answer: str
    finished_late: bool
    steps: list[RectificationStepOut]


class RatingOut(Schema):
    id: int
    case_number: str | None
    channel: str
    level: int
    level_name: str
    indicators: dict
    comment: str
    real_name: bool
    rater_name: str
    rated_at: datetime.datetime
    state: str
    item_code: str | None
    department_code: str | None
    window_number: str | None
    staff: str | None
    external_ref: str
    public_url: str
    rectification: RectificationOut | None


class StepIn(Schema):
    kind: str = Field(..., description="verify / rectify / reply / callback / review")
    note: str
    answer: str = ""
    outcome: str = Field("", description="callback: reached / not_reached / refused")
    level_after: int | None = None
    passed: bool = True


class ComplaintIn(Schema):
    source: str = Field(..., description="hall / 12345 / 8890 / transfer / online")
    centre_code: str | None = None
    subject: str = Field(..., max_length=120)
    content: str
    category: str = ""
    complainant_name: str = ""
    complainant_phone: str = ""
    source_platform: str = ""
    source_ref: str = ""
    case_number: str | None = None
    department_code: str | None = None
    window_number: str | None = None
    staff_username: str | None = None


class ComplaintEventOut(Schema):
    at: datetime.datetime
    action: str
    actor: str
    summary: str


class ComplaintOut(Schema):
    number: str
    source: str
    source_platform: str
    source_ref: str
    category: str
    subject: str
    content: str
    stage: str
    stage_name: str
    received_at: datetime.datetime
    stage_due_date: datetime.date | None
    answer_due_date: datetime.date | None
    alarm: str
    extension_days: int
    finding: str
    accountability: str
    answer: str
    can_sms: bool
    case_number: str | None
    department_code: str | None
    window_number: str | None
    events: list[ComplaintEventOut]


class AdvanceIn(Schema):
    action: str = Field(..., description="accept / investigate / handle / answer / archive / not_accept / extend")
    note: str = ""
    finding: str = ""
    accountability: str = ""
    answer: str = ""
    days: int | None = None
    reason: str = ""


class RatingFilters(Schema):
    since: datetime.datetime | None = Field(None, description="评价时间不早于")
    channel: str | None = None
    limit: int = Field(200, ge=1, le=1000)


class SummaryFilters(Schema):
    start: datetime.date
    end: datetime.date
    department_id: int | None = None
    window_id: int | None = None


# --- converters --------------------------------------------------------------------------------------


def _rect_out(rect: Rectification | None) -> dict | None:
    if rect is None:
        return None
    return {
        "id": rect.pk, "rating_id": rect.rating_id, "state": rect.state, "opened_on": rect.opened_on,
        "total_days": rect.total_days, "due_date": rect.due_date, "alarm": rect.alarm, "answer": rect.answer,
        "finished_late": rect.finished_late,
        "steps": [{"kind": s.kind, "name": s.get_kind_display(), "budget_days": s.budget_days, "due_date": s.due_date,
                   "state": s.state, "alarm": s.alarm, "finished_at": s.finished_at,
                   "actor": str(s.actor) if s.actor_id else "", "note": s.note} for s in rect.steps.all()],
    }


def _rating_out(r: Rating) -> dict:
    from django.urls import reverse

    return {
        "id": r.pk, "case_number": r.case.number if r.case_id else None, "channel": r.channel, "level": r.level,
        "level_name": r.get_level_display(), "indicators": r.indicators, "comment": r.comment,
        "real_name": r.real_name, "rater_name": r.rater_name, "rated_at": r.rated_at, "state": r.state,
        "item_code": r.item.implementation_code if r.item_id else None,
        "department_code": r.department.code if r.department_id else None,
        "window_number": r.window.number if r.window_id else None, "staff": str(r.staff) if r.staff_id else None,
        "external_ref": r.external_ref, "public_url": site_url(reverse("feedback:rating_public", args=[r.token])),
        "rectification": _rect_out(getattr(r, "rectification", None)),
    }


def _complaint_out(c: Complaint) -> dict:
    return {
        "number": c.number, "source": c.source, "source_platform": c.source_platform, "source_ref": c.source_ref,
        "category": c.category, "subject": c.subject, "content": c.content, "stage": c.stage,
        "stage_name": c.get_stage_display(), "received_at": c.received_at, "stage_due_date": c.stage_due_date,
        "answer_due_date": c.answer_due_date, "alarm": c.alarm, "extension_days": c.extension_days,
        "finding": c.finding, "accountability": c.accountability, "answer": c.answer, "can_sms": c.can_sms,
        "case_number": c.case.number if c.case_id else None,
        "department_code": c.department.code if c.department_id else None,
        "window_number": c.window.number if c.window_id else None,
        "events": [{"at": e.at, "action": e.action, "actor": e.actor_label, "summary": e.summary}
                   for e in c.events.all()],
    }


def _case(request, number: str) -> Case:
    from yichuang.cases.selectors import case_by_number_for_user

    case = case_by_number_for_user(request.user, number)
    if case is None:
        raise NotFound(_("未找到办件 %(n)s，或您无权查看。") % {"n": number})
    return case


def _ratings(request) -> QuerySet[Rating]:
    return selectors.ratings_visible_to(request.auth).select_related("rectification").prefetch_related(
        "rectification__steps__actor")


# --- ratings -----------------------------------------------------------------------------------------


@router.post("/ratings", response={201: RatingOut, **ERRORS}, summary="推送一条评价（省好差评平台、热线、回访）")
@answers
def rating_push(request, payload: RatingIn):
    case = _case(request, payload.case_number.strip().upper())
    if payload.channel not in (Rating.Channel.PLATFORM, Rating.Channel.HOTLINE, Rating.Channel.CALLBACK):
        raise ValidationError(_("接口只接收 platform、hotline、callback 渠道的评价。"), code="channel")
    rating = services.rating_submit(
        actor=request.auth, channel=payload.channel, case=case, level=payload.level, indicators=payload.indicators,
        comment=payload.comment, real_name=payload.real_name, rater_name=payload.rater_name,
        rater_phone=payload.rater_phone, external_ref=payload.external_ref, at=payload.rated_at)
    return Status(201, _rating_out(_ratings(request).get(pk=rating.pk)))


@router.get("/ratings", response={200: list[RatingOut], **ERRORS}, summary="拉取评价（按时间增量）")
def rating_pull(request, filters: Query[RatingFilters]):
    qs = _ratings(request).order_by("rated_at", "id")
    if filters.since:
        qs = qs.filter(rated_at__gte=filters.since)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    return [_rating_out(r) for r in qs[: filters.limit]]


@router.get("/ratings/{rating_id}", response={200: RatingOut, **ERRORS}, summary="一条评价及其整改")
@answers
def rating_get(request, rating_id: int):
    rating = _ratings(request).filter(pk=rating_id).first()
    if rating is None:
        raise NotFound(_("未找到这条评价，或您无权查看。"))
    return _rating_out(rating)


@router.get("/cases/{number}/ratings", response={200: list[RatingOut], **ERRORS}, summary="某办件的全部评价")
@answers
def case_ratings(request, number: str = Path(..., max_length=40)):
    case = _case(request, number.strip().upper())
    return [_rating_out(r) for r in _ratings(request).filter(case=case)]


@router.get("/summary", response={200: dict, **ERRORS}, summary="评价与投诉汇总（满意率、差评率、整改率、回访率）")
def summary(request, filters: Query[SummaryFilters]):
    kwargs = {"start": filters.start, "end": filters.end, "department_id": filters.department_id,
              "window_id": filters.window_id}
    return {"ratings": selectors.rating_summary(**kwargs), "complaints": selectors.complaint_summary(**kwargs)}


# --- rectifications ----------------------------------------------------------------------------------


@router.get("/rectifications", response={200: list[RectificationOut], **ERRORS}, summary="办理中的差评整改")
def rectification_list(request):
    return [_rect_out(r) for r in selectors.rectifications_open(request.auth)]


@router.post("/rectifications/{rect_id}/steps", response={200: RectificationOut, **ERRORS},
             summary="办理整改的当前环节")
@answers
def rectification_step(request, rect_id: int, payload: StepIn):
    rect = Rectification.objects.filter(pk=rect_id, rating__in=selectors.ratings_visible_to(request.auth)).first()
    if rect is None:
        raise NotFound(_("未找到这项整改，或您无权查看。"))
    services.rectification_step_complete(
        actor=request.auth, rectification=rect, kind=payload.kind, note=payload.note, answer=payload.answer,
        outcome=payload.outcome, level_after=payload.level_after, passed=payload.passed)
    return _rect_out(Rectification.objects.get(pk=rect.pk))


# --- complaints --------------------------------------------------------------------------------------


def _complaint(request, number: str) -> Complaint:
    complaint = selectors.complaints_visible_to(request.auth).filter(number=number.strip().upper()).first()
    if complaint is None:
        raise NotFound(_("未找到投诉 %(n)s，或您无权查看。") % {"n": number})
    return complaint


@router.post("/complaints", response={201: ComplaintOut, **ERRORS}, summary="登记投诉（大厅、热线、其他平台转办）")
@answers
def complaint_create(request, payload: ComplaintIn):
    user: User = request.auth
    centres = selectors.scope_for(user).centres()
    centre = (centres.filter(code=payload.centre_code).first() if payload.centre_code
              else (user.centre or centres.first()))
    if centre is None:
        raise NotFound(_("未找到中心 %(c)s，或您无权登记。") % {"c": payload.centre_code or ""})
    case = _case(request, payload.case_number.strip().upper()) if payload.case_number else None
    department = Department.objects.filter(code=payload.department_code).first() if payload.department_code else None
    window = Window.objects.filter(centre=centre, number=payload.window_number).first() \
        if payload.window_number else None
    staff = User.objects.filter(username=payload.staff_username).first() if payload.staff_username else None
    complaint = complaint_submit(
        actor=user, centre=centre, source=payload.source, subject=payload.subject, content=payload.content,
        category=payload.category, complainant_name=payload.complainant_name,
        complainant_phone=payload.complainant_phone, source_platform=payload.source_platform,
        source_ref=payload.source_ref, case=case, department=department, window=window, staff=staff)
    return Status(201, _complaint_out(complaint))


@router.get("/complaints", response={200: list[ComplaintOut], **ERRORS}, summary="投诉列表（最近 200 件）")
def complaint_list(request, open_only: bool = False):
    qs = selectors.complaints_visible_to(request.auth).prefetch_related("events")
    if open_only:
        qs = qs.exclude(stage__in=[Complaint.Stage.ARCHIVED, Complaint.Stage.NOT_ACCEPTED])
    return [_complaint_out(c) for c in qs[:200]]


@router.get("/complaints/{number}", response={200: ComplaintOut, **ERRORS}, summary="一件投诉")
@answers
def complaint_get(request, number: str = Path(..., max_length=40)):
    return _complaint_out(_complaint(request, number))


@router.post("/complaints/{number}/advance", response={200: ComplaintOut, **ERRORS},
             summary="投诉进入下一阶段（受理、调查、处置、反馈、归档），不予受理或延期")
@answers
def complaint_act(request, payload: AdvanceIn, number: str = Path(..., max_length=40)):
    complaint = _complaint(request, number)
    if payload.action == "extend":
        complaint = complaint_extend(actor=request.auth, complaint=complaint, days=payload.days or 0,
                                     reason=payload.reason)
    else:
        complaint = complaint_advance(actor=request.auth, complaint=complaint, action=payload.action,
                                      note=payload.note, finding=payload.finding,
                                      accountability=payload.accountability, answer=payload.answer)
    return _complaint_out(complaint)



