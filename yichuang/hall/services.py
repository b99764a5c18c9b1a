"""Every change in the hall goes through a function here.

Tickets: take (kiosk, phone, API, appointment check-in), call next, call a given number, recall,
skip after recalls, requeue, start, finish, transfer, cancel, close the day. Windows: open, pause,
resume, close. Appointments: book, reschedule, cancel, check in, mark no-shows.

Each function checks who acts and on what, writes the new state, an event on its aggregate and
an audit entry in one transaction. Texts go to the outbox in the same transaction and out after
commit. Calling next locks the chosen ticket row with SKIP LOCKED (PostgreSQL), so two windows
calling at the same instant take two different tickets; on SQLite the write lock taken at BEGIN
serialises them.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.catalog.models import Item
from yichuang.core.audit import audit_record
from yichuang.core.calendar import day_info, format_date, weekday_name
from yichuang.core.crypto import lookup_hash
from yichuang.core.sequences import sequence_next
from yichuang.core.validators import validate_id_number, validate_mobile
from yichuang.org.models import Role, ServiceCentre, User, Window

from . import rules
from .errors import HallConflict, HallError, HallPermissionDenied
from .models import (
    Appointment,
    AppointmentEvent,
    HallSettings,
    LineWindow,
    ServiceLine,
    Ticket,
    TicketEvent,
    WindowEvent,
    WindowState,
)
from .sms import sms_queue

T = Ticket.Status
A = Appointment.Status
# Who may work a window console (always only the windows assigned to them).
CONSOLE_ROLES = (
    Role.Code.CLERK, Role.Code.TOWN_CLERK, Role.Code.RESULT_CLERK, Role.Code.AGENT,
    Role.Code.REVIEWER, Role.Code.APPROVER, Role.Code.ADMIN,
)
ACTIVE_AT_WINDOW = (T.CALLED, T.SERVING)


# --- plumbing ---------------------------------------------------------------------------------


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return at or timezone.now()


def _local(at: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(at)


def _hhmm(t: datetime.time) -> str:
    return f"{t.hour}:{t.minute:02d}"


def _day_label(day: datetime.date) -> str:
    return f"{format_date(day)} {weekday_name(day)}"


def settings_for(centre: ServiceCentre) -> HallSettings:
    """The centre's hall settings; the defaults when the admin has not set any."""
    found = HallSettings.objects.filter(centre=centre).first()
    return found or HallSettings(centre=centre)


def _label(actor) -> str:
    return str(actor) if getattr(actor, "is_authenticated", False) else _("取号机")


def _staff(actor) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def _ticket_event(ticket: Ticket, action: str, *, at: datetime.datetime, actor=None, window=None, note: str = "") -> None:
    TicketEvent.objects.create(
        ticket=ticket, centre_id=ticket.centre_id, line_id=ticket.line_id, number=ticket.number, at=at,
        action=action, window=window, actor=_staff(actor), actor_label=_label(actor), note=note[:300],
    )
    audit_record(
        actor=actor, action=f"hall.ticket.{action}", obj=ticket,
        after={"number": ticket.number, "status": ticket.status, "line": ticket.line_id,
               "window": getattr(window, "pk", None)},
        note=note,
    )


def _appointment_event(appointment: Appointment, action: str, *, at: datetime.datetime, actor=None, note: str = "") -> None:
    AppointmentEvent.objects.create(appointment=appointment, at=at, action=action, actor=_staff(actor), note=note[:300])
    audit_record(
        actor=actor, action=f"hall.appointment.{action}", obj=appointment,
        after={"status": appointment.status, "line": appointment.line_id, "day": appointment.day,
               "starts_at": appointment.starts_at.strftime("%H:%M")},
        note=note,
    )


def _messages(err: ValidationError) -> list[str]:
    return list(getattr(err, "messages", [str(err)]))


def _clean_phone(phone: str, errors: dict) -> str:
    phone = (phone or "").strip()
    if not phone:
        return ""
    try:
        return validate_mobile(phone)
    except ValidationError as err:
        errors["phone"] = _messages(err)
        return ""


def _clean_id(id_number: str, errors: dict, *, required: bool = False) -> str:
    id_number = (id_number or "").strip()
    if not id_number and not required:
        return ""
    try:
        return validate_id_number(id_number)
    except ValidationError as err:
        errors["id_number"] = _messages(err)
        return ""


def _public_url(path: str) -> str:
    return django_settings.SITE_URL + path


def _is_workday(centre: ServiceCentre, day: datetime.date) -> tuple[bool, str]:
    info = day_info(day, centre.region)
    return info.is_workday, info.reason


def _check_open_day(hall: HallSettings, centre: ServiceCentre, day: datetime.date) -> None:
    if hall.open_every_day:
        return
    works, reason = _is_workday(centre, day)
    if not works:
        raise HallError(
            _("今天（%(day)s，%(why)s）休息，不办理业务。欢迎工作日再来，或在网上预约。")
            % {"day": _day_label(day), "why": reason}, code="closed_day",
        )


def _check_hall_open(hall: HallSettings, centre: ServiceCentre, now: datetime.datetime, *, checking_in: bool = False) -> None:
    if not hall.is_enabled or not centre.is_active:
        raise HallError(_("本中心（站点）未启用排队取号，请直接到窗口咨询。"), code="disabled")
    local = _local(now)
    _check_open_day(hall, centre, local.date())
    if local.time() < hall.opens_at:
        raise HallError(_("%(t)s 开始取号，请稍候。") % {"t": _hhmm(hall.opens_at)}, code="not_yet")
    last = (datetime.datetime.combine(local.date(), hall.closes_at) - datetime.timedelta(minutes=hall.last_ticket_minutes)).time()
    if local.time() > (hall.closes_at if checking_in else last):
        raise HallError(
            _("今日取号已于 %(t)s 结束。欢迎下个工作日再来，或在网上预约。") % {"t": _hhmm(last)}, code="closed_for_today"
        )


