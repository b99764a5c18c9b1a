"""The legal clock of a case, in working days (行政许可法 Art. 32, 42, 45).

Pure arithmetic over the foundation's calendar: the services store what this computes on the
case (due dates, warning date, alarm) so that lists and alarms never recompute it.

- The day of acceptance is not counted; a limit of N days ends with the Nth working day after it.
- A granted extension lengthens both the promised and the statutory limit.
- Special procedures (hearing, testing, expert review …) do not count: their working days are
  added to the limit. While one is running its expected length (as told to the applicant in
  writing) is added provisionally, and the actual length replaces it when it ends.
"""

import datetime
from dataclasses import dataclass

from yichuang.core.calendar import Deadline, add_workdays, workdays_between

# Yellow when a third of the limit or 2 working days remain, whichever is smaller (DESIGN §4.2,
# supervision issue); never less than one day of warning for a limit of at least one day.
WARNING_MAX_DAYS = 2


@dataclass(frozen=True)
class Clock:
    due: Deadline
    statutory_due: Deadline
    warning_date: datetime.date

    @property
    def confirmed(self) -> bool:
        return self.due.confirmed and self.statutory_due.confirmed


def warning_days(limit_days: int) -> int:
    if limit_days <= 0:
        return 0
    return max(1, min(limit_days // 3, WARNING_MAX_DAYS))


def compute_clock(
    *,
    accepted_on: datetime.date,
    limit_days: int,
    statutory_limit_days: int,
    extension_days: int = 0,
    paused_days: int = 0,
    region=None,
) -> Clock:
    total = limit_days + extension_days + paused_days
    due = add_workdays(accepted_on, total, region)
    statutory_due = add_workdays(accepted_on, statutory_limit_days + extension_days + paused_days, region)
    warn_at = max(total - warning_days(limit_days), 0)
    warning_date = add_workdays(accepted_on, warn_at, region).date
    return Clock(due=due, statutory_due=statutory_due, warning_date=warning_date)


def alarm_level(*, today: datetime.date, warning_date: datetime.date | None, due_date: datetime.date | None) -> str:
    """normal → yellow (from the warning date) → red (the due day) → overdue (after it)."""
    if due_date is None:
        return "none"
    if today > due_date:
        return "overdue"
    if today == due_date:
        return "red"
    if warning_date is not None and today >= warning_date:
        return "yellow"
    return "normal"


def paused_workdays(started_on: datetime.date, ended_on: datetime.date, region=None) -> int:
    """Working days a pause took: those in (start, end]. A pause that ends the day it starts took none."""
    return max(workdays_between(started_on, ended_on, region), 0)
