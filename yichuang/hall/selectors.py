"""Reads of the hall: the queue as a person, a clerk, a screen and a supervisor sees it."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import ExtractHour
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.core.calendar import day_info
from yichuang.core.crypto import lookup_hash
from yichuang.org.models import ServiceCentre, User, Window
from yichuang.org.selectors import scope_for

from . import rules
from .models import (
    Appointment,
    HallArea,
    HallSettings,
    LineWindow,
    ServiceLine,
    Ticket,
    TicketEvent,
    WindowState,
)
from .services import may_use_window, settings_for

T = Ticket.Status
CALL_ACTIONS = (TicketEvent.Action.CALLED, TicketEvent.Action.RECALLED)


def _today(now: datetime.datetime | None = None) -> datetime.date:
    return timezone.localdate(now or timezone.now())


def centre_by_code(code: str) -> ServiceCentre | None:
    return ServiceCentre.objects.select_related("region").filter(code=code, is_active=True).first()


def area_by_code(centre: ServiceCentre, code: str) -> HallArea | None:
    return HallArea.objects.filter(centre=centre, code=code).first()


def active_lines(centre: ServiceCentre, area: HallArea | None = None) -> QuerySet[ServiceLine]:
    lines = ServiceLine.objects.filter(centre=centre, is_active=True).order_by("sort_order", "prefix")
    return lines.filter(area=area) if area is not None else lines


# --- estimates ------------------------------------------------------------------------------------


def _recent_services(line_ids: list[int], day: datetime.date) -> dict[int, list[int]]:
    """Seconds each of the latest finished tickets occupied its window (call to finish), per line."""
    rows = (
        Ticket.objects.filter(line_id__in=line_ids, day=day, status=T.DONE, called_at__isnull=False)
        .order_by("-finished_at").values_list("line_id", "called_at", "finished_at")
    )
    recent: dict[int, list[int]] = defaultdict(list)
    for line_id, called, finished in rows.iterator():
        bucket = recent[line_id]
        if len(bucket) < rules.RECENT_SAMPLES:
            bucket.append(max(0, int((finished - called).total_seconds())))
    return recent


def _windows_open(line_ids: list[int]) -> dict[int, int]:
    return dict(
        LineWindow.objects.filter(line_id__in=line_ids, window__hall_state__state=WindowState.State.OPEN)
        .values("line_id").annotate(n=Count("window_id")).values_list("line_id", "n")
    )


@dataclass(frozen=True)
class LineStatus:
    line: ServiceLine
    waiting: int
    estimate: rules.WaitEstimate
    average_wait_minutes: int | None  # of tickets called today; None before the first call
    next_numbers: tuple[str, ...] = ()


def line_overview(
    centre: ServiceCentre, *, area: HallArea | None = None, now: datetime.datetime | None = None, next_count: int = 0,
) -> list[LineStatus]:
    """Every active line with its waiting count, the wait a new ticket faces, and today's average wait."""
    day = _today(now)
    lines = list(active_lines(centre, area))
    ids = [line.pk for line in lines]
    waiting_today = Ticket.objects.filter(line_id__in=ids, day=day, status=T.WAITING)
    waiting = dict(waiting_today.values("line_id").annotate(n=Count("id")).values_list("line_id", "n"))
    averages = dict(
        Ticket.objects.filter(line_id__in=ids, day=day, wait_seconds__isnull=False)
        .values("line_id").annotate(a=Avg("wait_seconds")).values_list("line_id", "a")
    )
    upcoming: dict[int, list[str]] = defaultdict(list)
    if next_count:
        for line_id, number in waiting_today.order_by("rank", "queued_at", "id").values_list("line_id", "number"):
            if len(upcoming[line_id]) < next_count:
                upcoming[line_id].append(number)
    recent = _recent_services(ids, day)
    open_windows = _windows_open(ids)
    result = []
    for line in lines:
        estimate = rules.estimate_wait(
            ahead=waiting.get(line.pk, 0), recent_service_seconds=recent.get(line.pk, []),
            default_minutes=line.default_service_minutes, windows_open=open_windows.get(line.pk, 0),
        )
        average = averages.get(line.pk)
        result.append(LineStatus(
            line=line, waiting=waiting.get(line.pk, 0), estimate=estimate,
            average_wait_minutes=round(average / 60) if average is not None else None,
            next_numbers=tuple(upcoming.get(line.pk, ())),
        ))
    return result