def ticket_taking_closed(centre: ServiceCentre, now: datetime.datetime) -> str:
    """Why no ticket can be taken at `now` (a day off, before opening, after the last ticket), or "" when
    one can: the kiosk says it up front instead of after a tap."""
    try:
        _check_hall_open(settings_for(centre), centre, now)
    except HallError as error:
        return error.messages[0]
    return ""


# --- windows ------------------------------------------------------------------------------------


# Who reads the queue's figures (大厅统计): the staff who serve the queue and those who supervise it.
METRICS_ROLES = (
    Role.Code.SUPERVISOR, Role.Code.ADMIN, Role.Code.CLERK, Role.Code.TOWN_CLERK, Role.Code.RESULT_CLERK,
    Role.Code.AGENT,
)


def may_read_metrics(user) -> bool:
    return user.is_superuser or user.has_role(*METRICS_ROLES)


def may_use_window(actor, window: Window) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_superuser:
        return True
    return actor.has_role(*CONSOLE_ROLES) and actor.windows.filter(pk=window.pk).exists()


def _require_window(actor, window: Window) -> None:
    if not may_use_window(actor, window):
        raise HallPermissionDenied(
            _("您没有被分配到 %(w)s 窗口，不能在此窗口叫号。请联系中心管理员在您的账号中添加该窗口。") % {"w": window.number},
            code="window",
        )


def _window_state(window: Window, *, at: datetime.datetime) -> WindowState:
    """The window's state row, locked for this transaction (created closed on first use)."""
    try:
        with transaction.atomic():
            WindowState.objects.get_or_create(window=window, defaults={"since": at})
    except IntegrityError:  # another request created it first
        pass
    return WindowState.objects.select_for_update().get(window=window)


def _set_window(state: WindowState, new: str, *, actor, at: datetime.datetime, reason: str = "") -> WindowState:
    action = {
        WindowState.State.OPEN: WindowEvent.Action.RESUMED if state.state == WindowState.State.PAUSED else WindowEvent.Action.OPENED,
        WindowState.State.PAUSED: WindowEvent.Action.PAUSED,
        WindowState.State.CLOSED: WindowEvent.Action.CLOSED,
    }[new]
    before = state.state
    state.state, state.reason, state.since = new, reason, at
    state.clerk = _staff(actor) if new != WindowState.State.CLOSED else None
    state.save()
    WindowEvent.objects.create(window_id=state.window_id, at=at, action=action, reason=reason, actor=_staff(actor))
    audit_record(actor=actor, action=f"hall.window.{action}", object_type="org.window", object_id=str(state.window_id),
                 before={"state": before}, after={"state": new, "reason": reason})
    return state


def _current_at_window(window: Window) -> Ticket | None:
    return Ticket.objects.filter(window=window, status__in=ACTIVE_AT_WINDOW).order_by("-called_at").first()


def _require_idle(window: Window, doing: str) -> None:
    current = _current_at_window(window)
    if current is not None:
        raise HallError(
            _("窗口还有正在办理的 %(n)s，请先办结、转移或过号，再%(doing)s。") % {"n": current.number, "doing": doing},
            code="busy",
        )


@transaction.atomic
def window_open(*, actor, window: Window, at: datetime.datetime | None = None) -> WindowState:
    _require_window(actor, window)
    now = _now(at)
    state = _window_state(window, at=now)
    if state.state == WindowState.State.OPEN and state.clerk_id == getattr(actor, "pk", None):
        return state
    return _set_window(state, WindowState.State.OPEN, actor=actor, at=now)


@transaction.atomic
def window_pause(*, actor, window: Window, reason: str, at: datetime.datetime | None = None) -> WindowState:
    """Break or back-office work: the window stops counting toward wait estimates."""
    _require_window(actor, window)
    if reason not in WindowState.Reason.values:
        raise HallError(_("请选择暂停原因：休息、后台办理、会议或培训、其他。"), code="reason")
    now = _now(at)
    state = _window_state(window, at=now)
    _require_idle(window, _("暂停"))
    if state.state == WindowState.State.PAUSED and state.reason == reason:
        return state
    return _set_window(state, WindowState.State.PAUSED, actor=actor, at=now, reason=reason)


@transaction.atomic
def window_resume(*, actor, window: Window, at: datetime.datetime | None = None) -> WindowState:
    _require_window(actor, window)
    now = _now(at)
    state = _window_state(window, at=now)
    if state.state == WindowState.State.OPEN:
        return state
    return _set_window(state, WindowState.State.OPEN, actor=actor, at=now)


@transaction.atomic
def window_close(*, actor, window: Window, at: datetime.datetime | None = None) -> WindowState:
    _require_window(actor, window)
    now = _now(at)
    state = _window_state(window, at=now)
    _require_idle(window, _("关窗"))
    if state.state == WindowState.State.CLOSED:
        return state
    return _set_window(state, WindowState.State.CLOSED, actor=actor, at=now)


# --- taking a ticket ----------------------------------------------------------------------------


def line_for_item(centre: ServiceCentre, item: Item) -> ServiceLine | None:
    """The line that takes an item: listed by itself first, else through its department."""
    lines = ServiceLine.objects.filter(centre=centre, is_active=True)
    found = lines.filter(items=item).order_by("sort_order", "prefix").first()
    if found is None and item.current_id:
        found = lines.filter(departments=item.current.department_id).order_by("sort_order", "prefix").first()
    return found


