"""Electronic supervision at county scale: statistics from the rollups versus a plain scan of the
cases table, the big screen's payload, and one alarm sweep over a million open cases.

    .venv/bin/python benchmarks/supervision_bench.py [--cases 10000000] [--open 1000000]
        [--budget-minutes 15] [--repeat 20] [--reuse] [--database-url postgres://…/yichuang_bench_sup]

By hand, never in CI. Uses its own PostgreSQL database (default yichuang_bench_sup on
127.0.0.1, created if missing), never the demo's or the tests'.

1. Migrates, loads the demo county (13 departments, 38 items, 8 centres and points, 15 windows) and
   40 extra staff accounts, so the rollups have a realistic number of keys.
2. Generates the cases inside PostgreSQL, a million rows per INSERT … SELECT FROM generate_series
   (the server-side bulk path; no row crosses the wire), spread over three years up to today, and
   stops early when the time budget would be exceeded, saying at which size. The newest `--open`
   cases are open (accepted, one open step each) with due dates spread around today; the rest are
   refused, withdrawn or decided and mostly delivered, with limits, pauses, send-backs, extensions
   and visits drawn at random. Working days are approximated as 5/7 of calendar days: the data is
   synthetic; both the rollups and the plain scan use the same approximation, so they agree.
3. Builds the day and month rollups from the cases with one INSERT … SELECT per period, the same
   counters the sweep keeps from the case events (see yichuang/supervision/metrics.py).
4. Times, with --repeat runs each (p50, p95): every statistics slice for a county-year (the last
   full calendar year: 12 month rows) and a department-month (the busiest department, last full
   month), a ragged year (day rows at both ends), the public dashboard payload; the same figures
   by a plain scan of cases_case (3 runs each: it is slow) and the ratio; then one alarm sweep
   over the open cases (first: every alarm is new; second: the minute after).

Prints the figures with the machine and the date; copy them into benchmarks/README.md.
"""

import argparse
import datetime
import os
import platform
import statistics as stats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/yichuang_bench_sup"
CHUNK = 1_000_000
CLOSED_STATUSES = ("11", "12", "13")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yichuang.settings_test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from yichuang.demo.seed import load_demo
    from yichuang.org.models import ServiceCentre

    # Only into an empty database: later demo steps walk every case (the e-licence step issues a
    # licence for each approved one), which over millions of synthetic cases is not what is measured.
    if ServiceCentre.objects.exists():
        return
    try:
        load_demo(cases=False)
    except TypeError:  # an older demo loader without demo cases
        load_demo()


def timed(fn, repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - started) * 1000)
    runs.sort()
    p95 = runs[min(len(runs) - 1, max(0, int(round(0.95 * len(runs))) - 1))]
    return {"p50": stats.median(runs), "p95": p95, "n": len(runs)}


# --- generation -------------------------------------------------------------------------------


def reference_data() -> dict:
    from django.contrib.auth.hashers import make_password

    from yichuang.catalog.models import ItemVersion
    from yichuang.org.models import ServiceCentre, User, Window

    versions = list(ItemVersion.objects.filter(status="published").order_by("pk").values_list(
        "pk", "item_id", "department_id", "promised_limit", "statutory_limit", "handling_type"))
    county = ServiceCentre.objects.filter(parent__isnull=True).order_by("pk").first()
    points = list(ServiceCentre.objects.exclude(pk=county.pk).values_list("pk", flat=True)) or [county.pk]
    windows = list(Window.objects.filter(centre=county).values_list("pk", flat=True))
    existing = set(User.objects.filter(username__startswith="bench_").values_list("username", flat=True))
    password = make_password(None)
    User.objects.bulk_create([User(username=f"bench_{i:02d}", display_name=f"测试人员{i:02d}", password=password)
                              for i in range(1, 41) if f"bench_{i:02d}" not in existing])
    staff = iter(User.objects.filter(username__startswith="bench_").order_by("username").values_list("pk", flat=True))
    from yichuang.cases.models import Applicant
    from yichuang.org.models import Department

    applicant = Applicant.objects.filter(uscc="91350100M000100Y43").first() or Applicant.objects.create(
        kind="company", name="基准测试有限公司", uscc="91350100M000100Y43")
    # As in a hall: a clerk sits at each window, one at each town point, two take online applications,
    # two hand out results, and each department has two people who decide.
    window_clerks = [next(staff) for _ in windows]
    point_clerks = [next(staff) for _ in points]
    online_clerks = [next(staff), next(staff)]
    result_clerks = [next(staff), next(staff)]
    rest = list(staff)
    departments = list(Department.objects.order_by("pk").values_list("pk", flat=True))
    deciders = [0] * (2 * max(departments))
    for i, dept in enumerate(departments):
        deciders[2 * (dept - 1)] = rest[(2 * i) % len(rest)]
        deciders[2 * (dept - 1) + 1] = rest[(2 * i + 1) % len(rest)]
    return {"versions": versions, "county": county.pk, "points": points, "windows": windows,
            "window_clerks": window_clerks, "point_clerks": point_clerks, "online_clerks": online_clerks,
            "result_clerks": result_clerks, "deciders": deciders, "applicant": applicant.pk}