@dataclass(frozen=True)
class TicketProgress:
    ticket: Ticket
    ahead: int
    estimate: rules.WaitEstimate
    near: bool
    near_ahead: int
    today: datetime.date

    @property
    def live(self) -> bool:
        """Still moving today: the phone page keeps polling."""
        return self.ticket.day == self.today and self.ticket.status in (T.WAITING, T.CALLED, T.SERVING)

    @property
    def expired(self) -> bool:
        return self.ticket.day != self.today and self.ticket.status == T.WAITING

    @property
    def waiting(self) -> bool:
        return self.ticket.status == T.WAITING

    @property
    def called(self) -> bool:
        return self.ticket.status in (T.CALLED, T.SERVING)


def people_ahead(ticket: Ticket) -> int:
    """Waiting tickets of the same line that will be called before this one."""
    if ticket.status != T.WAITING:
        return 0
    return Ticket.objects.filter(line_id=ticket.line_id, day=ticket.day, status=T.WAITING).filter(
        Q(rank__lt=ticket.rank)
        | Q(rank=ticket.rank, queued_at__lt=ticket.queued_at)
        | Q(rank=ticket.rank, queued_at=ticket.queued_at, pk__lt=ticket.pk)
    ).count()


def ticket_progress(ticket: Ticket, *, hall: HallSettings | None = None) -> TicketProgress:
    hall = hall or settings_for(ticket.centre)
    ahead = people_ahead(ticket)
    estimate = rules.estimate_wait(
        ahead=ahead, recent_service_seconds=_recent_services([ticket.line_id], ticket.day).get(ticket.line_id, []),
        default_minutes=ticket.line.default_service_minutes,
        windows_open=_windows_open([ticket.line_id]).get(ticket.line_id, 0),
    )
    near = ticket.status == T.WAITING and ahead < hall.near_ahead
    return TicketProgress(ticket=ticket, ahead=ahead, estimate=estimate, near=near, near_ahead=hall.near_ahead,
                          today=_today())


def ticket_by_token(token: str) -> Ticket | None:
    if not token or len(token) > 32:
        return None
    return Ticket.objects.select_related("line", "centre", "window", "item__current").filter(token=token).first()


# --- displays ---------------------------------------------------------------------------------------


def latest_call_id(centre: ServiceCentre) -> int:
    """The cursor of the newest call at the centre: a display redraws only when it moves."""
    last = (
        TicketEvent.objects.filter(centre=centre, action__in=CALL_ACTIONS).order_by("-id").values_list("id", flat=True).first()
    )
    return last or 0


@dataclass(frozen=True)
class CallShown:
    event_id: int
    number: str
    window_number: str
    line_name: str
    at: datetime.datetime
    recalled: bool


def recent_calls(centre: ServiceCentre, *, area: HallArea | None = None, limit: int = 6,
                 now: datetime.datetime | None = None) -> list[CallShown]:
    """Today's latest calls, one per ticket, newest first: what the big screen shows."""
    day = _today(now)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    events = (
        TicketEvent.objects.filter(centre=centre, action__in=CALL_ACTIONS, at__gte=start)
        .select_related("window", "line").order_by("-id")
    )
    if area is not None:
        events = events.filter(line__area=area)
    shown, seen = [], set()
    for event in events[: limit * 4]:
        if event.ticket_id in seen:
            continue
        seen.add(event.ticket_id)
        shown.append(CallShown(
            event_id=event.pk, number=event.number, window_number=event.window.number if event.window else "",
            line_name=event.line.name, at=event.at, recalled=event.action == TicketEvent.Action.RECALLED,
        ))
        if len(shown) == limit:
            break
    return shown


