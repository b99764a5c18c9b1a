"""The working-day calendar (工作日历): is a day a working day, and when does a limit end.

The law (行政许可法, DESIGN §4.2): the day of acceptance is not counted; a limit of N working
days ends at the end of the Nth working day after it. Weekends and statutory holidays are not
working days; 调休 make-up Saturdays and Sundays are. A region's own rows apply to it and every
region below it, and the most specific region wins for a date. A year without a national
`CalendarYear` row falls back to Monday–Friday and every deadline relying on a day in it is
unconfirmed — never an error, because a case accepted in November must get a due date in
January even before the State Council's notice is out.

Two layers:

* `WorkdayTable` is pure arithmetic over one region chain, built from its exception days and
  the set of announced years, with no database access — so it can be tested exhaustively.
  Counting uses a sorted array of working-day ordinals over the span of years that have any
  exception, and the closed-form Monday–Friday count outside that span, so every answer is
  one or two binary searches whatever the distance.
* The module functions (`is_workday`, `add_workdays`, `workdays_between`, `day_info`) resolve
  a region, take the table from a per-process cache and delegate. The cache is checked
  against `CalendarStamp` at most once per `STAMP_TTL_SECONDS`; a write through the calendar
  services in this process invalidates it at once.
"""

from __future__ import annotations

import bisect
import datetime
import threading
import time
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from django.utils.translation import get_language
from django.utils.translation import gettext as _

# Kinds of day. The four exception kinds are the values of `CalendarDay.Kind`; the two
# plain kinds describe days no row mentions.
HOLIDAY = "holiday"
MAKEUP = "makeup"
EXTRA_OFF = "extra_off"
EXTRA_WORK = "extra_work"
WEEKDAY = "weekday"
WEEKEND = "weekend"
WORKING_KINDS = frozenset({MAKEUP, EXTRA_WORK, WEEKDAY})
EXCEPTION_KINDS = (HOLIDAY, MAKEUP, EXTRA_OFF, EXTRA_WORK)

STAMP_TTL_SECONDS = 1.0
_MAX_ORDINAL = datetime.date.max.toordinal()


def _weekdays_upto(ordinal: int) -> int:
    """Monday–Friday days with ordinal 1..`ordinal` (ordinal 1, 0001-01-01, is a Monday)."""
    weeks, rest = divmod(ordinal, 7)
    return 5 * weeks + min(rest, 5)


def _nth_weekday(count: int) -> int:
    """Ordinal of the `count`-th Monday–Friday day from 0001-01-01 (count ≥ 1)."""
    weeks, rest = divmod(count - 1, 5)
    return 7 * weeks + rest + 1


def _is_weekend_ordinal(ordinal: int) -> bool:
    return (ordinal - 1) % 7 >= 5


def _check_date(value: object, label: str) -> datetime.date:
    # A datetime is a date subclass; counting it would silently use its UTC or naive date.
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise TypeError(f"{label} must be a datetime.date (use timezone.localdate() for a datetime)")
    return value


