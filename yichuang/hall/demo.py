"""The demo county's hall: lines, areas and settings for 示例县政务服务中心 and one town centre.

`seed_demo_hall(actor)` is idempotent: a second run changes nothing. The demo hall takes tickets
around the clock, every day, so it can be tried at any hour; a real centre sets its hours in the
admin (大厅设置) and follows the working-day calendar. The first run also plays the last few
working days of the county hall's queue at the demo staff's windows, so the metrics page
(大厅统计) has wait and service times by line, window, clerk and hour from the start.
"""

import datetime
import random
from collections import Counter

from django.db import transaction
from django.utils import timezone

from yichuang.catalog.models import Item
from yichuang.core.calendar import day_info
from yichuang.core.notify import sms_suppressed
from yichuang.org.models import Department, ServiceCentre, User, Window

from . import services
from .errors import HallError
from .models import LineWindow, ServiceLine, Ticket, WindowState
from .services import hall_area_upsert, hall_settings_set, service_line_upsert

COUNTY_CENTRE = "SLX"
TOWN_CENTRE = "SLXQS"

DEMO_SETTINGS = {
    "opens_at": datetime.time(0, 0), "closes_at": datetime.time(23, 59), "last_ticket_minutes": 0,
    "open_every_day": True, "slots_from": datetime.time(9, 0), "slots_until": datetime.time(17, 0),
    "lunch_starts": datetime.time(12, 0), "lunch_ends": datetime.time(13, 30),
}

AREAS = [("1f", "一楼 综合受理区", 1), ("2f", "二楼 部门专窗区", 2)]

# (code, name, prefix, area, description, departments, item names, windows {number: priority}, minutes)
LINES = [
    ("general", "综合受理", "A", "1f", "企业开办、市场准营、工程建设、交通运输、社会事务等",
     ["SCJG", "WJJ", "JTJ", "ZJJ", "ZHZF", "STHJ", "SLJ", "YCJ", "RSJ", "MZJ", "SPJ"], [],
     {"A01": 1, "A02": 1, "A03": 2, "A04": 1, "A05": 1, "A06": 1}, 12),
    ("social", "社保就业", "S", "1f", "养老保险参保、就业创业证、单位社保登记",
     [], ["城乡居民基本养老保险参保登记", "就业创业证申领", "社会保险登记（单位参保）"],
     {"A03": 1, "A06": 2}, 8),
    ("result", "统一出件", "C", "1f", "领取证照、批文等办理结果", [], [], {"C01": 1}, 4),
    ("help", "帮办代办·咨询", "D", "1f", "不知道怎么办？工作人员帮您", [], [], {"D01": 1}, 10),
    ("estate", "不动产与规划", "B", "2f", "不动产登记、建设工程规划许可", ["ZRZY"], [], {"B01": 1}, 20),
    ("police", "户政", "H", "2f", "身份证、户口迁移、出生登记", ["GAJ"], [], {"B02": 1}, 10),
    ("marriage", "婚姻登记", "M", "2f", "结婚登记", [], ["结婚登记"], {"B03": 1}, 15),
]

TOWN_LINES = [
    ("general", "综合受理", "A", "", "便民服务事项", [], [], {"01": 1}, 10),
]


def _items(names: list[str]) -> list[Item]:
    found = {i.current.name: i for i in Item.objects.select_related("current").filter(current__name__in=names)}
    return [found[name] for name in names if name in found]


def _load(actor, centre: ServiceCentre, rows, counts: Counter, areas: dict) -> None:
    windows = {w.number: w for w in Window.objects.filter(centre=centre)}
    for order, (code, name, prefix, area, description, dept_codes, item_names, window_numbers, minutes) in enumerate(rows):
        _line, created, changed = service_line_upsert(
            actor=actor, centre=centre, code=code, name=name, prefix=prefix, area=areas.get(area),
            description=description, sort_order=order + 1, default_service_minutes=minutes,
            departments=list(Department.objects.filter(code__in=dept_codes)), items=_items(item_names),
            windows={windows[n]: p for n, p in window_numbers.items() if n in windows},
            appointments_enabled=code not in ("result", "help"),
        )
        counts["业务队列新建" if created else "业务队列更新"] += int(created or changed)


