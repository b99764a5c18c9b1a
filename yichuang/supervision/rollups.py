"""Daily and monthly rollups of the case events, for the statistics.

`rollup_advance` (called by the sweep, every minute) reads the case events written since the
last watermark and adds them to the day row and the month row of their keys; `rollup_rebuild`
recomputes a date range from the events. Both run under the sweep's lock row, so exactly one
writer adds to the counters at a time, and both turn events into counters with the same
function, so a rebuilt range equals what the sweep built.

The watermark is a CaseEvent id. A transaction may take an id and commit after a later one,
so ids skipped when the watermark moves are kept as gaps and looked at again on each sweep
(for an hour, far longer than any transaction of the case engine runs).
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from yichuang.cases.models import DECIDED_STATUSES, Case, CaseEvent, SpecialProcedure
from yichuang.core.calendar import workdays_between

from . import bulk
from .metrics import ALL_COUNTERS
from .models import HIST_MAX, AlarmEvent, StatRollup, SweepMark

KEY_FIELDS = ("period", "day", "department_id", "centre_id", "window_id", "item_id", "channel", "staff_id")
ROLLED_ACTIONS = ("receive", "accept", "refuse", "decide", "deliver", "withdraw", "revoke")
ENDING_ACTIONS = ("decide", "withdraw", "revoke")
GAP_TTL = datetime.timedelta(hours=1)
MAX_GAPS = 10_000
MAX_HOLE = 1000
BATCH = 20_000
CHUNK = 20_000

Key = tuple
Deltas = dict[Key, dict[str, int]]


@dataclass(frozen=True)
class CaseFacts:
    department_id: int
    centre_id: int
    window_id: int
    item_id: int
    channel: str
    region: str
    accepted_on: datetime.date | None
    due_date: datetime.date | None
    paused_days: int
    extension_days: int
    correction_rounds: int
    send_backs: int
    visits: int
    had_special: bool
    accepted_by: int


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def case_facts(case_ids: Iterable[int]) -> dict[int, CaseFacts]:
    ids = sorted(set(case_ids))
    facts: dict[int, CaseFacts] = {}
    for chunk in _chunks(ids):
        special = set(SpecialProcedure.objects.filter(case_id__in=chunk).values_list("case_id", flat=True))
        accepted_by = dict(
            CaseEvent.objects.filter(case_id__in=chunk, action="accept").values_list("case_id", "actor_id")
        )
        # A bundle's parent case (一件事) is the envelope of its children, which are the approvals
        # counted; counting the parent too would count the application twice.
        rows = Case.objects.filter(id__in=chunk, parallel__isnull=True).values_list(
            "id", "department_id", "centre_id", "window_id", "item_version__item_id", "channel",
            "department__region__code", "accepted_at", "due_date", "paused_days", "extension_days",
            "correction_rounds", "send_backs", "visits",
        )
        for (pk, dept, centre, window, item, channel, region, accepted_at, due, paused, extension, corrections,
             send_backs, visits) in rows:
            facts[pk] = CaseFacts(
                department_id=dept, centre_id=centre, window_id=window or 0, item_id=item, channel=channel,
                region=region, accepted_on=timezone.localdate(accepted_at) if accepted_at else None, due_date=due,
                paused_days=paused, extension_days=extension, correction_rounds=corrections, send_backs=send_backs,
                visits=visits, had_special=pk in special, accepted_by=accepted_by.get(pk) or 0,
            )
    return facts


def handling_workdays(facts: CaseFacts, decided_on: datetime.date) -> int:
    """Working days from the day after acceptance to the decision, less the days the clock stood still."""
    if facts.accepted_on is None:
        return 0
    return max(workdays_between(facts.accepted_on, decided_on, facts.region) - facts.paused_days, 0)


class _Accumulator:
    def __init__(self, *, months: bool = True):
        self.deltas: Deltas = defaultdict(lambda: defaultdict(int))
        self.months = months

    def add(self, day: datetime.date, facts: CaseFacts, staff: int | None, **counters: int) -> None:
        full = (facts.department_id, facts.centre_id, facts.window_id, facts.item_id, facts.channel, staff or 0)
        coarse = (facts.department_id, facts.centre_id, 0, facts.item_id, facts.channel, 0)
        targets = [("D", day, *full), ("d", day, *coarse)]
        if self.months:
            month = day.replace(day=1)
            targets += [("M", month, *full), ("m", month, *coarse)]
        for key in targets:
            row = self.deltas[key]
            for name, value in counters.items():
                if value:
                    row[name] += value


def accumulate_events(
    acc: _Accumulator,
    events: Iterable[tuple],
    facts: dict[int, CaseFacts],
    *,
    direct: Callable[[datetime.date], bool] = lambda day: True,
    cohort: Callable[[datetime.date], bool] = lambda day: True,
) -> None:
    """Add each event's counters. `events`: (id, case_id, at, actor_id, action, from_status, to_status)."""
    for _id, case_id, at, actor_id, action, from_status, to_status in events:
        fact = facts.get(case_id)
        if fact is None:
            continue
        day = timezone.localdate(at)
        if direct(day):
            if action == "receive":
                acc.add(day, fact, actor_id, received=1, online_received=int(fact.channel == Case.Channel.ONLINE))
            elif action == "accept":
                acc.add(day, fact, actor_id, accepted=1)
            elif action == "refuse":
                acc.add(day, fact, actor_id, not_accepted=1)
            elif action == "decide":
                due = fact.due_date
                days = handling_workdays(fact, day)
                bucket = f"hd_{days}" if days <= HIST_MAX else "hd_over"
                acc.add(
                    day, fact, actor_id, closed=1,
                    approved=int(to_status in (Case.Status.APPROVED, Case.Status.APPROVED_DEFERRED)),
                    immediate=int(fact.accepted_on == day),
                    early=int(due is not None and day < due),
                    on_time=int(due is None or day <= due),
                    late=int(due is not None and day > due),
                    handling_days=days, corrected=int(fact.correction_rounds > 0), send_backs=fact.send_backs,
                    special_used=int(fact.had_special), extended=int(fact.extension_days > 0),
                    **{bucket: 1},
                )
            elif action == "deliver":
                acc.add(day, fact, actor_id, delivered=1, one_visit=int(fact.visits <= 1),
                        zero_visit=int(fact.visits == 0))
            elif action in ("withdraw", "revoke"):
                acc.add(day, fact, actor_id, withdrawn=1)
        if action in ENDING_ACTIONS and fact.accepted_on is not None and cohort(fact.accepted_on):
            if action == "decide":
                acc.add(fact.accepted_on, fact, fact.accepted_by, cohort_closed=1, cohort_ended=1)
            elif action == "withdraw" and to_status == Case.Status.WITHDRAWN:
                acc.add(fact.accepted_on, fact, fact.accepted_by, cohort_ended=1)
            elif action == "revoke" and from_status not in DECIDED_STATUSES and from_status != Case.Status.REFUSED:
                acc.add(fact.accepted_on, fact, fact.accepted_by, cohort_ended=1)