def _issue(
    *, centre: ServiceCentre, line: ServiceLine, hall: HallSettings, now: datetime.datetime, category: str,
    source: str, id_number: str, phone: str, item: Item | None, appointment: Appointment | None,
    request_key: str, actor, checked_in: bool,
) -> Ticket:
    day = _local(now).date()
    if category == Ticket.Category.NORMAL and id_number and hall.elderly_age:
        age = rules.age_on(id_number, day)
        if age is not None and age >= hall.elderly_age:
            category = Ticket.Category.ELDERLY
    rank = rules.ticket_rank(
        priority_category=category != Ticket.Category.NORMAL, checked_in_appointment=checked_in,
        appointment_ahead=hall.appointment_ahead,
    )
    seq = sequence_next(f"hall-ticket:{line.pk}:{day.isoformat()}")
    ticket = Ticket.objects.create(
        centre=centre, line=line, day=day, seq=seq, number=rules.format_number(line.prefix, seq),
        category=category, source=source, rank=rank, issued_at=now, queued_at=now, item=item,
        appointment=appointment, id_number=id_number, id_number_hash=lookup_hash(id_number) if id_number else "",
        phone=phone, token=secrets.token_urlsafe(16), request_key=request_key,
    )
    note = _("预约签到") if checked_in else ""
    _ticket_event(ticket, TicketEvent.Action.ISSUED, at=now, actor=actor, note=note)
    if phone and hall.sms_enabled:
        from .selectors import ticket_progress

        progress = ticket_progress(ticket)
        sms_queue(
            centre=centre, phone=phone, ticket=ticket,
            text=_("【%(sign)s】您已取号 %(n)s（%(line)s），前面 %(ahead)d 人，预计等候约 %(m)d 分钟。请留意叫号，查看进度：%(url)s")
            % {"sign": django_settings.SMS_SIGN_NAME, "n": ticket.number, "line": line.name,
               "ahead": progress.ahead, "m": progress.estimate.minutes,
               "url": _public_url(reverse("hall:ticket", args=[ticket.token]))},
        )
    return ticket


def ticket_take(
    *, centre: ServiceCentre, line: ServiceLine | None = None, item: Item | None = None,
    category: str = Ticket.Category.NORMAL, phone: str = "", id_number: str = "",
    source: str = Ticket.Source.KIOSK, request_key: str = "", actor=None, at: datetime.datetime | None = None,
) -> Ticket:
    """Issue a ticket for a line (or for the line that takes `item`).

    The kiosk sends a `request_key` with each tap; a repeat of the same key (the answer was lost
    and the person tapped again) returns the ticket already issued instead of a second one.
    """
    now = _now(at)
    request_key = (request_key or "").strip()[:64]
    if request_key:
        existing = Ticket.objects.filter(centre=centre, request_key=request_key).select_related("line").first()
        if existing is not None:
            return existing
    errors: dict[str, list[str]] = {}
    if category not in Ticket.Category.values:
        errors["category"] = [_("类别无效，请从普通、老年人、残疾人、孕妇、绿色通道企业中选择。")]
    if source not in Ticket.Source.values or source == Ticket.Source.APPOINTMENT:
        errors["source"] = [_("取号方式无效。")]
    phone = _clean_phone(phone, errors)
    id_number = _clean_id(id_number, errors)
    if line is None and item is not None:
        line = line_for_item(centre, item)
        if line is None:
            errors["item"] = [_("此事项没有设置排队业务，请按业务类别取号，或到咨询台询问。")]
    elif line is None:
        errors["line"] = [_("请选择要办理的业务。")]
    elif line.centre_id != centre.pk or not line.is_active:
        errors["line"] = [_("此业务不在本中心办理或已停用，请重新选择。")]
    if errors:
        raise HallError(errors)
    hall = settings_for(centre)
    _check_hall_open(hall, centre, now)
    try:
        with transaction.atomic():
            return _issue(
                centre=centre, line=line, hall=hall, now=now, category=category, source=source, id_number=id_number,
                phone=phone, item=item, appointment=None, request_key=request_key, actor=actor, checked_in=False,
            )
    except IntegrityError:
        # The same request_key arrived twice at the same moment: the first one's ticket stands.
        if request_key:
            existing = Ticket.objects.filter(centre=centre, request_key=request_key).select_related("line").first()
            if existing is not None:
                return existing
        raise


@transaction.atomic
def ticket_cancel(*, ticket: Ticket, at: datetime.datetime | None = None) -> Ticket:
    """The person leaves the queue from their phone page."""
    now = _now(at)
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("line").get(pk=ticket.pk)
    if ticket.status != T.WAITING:
        raise HallError(_("%(n)s 当前状态为「%(s)s」，不能取消。") % {"n": ticket.number, "s": ticket.get_status_display()}, code="state")
    ticket.status, ticket.finished_at = T.CANCELLED, now
    ticket.save(update_fields=["status", "finished_at"])
    _ticket_event(ticket, TicketEvent.Action.CANCELLED, at=now)
    return ticket


# --- the window console ---------------------------------------------------------------------------


def _call_order(window: Window, priorities: dict[int, int]):
    line_priority = Case(
        *[When(line_id=line_id, then=Value(p)) for line_id, p in priorities.items()],
        default=Value(99), output_field=IntegerField(),
    )
    targeted = Case(When(target_window=window, then=Value(0)), default=Value(1), output_field=IntegerField())
    return targeted, line_priority


def _mark_called(ticket: Ticket, *, window: Window, actor, now: datetime.datetime, hall: HallSettings) -> Ticket:
    ticket.status = T.CALLED
    ticket.window, ticket.clerk = window, _staff(actor)
    ticket.called_at = now
    if ticket.first_called_at is None:
        ticket.first_called_at = now
        ticket.wait_seconds = max(0, int((now - ticket.issued_at).total_seconds()))
    ticket.recalls = 0
    ticket.save(update_fields=["status", "window", "clerk", "called_at", "first_called_at", "wait_seconds", "recalls"])
    _ticket_event(ticket, TicketEvent.Action.CALLED, at=now, actor=actor, window=window)
    if ticket.phone and hall.sms_enabled:
        sms_queue(
            centre=ticket.centre, phone=ticket.phone, ticket=ticket,
            text=_("【%(sign)s】请 %(n)s 号到 %(w)s 窗口办理。") % {
                "sign": django_settings.SMS_SIGN_NAME, "n": ticket.number, "w": window.number},
        )
    line_id, day = ticket.line_id, ticket.day
    transaction.on_commit(lambda: tickets_notify_near(line_id=line_id, day=day))
    return ticket


def _hall_for_window(window: Window) -> HallSettings:
    return settings_for(window.centre)