def call_events_since(centre: ServiceCentre, *, since: int = 0, area: HallArea | None = None, limit: int = 100):
    events = (
        TicketEvent.objects.filter(centre=centre, action__in=CALL_ACTIONS, id__gt=since)
        .select_related("window", "line").order_by("id")
    )
    if area is not None:
        events = events.filter(line__area=area)
    return list(events[:limit])


# --- kiosk: the person's appointments and cases -----------------------------------------------------


def appointments_for_checkin(centre: ServiceCentre, *, id_number: str = "", code: str = "",
                             now: datetime.datetime | None = None) -> list[Appointment]:
    """Today's appointments at the centre for an ID number or a booking code."""
    today = _today(now)
    found = Appointment.objects.filter(centre=centre, day=today, status__in=[
        Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN, Appointment.Status.NO_SHOW,
    ]).select_related("line", "centre")
    if id_number:
        found = found.filter(id_number_hash=lookup_hash(id_number))
    elif code:
        found = found.filter(code=code.strip())
    else:
        return []
    return list(found.order_by("starts_at"))


@dataclass(frozen=True)
class KioskItem:
    code: str  # the item's implementation code (what the kiosk sends)
    name: str
    line: ServiceLine


@dataclass(frozen=True)
class KioskDepartment:
    code: str
    name: str
    items: list[KioskItem]


def kiosk_departments(centre: ServiceCentre) -> list[KioskDepartment]:
    """The published items a person can queue for at the kiosk, by department, each with its line.

    An item listed on a line by itself goes to that line; otherwise to the first line that takes
    its department (as `services.line_for_item` decides when the ticket is taken).
    """
    from yichuang.catalog.models import Item, ItemVersion

    lines = list(active_lines(centre).prefetch_related("items", "departments"))
    by_item: dict[int, ServiceLine] = {}
    by_department: dict[int, ServiceLine] = {}
    for line in lines:  # in the lines' order: the first line wins
        for item in line.items.all():
            by_item.setdefault(item.pk, line)
        for department in line.departments.all():
            by_department.setdefault(department.pk, line)
    items = (
        Item.objects.filter(current__status=ItemVersion.Status.PUBLISHED)
        .filter(Q(pk__in=list(by_item)) | Q(current__department_id__in=list(by_department)))
        .select_related("current__department").order_by("current__department__sort_order", "current__name")
    )
    groups: dict[int, KioskDepartment] = {}
    for item in items:
        line = by_item.get(item.pk) or by_department.get(item.current.department_id)
        department = item.current.department
        group = groups.get(department.pk)
        if group is None:
            group = groups[department.pk] = KioskDepartment(
                code=department.code, name=department.short_name or department.name, items=[],
            )
        group.items.append(KioskItem(code=item.implementation_code, name=item.current.name, line=line))
    return list(groups.values())


@dataclass(frozen=True)
class PersonCase:
    number_tail: str
    item_name: str
    status_label: str
    result_ready: bool
    line: ServiceLine | None


def person_open_cases(centre: ServiceCentre, id_number: str) -> list[PersonCase]:
    """The person's open cases at this centre and the line to queue in for each (results: the result window's line).

    Only the end of the case number is shown: the kiosk is in a public hall.
    """
    from yichuang.cases.models import OPEN_STATUSES, Case

    cases = (
        Case.objects.filter(applicant__id_number_hash=lookup_hash(id_number), centre=centre)
        .filter(Q(status__in=OPEN_STATUSES) | Q(delivery__in=[Case.Delivery.WAITING]))
        .select_related("item_version").order_by("-received_at")[:5]
    )
    result_line = (
        ServiceLine.objects.filter(centre=centre, is_active=True, windows__kind=Window.Kind.RESULT)
        .order_by("sort_order").first()
    )
    lines = list(active_lines(centre).prefetch_related("items", "departments"))
    shown = []
    for case in cases:
        ready = case.delivery == Case.Delivery.WAITING
        line = result_line if ready else _line_for_version(lines, case.item_version)
        shown.append(PersonCase(
            number_tail=case.number[-6:], item_name=case.item_version.name,
            status_label=_("结果待领取") if ready else case.get_status_display(), result_ready=ready, line=line,
        ))
    return shown