def _array(values) -> str:
    return "ARRAY[" + ",".join(str(int(v)) for v in values) + "]"


def generate(cursor, *, total: int, open_count: int, today: datetime.date, budget_s: float, ref: dict) -> int:
    """Insert up to `total` cases in chunks; stop when the next chunk would not fit in the budget."""
    from yichuang.cases.models import Case

    versions = ref["versions"]
    v_id, v_item, v_dept, v_limit, v_stat, v_type = (_array(col) for col in zip(*versions, strict=True))
    n_items = len(versions)
    start = datetime.datetime.combine(today - datetime.timedelta(days=3 * 365), datetime.time(9))
    span_s = 3 * 365 * 86400
    # Expressions per column, over p(g, k, r1…r6) where k picks the item version.
    is_open = f"(g > {total} - {open_count})"
    received = (f"(TIMESTAMPTZ '{start.isoformat()}+08:00' + ((g - 1)::float8 / {total}) * INTERVAL '{span_s} seconds'"
                " + (r5 * 8) * INTERVAL '1 hour')")
    limit_ = f"({v_limit})[k]"
    immediate = f"(({v_type})[k] = 1)"
    outcome = (f"CASE WHEN {is_open} THEN CASE WHEN r2 < .5 THEN '3' ELSE '8' END "
               "WHEN r2 < .03 THEN '5' WHEN r2 < .05 THEN '14' WHEN r2 < .12 THEN '13' "
               "WHEN r2 < .16 THEN '12' ELSE '11' END")
    accepted = "CASE WHEN outcome = '5' THEN NULL ELSE received + (CASE WHEN r6 < .3 THEN INTERVAL '1 day' ELSE INTERVAL '30 minutes' END) END"
    # Handling days: mostly within the limit, a few late.
    handle_days = f"CASE WHEN {immediate} THEN 0 ELSE floor(power(r3, 1.6) * ({limit_} * 1.5 + 1)) END"
    decided = (f"CASE WHEN outcome IN ('11','12','13') THEN accepted + (({handle_days}) * 7 / 5 + paused) * INTERVAL '1 day'"
               " ELSE NULL END")
    due = (f"CASE WHEN {is_open} THEN DATE '{today.isoformat()}' + floor(r3 * 40 - 10)::int "
           f"WHEN accepted IS NULL THEN NULL ELSE (accepted::date + ceil(({limit_} + extension) * 7 / 5.0 + paused)::int) END")
    columns = {
        "number": "'B' || lpad(g::text, 12, '0')",
        "item_version_id": f"({v_id})[k]",
        "applicant_id": str(ref["applicant"]),
        "centre_id": f"CASE WHEN channel = 'town' THEN ({_array(ref['points'])})[1 + mod(g, {len(ref['points'])})] "
                     f"ELSE {ref['county']} END",
        "window_id": f"CASE WHEN channel = 'window' THEN ({_array(ref['windows'])})[1 + mod(g, {len(ref['windows'])})] END",
        "channel": "channel",
        "department_id": f"({v_dept})[k]",
        "status": "outcome",
        "form_data": "'{}'::jsonb",
        "received_at": "received",
        "accepted_at": "accepted",
        "decided_at": "decided",
        "closed_at": "CASE WHEN outcome IN ('5','14') THEN received + INTERVAL '2 days' "
                     "WHEN decided IS NOT NULL AND r4 < .97 THEN decided + INTERVAL '1 day' END",
        "limit_days": limit_,
        "statutory_limit_days": f"({v_stat})[k]",
        "extension_days": "extension",
        "paused_days": "paused",
        "due_date": "due",
        "statutory_due_date": "due",
        "warning_date": "due - 2",
        "alarm": f"CASE WHEN {is_open} THEN 'normal' ELSE 'none' END",
        "due_confirmed": "true",
        "delivery": "CASE WHEN decided IS NOT NULL AND r4 < .97 THEN 'delivered' WHEN decided IS NOT NULL "
                    "THEN 'waiting' ELSE 'none' END",
        "visits": "CASE WHEN channel = 'online' THEN (r4 > .9)::int WHEN decided IS NOT NULL AND r4 < .6 THEN 2 "
                  "ELSE 1 END",
        "send_backs": "CASE WHEN r6 > .985 THEN 2 WHEN r6 > .95 THEN 1 ELSE 0 END",
        "interview_flag": "false",
        "correction_rounds": "CASE WHEN r6 > .9 THEN 1 ELSE 0 END",
        "received_by_id": f"CASE WHEN channel = 'window' THEN ({_array(ref['window_clerks'])})[1 + mod(g, {len(ref['windows'])})] "
                          f"WHEN channel = 'town' THEN ({_array(ref['point_clerks'])})[1 + mod(g, {len(ref['points'])})] "
                          f"ELSE ({_array(ref['online_clerks'])})[1 + mod(g, 2)] END",
        "decision_approved": "CASE WHEN outcome IN ('11','12') THEN true WHEN outcome = '13' THEN false END",
        "version": "1",
        "updated_at": "received",
    }
    fields = [f for f in Case._meta.concrete_fields if f.column != "id"]
    select = []
    for f in fields:
        if f.column in columns:
            select.append(columns[f.column])
        elif f.null:
            select.append("NULL")
        elif f.get_internal_type() in ("BooleanField",):
            select.append("false")
        elif f.get_internal_type() in ("JSONField",):
            select.append("'{}'::jsonb")
        elif "Integer" in f.get_internal_type():
            select.append("0")
        else:
            select.append("''")
    target = ", ".join(f'"{f.column}"' for f in fields)
    body = ", ".join(select)
    sql = f"""
        INSERT INTO cases_case ({target})
        SELECT {body} FROM (
          SELECT *, {decided} AS decided, {due} AS due FROM (
            SELECT *, {accepted} AS accepted FROM (
              SELECT *, {received} AS received, {outcome} AS outcome,
                     CASE WHEN r1 < .25 THEN 'online' WHEN r1 < .35 THEN 'town' ELSE 'window' END AS channel,
                     CASE WHEN r6 > .97 THEN 5 ELSE 0 END AS extension,
                     CASE WHEN r6 > .93 THEN 3 ELSE 0 END AS paused
              FROM (SELECT g, 1 + floor(random() * {n_items})::int AS k, random() r1, random() r2, random() r3,
                           random() r4, random() r5, random() r6
                    FROM generate_series(%s, %s) g) s
            ) s2
          ) s3
        ) s4
    """
    made = 0
    began = time.monotonic()
    while made < total:
        lo, hi = made + 1, min(made + CHUNK, total)
        chunk_started = time.monotonic()
        cursor.execute(sql, [lo, hi])
        made = hi
        took = time.monotonic() - chunk_started
        log(f"  cases {made:,} ({took:.0f} s for this million)")
        if made < total and time.monotonic() - began + took * 1.15 > budget_s:
            log(f"  time budget reached: stopping at {made:,} cases")
            break
    return made