def ticket_call_next(*, actor, window: Window, at: datetime.datetime | None = None) -> Ticket | None:
    """Call the next ticket for this window, or None when nobody waits.

    Order: tickets transferred to this very window; then the window's lines by priority; within
    a line the rank (priority categories, checked-in appointments, walk-ins), then arrival.
    Only today's tickets are ever called.
    """
    _require_window(actor, window)
    now = _now(at)
    with transaction.atomic():
        state = _window_state(window, at=now)
        _require_idle(window, _("叫下一位"))
        priorities = dict(
            LineWindow.objects.filter(window=window, line__is_active=True).values_list("line_id", "priority")
        )
        waiting = Ticket.objects.filter(day=_local(now).date(), status=T.WAITING, centre_id=window.centre_id).filter(
            Q(line_id__in=list(priorities), target_window__isnull=True) | Q(target_window=window)
        )
        targeted, line_priority = _call_order(window, priorities)
        candidates = waiting.annotate(_targeted=targeted, _line_priority=line_priority).order_by(
            "_targeted", "_line_priority", "rank", "queued_at", "id"
        )
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ticket = candidates.first()
        if state.state != WindowState.State.OPEN or state.clerk_id != getattr(actor, "pk", None):
            _set_window(state, WindowState.State.OPEN, actor=actor, at=now)
        if ticket is None:
            return None
        ticket = Ticket.objects.select_related("line", "centre").get(pk=ticket.pk)
        return _mark_called(ticket, window=window, actor=actor, now=now, hall=_hall_for_window(window))


def _lock_ticket(ticket: Ticket) -> Ticket:
    # Lock the ticket row only (`of`): locking the joined line and centre rows too would queue
    # every window of the centre behind one another, and deadlock with PostgreSQL's deferred
    # foreign-key checks, which take a share lock on the centre row at commit.
    return Ticket.objects.select_for_update(of=("self",)).select_related("line", "centre").get(pk=ticket.pk)


def _require_today(ticket: Ticket, now: datetime.datetime) -> None:
    if ticket.day != _local(now).date():
        raise HallError(
            _("%(n)s 是 %(d)s 取的号，已过期，不能叫号。请对方重新取号。") % {"n": ticket.number, "d": format_date(ticket.day)},
            code="expired",
        )


def _require_at_window(ticket: Ticket, window: Window, *statuses: str, doing: str) -> None:
    if ticket.window_id != window.pk or ticket.status not in statuses:
        where = _("（%(w)s 窗口）") % {"w": ticket.window.number} if ticket.window_id and ticket.window_id != window.pk else ""
        raise HallConflict(
            _("%(n)s 当前为「%(s)s」%(where)s，本窗口不能%(doing)s。页面可能已过时，请刷新。")
            % {"n": ticket.number, "s": ticket.get_status_display(), "where": where, "doing": doing},
            code="conflict",
        )


@transaction.atomic
def ticket_call(*, actor, window: Window, ticket: Ticket, at: datetime.datetime | None = None) -> Ticket:
    """Call a given number (特呼): a waiting ticket of the window's lines, or one that missed its turn."""
    _require_window(actor, window)
    now = _now(at)
    state = _window_state(window, at=now)
    ticket = _lock_ticket(ticket)
    _require_today(ticket, now)
    _require_idle(window, _("叫号"))
    if ticket.centre_id != window.centre_id:
        raise HallError(_("%(n)s 不是本中心的号。") % {"n": ticket.number}, code="centre")
    if ticket.status not in (T.WAITING, T.NO_SHOW):
        raise HallConflict(
            _("%(n)s 当前为「%(s)s」，不能叫号。") % {"n": ticket.number, "s": ticket.get_status_display()}, code="conflict"
        )
    serves = LineWindow.objects.filter(window=window, line_id=ticket.line_id).exists()
    if not serves and ticket.target_window_id != window.pk:
        raise HallError(
            _("%(n)s 属于「%(line)s」队列，本窗口不办理。可请办理该业务的窗口叫号。") % {"n": ticket.number, "line": ticket.line.name},
            code="line",
        )
    if state.state != WindowState.State.OPEN or state.clerk_id != getattr(actor, "pk", None):
        _set_window(state, WindowState.State.OPEN, actor=actor, at=now)
    return _mark_called(ticket, window=window, actor=actor, now=now, hall=_hall_for_window(window))


@transaction.atomic
def ticket_recall(*, actor, window: Window, ticket: Ticket, at: datetime.datetime | None = None) -> Ticket:
    _require_window(actor, window)
    now = _now(at)
    ticket = _lock_ticket(ticket)
    _require_today(ticket, now)
    _require_at_window(ticket, window, T.CALLED, doing=_("重呼"))
    ticket.recalls += 1
    ticket.called_at = now
    ticket.save(update_fields=["recalls", "called_at"])
    _ticket_event(ticket, TicketEvent.Action.RECALLED, at=now, actor=actor, window=window,
                  note=_("第 %(k)d 次重呼") % {"k": ticket.recalls})
    return ticket


@transaction.atomic
def ticket_skip(*, actor, window: Window, ticket: Ticket, at: datetime.datetime | None = None) -> Ticket:
    """过号: the person did not come after the configured number of recalls."""
    _require_window(actor, window)
    now = _now(at)
    ticket = _lock_ticket(ticket)
    _require_at_window(ticket, window, T.CALLED, doing=_("过号"))
    needed = settings_for(ticket.centre).recalls_before_skip
    if ticket.recalls < needed:
        raise HallError(
            _("%(n)s 已重呼 %(k)d 次，需重呼 %(need)d 次仍未到才可过号。请再重呼 %(left)d 次。")
            % {"n": ticket.number, "k": ticket.recalls, "need": needed, "left": needed - ticket.recalls},
            code="recall_first",
        )
    ticket.status, ticket.finished_at = T.NO_SHOW, now
    ticket.save(update_fields=["status", "finished_at"])
    _ticket_event(ticket, TicketEvent.Action.SKIPPED, at=now, actor=actor, window=window,
                  note=_("重呼 %(k)d 次未到") % {"k": ticket.recalls})
    return ticket