# The windows the demo's staff work at: the past days' queue is served there.
HISTORY_DESKS = [("A01", "clerk"), ("A02", "clerk2"), ("C01", "result"), ("D01", "agent")]
HISTORY_DAYS = 2  # working days before today
# People arriving per hour through the day, and which line they take (weights).
ARRIVALS_PER_HOUR = {9: 6, 10: 9, 11: 6, 13: 3, 14: 6, 15: 5, 16: 2}
LINE_WEIGHTS = {"general": 7, "result": 2, "help": 1}
SERVICE_MINUTES = {"general": (8, 22), "result": (2, 5), "help": (5, 12)}
HISTORY_PEOPLE = ["330102195206150010", "330102198803120024", "33010219910723003X"]  # for appointments


def _history_days(centre: ServiceCentre, today: datetime.date) -> list[datetime.date]:
    days, day = [], today
    while len(days) < HISTORY_DAYS and (today - day).days < 21:
        day -= datetime.timedelta(days=1)
        if day_info(day, centre.region).is_workday:
            days.append(day)
    return sorted(days)


def _at(day: datetime.date, minute: int) -> datetime.datetime:
    """A moment of the day given in minutes after midnight, in the hall's time zone."""
    midnight = datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())
    return midnight + datetime.timedelta(minutes=minute)


def _seed_history(centre: ServiceCentre, today: datetime.date, counts: Counter) -> None:
    """A few past working days of queue at the county centre, so the metrics page has figures.

    Done once, for a hall nobody has used yet: skipped when the centre has any ticket. Everything
    goes through the services with the moments it happened; nobody is texted (the platform's
    suppression for history). All or nothing: if the admin's changes to the demo refuse a step,
    no half-played day stays behind.
    """
    if Ticket.objects.filter(centre=centre).exists():
        return
    windows = {w.number: w for w in Window.objects.filter(centre=centre, number__in=[n for n, _u in HISTORY_DESKS])}
    users = {u.username: u for u in User.objects.filter(username__in=[u for _n, u in HISTORY_DESKS])}
    desks = [(windows[n], users[u]) for n, u in HISTORY_DESKS if n in windows and u in users]
    lines = {line.code: line for line in ServiceLine.objects.filter(centre=centre, code__in=list(LINE_WEIGHTS))}
    if not desks or "general" not in lines:
        return
    played: Counter = Counter()
    try:
        with sms_suppressed(), transaction.atomic():
            for day in _history_days(centre, today):
                _history_day(centre, day, desks, lines, played)
                for window, clerk in desks:
                    state = WindowState.objects.filter(window=window).first()
                    if state is not None and state.state != WindowState.State.CLOSED:
                        services.window_close(actor=clerk, window=window, at=_at(day, 17 * 60 + 50))
    except HallError:  # the admin has changed the demo's hours, lines or windows: no history then
        return
    counts.update(played)