def _line_for_version(lines: list[ServiceLine], version) -> ServiceLine | None:
    for line in lines:
        if any(item.pk == version.item_id for item in line.items.all()):
            return line
    for line in lines:
        if any(dept.pk == version.department_id for dept in line.departments.all()):
            return line
    return None


# --- appointments (booking pages) -------------------------------------------------------------------


@dataclass(frozen=True)
class SlotView:
    starts_at: datetime.time
    ends_at: datetime.time
    capacity: int
    taken: int
    past: bool

    @property
    def available(self) -> int:
        return 0 if self.past else max(0, self.capacity - self.taken)

    @property
    def value(self) -> str:
        return self.starts_at.strftime("%H:%M")


@dataclass(frozen=True)
class DayView:
    day: datetime.date
    is_open: bool
    reason: str


def bookable_days(centre: ServiceCentre, *, now: datetime.datetime | None = None) -> list[DayView]:
    hall = settings_for(centre)
    today = _today(now)
    days = []
    for offset in range(hall.booking_days_ahead + 1):
        day = today + datetime.timedelta(days=offset)
        info = day_info(day, centre.region)
        days.append(DayView(day=day, is_open=hall.open_every_day or info.is_workday, reason=info.reason))
    return days


def day_slots(line: ServiceLine, day: datetime.date, *, now: datetime.datetime | None = None) -> list[SlotView]:
    hall = settings_for(line.centre)
    local = timezone.localtime(now or timezone.now())
    taken = dict(
        Appointment.objects.filter(line=line, day=day, status__in=[
            Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN, Appointment.Status.LATE,
        ]).values("starts_at").annotate(n=Count("id")).values_list("starts_at", "n")
    )
    slots = rules.slot_times(opens=hall.slots_from, closes=hall.slots_until, minutes=line.slot_minutes,
                             lunch_starts=hall.lunch_starts, lunch_ends=hall.lunch_ends)
    return [
        SlotView(starts_at=start, ends_at=end, capacity=line.slot_capacity, taken=taken.get(start, 0),
                 past=day < local.date() or (day == local.date() and end <= local.time()))
        for start, end in slots
    ]


def appointment_by_token(token: str) -> Appointment | None:
    if not token or len(token) > 32:
        return None
    return Appointment.objects.select_related("line", "centre__region", "item__current").filter(token=token).first()


def appointments_for_person(id_number_hash: str, *, limit: int = 30) -> list[Appointment]:
    """A person's appointments at every centre (the online hall's 我的预约), the latest days first."""
    if not id_number_hash:
        return []
    return list(
        Appointment.objects.filter(id_number_hash=id_number_hash)
        .select_related("line", "centre", "item__current").order_by("-day", "-starts_at", "-id")[:limit]
    )


def booking_centres() -> QuerySet[ServiceCentre]:
    return ServiceCentre.objects.filter(
        is_active=True, service_lines__is_active=True, service_lines__appointments_enabled=True
    ).distinct().order_by("region__code", "name")


# --- the window console -----------------------------------------------------------------------------


