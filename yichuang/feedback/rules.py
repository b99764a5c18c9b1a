"""The rules of ratings, rectification deadlines and callback sampling, as pure functions."""

import datetime
import random
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from yichuang.core.calendar import add_workdays

# DESIGN §4.4: the indicators asked online (一事一评 after the result) and on site (the window's pad).
ONLINE_INDICATORS = (
    ("overall", _("整体满意度")),
    ("efficiency", _("办事效率")),
    ("guide", _("办事指南精确度")),
    ("convenience", _("办事便捷度")),
    ("usability", _("平台操作性")),
)
ONSITE_INDICATORS = (
    ("overall", _("整体满意度")),
    ("efficiency", _("服务效率")),
    ("skill", _("服务水平")),
    ("attitude", _("服务态度")),
)
SATISFIED_LEVELS = (5, 4, 3)
BAD_LEVELS = (2, 1)
# Quick reasons offered on the pad (touch), written into the comment.
PAD_REASONS = (_("等候时间长"), _("服务态度不好"), _("材料要求说不清"), _("要多次跑"), _("业务不熟练"))


def indicator_set(channel: str, case_channel: str | None) -> tuple:
    """Pad ratings ask the on-site set; online and SMS the online set; hotline, callback and the provincial
    platform follow how the case was handled (online cases the online set, window cases the on-site set)."""
    if channel == "pad":
        return ONSITE_INDICATORS
    if channel in ("online", "sms"):
        return ONLINE_INDICATORS
    return ONLINE_INDICATORS if case_channel == "online" else ONSITE_INDICATORS


def warning_days(budget: int) -> int:
    if budget <= 0:
        return 0
    return max(1, min(budget // 3, 2))


def alarm_level(*, today: datetime.date, warning_date: datetime.date | None, due_date: datetime.date | None) -> str:
    """normal → yellow (from the warning date) → red (the due day) → overdue (after it), as for cases."""
    if due_date is None:
        return "none"
    if today > due_date:
        return "overdue"
    if today == due_date:
        return "red"
    if warning_date is not None and today >= warning_date:
        return "yellow"
    return "normal"


@dataclass(frozen=True)
class ScheduledStep:
    kind: str
    budget_days: int
    due_date: datetime.date
    warning_date: datetime.date


def rectification_schedule(opened_on: datetime.date, budgets: list[tuple[str, int]], region=None) -> list[ScheduledStep]:
    """Each step's deadline counts its budget on top of the steps before it, from the day the bad rating came
    in (that day not counted): 2+8+2+2+1 working days give the last step, and the whole, 15 working days."""
    steps, used = [], 0
    for kind, days in budgets:
        start_used = used
        used += days
        due = add_workdays(opened_on, used, region).date
        warn = add_workdays(opened_on, max(start_used, used - warning_days(days)), region).date
        steps.append(ScheduledStep(kind, days, due, warn))
    return steps


def callback_seed(centre_code: str, iso_year: int, iso_week: int) -> str:
    """The documented seed of a week's callback draw: '<centre code>:<ISO year>-W<ISO week>' (e.g. 'SLX:2026-W47')."""
    return f"{centre_code}:{iso_year}-W{iso_week:02d}"


def callback_draw(population: list[int], *, seed: str, size: int) -> list[int]:
    """Draw `size` of `population` (case ids) without replacement. The population is sorted first and Python's
    Mersenne Twister seeded with the seed string, so anyone with the same closed cases and seed gets the same
    sample in the same order."""
    ordered = sorted(set(population))
    return random.Random(seed).sample(ordered, min(size, len(ordered)))


def previous_iso_week(day: datetime.date) -> tuple[int, int, datetime.date, datetime.date]:
    """The ISO week before the one `day` falls in: (year, week, Monday, Sunday)."""
    monday = day - datetime.timedelta(days=day.weekday() + 7)
    year, week, _wd = monday.isocalendar()
    return year, week, monday, monday + datetime.timedelta(days=6)


def week_bounds(iso_year: int, iso_week: int) -> tuple[datetime.date, datetime.date]:
    monday = datetime.date.fromisocalendar(iso_year, iso_week, 1)
    return monday, monday + datetime.timedelta(days=6)


def workday_before(day: datetime.date, region=None) -> datetime.date:
    """The working day before `day` (a stage's yellow card shows from then: one working day of warning)."""
    from yichuang.core.calendar import is_workday

    day -= datetime.timedelta(days=1)
    while not is_workday(day, region):
        day -= datetime.timedelta(days=1)
    return day