@dataclass(frozen=True)
class Dims:
    department_id: int
    centre_id: int
    window_id: int
    item_id: int
    channel: str


def overdue_events(*, after_id: int, upto_id: int, first=None, until=None) -> list[tuple]:
    """(at, dims) of the case-level alarm events into overdue with ids in (after_id, upto_id]
    (and times in [first, until) when given), with their case's keys read in the same query."""
    sql = ("SELECT e.at, c.department_id, c.centre_id, COALESCE(c.window_id, 0), v.item_id, c.channel "
           "FROM supervision_alarmevent e JOIN cases_case c ON c.id = e.case_id "
           "JOIN catalog_itemversion v ON v.id = c.item_version_id "
           "WHERE e.id > %s AND e.id <= %s AND e.step_id IS NULL AND e.to_level = 'overdue'")
    params = [after_id, upto_id]
    if first is not None:
        sql += " AND e.at >= %s AND e.at < %s"
        params += [connection.ops.adapt_datetimefield_value(first), connection.ops.adapt_datetimefield_value(until)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [(_aware(at), Dims(*dims)) for at, *dims in rows]


def _aware(value) -> datetime.datetime:
    """A datetime read by a raw cursor: SQLite gives text in UTC, PostgreSQL an aware datetime."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return value


def accumulate_alarm_events(acc: _Accumulator, rows: Iterable[tuple],
                            direct: Callable[[datetime.date], bool] = lambda day: True) -> None:
    """rows: (at, dims) of case-level events into overdue."""
    for at, dims in rows:
        day = timezone.localdate(at)
        if direct(day):
            acc.add(day, dims, 0, went_overdue=1)


EVENT_FIELDS = ("id", "case_id", "at", "actor_id", "action", "from_status", "to_status")


def _table() -> str:
    return connection.ops.quote_name(StatRollup._meta.db_table)


def upsert(deltas: Deltas) -> int:
    """Add the deltas to the rows with the same key, creating the rows that do not exist yet."""
    if not deltas:
        return 0
    q = connection.ops.quote_name
    table = _table()
    # Only the counters this batch adds to: the others keep their database default of 0.
    used = [c for c in ALL_COUNTERS if any(counters.get(c) for counters in deltas.values())]
    if not used:
        return 0
    columns = [*KEY_FIELDS, *used]
    updates = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in used)
    rows = [[*key, *(counters.get(c, 0) for c in used)] for key, counters in deltas.items()]
    conflict = f"ON CONFLICT ({', '.join(q(c) for c in KEY_FIELDS)}) DO UPDATE SET {updates}"
    if connection.vendor == "postgresql":
        fields = [StatRollup._meta.get_field(c) for c in columns]
        with bulk.pg_cursor() as cursor:
            for chunk in _chunks(rows, bulk.PG_ROWS):
                cursor.execute(f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) "
                               f"{bulk.unnest_source(fields)} {conflict}", bulk.columnwise(chunk))
        return len(rows)
    per_statement = max(1, bulk.MAX_PARAMS // len(columns))
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, per_statement):
            placeholders = ", ".join("(" + ", ".join(["%s"] * len(columns)) + ")" for _ in chunk)
            sql = f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) VALUES {placeholders} {conflict}"
            cursor.execute(sql, [value for row in chunk for value in row])
    return len(rows)


def lock_mark() -> SweepMark:
    """Take the sweep's lock row (created on first use). Must be called inside a transaction."""
    SweepMark.objects.get_or_create(pk=1)
    return SweepMark.objects.select_for_update().get(pk=1)


def rollup_advance(*, mark: SweepMark, now: datetime.datetime | None = None, batch: int = BATCH) -> int:
    """Add the events since the watermark (and the gaps that have appeared). Returns events read.

    The caller holds the lock row (`lock_mark`) in the current transaction.
    """
    now = now or timezone.now()
    gaps = {int(g["id"]): g["seen"] for g in mark.gaps}
    found_gaps = list(CaseEvent.objects.filter(id__in=list(gaps)).values_list(*EVENT_FIELDS)) if gaps else []
    fresh = list(CaseEvent.objects.filter(id__gt=mark.last_event_id).order_by("id").values_list(*EVENT_FIELDS)[:batch])
    for row in found_gaps:
        gaps.pop(row[0], None)
    previous = mark.last_event_id
    for row in fresh:
        # A hole of a few ids is a transaction still running (or rolled back); a huge jump is
        # a restarted sequence, and a watermark of 0 means nothing was read before.
        if previous and row[0] - previous - 1 <= MAX_HOLE:
            for missing in range(previous + 1, row[0]):
                if len(gaps) < MAX_GAPS:
                    gaps[missing] = now.isoformat()
        previous = row[0]
    if fresh:
        mark.last_event_id = fresh[-1][0]
    cutoff = now - GAP_TTL
    mark.gaps = [{"id": i, "seen": s} for i, s in sorted(gaps.items())
                 if datetime.datetime.fromisoformat(s) > cutoff]

    events = [row for row in found_gaps + fresh if row[4] in ROLLED_ACTIONS]
    # Alarm events are written only by sweeps, under the lock this caller holds: no gaps.
    last_alarm = AlarmEvent.objects.aggregate(last=Max("id"))["last"] or 0
    overdue = overdue_events(after_id=mark.last_alarm_event_id, upto_id=last_alarm)
    mark.last_alarm_event_id = max(last_alarm, mark.last_alarm_event_id)
    acc = _Accumulator()
    accumulate_events(acc, events, case_facts([row[1] for row in events]))
    accumulate_alarm_events(acc, overdue)
    upsert(acc.deltas)
    mark.save(update_fields=["last_event_id", "gaps", "last_alarm_event_id"])
    return len(fresh) + len(found_gaps)


def _local_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    after = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return first, after


def _months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _month_end(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


GRAINS = (("D", "M"), ("d", "m"))  # (day period, month period) of the full and the coarse key


def rebuild_months(months: Iterable[datetime.date]) -> None:
    """Recompute month rows (both grains) from the day rows of each month."""
    q = connection.ops.quote_name
    table = _table()
    dims = ("department_id", "centre_id", "window_id", "item_id", "channel", "staff_id")
    sums = ", ".join(f"SUM({q(c)})" for c in ALL_COUNTERS)
    with connection.cursor() as cursor:
        for month in months:
            for day_period, month_period in GRAINS:
                StatRollup.objects.filter(period=month_period, day=month).delete()
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(q(c) for c in (*KEY_FIELDS, *ALL_COUNTERS))}) "
                    f"SELECT %s, %s, {', '.join(q(c) for c in dims)}, {sums} FROM {table} "
                    f"WHERE {q('period')} = %s AND {q('day')} BETWEEN %s AND %s "
                    f"GROUP BY {', '.join(q(c) for c in dims)}",
                    [month_period, month, day_period, month, _month_end(month)],
                )