@transaction.atomic
def ticket_requeue(*, actor, window: Window, ticket: Ticket, at: datetime.datetime | None = None) -> Ticket:
    """A person who missed their call came back: queue them again at the end of their line."""
    _require_window(actor, window)
    now = _now(at)
    ticket = _lock_ticket(ticket)
    _require_today(ticket, now)
    if ticket.status != T.NO_SHOW:
        raise HallConflict(_("只有过号的号可以重新排队；%(n)s 当前为「%(s)s」。")
                           % {"n": ticket.number, "s": ticket.get_status_display()}, code="conflict")
    ticket.status, ticket.queued_at, ticket.finished_at = T.WAITING, now, None
    ticket.window, ticket.clerk, ticket.recalls = None, None, 0
    ticket.save(update_fields=["status", "queued_at", "finished_at", "window", "clerk", "recalls"])
    _ticket_event(ticket, TicketEvent.Action.REQUEUED, at=now, actor=actor, window=window)
    return ticket


@transaction.atomic
def ticket_start(*, actor, window: Window, ticket: Ticket, at: datetime.datetime | None = None) -> Ticket:
    _require_window(actor, window)
    now = _now(at)
    ticket = _lock_ticket(ticket)
    _require_today(ticket, now)
    _require_at_window(ticket, window, T.CALLED, doing=_("开始办理"))
    ticket.status, ticket.started_at, ticket.clerk = T.SERVING, now, _staff(actor)
    ticket.save(update_fields=["status", "started_at", "clerk"])
    _ticket_event(ticket, TicketEvent.Action.STARTED, at=now, actor=actor, window=window)
    return ticket


@transaction.atomic
def ticket_finish(*, actor, window: Window, ticket: Ticket, at: datetime.datetime | None = None) -> Ticket:
    _require_window(actor, window)
    now = _now(at)
    ticket = _lock_ticket(ticket)
    _require_at_window(ticket, window, T.CALLED, T.SERVING, doing=_("办结"))
    began = ticket.started_at or ticket.called_at or now
    ticket.status, ticket.finished_at, ticket.clerk = T.DONE, now, _staff(actor)
    ticket.service_seconds = max(0, int((now - began).total_seconds()))
    ticket.save(update_fields=["status", "finished_at", "clerk", "service_seconds"])
    _ticket_event(ticket, TicketEvent.Action.FINISHED, at=now, actor=actor, window=window)
    return ticket


@transaction.atomic
def ticket_transfer(
    *, actor, window: Window, ticket: Ticket, to_line: ServiceLine | None = None, to_window: Window | None = None,
    note: str = "", at: datetime.datetime | None = None,
) -> Ticket:
    """Send the person to another line or to a given window; they keep their number and place."""
    _require_window(actor, window)
    now = _now(at)
    ticket = _lock_ticket(ticket)
    _require_today(ticket, now)
    _require_at_window(ticket, window, T.CALLED, T.SERVING, doing=_("转移"))
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if (to_line is None) == (to_window is None):
        errors["to"] = [_("请选择转到哪个业务队列，或转到哪个窗口（二选一）。")]
    elif to_line is not None and (to_line.centre_id != ticket.centre_id or not to_line.is_active):
        errors["to_line"] = [_("所选队列不在本中心或已停用。")]
    elif to_window is not None and (to_window.centre_id != ticket.centre_id or not to_window.is_active):
        errors["to_window"] = [_("所选窗口不在本中心或已停用。")]
    elif to_window is not None and to_window.pk == window.pk:
        errors["to_window"] = [_("不能转到本窗口。")]
    if len(note) > 200:
        errors["note"] = [_("转移说明最长 200 字。")]
    if errors:
        raise HallError(errors)
    if to_line is not None:
        ticket.line, ticket.target_window = to_line, None
        where = _("转至「%(line)s」队列") % {"line": to_line.name}
    else:
        ticket.target_window = to_window
        where = _("转至 %(w)s 窗口") % {"w": to_window.number}
    ticket.status, ticket.window, ticket.clerk = T.WAITING, None, None
    ticket.recalls, ticket.started_at, ticket.transfer_note = 0, None, note
    ticket.save(update_fields=["line", "target_window", "status", "window", "clerk", "recalls", "started_at", "transfer_note"])
    _ticket_event(ticket, TicketEvent.Action.TRANSFERRED, at=now, actor=actor, window=window,
                  note=f"{where}{'：' + note if note else ''}")
    return ticket


def tickets_notify_near(*, line_id: int, day: datetime.date) -> int:
    """Text the people who are now close to the front of a line (once each)."""
    line = ServiceLine.objects.select_related("centre").get(pk=line_id)
    hall = settings_for(line.centre)
    if not hall.sms_enabled:
        return 0
    front = list(
        Ticket.objects.filter(line_id=line_id, day=day, status=T.WAITING).order_by("rank", "queued_at", "id")[: hall.near_ahead]
    )
    sent = 0
    with transaction.atomic():
        for position, ticket in enumerate(front):
            if ticket.near_notified or not ticket.phone:
                continue
            updated = Ticket.objects.filter(pk=ticket.pk, near_notified=False, status=T.WAITING).update(near_notified=True)
            if not updated:
                continue
            sms_queue(
                centre=line.centre, phone=ticket.phone, ticket=ticket,
                text=_("【%(sign)s】即将轮到您：%(n)s 前面还有 %(k)d 人，请回到大厅留意叫号。")
                % {"sign": django_settings.SMS_SIGN_NAME, "n": ticket.number, "k": position},
            )
            sent += 1
    return sent