def windows_for_user(user: User) -> list[Window]:
    """The windows a clerk works at (their assignment in the staff record)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(user.windows.filter(is_active=True).select_related("centre").order_by("centre__name", "number"))


@dataclass
class QueueLine:
    line: ServiceLine
    priority: int
    waiting: int
    next_tickets: list[Ticket] = field(default_factory=list)


@dataclass
class ConsoleView:
    window: Window
    state: WindowState
    current: Ticket | None
    recalls_before_skip: int
    queue: list[QueueLine]
    targeted: list[Ticket]
    skipped: list[Ticket]
    served_today: int
    transfer_lines: list[ServiceLine]
    transfer_windows: list[Window]
    desk_items: list[tuple[str, str]] = field(default_factory=list)  # for a current ticket without an item
    allowed: bool = True

    @property
    def can_skip(self) -> bool:
        return self.current is not None and self.current.status == T.CALLED and self.current.recalls >= self.recalls_before_skip

    @property
    def recalls_left(self) -> int:
        return max(0, self.recalls_before_skip - (self.current.recalls if self.current else 0))

    @property
    def waiting_total(self) -> int:
        return sum(q.waiting for q in self.queue) + len(self.targeted)


def console_view(user: User, window: Window, *, now: datetime.datetime | None = None, next_count: int = 4) -> ConsoleView:
    day = _today(now)
    state = WindowState.objects.filter(window=window).first() or WindowState(window=window, since=timezone.now())
    current = (
        Ticket.objects.filter(window=window, status__in=[T.CALLED, T.SERVING])
        .select_related("line", "item__current", "appointment", "target_window").order_by("-called_at").first()
    )
    hall = settings_for(window.centre)
    priorities = list(
        LineWindow.objects.filter(window=window, line__is_active=True).select_related("line").order_by("priority", "line__sort_order")
    )
    line_ids = [lw.line_id for lw in priorities]
    waiting = Ticket.objects.filter(day=day, status=T.WAITING, line_id__in=line_ids, target_window__isnull=True)
    counts = dict(waiting.values("line_id").annotate(n=Count("id")).values_list("line_id", "n"))
    queue = [QueueLine(line=lw.line, priority=lw.priority, waiting=counts.get(lw.line_id, 0)) for lw in priorities]
    by_line = {q.line.pk: q for q in queue}
    for ticket in waiting.order_by("rank", "queued_at", "id")[: next_count * max(1, len(queue))]:
        bucket = by_line[ticket.line_id].next_tickets
        if len(bucket) < next_count:
            bucket.append(ticket)
    targeted = list(Ticket.objects.filter(day=day, status=T.WAITING, target_window=window).select_related("line")
                    .order_by("rank", "queued_at"))
    skipped = list(Ticket.objects.filter(day=day, status=T.NO_SHOW, window=window).select_related("line").order_by("-finished_at")[:5])
    served = Ticket.objects.filter(day=day, status=T.DONE, window=window).count()
    transfer_lines = list(ServiceLine.objects.filter(centre_id=window.centre_id, is_active=True).order_by("sort_order", "prefix"))
    transfer_windows = list(Window.objects.filter(centre_id=window.centre_id, is_active=True).exclude(pk=window.pk).order_by("number"))
    return ConsoleView(
        window=window, state=state, current=current, recalls_before_skip=hall.recalls_before_skip, queue=queue,
        targeted=targeted, skipped=skipped, served_today=served, transfer_lines=transfer_lines,
        transfer_windows=transfer_windows,
        desk_items=line_items(current.line) if current is not None and current.item_id is None else [],
    )


def line_items(line: ServiceLine) -> list[tuple[str, str]]:
    """(implementation code, name) of the published items a line takes, listed or by department, by name.

    The console offers them for a ticket taken by line, so the front desk opens that item's form
    with the person's details (the ticket's hand-off) already in it.
    """
    from yichuang.catalog.models import Item, ItemVersion

    return list(
        Item.objects.filter(current__status=ItemVersion.Status.PUBLISHED)
        .filter(Q(service_lines=line) | Q(current__department__service_lines=line))
        .distinct().order_by("current__name").values_list("implementation_code", "current__name")
    )


def ticket_at_window(window: Window, ticket_id: int) -> Ticket | None:
    return Ticket.objects.filter(pk=ticket_id, centre_id=window.centre_id).first()


def ticket_by_number_today(window: Window, number: str, *, now: datetime.datetime | None = None) -> Ticket | None:
    """A number typed at the console; today's first, else the latest with that number (to explain why not)."""
    number = (number or "").strip().upper()
    found = Ticket.objects.filter(centre_id=window.centre_id, number=number)
    return found.filter(day=_today(now)).first() or found.order_by("-day").first()


