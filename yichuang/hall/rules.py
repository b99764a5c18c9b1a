"""The hall's rules as plain functions: calling order, wait estimate, booking limits, slots."""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

# Fewer finished services than this today and the line's default time fills the gap, so one
# quick first service does not promise everyone a two-minute wait.
MIN_SAMPLES = 3
# The estimate follows the latest services: the morning's rush says little about the afternoon.
RECENT_SAMPLES = 10


def ticket_rank(*, priority_category: bool, checked_in_appointment: bool, appointment_ahead: bool) -> int:
    """Calling order within a line: lower first, then by arrival.

    0 priority category (elderly, disabled, pregnant, green channel) with a checked-in appointment,
    1 priority category, 2 checked-in appointment (when the centre puts them ahead), 3 walk-in.
    """
    appointment_first = checked_in_appointment and appointment_ahead
    if priority_category:
        return 0 if appointment_first else 1
    return 2 if appointment_first else 3


def format_number(prefix: str, seq: int) -> str:
    """A012: the prefix and at least three digits, so numbers line up on the screen."""
    return f"{prefix}{seq:03d}"


@dataclass(frozen=True)
class WaitEstimate:
    minutes: int
    per_person_seconds: int
    windows: int  # windows open and serving the line now (0: none, the estimate assumes one)
    samples: int  # finished services it is based on; 0 means the line's default alone

    @property
    def from_default(self) -> bool:
        return self.samples == 0


def estimate_wait(
    *, ahead: int, recent_service_seconds: Sequence[int], default_minutes: int, windows_open: int
) -> WaitEstimate:
    """Minutes until a ticket with `ahead` people before it is called.

    The mean of the line's last services today (window occupied from call to finish), padded
    with the line's default while there are fewer than MIN_SAMPLES, divided among the windows
    open for the line. With no window open the estimate assumes one will open.
    """
    samples = [s for s in list(recent_service_seconds)[:RECENT_SAMPLES] if s is not None and s >= 0]
    default_seconds = default_minutes * 60
    padded = samples + [default_seconds] * max(0, MIN_SAMPLES - len(samples))
    per_person = sum(padded) / len(padded)
    windows = max(windows_open, 1)
    minutes = math.ceil(ahead * per_person / windows / 60) if ahead > 0 else 0
    return WaitEstimate(minutes=minutes, per_person_seconds=round(per_person), windows=windows_open, samples=len(samples))


def booking_blocked_until(
    no_show_days: Sequence[datetime.date], *, today: datetime.date, limit: int, window_days: int, block_days: int
) -> datetime.date | None:
    """The first day a person may book again, or None if they may book now.

    Blocked when the most recent no-show is the `limit`-th within `window_days`, for
    `block_days` from that no-show. Older no-shows do not block again once served.
    """
    if not no_show_days:
        return None
    days = sorted(no_show_days, reverse=True)
    latest = days[0]
    counted = [d for d in days if (latest - d).days < window_days]
    if len(counted) < limit:
        return None
    until = latest + datetime.timedelta(days=block_days)
    return until if today < until else None


def slot_times(
    *, opens: datetime.time, closes: datetime.time, minutes: int,
    lunch_starts: datetime.time | None = None, lunch_ends: datetime.time | None = None,
) -> list[tuple[datetime.time, datetime.time]]:
    """The day's appointment slots: whole slots between opening and closing, none across lunch."""
    def at(t: datetime.time) -> datetime.datetime:
        return datetime.datetime.combine(datetime.date(2000, 1, 1), t)

    step = datetime.timedelta(minutes=minutes)
    spans = [(at(opens), at(closes))]
    if lunch_starts and lunch_ends and opens < lunch_starts < lunch_ends < closes:
        spans = [(at(opens), at(lunch_starts)), (at(lunch_ends), at(closes))]
    slots = []
    for start, end in spans:
        cursor = start
        while cursor + step <= end:
            slots.append((cursor.time(), (cursor + step).time()))
            cursor += step
    return slots


def age_on(id_number: str, day: datetime.date) -> int | None:
    """Age in whole years on `day` from an 18-digit ID number's birth date; None if unreadable."""
    try:
        birth = datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except (ValueError, IndexError):
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