def make_open_steps(cursor) -> None:
    cursor.execute("""
        INSERT INTO cases_casestep (case_id, "order", name, role, department_id, budget_days, state, started_at,
                                    due_date, warning_date, alarm, opinion)
        SELECT id, 20, '审查', 'reviewer', department_id, 2, 'open', accepted_at, due_date - 3, due_date - 4,
               'normal', ''
        FROM cases_case WHERE status IN ('3', '8')
    """)


# --- rollups from the cases (same counters as the sweep keeps from the events) -------------------------


def handling_days_sql() -> str:
    return "GREATEST(((decided_at::date - accepted_at::date) * 5 / 7) - paused_days, 0)"


def build_rollups(cursor, ref: dict) -> None:
    from yichuang.supervision.metrics import ALL_COUNTERS
    from yichuang.supervision.models import HIST_MAX

    dims = "department_id, centre_id, COALESCE(window_id, 0) AS window_key, item_id, channel"
    decider = f"({_array(ref['deciders'])})[2 * (department_id - 1) + 1 + mod(c.id, 2)::int]"
    result_clerk = f"({_array(ref['result_clerks'])})[1 + mod(c.id, 2)::int]"
    hd = handling_days_sql()

    def branch(day: str, staff: str, values: dict, where: str) -> str:
        cols = ", ".join(f"{values.get(c, '0')} AS {c}" for c in ALL_COUNTERS)
        return f"SELECT {day} AS day, {dims}, {staff} AS staff_id, {cols} FROM {CASES_WITH_ITEM} WHERE {where}"

    hist = {f"hd_{i}": f"({hd} = {i})::int" for i in range(HIST_MAX + 1)}
    hist["hd_over"] = f"({hd} > {HIST_MAX})::int"
    branches = [
        branch("received_at::date", "COALESCE(received_by_id, 0)",
               {"received": "1", "online_received": "(channel = 'online')::int"}, "true"),
        branch("accepted_at::date", "COALESCE(received_by_id, 0)", {"accepted": "1"}, "accepted_at IS NOT NULL"),
        branch("closed_at::date", "COALESCE(received_by_id, 0)", {"not_accepted": "1"}, "status = '5'"),
        branch("decided_at::date", decider, {
            "closed": "1", "approved": "(status IN ('11','12'))::int",
            "immediate": "(decided_at::date = accepted_at::date)::int",
            "early": "(decided_at::date < due_date)::int", "on_time": "(decided_at::date <= due_date)::int",
            "late": "(decided_at::date > due_date)::int", "handling_days": hd,
            "corrected": "(correction_rounds > 0)::int", "send_backs": "send_backs",
            "special_used": "(paused_days > 0)::int", "extended": "(extension_days > 0)::int", **hist,
        }, "decided_at IS NOT NULL"),
        branch("closed_at::date", result_clerk, {
            "delivered": "1", "one_visit": "(visits <= 1)::int", "zero_visit": "(visits = 0)::int",
        }, "delivery = 'delivered'"),
        branch("closed_at::date", "COALESCE(received_by_id, 0)", {"withdrawn": "1"}, "status = '14'"),
        branch("accepted_at::date", "COALESCE(received_by_id, 0)", {
            "cohort_closed": "(decided_at IS NOT NULL)::int",
            "cohort_ended": "(decided_at IS NOT NULL OR status = '14')::int",
        }, "accepted_at IS NOT NULL AND (decided_at IS NOT NULL OR status = '14')"),
    ]
    sums = ", ".join(f"SUM({c})" for c in ALL_COUNTERS)
    cursor.execute("DELETE FROM supervision_statrollup")
    cursor.execute(f"""
        INSERT INTO supervision_statrollup (period, day, department_id, centre_id, window_id, item_id, channel,
                                            staff_id, {", ".join(ALL_COUNTERS)})
        SELECT 'D', day, department_id, centre_id, window_key, item_id, channel, staff_id, {sums}
        FROM ({" UNION ALL ".join(branches)}) t
        GROUP BY day, department_id, centre_id, window_key, item_id, channel, staff_id
    """)
    columns = f"period, day, department_id, centre_id, window_id, item_id, channel, staff_id, {', '.join(ALL_COUNTERS)}"
    cursor.execute(f"""
        INSERT INTO supervision_statrollup ({columns})
        SELECT 'd', day, department_id, centre_id, 0, item_id, channel, 0, {sums}
        FROM supervision_statrollup WHERE period = 'D' GROUP BY day, department_id, centre_id, item_id, channel
    """)
    for day_period, month_period in (("D", "M"), ("d", "m")):
        cursor.execute(f"""
            INSERT INTO supervision_statrollup ({columns})
            SELECT '{month_period}', date_trunc('month', day)::date, department_id, centre_id, window_id, item_id,
                   channel, staff_id, {sums}
            FROM supervision_statrollup WHERE period = '{day_period}'
            GROUP BY date_trunc('month', day)::date, department_id, centre_id, window_id, item_id, channel, staff_id
        """)