@dataclass(frozen=True)
class TicketHandoff:
    """What the front-desk console needs to start a case for the person at the window."""

    ticket_id: int
    number: str
    line_name: str
    window_number: str
    category_label: str
    id_number: str  # clear, for the clerk's form only: never put it in a URL
    phone: str
    item_code: str  # the item's implementation code, if the person chose one
    appointment_name: str


def ticket_handoff(user: User, ticket_id: int, *, now: datetime.datetime | None = None) -> TicketHandoff | None:
    """The person behind a ticket called to one of the user's windows today; None otherwise (answer 404)."""
    ticket = (
        Ticket.objects.filter(pk=ticket_id, day=_today(now), status__in=[T.CALLED, T.SERVING, T.DONE])
        .select_related("line", "window", "item", "appointment").first()
    )
    if ticket is None or ticket.window is None or not may_use_window(user, ticket.window):
        return None
    return TicketHandoff(
        ticket_id=ticket.pk, number=ticket.number, line_name=ticket.line.name, window_number=ticket.window.number,
        category_label=ticket.get_category_display(), id_number=ticket.id_number, phone=ticket.phone,
        item_code=ticket.item.implementation_code if ticket.item else "",
        appointment_name=ticket.appointment.name if ticket.appointment else "",
    )


# --- metrics -----------------------------------------------------------------------------------------

METRIC_GROUPS = {
    "line": ("line_id", "line__prefix", "line__name"),
    "window": ("window_id", "window__number", "window__name"),
    "clerk": ("clerk_id", "clerk__display_name", "clerk__username"),
    "hour": ("hour",),
}


@dataclass(frozen=True)
class MetricRow:
    label: str
    tickets: int
    called: int
    served: int
    no_shows: int
    abandoned: int
    appointment_tickets: int
    average_wait_minutes: float | None
    average_service_minutes: float | None

    @property
    def no_show_rate(self) -> float | None:
        return round(100 * self.no_shows / self.called, 1) if self.called else None


@dataclass(frozen=True)
class AppointmentUse:
    booked: int
    checked_in: int
    late: int
    no_show: int
    cancelled: int

    @property
    def show_rate(self) -> float | None:
        due = self.checked_in + self.late + self.no_show
        return round(100 * (self.checked_in + self.late) / due, 1) if due else None


@dataclass(frozen=True)
class Metrics:
    rows: list[MetricRow]
    total: MetricRow
    appointments: AppointmentUse
    paused_minutes: dict[str, int]


def metrics_centres(user: User) -> QuerySet[ServiceCentre]:
    """Centres whose hall figures the user may read (their organisational scope)."""
    return scope_for(user).centres().filter(is_active=True).order_by("region__code", "name")


def _minutes(seconds: float | None) -> float | None:
    return round(seconds / 60, 1) if seconds is not None else None


# The longest span one statistics page or API call covers, in days.
METRICS_MAX_DAYS = 92