@transaction.atomic
def tickets_close_day(*, before: datetime.date, centre: ServiceCentre | None = None, at: datetime.datetime | None = None) -> int:
    """Tickets of earlier days still open are closed: the person left without being served."""
    now = _now(at)
    open_tickets = Ticket.objects.filter(day__lt=before, status__in=[T.WAITING, T.CALLED, T.SERVING])
    if centre is not None:
        open_tickets = open_tickets.filter(centre=centre)
    count = 0
    for ticket in open_tickets.select_for_update(of=("self",)).select_related("line"):
        served = ticket.status == T.SERVING
        ticket.status = T.DONE if served else T.ABANDONED
        ticket.finished_at = ticket.finished_at or now
        ticket.save(update_fields=["status", "finished_at"])
        _ticket_event(ticket, TicketEvent.Action.FINISHED if served else TicketEvent.Action.ABANDONED, at=now,
                      note=_("日终关闭"))
        count += 1
    return count


# --- appointments ---------------------------------------------------------------------------------


def _slot_errors(
    *, hall: HallSettings, line: ServiceLine, day: datetime.date, starts_at: datetime.time, now: datetime.datetime,
) -> tuple[datetime.time | None, list[str]]:
    """The slot's end time, or why the line cannot be booked for that slot."""
    today = _local(now).date()
    if not line.is_active or not line.appointments_enabled:
        return None, [_("「%(line)s」暂不开放预约，请到大厅现场取号。") % {"line": line.name}]
    if day < today:
        return None, [_("不能预约已过去的日期。")]
    if (day - today).days > hall.booking_days_ahead:
        return None, [_("只能预约 %(n)d 天内的时段。") % {"n": hall.booking_days_ahead}]
    if not hall.open_every_day:
        works, reason = _is_workday(line.centre, day)
        if not works:
            return None, [_("%(day)s（%(why)s）休息，不办理业务，请选择工作日。") % {"day": _day_label(day), "why": reason}]
    slots = dict(rules.slot_times(opens=hall.slots_from, closes=hall.slots_until, minutes=line.slot_minutes,
                                  lunch_starts=hall.lunch_starts, lunch_ends=hall.lunch_ends))
    ends_at = slots.get(starts_at)
    if ends_at is None:
        return None, [_("所选时段不存在，请重新选择。")]
    if day == today and ends_at <= _local(now).time():
        return None, [_("该时段已过，请选择其他时段。")]
    return ends_at, []


def _no_show_sweep(appointments, *, now: datetime.datetime) -> int:
    """Mark booked appointments whose slot has ended as no-shows (one event each)."""
    local = _local(now)
    overdue = appointments.filter(status=A.BOOKED).filter(
        Q(day__lt=local.date()) | Q(day=local.date(), ends_at__lte=local.time())
    )
    count = 0
    for appointment in overdue.select_for_update():
        appointment.status = A.NO_SHOW
        appointment.save(update_fields=["status"])
        _appointment_event(appointment, AppointmentEvent.Action.NO_SHOW, at=now)
        count += 1
    return count


@transaction.atomic
def appointments_mark_no_shows(*, at: datetime.datetime | None = None, centre: ServiceCentre | None = None) -> int:
    appointments = Appointment.objects.all()
    if centre is not None:
        appointments = appointments.filter(centre=centre)
    return _no_show_sweep(appointments, now=_now(at))


def booking_block(*, id_number_hash: str, hall: HallSettings, today: datetime.date) -> datetime.date | None:
    days = list(
        Appointment.objects.filter(id_number_hash=id_number_hash, status=A.NO_SHOW).values_list("day", flat=True)
    )
    return rules.booking_blocked_until(
        days, today=today, limit=hall.no_show_limit, window_days=hall.no_show_window_days, block_days=hall.booking_block_days
    )


def _slot_taken(line: ServiceLine, day: datetime.date, starts_at: datetime.time, *, exclude: int | None = None) -> int:
    taken = Appointment.objects.filter(
        line=line, day=day, starts_at=starts_at, status__in=[A.BOOKED, A.CHECKED_IN, A.LATE]
    )
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    return taken.count()


def _booking_queue(line: ServiceLine) -> None:
    """Bookings on one line take turns (the slot count and the one-per-person check stay true).

    The turn is the row of a named counter, not the line's own row: tickets and events point at
    the line, and PostgreSQL checks those references at commit with a share lock on it, which
    would wait on a booking that holds the line while it waits for the audit chain.
    """
    sequence_next(f"hall-bookings:{line.pk}")


def _new_code(centre: ServiceCentre, day: datetime.date) -> str:
    for _attempt in range(20):
        code = f"{secrets.randbelow(10**6):06d}"
        if not Appointment.objects.filter(centre=centre, day=day, code=code).exists():
            return code
    raise HallError(_("预约码生成失败，请重试。"), code="code")


def _booking_sms(appointment: Appointment, hall: HallSettings, lead: str) -> None:
    if not appointment.phone or not hall.sms_enabled:
        return
    sms_queue(
        centre=appointment.centre, phone=appointment.phone, appointment=appointment,
        text=_("【%(sign)s】%(lead)s：%(day)s %(from)s–%(to)s「%(line)s」，预约码 %(code)s。请在时段内到大厅取号机签到。改约或取消：%(url)s")
        % {"sign": django_settings.SMS_SIGN_NAME, "lead": lead, "day": _day_label(appointment.day),
           "from": _hhmm(appointment.starts_at), "to": _hhmm(appointment.ends_at), "line": appointment.line.name,
           "code": appointment.code, "url": _public_url(reverse("hall:appointment", args=[appointment.token]))},
    )


