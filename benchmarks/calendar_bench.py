"""Working-day calendar: cached bisect tables versus a day-by-day loop that asks the database.

    .venv/bin/python benchmarks/calendar_bench.py [--calls 20000] [--naive-calls 300] [--seed 7]

Builds a throwaway SQLite database (migrations seed the national calendar from
`chinesecalendar`), then times `add_workdays` over the same random acceptance dates and limits
three ways, in the same run:

* cached: the per-process table, stamp checked at most once a second (the default);
* cached + stamp query: the same table, but the stamp read on every call (the worst case);
* naive: one query per day for the calendar row and one per year for the announcement.

Prints calls per second for each and the ratios. Set DATABASE_URL to time against another
database instead (it must be migrated already).
"""

import argparse
import datetime
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup_django() -> None:
    if "DATABASE_URL" not in os.environ:
        os.environ["YICHUANG_DATA_DIR"] = tempfile.mkdtemp(prefix="yichuang-calendar-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yichuang.settings_test")
    import django

    django.setup()
    if "DATABASE_URL" not in os.environ:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def naive_add_workdays(start: datetime.date, n: int) -> tuple[datetime.date, bool]:
    """What a first attempt looks like: walk day by day, asking the database about each day."""
    from yichuang.core.models import CalendarDay, CalendarYear

    day, left, confirmed, years_seen = start, n, True, {}
    while left:
        day += datetime.timedelta(days=1)
        if day.year not in years_seen:
            years_seen[day.year] = CalendarYear.objects.filter(year=day.year, region__isnull=True).exists()
            confirmed = confirmed and years_seen[day.year]
        row = CalendarDay.objects.filter(date=day, region__isnull=True).values_list("kind", flat=True).first()
        works = row in ("makeup", "extra_work") if row else day.weekday() < 5
        if works:
            left -= 1
    return day, confirmed


def rate(calls: int, seconds: float) -> float:
    return calls / seconds if seconds > 0 else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=20000, help="calls for each cached variant")
    parser.add_argument("--naive-calls", type=int, default=300, help="calls for the naive loop (it is slow)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    setup_django()
    from django.db import connection

    from yichuang.core import calendar

    rng = random.Random(args.seed)
    first, span = datetime.date(2020, 1, 1), (datetime.date(2026, 12, 31) - datetime.date(2020, 1, 1)).days
    cases = [(first + datetime.timedelta(days=rng.randrange(span)), rng.randint(1, 30)) for _ in range(args.calls)]

    calendar.clear_cache()
    calendar.add_workdays(*cases[0])  # build the table once, as a running process would have
    started = time.perf_counter()
    cached = [calendar.add_workdays(start, n) for start, n in cases]
    cached_seconds = time.perf_counter() - started

    ttl = calendar.STAMP_TTL_SECONDS
    calendar.STAMP_TTL_SECONDS = 0
    started = time.perf_counter()
    for start, n in cases:
        calendar.add_workdays(start, n)
    stamped_seconds = time.perf_counter() - started
    calendar.STAMP_TTL_SECONDS = ttl

    naive_cases = cases[: args.naive_calls]
    started = time.perf_counter()
    naive = [naive_add_workdays(start, n) for start, n in naive_cases]
    naive_seconds = time.perf_counter() - started

    mismatches = sum(
        1 for (due, confirmed), deadline in zip(naive, cached, strict=False)
        if (due, confirmed) != (deadline.date, deadline.confirmed)
    )
    cached_rate = rate(len(cases), cached_seconds)
    stamped_rate = rate(len(cases), stamped_seconds)
    naive_rate = rate(len(naive_cases), naive_seconds)
    print(f"database: {connection.vendor}; limits 1–30 working days from random dates in 2020–2026")
    print(f"cached table (stamp checked ≤ 1/s):  {cached_rate:12,.0f} calls/s  ({len(cases)} calls)")
    print(f"cached table + stamp query per call: {stamped_rate:12,.0f} calls/s  ({len(cases)} calls)")
    print(f"naive loop, one query per day:       {naive_rate:12,.0f} calls/s  ({len(naive_cases)} calls)")
    print(f"ratio cached / naive:                {cached_rate / naive_rate:12,.0f} x")
    print(f"ratio cached + stamp query / naive:  {stamped_rate / naive_rate:12,.0f} x")
    print(f"answers that differ between cached and naive: {mismatches} of {len(naive_cases)}")
    if mismatches:
        sys.exit(1)


if __name__ == "__main__":
    main()