# --- the plain scan: the same figures straight from cases_case ------------------------------------------


PLAIN_SLICES = {"": None, "department": "department_id", "item": "item_id", "channel": "channel",
                "centre": "centre_id"}
# The case with its item (an item version's own columns, such as its status, stay out of sight).
CASES_WITH_ITEM = ("(SELECT cc.*, iv.item_id FROM cases_case cc "
                   "JOIN catalog_itemversion iv ON iv.id = cc.item_version_id) c")


def plain_scan(cursor, start: datetime.date, end: datetime.date, slice_sql: str | None, department: int | None):
    after = end + datetime.timedelta(days=1)
    hd = handling_days_sql()

    def inside(column: str) -> str:
        return f"({column} >= '{start}' AND {column} < '{after}')"

    group = f"{slice_sql} AS key," if slice_sql else ""
    where = [f"({inside('received_at')} OR {inside('accepted_at')} OR {inside('decided_at')} OR {inside('closed_at')})"]
    if department:
        where.append(f"department_id = {department}")
    cursor.execute(f"""
        SELECT {group}
          count(*) FILTER (WHERE {inside('received_at')}) AS received,
          count(*) FILTER (WHERE {inside('received_at')} AND channel = 'online') AS online_received,
          count(*) FILTER (WHERE {inside('accepted_at')}) AS accepted,
          count(*) FILTER (WHERE status = '5' AND {inside('closed_at')}) AS not_accepted,
          count(*) FILTER (WHERE {inside('decided_at')}) AS closed,
          count(*) FILTER (WHERE {inside('decided_at')} AND decided_at::date = accepted_at::date) AS immediate,
          count(*) FILTER (WHERE {inside('decided_at')} AND decided_at::date < due_date) AS early,
          count(*) FILTER (WHERE {inside('decided_at')} AND decided_at::date <= due_date) AS on_time,
          count(*) FILTER (WHERE {inside('decided_at')} AND decided_at::date > due_date) AS late,
          avg({hd}) FILTER (WHERE {inside('decided_at')}) AS avg_days,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY {hd}) FILTER (WHERE {inside('decided_at')}) AS median_days,
          count(*) FILTER (WHERE {inside('decided_at')} AND correction_rounds > 0) AS corrected,
          sum(send_backs) FILTER (WHERE {inside('decided_at')}) AS send_backs,
          count(*) FILTER (WHERE {inside('decided_at')} AND paused_days > 0) AS special_used,
          count(*) FILTER (WHERE {inside('decided_at')} AND extension_days > 0) AS extended,
          count(*) FILTER (WHERE delivery = 'delivered' AND {inside('closed_at')}) AS delivered,
          count(*) FILTER (WHERE delivery = 'delivered' AND {inside('closed_at')} AND visits <= 1) AS one_visit,
          count(*) FILTER (WHERE delivery = 'delivered' AND {inside('closed_at')} AND visits = 0) AS zero_visit,
          count(*) FILTER (WHERE status = '14' AND {inside('closed_at')}) AS withdrawn,
          count(*) FILTER (WHERE {inside('accepted_at')} AND (decided_at IS NOT NULL OR status = '14')) AS cohort_ended
        FROM {CASES_WITH_ITEM}
        WHERE {" AND ".join(where)}
        {"GROUP BY 1" if slice_sql else ""}
    """)
    return cursor.fetchall()


