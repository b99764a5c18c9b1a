"""Hall API (mounted at /api/v1/hall/) for kiosks, display hardware and window consoles.

Kiosks and displays call anonymously: taking a ticket is rate-limited per address, reading
calls and lines is public (ticket numbers only, never names). Clerk actions use the staff
session (with the CSRF token, as django-ninja's session auth checks it) and only at the windows
assigned to the clerk.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.security import SessionAuth

from yichuang.core.middleware import client_ip
from yichuang.core.ratelimit import Limit, rate_hit
from yichuang.org.models import Window

from . import selectors, services
from .errors import HallConflict, HallError, HallPermissionDenied
from .models import Ticket, WindowState

router = Router(tags=["hall"])

API_TAKE_LIMIT = Limit("hall-api-take", max_hits=60, window_seconds=60)
API_BOOK_LIMIT = Limit("hall-api-book", max_hits=10, window_seconds=10 * 60)


class HallStaffSessionAuth(SessionAuth):
    """The staff session, with its CSRF check, answering in Chinese."""

    def _get_key(self, request: HttpRequest):
        try:
            return super()._get_key(request)
        except HttpError as exc:
            raise HttpError(403, _(
                "安全校验（CSRF）未通过：请刷新页面后重试；从脚本调用时，请在请求头 X-CSRFToken 中带上 csrftoken Cookie 的值。"
            )) from exc

    def authenticate(self, request: HttpRequest, key):
        if not request.user.is_authenticated:
            raise AuthenticationError(401, _("请先登录：窗口叫号需要工作人员账号登录。"))
        return request.user


staff_auth = HallStaffSessionAuth()


# --- schemas ------------------------------------------------------------------------------------------


class Problem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    code: str = ""
    errors: list[Problem] = []


class LineOut(Schema):
    code: str
    name: str
    prefix: str
    description: str
    waiting: int = Field(..., description="等候人数")
    estimated_wait_minutes: int = Field(..., description="现在取号预计等候（分钟）")
    windows_open: int = Field(..., description="正在服务此业务的窗口数（暂停的不计）")
    average_wait_minutes: int | None = Field(None, description="今日已叫号者的平均等候（分钟）")
    appointments_enabled: bool


class TakeIn(Schema):
    line: str | None = Field(None, max_length=20, description="业务队列代码；与 item 二选一")
    item: str | None = Field(None, max_length=64, description="事项实施编码：按事项找到办理它的队列")
    category: Ticket.Category = Field(Ticket.Category.NORMAL, description="normal 普通，elderly 老年人，disabled 残疾人，pregnant 孕妇，green 绿色通道企业")
    phone: str = Field("", max_length=20, description="手机号（选填），用于短信提醒")
    id_number: str = Field("", max_length=18, description="身份证号码（选填）：年满设置年龄自动按老年人优先")
    request_key: str = Field("", max_length=64, description="取号请求的唯一键：网络重试时带同一个键，返回同一个号，不会重复取号")


class TicketOut(Schema):
    number: str
    token: str = Field(..., description="查询进度用的令牌")
    status: str
    status_label: str
    line: str
    line_name: str
    category: str
    day: datetime.date
    issued_at: datetime.datetime
    ahead: int = Field(..., description="前面等候人数")
    estimated_wait_minutes: int
    near: bool = Field(..., description="即将轮到")
    window: str | None = Field(None, description="叫号后：请到的窗口号")
    status_url: str = Field(..., description="手机查看进度的网页地址（可做成二维码）")


class CallOut(Schema):
    id: int = Field(..., description="事件编号：下次以 since= 此值继续取")
    number: str
    window: str
    line: str
    at: datetime.datetime
    recalled: bool


class CallsOut(Schema):
    cursor: int
    calls: list[CallOut]


class WindowOut(Schema):
    window: str
    state: str
    state_label: str
    reason: str
    current: TicketOut | None
    waiting: int


class CallNextOut(Schema):
    detail: str
    ticket: TicketOut | None


class TransferIn(Schema):
    to_line: str | None = Field(None, max_length=20, description="转到的业务队列代码")
    to_window: str | None = Field(None, max_length=10, description="或转到的窗口号")
    note: str = Field("", max_length=200)


class PauseIn(Schema):
    reason: WindowState.Reason


class SlotOut(Schema):
    starts_at: str
    ends_at: str
    capacity: int
    available: int


class BookIn(Schema):
    line: str = Field(..., max_length=20)
    day: datetime.date
    starts_at: str = Field(..., max_length=5, description="时段开始，如 09:30")
    name: str = Field(..., max_length=60)
    id_number: str = Field(..., max_length=18)
    phone: str = Field(..., max_length=20)
    item: str | None = Field(None, max_length=64)


class AppointmentOut(Schema):
    code: str = Field(..., description="签到用的 6 位预约码")
    status: str
    line: str
    day: datetime.date
    starts_at: str
    ends_at: str
    manage_url: str = Field(..., description="改约、取消的网页地址")


class MetricRowOut(Schema):
    label: str
    tickets: int
    called: int
    served: int
    no_shows: int
    no_show_rate: float | None
    abandoned: int
    appointment_tickets: int
    average_wait_minutes: float | None
    average_service_minutes: float | None


class MetricsOut(Schema):
    centre: str
    date_from: datetime.date
    date_to: datetime.date
    by: str
    rows: list[MetricRowOut]
    total: MetricRowOut
    appointments_booked: int
    appointments_checked_in: int
    appointments_late: int
    appointments_no_show: int
    appointments_cancelled: int
    paused_minutes: dict[str, int]


# --- helpers ------------------------------------------------------------------------------------------


def _error(err: HallError) -> tuple[int, dict]:
    if hasattr(err, "error_dict"):
        problems = [{"field": f, "message": m} for f, messages in err.message_dict.items() for m in messages]
        code = ""
    else:
        problems = []
        code = getattr(err, "code", "") or ""
    status = 403 if isinstance(err, HallPermissionDenied) else 409 if isinstance(err, HallConflict) else 400
    return status, {"detail": "；".join(err.messages), "code": code, "errors": problems}


def _centre(code: str):
    centre = selectors.centre_by_code(code)
    if centre is None:
        raise HttpError(404, _("没有这个服务中心：%(c)s。") % {"c": code})
    return centre


def _limited(request: HttpRequest, limit: Limit) -> None:
    verdict = rate_hit(limit, client_ip(request) or "unknown")
    if not verdict.allowed:
        raise HttpError(429, _("请求过于频繁，请 %(s)d 秒后再试。") % {"s": verdict.retry_after})


def _ticket_out(ticket: Ticket) -> dict:
    from django.conf import settings

    progress = selectors.ticket_progress(ticket)
    return {
        "number": ticket.number, "token": ticket.token, "status": ticket.status,
        "status_label": ticket.get_status_display(), "line": ticket.line.code, "line_name": ticket.line.name,
        "category": ticket.category, "day": ticket.day, "issued_at": ticket.issued_at, "ahead": progress.ahead,
        "estimated_wait_minutes": progress.estimate.minutes, "near": progress.near,
        "window": ticket.window.number if ticket.window_id and ticket.status in (Ticket.Status.CALLED, Ticket.Status.SERVING) else None,
        "status_url": settings.SITE_URL + reverse("hall:ticket", args=[ticket.token]),
    }


def _window(request: HttpRequest, window_id: int) -> Window:
    window = selectors.window_by_id(window_id)
    if window is None or not services.may_use_window(request.auth, window):
        raise HttpError(403, _("您没有被分配到这个窗口，不能在此窗口操作。"))
    return window


# --- kiosks and displays (anonymous) -------------------------------------------------------------------


@router.get("/centres/{centre}/lines", response=list[LineOut], summary="业务队列与等候情况")
def lines(request, centre: str):
    return [
        {
            "code": s.line.code, "name": s.line.name, "prefix": s.line.prefix, "description": s.line.description,
            "waiting": s.waiting, "estimated_wait_minutes": s.estimate.minutes, "windows_open": s.estimate.windows,
            "average_wait_minutes": s.average_wait_minutes, "appointments_enabled": s.line.appointments_enabled,
        }
        for s in selectors.line_overview(_centre(centre))
    ]


@router.post("/centres/{centre}/tickets", response={201: TicketOut, 400: ErrorOut, 429: ErrorOut}, summary="取号",
             description="取号机、第三方设备取号。按业务队列代码或事项实施编码取号；带 request_key 的重试返回同一个号。")
def take(request, centre: str, payload: TakeIn):
    centre = _centre(centre)
    _limited(request, API_TAKE_LIMIT)
    line = selectors.active_lines(centre).filter(code=payload.line).first() if payload.line else None
    item = selectors.item_by_code(payload.item)
    if payload.line and line is None:
        return Status(400, {"detail": _("没有这个业务队列：%(c)s。") % {"c": payload.line}, "code": "line", "errors": []})
    if payload.item and item is None:
        return Status(400, {"detail": _("没有这个事项：%(c)s。") % {"c": payload.item}, "code": "item", "errors": []})
    try:
        ticket = services.ticket_take(
            centre=centre, line=line, item=item, category=payload.category, phone=payload.phone,
            id_number=payload.id_number, source=Ticket.Source.API, request_key=payload.request_key,
        )
    except HallError as err:
        return Status(*_error(err))
    return Status(201, _ticket_out(ticket))


@router.get("/tickets/{token}", response={200: TicketOut}, summary="查询排队进度")
def ticket_status(request, token: str):
    ticket = selectors.ticket_by_token(token)
    if ticket is None:
        raise HttpError(404, _("没有找到这个号。"))
    return _ticket_out(ticket)


@router.get("/centres/{centre}/calls", response=CallsOut, summary="叫号事件（显示屏轮询）",
            description="返回 since 之后的叫号和重呼事件，按发生顺序；以返回的 cursor 作为下次的 since。")
def calls(request, centre: str, since: int = Query(0, ge=0), area: str | None = Query(None, max_length=20)):
    centre = _centre(centre)
    hall_area = selectors.area_by_code(centre, area) if area else None
    if area and hall_area is None:
        raise HttpError(404, _("没有这个大厅区域：%(a)s。") % {"a": area})
    events = selectors.call_events_since(centre, since=since, area=hall_area)
    return {
        "cursor": events[-1].pk if events else max(since, 0),
        "calls": [
            {"id": e.pk, "number": e.number, "window": e.window.number if e.window else "", "line": e.line.name,
             "at": e.at, "recalled": e.action == "recalled"}
            for e in events
        ],
    }


@router.get("/centres/{centre}/lines/{line}/slots", response=list[SlotOut], summary="预约时段")
def slots(request, centre: str, line: str, day: datetime.date):
    centre = _centre(centre)
    found = selectors.active_lines(centre).filter(code=line, appointments_enabled=True).first()
    if found is None:
        raise HttpError(404, _("没有这个可预约的业务：%(c)s。") % {"c": line})
    return [
        {"starts_at": s.starts_at.strftime("%H:%M"), "ends_at": s.ends_at.strftime("%H:%M"), "capacity": s.capacity,
         "available": s.available}
        for s in selectors.day_slots(found, day)
    ]


@router.post("/centres/{centre}/appointments", response={201: AppointmentOut, 400: ErrorOut, 429: ErrorOut},
             summary="预约", description="网上办事大厅等系统代为预约。")
def book(request, centre: str, payload: BookIn):
    from django.conf import settings

    centre = _centre(centre)
    _limited(request, API_BOOK_LIMIT)
    line = selectors.active_lines(centre).filter(code=payload.line).first()
    if line is None:
        return Status(400, {"detail": _("没有这个业务队列：%(c)s。") % {"c": payload.line}, "code": "line", "errors": []})
    try:
        starts_at = datetime.time.fromisoformat(payload.starts_at)
    except ValueError:
        return Status(400, {"detail": _("时段开始时间应写作 时:分，如 09:30。"), "code": "slot", "errors": []})
    try:
        appointment = services.appointment_book(
            line=line, day=payload.day, starts_at=starts_at, name=payload.name, id_number=payload.id_number,
            phone=payload.phone, item=selectors.item_by_code(payload.item),
        )
    except HallError as err:
        return Status(*_error(err))
    return Status(201, {
        "code": appointment.code, "status": appointment.status, "line": line.code, "day": appointment.day,
        "starts_at": appointment.starts_at.strftime("%H:%M"), "ends_at": appointment.ends_at.strftime("%H:%M"),
        "manage_url": settings.SITE_URL + reverse("hall:appointment", args=[appointment.token]),
    })


# --- window consoles (staff session) --------------------------------------------------------------------


def _window_out(request, window: Window) -> dict:
    view = selectors.console_view(request.auth, window)
    return {
        "window": window.number, "state": view.state.state, "state_label": view.state.get_state_display(),
        "reason": view.state.reason, "current": _ticket_out(view.current) if view.current else None,
        "waiting": view.waiting_total,
    }


@router.get("/windows/{window_id}", response=WindowOut, auth=staff_auth, summary="窗口状态")
def window_state(request, window_id: int):
    return _window_out(request, _window(request, window_id))


@router.post("/windows/{window_id}/call-next", response={200: CallNextOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
             auth=staff_auth, summary="叫下一位")
def call_next(request, window_id: int):
    window = _window(request, window_id)
    try:
        ticket = services.ticket_call_next(actor=request.auth, window=window)
    except HallError as err:
        return Status(*_error(err))
    if ticket is None:
        return {"detail": _("目前没有等候的号。"), "ticket": None}
    return {"detail": _("已叫 %(n)s。") % {"n": ticket.number}, "ticket": _ticket_out(ticket)}


TicketAction = Literal["recall", "skip", "requeue", "start", "finish"]
ACTIONS = {
    "recall": services.ticket_recall, "skip": services.ticket_skip, "requeue": services.ticket_requeue,
    "start": services.ticket_start, "finish": services.ticket_finish,
}


def _ticket_for(window: Window, number: str) -> Ticket:
    ticket = selectors.ticket_by_number_today(window, number)
    if ticket is None:
        raise HttpError(404, _("没有找到号码 %(n)s。") % {"n": number})
    return ticket


@router.post("/windows/{window_id}/tickets/{number}/call", response={200: TicketOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
             auth=staff_auth, summary="叫指定号码（特呼）")
def call_number(request, window_id: int, number: str):
    window = _window(request, window_id)
    try:
        ticket = services.ticket_call(actor=request.auth, window=window, ticket=_ticket_for(window, number))
    except HallError as err:
        return Status(*_error(err))
    return _ticket_out(ticket)


@router.post("/windows/{window_id}/tickets/{number}/transfer", response={200: TicketOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
             auth=staff_auth, summary="转移到其他队列或窗口")
def transfer(request, window_id: int, number: str, payload: TransferIn):
    window = _window(request, window_id)
    to_line = selectors.line_in_centre(window.centre_id, code=payload.to_line)
    to_window = selectors.window_in_centre(window.centre_id, number=payload.to_window)
    if payload.to_line and to_line is None or payload.to_window and to_window is None:
        return Status(400, {"detail": _("转移目标不存在，请核对队列代码或窗口号。"), "code": "target", "errors": []})
    try:
        ticket = services.ticket_transfer(actor=request.auth, window=window, ticket=_ticket_for(window, number),
                                          to_line=to_line, to_window=to_window, note=payload.note)
    except HallError as err:
        return Status(*_error(err))
    return _ticket_out(ticket)


@router.post("/windows/{window_id}/tickets/{number}/{action}", response={200: TicketOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
             auth=staff_auth, summary="重呼、过号、过号重排、开始办理、办结")
def ticket_action(request, window_id: int, number: str, action: TicketAction):
    window = _window(request, window_id)
    try:
        ticket = ACTIONS[action](actor=request.auth, window=window, ticket=_ticket_for(window, number))
    except HallError as err:
        return Status(*_error(err))
    return _ticket_out(ticket)


@router.post("/windows/{window_id}/pause", response={200: WindowOut, 400: ErrorOut, 403: ErrorOut}, auth=staff_auth,
             summary="暂停（休息、后台办理等）")
def pause(request, window_id: int, payload: PauseIn):
    window = _window(request, window_id)
    try:
        services.window_pause(actor=request.auth, window=window, reason=payload.reason)
    except HallError as err:
        return Status(*_error(err))
    return _window_out(request, window)


@router.post("/windows/{window_id}/resume", response={200: WindowOut, 403: ErrorOut}, auth=staff_auth, summary="恢复服务")
def resume(request, window_id: int):
    window = _window(request, window_id)
    services.window_resume(actor=request.auth, window=window)
    return _window_out(request, window)


@router.get("/metrics", response=MetricsOut, auth=staff_auth, summary="大厅统计",
            description="按队列、窗口、工作人员或时段统计取号、等候、办理、过号、未办理离开和预约使用。")
def metrics(request, centre: str, date_from: datetime.date | None = None, date_to: datetime.date | None = None,
            by: Literal["line", "window", "clerk", "hour"] = "line"):
    if not services.may_read_metrics(request.auth):
        raise HttpError(403, _("查看大厅统计需要窗口、监察或管理角色。"))
    found = selectors.metrics_centres(request.auth).filter(code=centre).first()
    if found is None:
        raise HttpError(404, _("没有这个中心，或不在您的管辖范围内。"))
    date_to = date_to or timezone.localdate()
    date_from = date_from or date_to
    if date_from > date_to or (date_to - date_from).days >= selectors.METRICS_MAX_DAYS:
        raise HttpError(400, _("日期范围无效：开始日期不能晚于结束日期，最多 %(n)d 天。") % {"n": selectors.METRICS_MAX_DAYS})
    data = selectors.hall_metrics(found, date_from=date_from, date_to=date_to, by=by)

    def row(r):
        return {**r.__dict__, "no_show_rate": r.no_show_rate}

    a = data.appointments
    return {
        "centre": found.code, "date_from": date_from, "date_to": date_to, "by": by,
        "rows": [row(r) for r in data.rows], "total": row(data.total),
        "appointments_booked": a.booked, "appointments_checked_in": a.checked_in, "appointments_late": a.late,
        "appointments_no_show": a.no_show, "appointments_cancelled": a.cancelled, "paused_minutes": data.paused_minutes,
    }