def _history_day(centre, day, desks, lines, counts: Counter) -> None:
    """One day of the queue, minute by minute: arrivals, calls, services, a break, no-shows."""
    rng = random.Random(day.toordinal())
    codes = [code for code in LINE_WEIGHTS if code in lines]
    arrivals: dict[int, list[str]] = {}
    for hour, per_hour in ARRIVALS_PER_HOUR.items():
        for _n in range(per_hour):
            minute = hour * 60 + rng.randrange(60)
            arrivals.setdefault(minute, []).append(rng.choices(codes, [LINE_WEIGHTS[c] for c in codes])[0])
    # Two of the day's appointments check in in time; the third never comes (a no-show, recorded at night).
    general = lines["general"]
    booked = [
        services.appointment_book(
            line=general, day=day, starts_at=datetime.time(hour, minute), name="演示预约人", id_number=person,
            phone="13800000009", at=_at(day - datetime.timedelta(days=2), 10 * 60 + rng.randrange(300)),
        )
        for person, (hour, minute) in zip(HISTORY_PEOPLE, [(9, 30), (10, 0), (14, 0)], strict=True)
    ]
    counts["往日预约"] += len(booked)
    checkins = {9 * 60 + 25: booked[0], 10 * 60 + 3: booked[1]}
    serves = {
        index: set(LineWindow.objects.filter(window=window).values_list("line__code", flat=True))
        for index, (window, _clerk) in enumerate(desks)
    }
    waiting: Counter = Counter()
    plans: dict[int, list] = {}  # desk -> [(minute, service, ticket)] still to do
    free_at = dict.fromkeys(serves, 8 * 60 + 45)
    breaks = {1: (10 * 60 + 30, 10 * 60 + 45)}  # A02's break: the wait estimates leave the window out
    last_call = 17 * 60
    for minute in range(8 * 60 + 45, last_call + 40):
        for code in arrivals.get(minute, []):
            category = Ticket.Category.ELDERLY if rng.random() < 0.08 else Ticket.Category.NORMAL
            services.ticket_take(centre=centre, line=lines[code], category=category, at=_at(day, minute))
            waiting[code] += 1
            counts["往日取号"] += 1
        if minute in checkins:
            services.appointment_check_in(appointment=checkins[minute], at=_at(day, minute))
            waiting["general"] += 1
            counts["往日取号"] += 1
        for index, (window, clerk) in enumerate(desks):
            for at_minute, service, ticket in [p for p in plans.get(index, []) if p[0] == minute]:
                service(actor=clerk, window=window, ticket=ticket, at=_at(day, at_minute))
            pause = breaks.get(index)
            if minute < free_at[index] or minute > last_call:
                continue
            if pause and pause[0] <= minute < pause[1]:
                services.window_pause(actor=clerk, window=window, reason=WindowState.Reason.BREAK, at=_at(day, minute))
                services.window_resume(actor=clerk, window=window, at=_at(day, pause[1]))
                free_at[index] = pause[1] + 1
                del breaks[index]
                continue
            if not any(waiting[code] for code in serves[index]):
                continue
            ticket = services.ticket_call_next(actor=clerk, window=window, at=_at(day, minute))
            if ticket is None:
                continue
            waiting[ticket.line.code] -= 1
            if rng.random() < 0.07:  # never came to the window: recalled twice, then skipped
                plans[index] = [(minute + 1, services.ticket_recall, ticket), (minute + 2, services.ticket_recall, ticket),
                                (minute + 3, services.ticket_skip, ticket)]
                free_at[index] = minute + 4
                continue
            low, high = SERVICE_MINUTES.get(ticket.line.code, (5, 12))
            done = minute + 1 + rng.randint(low, high)
            plans[index] = [(minute + 1, services.ticket_start, ticket), (done, services.ticket_finish, ticket)]
            free_at[index] = done + 1
    # Whoever was still waiting at closing left without being served; the missed appointment is recorded.
    services.tickets_close_day(before=day + datetime.timedelta(days=1), centre=centre, at=_at(day, 17 * 60 + 45))
    services.appointments_mark_no_shows(centre=centre, at=_at(day, 18 * 60))


def seed_demo_hall(actor=None, *, today: datetime.date | None = None) -> Counter:
    """Create or update the demo hall; returns what changed (empty when already up to date)."""
    counts: Counter = Counter()
    for code, rows in ((COUNTY_CENTRE, LINES), (TOWN_CENTRE, TOWN_LINES)):
        centre = ServiceCentre.objects.filter(code=code).first()
        if centre is None:
            continue
        _hall, changed = hall_settings_set(actor=actor, centre=centre, **DEMO_SETTINGS)
        counts["大厅设置"] += int(changed)
        areas = {}
        if code == COUNTY_CENTRE:
            for area_code, area_name, order in AREAS:
                area, created, changed = hall_area_upsert(actor=actor, centre=centre, code=area_code, name=area_name,
                                                          sort_order=order)
                areas[area_code] = area
                counts["大厅区域"] += int(created or changed)
        _load(actor, centre, rows, counts, areas)
        if code == COUNTY_CENTRE:
            _seed_history(centre, today or timezone.localdate(), counts)
    return +counts