def hall_metrics(centre: ServiceCentre, *, date_from: datetime.date, date_to: datetime.date, by: str = "line") -> Metrics:
    """Tickets, wait and service times, no-shows and abandoned tickets grouped by line, window, clerk or hour."""
    if by not in METRIC_GROUPS:
        raise ValueError(by)
    tickets = Ticket.objects.filter(centre=centre, day__gte=date_from, day__lte=date_to)
    if by == "hour":
        tickets = tickets.annotate(hour=ExtractHour("issued_at", tzinfo=timezone.get_current_timezone()))
    aggregates = {
        "tickets": Count("id"),
        "called": Count("id", filter=Q(first_called_at__isnull=False)),
        "served": Count("id", filter=Q(status=T.DONE)),
        "no_shows": Count("id", filter=Q(status=T.NO_SHOW)),
        "abandoned": Count("id", filter=Q(status__in=[T.CANCELLED, T.ABANDONED])),
        "appointment_tickets": Count("id", filter=Q(source=Ticket.Source.APPOINTMENT)),
        "wait": Avg("wait_seconds"),
        "service": Avg("service_seconds"),
    }
    fields = METRIC_GROUPS[by]
    grouped = tickets.values(*fields).annotate(**aggregates).order_by(*fields)
    rows = [_metric_row(_group_label(by, row), row) for row in grouped]
    total = _metric_row(_("合计"), tickets.aggregate(**aggregates))
    counts = dict(
        Appointment.objects.filter(centre=centre, day__gte=date_from, day__lte=date_to)
        .values("status").annotate(n=Count("id")).values_list("status", "n")
    )
    use = AppointmentUse(
        booked=sum(counts.values()), checked_in=counts.get(Appointment.Status.CHECKED_IN, 0),
        late=counts.get(Appointment.Status.LATE, 0), no_show=counts.get(Appointment.Status.NO_SHOW, 0),
        cancelled=counts.get(Appointment.Status.CANCELLED, 0),
    )
    return Metrics(rows=rows, total=total, appointments=use, paused_minutes=paused_minutes(centre, date_from, date_to))


def _group_label(by: str, row: dict) -> str:
    if by == "line":
        return f"{row['line__prefix']} {row['line__name']}"
    if by == "window":
        return f"{row['window__number']} {row['window__name']}" if row["window_id"] else _("（未叫号）")
    if by == "clerk":
        return (row["clerk__display_name"] or row["clerk__username"]) if row["clerk_id"] else _("（未叫号）")
    return f"{row['hour']:02d}:00–{row['hour']:02d}:59"


def _metric_row(label: str, row: dict) -> MetricRow:
    return MetricRow(
        label=label, tickets=row["tickets"], called=row["called"], served=row["served"], no_shows=row["no_shows"],
        abandoned=row["abandoned"], appointment_tickets=row["appointment_tickets"],
        average_wait_minutes=_minutes(row["wait"]), average_service_minutes=_minutes(row["service"]),
    )


def paused_minutes(centre: ServiceCentre, date_from: datetime.date, date_to: datetime.date) -> dict[str, int]:
    """Minutes each window spent paused in the period (from its pause and resume events)."""
    from .models import WindowEvent

    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(date_from, datetime.time(), tzinfo=tz)
    end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
    events = (
        WindowEvent.objects.filter(window__centre=centre, at__gte=start, at__lt=end)
        .select_related("window").order_by("window_id", "at", "id")
    )
    totals: dict[str, float] = defaultdict(float)
    paused_since: dict[int, tuple[str, datetime.datetime]] = {}
    for event in events:
        if event.action == WindowEvent.Action.PAUSED:
            paused_since.setdefault(event.window_id, (event.window.number, event.at))
        elif event.window_id in paused_since:
            number, since = paused_since.pop(event.window_id)
            totals[number] += (event.at - since).total_seconds()
    now = min(timezone.now(), end)
    for number, since in paused_since.values():
        totals[number] += max(0.0, (now - since).total_seconds())
    return {number: round(seconds / 60) for number, seconds in sorted(totals.items())}


def tickets_today_count(centre: ServiceCentre) -> int:
    return Ticket.objects.filter(centre=centre, day=_today()).count()


def dashboard_tickets(*, today: datetime.date) -> dict:
    """The big screen's hall panel (supervision calls this): the day's queue in every active centre.

    Plain figures, no ticket numbers and no persons: {"items": [{"label", "value"}]}.
    """
    figures = Ticket.objects.filter(day=today, centre__is_active=True).aggregate(
        tickets=Count("id"),
        waiting=Count("id", filter=Q(status=T.WAITING)),
        served=Count("id", filter=Q(status=T.DONE)),
        called=Count("id", filter=Q(first_called_at__isnull=False)),
        no_shows=Count("id", filter=Q(status=T.NO_SHOW)),
        appointments=Count("id", filter=Q(source=Ticket.Source.APPOINTMENT)),
        wait=Avg("wait_seconds"),
        service=Avg("service_seconds"),
    )

    def minutes(seconds: float | None) -> str:
        return str(_minutes(seconds)) if seconds is not None else "—"

    rate = round(100 * figures["no_shows"] / figures["called"], 1) if figures["called"] else None
    # As many rows as the ratings panel beside it on the screen.
    return {"items": [
        {"label": _("今日取号 / 已办结"), "value": f"{figures['tickets']} / {figures['served']}"},
        {"label": _("正在等候"), "value": figures["waiting"]},
        {"label": _("平均等候 / 办理（分钟）"), "value": f"{minutes(figures['wait'])} / {minutes(figures['service'])}"},
        {"label": _("过号率"), "value": f"{rate}%" if rate is not None else "—"},
        {"label": _("预约签到"), "value": figures["appointments"]},
    ]}