@transaction.atomic
def rollup_rebuild(*, start: datetime.date, end: datetime.date) -> dict:
    """Recompute the day rows of [start, end] and the month rows of the months they touch.

    First brings the rollups up to date (so that no event is counted twice afterwards), then
    recomputes from every event up to the watermark.
    """
    if end < start:
        raise ValueError("end before start")
    mark = lock_mark()
    # Catch up with every event written so far, a batch at a time.
    while rollup_advance(mark=mark) >= BATCH:
        continue
    gap_ids = [int(g["id"]) for g in mark.gaps]
    first, after = _local_bounds(start, end)
    StatRollup.objects.filter(period__in=("D", "d"), day__gte=start, day__lte=end).delete()

    upto = CaseEvent.objects.filter(id__lte=mark.last_event_id).exclude(id__in=gap_ids)
    in_range = upto.filter(at__gte=first, at__lt=after, action__in=ROLLED_ACTIONS)
    accepted_in_range = upto.filter(at__gte=first, at__lt=after, action="accept").values("case_id")
    endings = upto.filter(case_id__in=accepted_in_range, action__in=ENDING_ACTIONS)
    events = {row[0]: row for row in in_range.values_list(*EVENT_FIELDS).iterator(chunk_size=5000)}
    for row in endings.values_list(*EVENT_FIELDS).iterator(chunk_size=5000):
        events.setdefault(row[0], row)
    overdue = overdue_events(after_id=0, upto_id=mark.last_alarm_event_id, first=first, until=after)
    ordered = sorted(events.values())
    inside = lambda day: start <= day <= end  # noqa: E731
    for chunk in _chunks(ordered, BATCH):
        facts = case_facts([row[1] for row in chunk])
        acc = _Accumulator(months=False)
        accumulate_events(acc, chunk, facts, direct=inside, cohort=inside)
        upsert(acc.deltas)
    acc = _Accumulator(months=False)
    accumulate_alarm_events(acc, overdue, direct=inside)
    upsert(acc.deltas)
    months = _months_between(start, end)
    rebuild_months(months)
    return {"events": len(ordered), "months": len(months)}