# --- main ---------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000_000)
    parser.add_argument("--open", type=int, default=1_000_000)
    parser.add_argument("--budget-minutes", type=float, default=15, help="time allowed for generating the cases")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--plain-repeat", type=int, default=3, help="runs of each plain-scan query (they are slow)")
    parser.add_argument("--reuse", action="store_true", help="keep the cases already generated")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("This benchmark needs PostgreSQL (--database-url postgres://…).")
    ensure_database(args.database_url)
    setup_django(args.database_url)

    from django.db import connection
    from django.utils import timezone

    from yichuang.cases.models import Case
    from yichuang.supervision import selectors
    from yichuang.supervision.models import StatRollup, SweepMark
    from yichuang.supervision.selectors import Scope, StatQuery
    from yichuang.supervision.services import alarm_sweep

    today = timezone.localdate()
    ref = reference_data()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        count = Case.objects.count()
        if not (args.reuse and count):
            log("clearing earlier cases and supervision rows")
            cursor.execute("TRUNCATE cases_case, supervision_statrollup, supervision_alarmstate, supervision_alarmevent,"
                           " supervision_notification RESTART IDENTITY CASCADE")
            started = time.monotonic()
            count = generate(cursor, total=args.cases, open_count=args.open, today=today,
                             budget_s=args.budget_minutes * 60, ref=ref)
            log(f"generated {count:,} cases in {time.monotonic() - started:.0f} s")
            make_open_steps(cursor)
            cursor.execute("ANALYZE cases_case; ANALYZE cases_casestep")
        else:
            log(f"reusing {count:,} cases")
        grains_present = set(StatRollup.objects.values_list("period", flat=True).distinct())
        if grains_present != {"D", "M", "d", "m"} or not args.reuse:
            started = time.monotonic()
            build_rollups(cursor, ref)
            cursor.execute("ANALYZE supervision_statrollup")
            log(f"built the rollups in {time.monotonic() - started:.0f} s")
        # Measure with the server's own settings, not the ones used to load the data.
        cursor.execute("RESET work_mem; RESET maintenance_work_mem")
    open_cases = Case.objects.filter(status__in=("3", "8")).count()
    grains = {p: StatRollup.objects.filter(period=p).count() for p in ("D", "M", "d", "m")}

    year = today.year - 1
    county_year = (datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    last_month_end = today.replace(day=1) - datetime.timedelta(days=1)
    dept_month = (last_month_end.replace(day=1), last_month_end)
    ragged = (today - datetime.timedelta(days=364), today)
    busiest = (Case.objects.filter(received_at__year=year).values("department_id").order_by()
               .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id")).order_by("-n").first())
    department = busiest["department_id"]
    everything = Scope(None)
    results = []

    def stat(label, period, slice_name, filters):
        query = StatQuery(period[0], period[1], slice_name, filters)
        figures = timed(lambda: selectors.statistics(everything, query), args.repeat)
        results.append((label, slice_name or "total", figures))
        log(f"  {label:<18} {slice_name or 'total':<11} p50 {figures['p50']:7.1f} ms  p95 {figures['p95']:7.1f} ms")

    log(f"statistics from the rollups ({args.repeat} runs each)")
    for slice_name in ("", "department", "centre", "point", "window", "staff", "item", "channel", "month"):
        stat("county-year", county_year, slice_name, {})
    for slice_name in ("", "item", "staff", "window", "channel", "day"):
        stat("department-month", dept_month, slice_name, {"department": department})
    stat("ragged year", ragged, "", {})
    stat("ragged year", ragged, "department", {})

    log("dashboard payload (uncached)")
    dash = timed(lambda: selectors.dashboard_payload(everything, today=today), args.repeat)
    log(f"  dashboard          p50 {dash['p50']:7.1f} ms  p95 {dash['p95']:7.1f} ms")

    log(f"the same figures by a plain scan of cases_case ({args.plain_repeat} runs each)")
    plain = []
    with connection.cursor() as cursor:
        for label, period, dept in (("county-year", county_year, None), ("department-month", dept_month, department)):
            for slice_name, slice_sql in PLAIN_SLICES.items():
                if dept and slice_name == "department":
                    continue
                figures = timed(lambda period=period, slice_sql=slice_sql, dept=dept:
                                plain_scan(cursor, period[0], period[1], slice_sql, dept), args.plain_repeat)
                rollup = next((r[2] for r in results if r[0] == label and r[1] == (slice_name or "total")), None)
                ratio = figures["p50"] / rollup["p50"] if rollup else None
                plain.append((label, slice_name or "total", figures, ratio))
                log(f"  {label:<18} {slice_name or 'total':<11} p50 {figures['p50']:8.0f} ms"
                    + (f"  = {ratio:,.0f} × the rollup query" if ratio else ""))

    # Check the two paths agree on a few counters (the rollups are right, not just fast).
    with connection.cursor() as cursor:
        [row] = plain_scan(cursor, county_year[0], county_year[1], None, None)
    total = selectors.statistics(everything, StatQuery(*county_year)).total.sums
    agree = (row[0], row[2], row[4], row[7]) == (total["received"], total["accepted"], total["closed"], total["on_time"])
    log(f"rollups and plain scan agree on received/accepted/closed/on-time for {year}: {agree}")

    log(f"alarm sweep over {open_cases:,} open cases (and as many open steps)")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE supervision_alarmstate, supervision_alarmevent, supervision_notification")
        cursor.execute("UPDATE cases_case SET alarm = 'normal' WHERE status IN ('3', '8') AND alarm <> 'normal'")
        cursor.execute("UPDATE cases_casestep SET alarm = 'normal' WHERE state = 'open' AND alarm <> 'normal'")
        cursor.execute("ANALYZE cases_case; ANALYZE cases_casestep")
    SweepMark.objects.update_or_create(pk=1, defaults={"last_event_id": 0, "gaps": []})
    sweeps = []
    now = timezone.now()
    for label, day in (("first sweep (every alarm new)", 0), ("the minute after (nothing changes)", 0),
                       ("next morning (the day's changes)", 1)):
        started = time.perf_counter()
        report = alarm_sweep(audits_too=False, today=today + datetime.timedelta(days=day),
                             now=now + datetime.timedelta(days=day, minutes=1))
        took = time.perf_counter() - started
        sweeps.append((label, took, report))
        log(f"  {label:<36} {took:6.1f} s  events {report.events:,}  reminders {report.notifications:,}  "
            f"alarm columns updated {report.alarm_updates:,}")

    print()
    print(f"Machine: {platform.node()} · {os.cpu_count()} CPU · {platform.processor() or platform.machine()} · "
          f"PostgreSQL {connection.pg_version // 10000} · Python {platform.python_version()} · {datetime.date.today()}")
    print(f"Data: {count:,} cases over 3 years, {open_cases:,} open; rollups: {grains['D']:,} day and "
          f"{grains['M']:,} month rows (full key), {grains['d']:,} day and {grains['m']:,} month rows (coarse key)")
    print()
    print("| query | slice | rollups p50 | rollups p95 | plain scan p50 | ratio |")
    print("|---|---|---:|---:|---:|---:|")
    for label, slice_name, figures in results:
        match = next((p for p in plain if p[0] == label and p[1] == slice_name), None)
        plain_text = f"{match[2]['p50']:,.0f} ms" if match else ""
        ratio_text = f"{match[3]:,.0f}×" if match and match[3] else ""
        print(f"| {label} | {slice_name} | {figures['p50']:.1f} ms | {figures['p95']:.1f} ms | {plain_text} | {ratio_text} |")
    print(f"| dashboard payload | — | {dash['p50']:.1f} ms | {dash['p95']:.1f} ms | | |")
    for label, took, report in sweeps:
        print(f"| alarm sweep: {label} | — | {took:.1f} s | | | events {report.events:,} |")


if __name__ == "__main__":
    main()