@transaction.atomic
def appointment_book(
    *, line: ServiceLine, day: datetime.date, starts_at: datetime.time, name: str, id_number: str, phone: str,
    item: Item | None = None, actor=None, at: datetime.datetime | None = None,
) -> Appointment:
    """Book a slot: one active appointment per person and line; full slots and closed days refused."""
    now = _now(at)
    centre = ServiceCentre.objects.select_related("region").get(pk=line.centre_id)
    hall = settings_for(centre)
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写姓名。")]
    elif len(name) > 60:
        errors["name"] = [_("姓名最长 60 字。")]
    id_number = _clean_id(id_number, errors, required=True)
    if not (phone or "").strip():
        errors["phone"] = [_("请填写手机号，用于接收预约提醒。")]
    else:
        phone = _clean_phone(phone, errors)
    _booking_queue(line)
    line.centre = centre
    ends_at, slot_problems = _slot_errors(hall=hall, line=line, day=day, starts_at=starts_at, now=now)
    if slot_problems:
        errors["slot"] = slot_problems
    if item is not None and line_for_item(centre, item) is None:
        errors["item"] = [_("此事项不在本中心排队办理。")]
    if errors:
        raise HallError(errors)
    digest = lookup_hash(id_number)
    _no_show_sweep(Appointment.objects.filter(id_number_hash=digest), now=now)
    until = booking_block(id_number_hash=digest, hall=hall, today=_local(now).date())
    if until is not None:
        raise HallError(
            _("您在 %(days)d 天内有 %(n)d 次预约未到，%(until)s 前暂不能在线预约。期间仍可到大厅现场取号办理。")
            % {"days": hall.no_show_window_days, "n": hall.no_show_limit, "until": format_date(until)},
            code="blocked",
        )
    active = Appointment.objects.filter(line=line, id_number_hash=digest, status=A.BOOKED).first()
    if active is not None:
        raise HallError(
            _("您已预约 %(day)s %(from)s–%(to)s 的「%(line)s」。同一业务只能保留一个预约，如需换时间请改约或先取消。")
            % {"day": _day_label(active.day), "from": _hhmm(active.starts_at), "to": _hhmm(active.ends_at), "line": line.name},
            code="already_booked",
        )
    if _slot_taken(line, day, starts_at) >= line.slot_capacity:
        raise HallError(_("该时段已约满，请选择其他时段。"), code="full")
    appointment = Appointment.objects.create(
        centre=centre, line=line, day=day, starts_at=starts_at, ends_at=ends_at, name=name, id_number=id_number,
        id_number_hash=digest, phone=phone, item=item, code=_new_code(centre, day), token=secrets.token_urlsafe(16),
        created_at=now,
    )
    _appointment_event(appointment, AppointmentEvent.Action.BOOKED, at=now, actor=actor)
    _booking_sms(appointment, hall, _("预约成功"))
    return appointment


def _lock_appointment(appointment: Appointment) -> Appointment:
    return Appointment.objects.select_for_update(of=("self",)).select_related("line", "centre__region").get(pk=appointment.pk)


@transaction.atomic
def appointment_reschedule(
    *, appointment: Appointment, day: datetime.date, starts_at: datetime.time, actor=None,
    at: datetime.datetime | None = None,
) -> Appointment:
    now = _now(at)
    line = ServiceLine.objects.select_related("centre__region").get(pk=appointment.line_id)
    _booking_queue(line)
    appointment = _lock_appointment(appointment)
    if appointment.status != A.BOOKED:
        raise HallError(_("此预约当前为「%(s)s」，不能改约。") % {"s": appointment.get_status_display()}, code="state")
    hall = settings_for(line.centre)
    ends_at, problems = _slot_errors(hall=hall, line=line, day=day, starts_at=starts_at, now=now)
    if problems:
        raise HallError({"slot": problems})
    if (day, starts_at) == (appointment.day, appointment.starts_at):
        return appointment
    if _slot_taken(line, day, starts_at, exclude=appointment.pk) >= line.slot_capacity:
        raise HallError({"slot": [_("该时段已约满，请选择其他时段。")]}, code="full")
    before = f"{appointment.day} {_hhmm(appointment.starts_at)}"
    appointment.day, appointment.starts_at, appointment.ends_at = day, starts_at, ends_at
    appointment.code = _new_code(appointment.centre, day)
    appointment.save(update_fields=["day", "starts_at", "ends_at", "code"])
    _appointment_event(appointment, AppointmentEvent.Action.RESCHEDULED, at=now, actor=actor,
                       note=_("原时段 %(b)s") % {"b": before})
    _booking_sms(appointment, hall, _("改约成功"))
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, actor=None, at: datetime.datetime | None = None) -> Appointment:
    now = _now(at)
    appointment = _lock_appointment(appointment)
    if appointment.status != A.BOOKED:
        raise HallError(_("此预约当前为「%(s)s」，不能取消。") % {"s": appointment.get_status_display()}, code="state")
    appointment.status, appointment.cancelled_at = A.CANCELLED, now
    appointment.save(update_fields=["status", "cancelled_at"])
    _appointment_event(appointment, AppointmentEvent.Action.CANCELLED, at=now, actor=actor)
    return appointment


def checkin_window(appointment: Appointment, hall: HallSettings) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(appointment.day, appointment.starts_at, tzinfo=tz)
    end = datetime.datetime.combine(appointment.day, appointment.ends_at, tzinfo=tz)
    return start - datetime.timedelta(minutes=hall.checkin_early_minutes), end


@transaction.atomic
def appointment_check_in(
    *, appointment: Appointment, phone: str = "", actor=None, at: datetime.datetime | None = None,
) -> Ticket:
    """Arriving within the slot's window: the appointment becomes a ticket that goes ahead of walk-ins."""
    now = _now(at)
    appointment = _lock_appointment(appointment)
    hall = settings_for(appointment.centre)
    if appointment.status == A.CHECKED_IN and hasattr(appointment, "ticket"):
        return appointment.ticket
    if appointment.status != A.BOOKED:
        raise HallError(_("此预约当前为「%(s)s」，不能签到。") % {"s": appointment.get_status_display()}, code="state")
    if appointment.day != _local(now).date():
        raise HallError(
            _("您预约的是 %(day)s，今天不能签到。") % {"day": _day_label(appointment.day)}, code="other_day"
        )
    opens, closes = checkin_window(appointment, hall)
    if now < opens:
        raise HallError(_("预约时段为 %(from)s–%(to)s，请于 %(t)s 后签到。")
                        % {"from": _hhmm(appointment.starts_at), "to": _hhmm(appointment.ends_at),
                           "t": _hhmm(_local(opens).time())}, code="early")
    if now > closes:
        raise HallError(_("预约时段 %(from)s–%(to)s 已过，不能按预约签到，可按现场号排队。")
                        % {"from": _hhmm(appointment.starts_at), "to": _hhmm(appointment.ends_at)}, code="late")
    _check_hall_open(hall, appointment.centre, now, checking_in=True)
    errors: dict[str, list[str]] = {}
    phone = _clean_phone(phone, errors) or appointment.phone
    if errors:
        raise HallError(errors)
    appointment.status, appointment.checked_in_at = A.CHECKED_IN, now
    appointment.save(update_fields=["status", "checked_in_at"])
    _appointment_event(appointment, AppointmentEvent.Action.CHECKED_IN, at=now, actor=actor)
    return _issue(
        centre=appointment.centre, line=appointment.line, hall=hall, now=now, category=Ticket.Category.NORMAL,
        source=Ticket.Source.APPOINTMENT, id_number=appointment.id_number, phone=phone, item=appointment.item,
        appointment=appointment, request_key="", actor=actor, checked_in=True,
    )