def format_date(day: datetime.date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def format_span(first: datetime.date, last: datetime.date) -> str:
    """One day, or a range written the way a notice writes it (year only once if shared)."""
    if first == last:
        return format_date(first)
    if first.year == last.year:
        tail = _("%(m)d月%(d)d日") % {"m": last.month, "d": last.day}
    else:
        tail = format_date(last)
    return _("%(first)s至%(last)s") % {"first": format_date(first), "last": tail}


def describe_kind(kind: str, name: str = "") -> str:
    """Why a day is or is not a working day, in words for a clerk or an applicant."""
    if kind == WEEKEND:
        return _("周末")
    if kind == WEEKDAY:
        return _("工作日")
    if kind == HOLIDAY:
        return name or _("法定节假日")
    if kind == MAKEUP:
        return _("%(name)s调休上班") % {"name": name} if name else _("调休上班")
    if kind == EXTRA_OFF:
        return _("本地放假：%(name)s") % {"name": name} if name else _("本地放假")
    if kind == EXTRA_WORK:
        return _("本地另行上班：%(name)s") % {"name": name} if name else _("本地另行上班")
    raise ValueError(f"unknown calendar day kind {kind!r}")


@dataclass(frozen=True)
class MarkedDay:
    """A day with the reason it is treated as it is (`kind` is one of the kinds above)."""

    date: datetime.date
    kind: str
    reason: str


# The name the case pages use for a non-working day passed over.
SkippedDay = MarkedDay


@dataclass(frozen=True)
class DayInfo:
    date: datetime.date
    is_workday: bool
    kind: str
    reason: str
    # False when the day's year has not been announced: it is then judged Monday–Friday.
    confirmed: bool


def _group_runs(days: Iterable[MarkedDay], *, by_reason: bool) -> list[tuple[datetime.date, datetime.date, str]]:
    """Consecutive days (with the same reason, if asked) as (first, last, reason) runs."""
    runs: list[tuple[datetime.date, datetime.date, str]] = []
    one_day = datetime.timedelta(days=1)
    for day in days:
        reason = day.reason if by_reason else ""
        if runs and runs[-1][1] + one_day == day.date and runs[-1][2] == reason:
            runs[-1] = (runs[-1][0], day.date, reason)
        else:
            runs.append((day.date, day.date, reason))
    return runs


@dataclass(frozen=True)
class Deadline:
    """The end of a limit of `days` working days counted from `start`.

    `date` is the last working day of the limit (the limit ends when that day's working
    hours end). For `days == 0` the limit ends on `start` itself (即办件: settled the same
    day) and relies on no calendar day, so it is always confirmed. `skipped` lists every
    non-working day passed over, `special_workdays` the counted days that are working days
    only because of an exception (调休上班, 本地另行上班). `unconfirmed_years` are the
    years among the days relied on that the calendar has not been told about.
    """

    start: datetime.date
    days: int
    date: datetime.date
    confirmed: bool
    skipped: tuple[MarkedDay, ...] = ()
    special_workdays: tuple[MarkedDay, ...] = ()
    unconfirmed_years: tuple[int, ...] = ()

    def counted_days(self) -> Iterator[datetime.date]:
        """The working days counted, in order: every day after `start` up to `date` not skipped."""
        skipped = {day.date for day in self.skipped}
        day = self.start
        while day < self.date:
            day += datetime.timedelta(days=1)
            if day not in skipped:
                yield day

    def explain_lines(self) -> list[str]:
        """The deadline in plain Chinese, one statement per line, for case pages and notices."""
        if self.days == 0:
            return [_("期限为 0 个工作日（即办）：当日办结，期限届满日即受理日 %(start)s。")
                    % {"start": format_date(self.start)}]
        lines = [
            _("受理日 %(start)s 当天不计入，自次日起计算 %(n)d 个工作日。")
            % {"start": format_date(self.start), "n": self.days}
        ]
        counted = [MarkedDay(day, WEEKDAY, "") for day in self.counted_days()]
        lines.append(
            _("计入的工作日：%(runs)s。")
            % {"runs": "、".join(format_span(a, b) for a, b, _r in _group_runs(counted, by_reason=False))}
        )
        if self.special_workdays:
            lines.append(
                _("其中按调整安排上班的日子：%(days)s。")
                % {"days": "、".join(f"{format_span(a, b)}（{r}）"
                                     for a, b, r in _group_runs(self.special_workdays, by_reason=True))}
            )
        if self.skipped:
            lines.append(
                _("跳过的非工作日（共 %(n)d 天）：%(runs)s。")
                % {"n": len(self.skipped),
                   "runs": "、".join(f"{format_span(a, b)}（{r}）"
                                    for a, b, r in _group_runs(self.skipped, by_reason=True))}
            )
        else:
            lines.append(_("期间没有需要跳过的非工作日。"))
        lines.append(_("期限届满日：%(due)s（当日工作时间结束）。") % {"due": format_date(self.date)})
        if self.unconfirmed_years:
            lines.append(
                _("注意：%(years)s年的节假日安排尚未公布，暂按周一至周五推算，期限待确认；"
                  "国务院办公厅通知发布后，由管理员导入当年安排即可更新。")
                % {"years": "、".join(str(y) for y in self.unconfirmed_years)}
            )
        return lines

    def explain(self) -> str:
        return "\n".join(self.explain_lines())


class WorkdayTable:
    """Working-day arithmetic for one calendar (the merged exceptions of one region chain).

    `exceptions` maps a date to (kind, name) with kind one of `EXCEPTION_KINDS`; every other
    day follows Monday–Friday. `known_years` are the years whose national schedule has been
    announced: days in other years are still computed (weekdays plus any rows stored for
    them) but make a deadline unconfirmed.
    """

    def __init__(self, exceptions: Mapping[datetime.date, tuple[str, str]], known_years: Iterable[int]):
        self.known_years = frozenset(known_years)
        self._rules: dict[int, tuple[str, str]] = {}
        for day, (kind, name) in exceptions.items():
            if kind not in EXCEPTION_KINDS:
                raise ValueError(f"unknown calendar day kind {kind!r} on {day}")
            self._rules[_check_date(day, "exception day").toordinal()] = (kind, name)
        years = {datetime.date.fromordinal(o).year for o in self._rules} | self.known_years
        if years:
            self._first = datetime.date(min(years), 1, 1).toordinal()
            self._last = datetime.date(max(years), 12, 31).toordinal()
        else:
            # An empty span: every formula below reduces to plain Monday–Friday.
            self._first, self._last = 1, 0
        self._bitmap = bytearray(max(self._last - self._first + 1, 0))
        self._works = array("i")
        self._offs = array("i")
        # Ordinals of days that work only because a row says so (调休上班, 本地另行上班).
        self._special = array("i", sorted(o for o, (kind, _n) in self._rules.items() if kind in WORKING_KINDS))
        for ordinal in range(self._first, self._last + 1):
            rule = self._rules.get(ordinal)
            works = rule[0] in WORKING_KINDS if rule else not _is_weekend_ordinal(ordinal)
            if works:
                self._bitmap[ordinal - self._first] = 1
                self._works.append(ordinal)
            else:
                self._offs.append(ordinal)
        self._marks: dict[tuple[str | None, int], MarkedDay] = {}
        self._before = _weekdays_upto(self._first - 1)
        self._after_shift = self._before + len(self._works) - _weekdays_upto(self._last)

    # -- counting on ordinals -------------------------------------------------------------

    def _count(self, ordinal: int) -> int:
        """Working days with ordinal ≤ `ordinal`, counted from 0001-01-01."""
        if ordinal < self._first:
            return _weekdays_upto(ordinal)
        if ordinal <= self._last:
            return self._before + bisect.bisect_right(self._works, ordinal)
        return _weekdays_upto(ordinal) + self._after_shift

    def _nth(self, count: int) -> int:
        """Ordinal of the `count`-th working day from 0001-01-01 (the inverse of `_count`)."""
        if count <= self._before:
            return _nth_weekday(count)
        inside = count - self._before
        if inside <= len(self._works):
            return self._works[inside - 1]
        return _nth_weekday(count - self._after_shift)

    def _works_on(self, ordinal: int) -> bool:
        if self._first <= ordinal <= self._last:
            return bool(self._bitmap[ordinal - self._first])
        return not _is_weekend_ordinal(ordinal)

    def _mark(self, ordinal: int, language: str | None) -> MarkedDay:
        # Reasons are translated, and translating is most of the cost of a deadline: keep
        # each day's mark per language (inside the span only, so the cache stays bounded).
        key = (language, ordinal)
        mark = self._marks.get(key)
        if mark is None:
            day = datetime.date.fromordinal(ordinal)
            rule = self._rules.get(ordinal)
            if rule:
                mark = MarkedDay(day, rule[0], describe_kind(*rule))
            else:
                kind = WEEKEND if _is_weekend_ordinal(ordinal) else WEEKDAY
                mark = MarkedDay(day, kind, describe_kind(kind))
            if self._first <= ordinal <= self._last:
                self._marks[key] = mark
        return mark

    def _non_working(self, after: int, upto: int) -> Iterator[int]:
        """Ordinals of non-working days in (after, upto], in order."""
        for ordinal in range(after + 1, min(upto, self._first - 1) + 1):
            if _is_weekend_ordinal(ordinal):
                yield ordinal
        lo = bisect.bisect_right(self._offs, after)
        hi = bisect.bisect_right(self._offs, upto)
        yield from self._offs[lo:hi]
        for ordinal in range(max(after, self._last) + 1, upto + 1):
            if _is_weekend_ordinal(ordinal):
                yield ordinal

    def _unconfirmed_years(self, first_year: int, last_year: int) -> tuple[int, ...]:
        return tuple(y for y in range(first_year, last_year + 1) if y not in self.known_years)

    # -- the public arithmetic ------------------------------------------------------------

    def is_workday(self, day: datetime.date) -> bool:
        return self._works_on(_check_date(day, "day").toordinal())

    def day_info(self, day: datetime.date) -> DayInfo:
        ordinal = _check_date(day, "day").toordinal()
        mark = self._mark(ordinal, get_language())
        if mark.kind == WEEKDAY:
            reason = _("工作日（周一至周五）")
        else:
            reason = mark.reason
        return DayInfo(day, self._works_on(ordinal), mark.kind, reason, day.year in self.known_years)

    def add_workdays(self, start: datetime.date, n: int) -> Deadline:
        """The Nth working day after `start`; `start` itself is never counted."""
        _check_date(start, "start")
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError("n must be an int")
        if n < 0:
            raise ValueError(
                _("工作日数不能为负数（收到 %(n)d）：请填写 0 或正整数，0 表示当日办结。") % {"n": n}
            )
        if n == 0:
            return Deadline(start=start, days=0, date=start, confirmed=True)
        origin = start.toordinal()
        due = self._nth(self._count(origin) + n)
        if due > _MAX_ORDINAL:
            raise ValueError(_("期限超出了可计算的日期范围（9999年12月31日），请核对受理日期和工作日数。"))
        language = get_language()
        skipped = tuple(self._mark(o, language) for o in self._non_working(origin, due))
        special = tuple(
            self._mark(o, language) for o in self._special[
                bisect.bisect_right(self._special, origin):bisect.bisect_right(self._special, due)
            ]
        )
        unconfirmed = self._unconfirmed_years(datetime.date.fromordinal(origin + 1).year,
                                              datetime.date.fromordinal(due).year)
        return Deadline(
            start=start, days=n, date=datetime.date.fromordinal(due), confirmed=not unconfirmed,
            skipped=skipped, special_workdays=special, unconfirmed_years=unconfirmed,
        )

    def workdays_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days in (start, end]; negative (the days in (end, start]) when end < start."""
        return self._count(_check_date(end, "end").toordinal()) - self._count(_check_date(start, "start").toordinal())

    def unconfirmed_years_between(self, start: datetime.date, end: datetime.date) -> tuple[int, ...]:
        """Unannounced years among the days in (start, end]."""
        if end <= start:
            return ()
        return self._unconfirmed_years((start + datetime.timedelta(days=1)).year, end.year)


# -- rules for stored days ----------------------------------------------------------------

NAME_MAX_LENGTH = 60

# `chinesecalendar` names holidays in English and gives short Chinese names; a notice and a
# clerk say 清明节, 端午节, 中秋节.
PACKAGE_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
}


def package_schedule() -> dict[datetime.date, tuple[str, str]]:
    """Every day `chinesecalendar` knows, as date → (kind, Chinese name)."""
    from chinese_calendar.constants import Holiday, holidays, workdays

    def chinese(english: str) -> str:
        if english in PACKAGE_HOLIDAY_NAMES:
            return PACKAGE_HOLIDAY_NAMES[english]
        try:
            return Holiday(english).chinese[:NAME_MAX_LENGTH]
        except ValueError:
            return english[:NAME_MAX_LENGTH]

    schedule = {day: (HOLIDAY, chinese(name)) for day, name in holidays.items()}
    schedule.update({day: (MAKEUP, chinese(name)) for day, name in workdays.items()})
    return schedule


def weekday_name(day: datetime.date) -> str:
    return [_("星期一"), _("星期二"), _("星期三"), _("星期四"), _("星期五"), _("星期六"), _("星期日")][day.weekday()]


def day_override_problems(day: object, kind: object, name: object) -> list[str]:
    """What is wrong with a single stored day, in words that say how to fix it."""
    problems = []
    if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
        problems.append(_("日期无效：请按“年-月-日”填写，如 2027-10-08。"))
    if kind not in EXCEPTION_KINDS:
        problems.append(
            _("类型“%(kind)s”无效：请选择法定节假日、调休上班、本地另行放假或本地另行上班。") % {"kind": kind}
        )
    if not isinstance(name, str) or len(name) > NAME_MAX_LENGTH:
        problems.append(_("名称不能超过 %(n)d 个字，请缩短。") % {"n": NAME_MAX_LENGTH})
    if not problems and kind == MAKEUP and day.weekday() < 5:
        # A make-up day moves work onto a weekend; on a weekday it would change nothing.
        problems.append(
            _("%(date)s是%(weekday)s：调休上班日应为周六或周日，请核对日期，或改选“本地另行上班”。")
            % {"date": format_date(day), "weekday": weekday_name(day)}
        )
    return problems


# -- the per-process cache ---------------------------------------------------------------


class UnknownRegionError(ValueError):
    """A region code the database does not hold."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(
            _("找不到区划代码为 %(code)s 的地区：请核对代码，或先在“行政区划”中添加该地区。") % {"code": code}
        )