# --- kiosk and display compositions -------------------------------------------------------------------


@dataclass(frozen=True)
class CheckinRow:
    appointment: Appointment
    opens: datetime.datetime
    closes: datetime.datetime
    early: bool
    late: bool


@dataclass(frozen=True)
class KioskPerson:
    rows: list[CheckinRow]
    cases: list[PersonCase]


def kiosk_person(centre: ServiceCentre, *, id_number: str = "", code: str = "",
                 now: datetime.datetime | None = None) -> KioskPerson:
    """What the kiosk shows after an ID number or booking code: today's appointments and open cases."""
    from .services import checkin_window

    now = now or timezone.now()
    hall = settings_for(centre)
    rows = []
    for appointment in appointments_for_checkin(centre, id_number=id_number, code=code, now=now):
        opens, closes = checkin_window(appointment, hall)
        rows.append(CheckinRow(
            appointment=appointment, opens=opens, closes=closes, early=now < opens,
            late=now > closes and appointment.status != Appointment.Status.CHECKED_IN,
        ))
    return KioskPerson(rows=rows, cases=person_open_cases(centre, id_number) if id_number else [])


@dataclass(frozen=True)
class DisplayBoard:
    cursor: int
    calls: list[CallShown]
    lines: list[LineStatus]
    new_call: bool
    chime: bool


def display_board(centre: ServiceCentre, *, area: HallArea | None = None, cursor_seen: int | None = None,
                  now: datetime.datetime | None = None) -> DisplayBoard:
    """The big screen: latest calls (numbers and windows only), each line's next numbers and waits."""
    cursor = latest_call_id(centre)
    calls = recent_calls(centre, area=area, limit=5, now=now)
    return DisplayBoard(
        cursor=cursor, calls=calls, lines=line_overview(centre, area=area, next_count=2, now=now),
        new_call=cursor_seen is not None and bool(calls) and calls[0].event_id > cursor_seen,
        chime=settings_for(centre).chime,
    )


# --- lookups by what a form or a request names --------------------------------------------------------


def item_by_code(code: str | None):
    """A catalogue item by its implementation code (what kiosks and the booking form send)."""
    from yichuang.catalog.models import Item

    code = (code or "").strip()
    if not code:
        return None
    return Item.objects.select_related("current").filter(implementation_code=code).first()


def window_by_id(window_id: int) -> Window | None:
    return Window.objects.select_related("centre").filter(pk=window_id, is_active=True).first()


def line_in_centre(centre_id: int, *, pk: int | None = None, code: str | None = None) -> ServiceLine | None:
    """An active line of the centre, by id (console forms) or code (API)."""
    if pk is None and not code:
        return None
    lines = ServiceLine.objects.filter(centre_id=centre_id, is_active=True)
    return lines.filter(pk=pk).first() if pk is not None else lines.filter(code=code).first()


def window_in_centre(centre_id: int, *, pk: int | None = None, number: str | None = None) -> Window | None:
    """An active window of the centre, by id (console forms) or number (API)."""
    if pk is None and not number:
        return None
    windows = Window.objects.filter(centre_id=centre_id, is_active=True)
    return windows.filter(pk=pk).first() if pk is not None else windows.filter(number=number).first()