@transaction.atomic
def appointment_walk_in_late(*, appointment: Appointment, actor=None, at: datetime.datetime | None = None) -> Ticket:
    """Arrived after the slot: recorded as late (not a no-show) and queued as a walk-in."""
    now = _now(at)
    appointment = _lock_appointment(appointment)
    hall = settings_for(appointment.centre)
    _, closes = checkin_window(appointment, hall)
    if appointment.day != _local(now).date() or appointment.status not in (A.BOOKED, A.NO_SHOW) or now <= closes:
        raise HallError(_("此预约不能按迟到取号。"), code="state")
    _check_hall_open(hall, appointment.centre, now)
    appointment.status = A.LATE
    appointment.save(update_fields=["status"])
    _appointment_event(appointment, AppointmentEvent.Action.LATE, at=now, actor=actor)
    return _issue(
        centre=appointment.centre, line=appointment.line, hall=hall, now=now, category=Ticket.Category.NORMAL,
        source=Ticket.Source.KIOSK, id_number=appointment.id_number, phone=appointment.phone, item=appointment.item,
        appointment=None, request_key="", actor=actor, checked_in=False,
    )


# --- reference data (the admin edits the same rows with its audited forms) ---------------------------


def _save_reference(actor, obj, values: dict, *, label: str) -> tuple[bool, bool]:
    """Apply `values`, validate, save and audit; (created, changed). Nothing is written if nothing differs."""
    created = obj.pk is None
    before = {k: getattr(obj, k) for k in values} if not created else None
    changed = created or any(getattr(obj, k) != v for k, v in values.items())
    if not changed:
        return False, False
    for key, value in values.items():
        setattr(obj, key, value)
    obj.full_clean()
    obj.save()
    audit_record(actor=actor, action=f"hall.{label}.{'create' if created else 'update'}", obj=obj,
                 before={k: str(v) for k, v in before.items()} if before else None,
                 after={k: str(v) for k, v in values.items()})
    return created, True


@transaction.atomic
def hall_settings_set(*, actor, centre: ServiceCentre, **values) -> tuple[HallSettings, bool]:
    hall = HallSettings.objects.filter(centre=centre).first() or HallSettings(centre=centre)
    _created, changed = _save_reference(actor, hall, values, label="settings")
    return hall, changed


@transaction.atomic
def hall_area_upsert(*, actor, centre: ServiceCentre, code: str, name: str, sort_order: int = 0):
    from .models import HallArea

    area = HallArea.objects.filter(centre=centre, code=code).first() or HallArea(centre=centre, code=code)
    created, changed = _save_reference(actor, area, {"name": name, "sort_order": sort_order}, label="area")
    return area, created, changed


@transaction.atomic
def service_line_upsert(
    *, actor, centre: ServiceCentre, code: str, name: str, prefix: str, windows: dict[Window, int],
    items: list[Item] = (), departments=(), area=None, description: str = "", sort_order: int = 0,
    default_service_minutes: int = 10, appointments_enabled: bool = True, slot_minutes: int = 30, slot_capacity: int = 4,
) -> tuple[ServiceLine, bool, bool]:
    """Create or update a line with its items, departments and windows (window → priority)."""
    line = ServiceLine.objects.filter(centre=centre, code=code).first() or ServiceLine(centre=centre, code=code)
    created, changed = _save_reference(actor, line, {
        "name": name, "prefix": prefix, "area": area, "description": description, "sort_order": sort_order,
        "default_service_minutes": default_service_minutes, "appointments_enabled": appointments_enabled,
        "slot_minutes": slot_minutes, "slot_capacity": slot_capacity, "is_active": True,
    }, label="line")
    wanted_items = {i.pk for i in items}
    wanted_departments = {d.pk for d in departments}
    if set(line.items.values_list("pk", flat=True)) != wanted_items:
        line.items.set(wanted_items)
        changed = True
    if set(line.departments.values_list("pk", flat=True)) != wanted_departments:
        line.departments.set(wanted_departments)
        changed = True
    current = {lw.window_id: lw for lw in line.line_windows.all()}
    wanted = {w.pk: (w, p) for w, p in windows.items()}
    for window_id, link in current.items():
        if window_id not in wanted:
            link.delete()
            changed = True
    for window_id, (window, priority) in wanted.items():
        if window.centre_id != centre.pk:
            raise HallError(_("窗口 %(w)s 不在 %(c)s。") % {"w": window.number, "c": centre.name}, code="window")
        link = current.get(window_id)
        if link is None:
            LineWindow.objects.create(line=line, window=window, priority=priority)
            changed = True
        elif link.priority != priority:
            link.priority = priority
            link.save(update_fields=["priority"])
            changed = True
    if changed and not created:
        audit_record(actor=actor, action="hall.line.windows", obj=line,
                     after={"windows": {w.number: p for w, p in windows.items()}, "items": sorted(wanted_items),
                            "departments": sorted(wanted_departments)})
    return line, created, changed