@dataclass
class _Cache:
    stamp: tuple | None = None
    checked_at: float = float("-inf")
    # Set by a calendar write in this process until its transaction commits: the stamp is
    # then read on every call, because the write may still roll back.
    dirty: bool = False
    tables: dict[tuple[str, ...], WorkdayTable] = field(default_factory=dict)
    chains: dict[str, tuple[str, ...]] = field(default_factory=dict)
    regional_codes: frozenset[str] | None = None


_cache = _Cache()
_lock = threading.Lock()


def _read_stamp() -> tuple:
    from .models import CalendarStamp

    # (generation, changed_at): the time tells apart two writes that reached the same
    # generation on different branches, e.g. in two test transactions that both rolled back.
    return CalendarStamp.objects.order_by("pk").values_list("generation", "changed_at").first() or (0, None)


def _ensure_fresh() -> None:
    now = time.monotonic()
    if not _cache.dirty and now - _cache.checked_at < STAMP_TTL_SECONDS:
        return
    stamp = _read_stamp()
    with _lock:
        if stamp != _cache.stamp:
            _cache.tables = {}
            _cache.chains = {}
            _cache.regional_codes = None
            _cache.stamp = stamp
        _cache.checked_at = now


def clear_cache() -> None:
    """Forget every table; the next call reloads from the database."""
    with _lock:
        _cache.stamp = None
        _cache.checked_at = float("-inf")
        _cache.dirty = False
        _cache.tables = {}
        _cache.chains = {}
        _cache.regional_codes = None


def _committed() -> None:
    with _lock:
        _cache.dirty = False
        _cache.checked_at = float("-inf")


def invalidate_after_write() -> None:
    """Called by the calendar services inside their transaction, after bumping the stamp."""
    from django.db import transaction

    with _lock:
        _cache.tables = {}
        _cache.chains = {}
        _cache.regional_codes = None
        _cache.stamp = None
        _cache.dirty = True
    transaction.on_commit(_committed)


def region_chain(region) -> tuple[str, ...]:
    """Codes of the region and every level above it, highest first; () for national."""
    from yichuang.org.models import Region

    if region is None:
        return ()
    if isinstance(region, Region):
        return tuple(region.ancestors_and_self_codes())
    if isinstance(region, str):
        code = region.strip()
        chain = _cache.chains.get(code)
        if chain is None:
            found = Region.objects.filter(code=code).only("code", "level").first()
            if found is None:
                raise UnknownRegionError(code)
            chain = tuple(found.ancestors_and_self_codes())
            _cache.chains[code] = chain
        return chain
    raise TypeError("region must be a Region, a 12-digit region code or None")


def _load_table(codes: tuple[str, ...]) -> WorkdayTable:
    from django.db.models import Q

    from .models import CalendarDay, CalendarYear

    known = CalendarYear.objects.filter(region__isnull=True).values_list("year", flat=True)
    rank = {None: -1, **{code: i for i, code in enumerate(codes)}}
    chosen: dict[datetime.date, tuple[int, str, str]] = {}
    rows = CalendarDay.objects.filter(Q(region__isnull=True) | Q(region__code__in=codes)).values_list(
        "date", "kind", "name", "region__code"
    )
    for day, kind, name, code in rows:
        level = rank[code]
        if day not in chosen or level > chosen[day][0]:
            chosen[day] = (level, kind, name)
    return WorkdayTable({day: (kind, name) for day, (_lvl, kind, name) in chosen.items()}, known)


def workday_table(region=None) -> WorkdayTable:
    """The table for `region` (a Region, a 12-digit code, or None for the national calendar).

    Regions without rows of their own (most towns and villages) share their nearest
    ancestor's table, so the cache holds one table per distinct set of overrides.
    """
    _ensure_fresh()
    chain = region_chain(region)
    regional = _cache.regional_codes
    if regional is None:
        from .models import CalendarDay

        regional = frozenset(
            CalendarDay.objects.filter(region__isnull=False).values_list("region__code", flat=True).distinct()
        )
        _cache.regional_codes = regional
    key = tuple(code for code in chain if code in regional)
    table = _cache.tables.get(key)
    if table is None:
        table = _load_table(key)
        _cache.tables[key] = table
    return table


def is_workday(day: datetime.date, region=None) -> bool:
    return workday_table(region).is_workday(day)


def day_info(day: datetime.date, region=None) -> DayInfo:
    return workday_table(region).day_info(day)


def add_workdays(start: datetime.date, n: int, region=None) -> Deadline:
    """The deadline of `n` working days accepted on `start`; see `WorkdayTable.add_workdays`."""
    return workday_table(region).add_workdays(start, n)


def workdays_between(start: datetime.date, end: datetime.date, region=None) -> int:
    """Working days in (start, end]: `workdays_between(s, add_workdays(s, n).date) == n`."""
    return workday_table(region).workdays_between(start, end)
