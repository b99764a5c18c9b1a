"""Case engine at scale: a million cases in PostgreSQL, API submissions against raw SQL, inbox latency.

    .venv/bin/python benchmarks/cases_bench.py [--cases 1000000] [--submissions 2000] [--clients 8]
        [--servers 4] [--inbox-requests 200] [--phase-seconds 300]

Run by hand, never in CI: it takes several minutes and a PostgreSQL server. It

1. creates the database named in DATABASE_URL if it is missing (default
   postgres://postgres@127.0.0.1:5432/yichuang_bench), runs `yichuang migrate`, `collectstatic`
   and, the first time, `seed-demo --force` (the demo county: its centres, departments, items and
   accounts are the foreign keys of every row below);
2. tops the case table up to --cases rows with PostgreSQL COPY: realistic rows for Case, CaseStep
   and CaseMaterial (and the applicants they belong to), spread over the demo's items,
   departments, centres and four years of working days, with the share still open that a
   county hall has (about one week of intake: received, in correction, accepted, in the
   department, in a special procedure), their due dates and alarms computed with the calendar;
3. starts --servers `yichuang runserver --noreload` processes (DEBUG off, persistent database
   connections) on free local ports. No WSGI server is installed in the project and none is
   installed for this: runserver is threaded, one process uses one core, so several processes
   behind client-side round robin are the simplest honest stand-in for a pre-forking server;
4. submits --submissions cases through POST /api/v1/cases/ (接件, bearer token of the demo clerk)
   from --clients concurrent clients, then makes the same rows in raw SQL through psycopg from
   as many concurrent connections: applicant, case number from the shared sequence, case,
   materials, steps, event, the two hash-chained audit entries, the receipt notice, the SMS
   and its queued task. It prints both rates and their ratio;
5. times --inbox-requests GET /office/inbox/ as reviewer_scjg (a session cookie, one request at
   a time, the rendered page) and as many GET /api/v1/cases/inbox calls: p50, p95, max;
6. verifies the audit chain (the raw path writes it exactly as the services do) and prints the
   machine: CPUs, memory, PostgreSQL version, load average, date.

The script keeps its keys (SECRET_KEY, FIELD_ENCRYPTION_KEY) in the data directory
($YICHUANG_DATA_DIR, default <tmp>/yichuang-bench), so the encrypted rows of an earlier run stay
readable; a second run reuses the loaded cases and only measures.
"""

from __future__ import annotations

import argparse
import base64
import bisect
import datetime
import http.client
import itertools
import json
import os
import platform
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/yichuang_bench"
HISTORY_YEARS = 4
BULK_SEQ_BASE = 20000  # bulk case numbers use sequence numbers from here, clear of the services' own
CHUNK = 20000


# --- environment -----------------------------------------------------------------------------------


def prepare_environment(url: str) -> dict[str, str]:
    data_dir = Path(os.environ.get("YICHUANG_DATA_DIR") or Path(tempfile.gettempdir()) / "yichuang-bench")
    data_dir.mkdir(parents=True, exist_ok=True)
    keys_file = data_dir / "bench-keys.json"
    if not keys_file.exists():
        keys_file.write_text(json.dumps({
            "SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode(),
        }))
    keys = json.loads(keys_file.read_text())
    env = {
        "DATABASE_URL": url, "YICHUANG_DATA_DIR": str(data_dir), "DEBUG": "0", "LOG_LEVEL": "ERROR",
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "DJANGO_SETTINGS_MODULE": "yichuang.settings",
        "SITE_URL": "http://127.0.0.1:8000", **keys,
    }
    os.environ.update(env)
    return dict(os.environ)


def ensure_database(url: str) -> bool:
    """Create the database if it does not exist; True when it was created."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def demo_loaded(url: str) -> bool:
    import psycopg

    with psycopg.connect(url) as conn:
        centre = conn.execute("SELECT 1 FROM org_servicecentre WHERE code = 'SLX'").fetchone()
        items = conn.execute("SELECT count(*) FROM catalog_item").fetchone()[0]
    return bool(centre) and items >= 30


def cli(*args: str, timeout: int, env: dict[str, str]) -> None:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "yichuang", *args], cwd=ROOT, env=env, timeout=timeout,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"yichuang {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    print(f"  yichuang {' '.join(args)}: {time.perf_counter() - started:.1f} s")


# --- rows from the models' own metadata ---------------------------------------------------------------


class Table:
    """Column order, defaults and INSERT statements of a model, read from its fields."""

    NOW = object()

    def __init__(self, model, *, with_pk: bool = False):
        from django.db.models import AutoField, BigAutoField, JSONField
        from psycopg.types.json import Jsonb

        self.model = model
        self.name = model._meta.db_table
        fields = [f for f in model._meta.concrete_fields
                  if with_pk or not (f.primary_key and isinstance(f, AutoField | BigAutoField))]
        self.columns = [f.column for f in fields]
        self.index = {c: i for i, c in enumerate(self.columns)}
        self.json = {f.column for f in fields if isinstance(f, JSONField)}
        template = []
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = self.NOW
            elif f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            else:
                value = f.get_default()
            if f.column in self.json and value is not None:
                value = Jsonb(value)
            template.append(value)
        self.template = template
        self.now_positions = [i for i, v in enumerate(template) if v is self.NOW]

    def row(self, values: dict, now: datetime.datetime) -> list:
        from psycopg.types.json import Jsonb

        row = self.template.copy()
        for position in self.now_positions:
            row[position] = now
        for column, value in values.items():
            row[self.index[column]] = Jsonb(value) if column in self.json and value is not None else value
        return row

    def insert(self, returning: bool = True) -> str:
        cols = ", ".join(f'"{c}"' for c in self.columns)
        marks = ", ".join(["%s"] * len(self.columns))
        return f'INSERT INTO "{self.name}" ({cols}) VALUES ({marks})' + (" RETURNING id" if returning else "")

    def copy(self) -> str:
        return f'COPY "{self.name}" ({", ".join(chr(34) + c + chr(34) for c in self.columns)}) FROM STDIN'


# --- the catalogue as the bulk rows need it -------------------------------------------------------------


class Catalogue:
    def __init__(self, today: datetime.date):
        from yichuang.cases.rules import can_accept_at
        from yichuang.catalog.models import ItemVersion
        from yichuang.core.calendar import workday_table
        from yichuang.demo import cases as demo
        from yichuang.demo import org_data
        from yichuang.org.models import ServiceCentre, User, Window

        self.today = today
        versions = list(ItemVersion.objects.filter(status="published", name__in=demo.ITEM_WEIGHTS)
                        .select_related("department__region", "item")
                        .prefetch_related("materials", "steps", "accepting_centres").order_by("name"))
        self.versions = versions
        self.weights = list(itertools.accumulate(demo.ITEM_WEIGHTS[v.name] for v in versions))
        self.county = ServiceCentre.objects.select_related("region").get(code=org_data.COUNTY_CENTRE)
        self.region = self.county.region
        self.table = workday_table(self.region)
        towns = list(ServiceCentre.objects.select_related("region").filter(code__in=["SLXQS", "SLXHKSM"]))
        self.towns = {v.pk: [c for c in towns if can_accept_at(v, c)] if v.name in demo.TOWN_ITEMS else []
                      for v in versions}
        users = {u.username: u.pk for u in User.objects.filter(username__in=[r["username"] for r in org_data.STAFF])}
        self.users = users
        self.clerks = {self.county.pk: [users["clerk"], users["clerk2"]]}
        for town in towns:
            self.clerks[town.pk] = [users["town_clerk"] if town.code == "SLXQS" else users["village_clerk"]]
        windows = {(w.centre_id, w.number): w.pk for w in Window.objects.all()}
        self.windows = {self.county.pk: [windows[(self.county.pk, "A01")], windows[(self.county.pk, "A02")]]}
        for town in towns:
            self.windows[town.pk] = [windows[(town.pk, "01")]] if (town.pk, "01") in windows else [None]
        first = today.replace(year=today.year - HISTORY_YEARS)
        self.days = [first + datetime.timedelta(days=i) for i in range((today - first).days)]
        self.days = [d for d in self.days if self.table.is_workday(d)]
        self._due: dict[tuple[datetime.date, int], datetime.date] = {}
        self.info = {}
        for v in versions:
            steps = list(v.steps.all())
            self.info[v.pk] = {
                "steps": steps, "materials": list(v.materials.all()), "immediate": v.handling_type == 1,
                "towns": self.towns[v.pk],
            }

    def add(self, day: datetime.date, n: int) -> datetime.date:
        key = (day, n)
        due = self._due.get(key)
        if due is None:
            due = self._due[key] = self.table.add_workdays(day, n).date
        return due

    def pick(self, rng: random.Random):
        return self.versions[bisect.bisect_left(self.weights, rng.random() * self.weights[-1])]


# --- bulk load ---------------------------------------------------------------------------------------------


def p_open(age: int) -> float:
    """Share of a day's promised cases still open `age` working days later."""
    for limit, share in ((0, 0.95), (1, 0.85), (2, 0.7), (3, 0.55), (4, 0.45), (5, 0.35), (10, 0.2), (20, 0.06),
                         (60, 0.01)):
        if age <= limit:
            return share
    return 0.001


CLOSED = [("approved", 855), ("deferred", 20), ("denied", 30), ("refused", 30), ("cancelled", 35),
          ("withdrawn", 25), ("revoked", 5)]
CLOSED_CUM = list(itertools.accumulate(w for _, w in CLOSED))


def choose_closed(rng: random.Random) -> str:
    return CLOSED[bisect.bisect_left(CLOSED_CUM, rng.random() * CLOSED_CUM[-1])][0]


class BulkLoader:
    def __init__(self, conn, cat: Catalogue, seed: int = 20261122):
        from django.utils import timezone

        from yichuang.cases.models import Applicant, Case, CaseMaterial, CaseStep

        self.conn = conn
        self.cat = cat
        self.rng = random.Random(seed)
        self.tz = timezone.get_current_timezone()
        self.now = timezone.now()
        self.case_table = Table(Case, with_pk=True)
        self.step_table = Table(CaseStep)
        self.material_table = Table(CaseMaterial)
        self.applicant_table = Table(Applicant)
        self._form_index = self.case_table.index["form_data"]
        self._step_index = self.step_table.index
        self._material_index = self.material_table.index

    def moment(self, day: datetime.date, minutes: int) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=self.tz) + datetime.timedelta(minutes=minutes)

    def ensure_applicants(self, wanted: int) -> list[int]:
        from yichuang.core.crypto import encrypt_text, lookup_hash
        from yichuang.core.validators import id_number_check_char, uscc_check_char
        from yichuang.demo import cases as demo

        have = self.conn.execute("SELECT count(*) FROM cases_applicant").fetchone()[0]
        if have < wanted:
            rng, table = self.rng, self.applicant_table
            given = demo.MALE_NAMES + demo.FEMALE_NAMES
            born = datetime.date(1950, 1, 1)
            started = time.perf_counter()
            with self.conn.cursor() as cur, cur.copy(table.copy()) as copy:
                for n in range(wanted - have):
                    name = rng.choice(demo.SURNAMES) + rng.choice(given)
                    phone = rng.choice(demo.PHONE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
                    if n % 10 < 6:
                        body = f"91339901B{have + n:08d}"[:17]
                        uscc = body + uscc_check_char(body)
                        row = {"kind": "company", "name": f"示例县{rng.choice(demo.TRADE_NAMES)}商贸有限公司{have + n}",
                               "uscc": uscc, "legal_representative": name, "phone": phone,
                               "address": "示例县城关镇解放街 36 号"}
                    else:
                        # Unique by construction: the birth date and order number count up with n.
                        birth = born + datetime.timedelta(days=(have + n) // 1000)
                        first17 = f"339901{birth:%Y%m%d}{(have + n) % 1000:03d}"
                        number = first17 + id_number_check_char(first17)
                        row = {"kind": "person", "name": name, "id_number": encrypt_text(number),
                               "id_number_hash": lookup_hash(number), "id_last4": number[-4:], "phone": phone,
                               "address": "示例县白云街道人民大道 88 号"}
                    copy.write_row(table.row(row, self.now))
            self.conn.commit()
            print(f"  {wanted - have} applicants: {time.perf_counter() - started:.1f} s")
        return [r[0] for r in self.conn.execute("SELECT id FROM cases_applicant")]

    def load(self, wanted: int) -> None:
        have = self.conn.execute("SELECT count(*) FROM cases_case").fetchone()[0]
        need = wanted - have
        if need <= 0:
            print(f"  {have} cases already loaded")
            return
        applicants = self.ensure_applicants(max(120_000, wanted // 8))
        existing = dict(self.conn.execute(
            "SELECT substr(number, 1, length(number) - 5), count(*) FROM cases_case "
            "WHERE substr(number, length(number) - 4)::int >= %s GROUP BY 1", [BULK_SEQ_BASE]).fetchall())
        first_id = self.conn.execute(
            "SELECT setval(pg_get_serial_sequence('cases_case', 'id'), "
            "GREATEST((SELECT COALESCE(MAX(id), 0) FROM cases_case), 1) + %s)", [need]).fetchone()[0] - need + 1
        self.conn.commit()
        cat = self.cat
        days = cat.days
        per_day = need / len(days)
        started = time.perf_counter()
        next_id = first_id
        made = 0
        counts: dict[str, int] = {}
        buffers: tuple[list, list, list] = ([], [], [])
        carry = 0.0
        for index, day in enumerate(days):
            carry += per_day
            n = int(carry)
            carry -= n
            n = need - made if index == len(days) - 1 else min(n, need - made)
            age = len(days) - index  # the last day in the list is yesterday: age 1
            for _ in range(n):
                rows = self.case_rows(next_id, day, index, age, applicants, existing, counts)
                next_id += 1
                for buffer, part in zip(buffers, rows, strict=True):
                    buffer.extend(part)
            made += n
            if len(buffers[0]) >= CHUNK or index == len(days) - 1:
                self.flush(buffers)
                buffers = ([], [], [])
                rate = made / (time.perf_counter() - started)
                print(f"\r  {made}/{need} cases ({rate:,.0f}/s)", end="", flush=True)
        self.flush(buffers)
        print()
        print("  open now: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        self.conn.autocommit = True
        for table in ("cases_applicant", "cases_case", "cases_casestep", "cases_casematerial"):
            self.conn.execute(f"VACUUM ANALYZE {table}")
        self.conn.autocommit = False
        print(f"  loaded {made} cases in {time.perf_counter() - started:.0f} s (with VACUUM ANALYZE)")

    def flush(self, buffers) -> None:
        cases, steps, materials = buffers
        if not cases:
            return
        with self.conn.cursor() as cur:
            for table, rows in ((self.case_table, cases), (self.step_table, steps), (self.material_table, materials)):
                with cur.copy(table.copy()) as copy:
                    for row in rows:
                        copy.write_row(row)
        self.conn.commit()

    def plans(self) -> dict[int, dict]:
        """Per item version, everything a row needs that does not depend on the case (built once)."""
        from psycopg.types.json import Jsonb

        plans = {}
        st, mt = self.step_table, self.material_table
        for version in self.cat.versions:
            info = self.cat.info[version.pk]
            department_steps = [s for s in info["steps"] if s.role in ("reviewer", "approver")]
            steps = []
            for i, s in enumerate(info["steps"]):
                base = st.row({"order": s.order * 10 + i, "name": s.name, "role": s.role,
                               "department_id": s.department_id or version.department_id,
                               "budget_days": s.budget_days}, self.now)
                position = department_steps.index(s) if s in department_steps else None
                steps.append((base, s.role, s.budget_days, position))
            materials = []
            for m in info["materials"]:
                rows = {state: mt.row({"requirement_id": m.pk, "state": state, "note": note}, self.now)
                        for state, note in (("received", ""), ("na", "不涉及"), ("deferred", "申请人书面承诺补齐"),
                                            ("defective", "未由法定代表人签字并加盖公章"))}
                materials.append((m.pk, m.necessity, rows))
            plans[version.pk] = {
                "steps": steps, "materials": materials, "department_steps": len(department_steps),
                "required": [m.pk for m in info["materials"] if m.necessity != "optional"],
                "form": Jsonb({"entity_name": "示例县" + version.name[:4] + "申请人"}),
            }
        return plans

    def case_rows(self, case_id, day, index, age, applicants, existing, counts):
        from yichuang.cases.clock import alarm_level, warning_days

        cat, rng = self.cat, self.rng
        if not hasattr(self, "_plans"):
            self._plans = self.plans()
            self._minutes = [datetime.timedelta(minutes=m) for m in range(0, 4000)]
        minutes = self._minutes
        version = cat.pick(rng)
        info = cat.info[version.pk]
        plan = self._plans[version.pk]
        centre = cat.county
        if info["towns"] and rng.random() < 0.3:
            centre = rng.choice(info["towns"])
        channel = "town" if centre is not cat.county else ("online" if rng.random() < 0.08 else "window")
        window = None if channel == "online" else rng.choice(cat.windows[centre.pk])
        clerk = rng.choice(cat.clerks[centre.pk])
        prefix = f"{centre.code}{day:%Y%m%d}"
        seq = existing.get(prefix, 0) + BULK_SEQ_BASE
        existing[prefix] = existing.get(prefix, 0) + 1
        nine = self.moment(day, 0)
        received = nine + minutes[rng.randint(0, 450)]
        limit, statutory = version.promised_limit, version.statutory_limit
        days = cat.days
        today = cat.today
        now = self.now

        def later(n: int) -> datetime.date:
            return days[index + n] if index + n < len(days) else today

        # What became of it.
        if info["immediate"]:
            state = "received" if age <= 1 and rng.random() < 0.03 else (
                "cancelled" if rng.random() < 0.02 else "immediate")
        elif rng.random() < p_open(age):
            if age <= 1:
                state = rng.choices(OPEN_NEW, OPEN_NEW_WEIGHTS)[0]
            else:
                state = rng.choices(OPEN_OLD, OPEN_OLD_WEIGHTS)[0]
            counts[state] = counts.get(state, 0) + 1
        else:
            state = choose_closed(rng)
        accepted = state not in ("received", "correction", "refused", "cancelled")
        values = {
            "id": case_id, "number": f"{prefix}{seq:05d}", "item_version_id": version.pk,
            "applicant_id": applicants[rng.randrange(len(applicants))],
            "contact_phone": rng.choice(("138", "139", "150", "187")) + f"{rng.randint(0, 99_999_999):08d}",
            "centre_id": centre.pk, "window_id": window, "channel": channel, "department_id": version.department_id,
            "received_at": received, "limit_days": limit, "statutory_limit_days": statutory,
            "visits": 0 if channel == "online" else 1, "first_contact_id": clerk, "received_by_id": clerk,
            "version": 2, "status": STATUS_CODES[state],
        }
        accepted_at = decided = None
        decided_on = None
        if accepted:
            accepted_at = values["accepted_at"] = received + minutes[12]
            due = cat.add(day, limit)
            warning = cat.add(day, max(limit - warning_days(limit), 0))
            values.update(due_date=due, statutory_due_date=cat.add(day, statutory), warning_date=warning)
            if state in ("accepted", "processing"):
                values["alarm"] = alarm_level(today=today, warning_date=warning, due_date=due)
            elif state in ("special", "sendback"):
                values["alarm"] = "paused"
                values["paused_since"] = later(min(age - 1, 1))
            if state in ("immediate", "approved", "deferred", "denied", "revoked"):
                if state == "immediate":
                    decided_on, decided = day, received + minutes[25]
                else:
                    decided_on = later(min(age - 1, rng.randint(1, max(1, limit))))
                    decided = self.moment(decided_on, rng.randint(0, 450))
                values.update(decided_at=decided, decision_approved=state != "denied",
                              decision_reason="符合法定条件，准予许可。" if state != "denied" else "不符合法定条件。")
                if state == "denied":
                    values.update(decision_basis="《中华人民共和国行政许可法》第三十八条第二款",
                                  decision_way_forward="按告知整改后可重新申请。")
                if age <= 5 and state != "immediate" and rng.random() < 0.35:
                    values["delivery"] = "withheld" if state == "deferred" else "waiting"
                else:
                    values["delivery"] = "delivered"
                    values["closed_at"] = min(decided + minutes[rng.choice((0, 1440, 2880))], now)
                    values["visits"] += 1 if channel != "online" else 0
                if state == "revoked":
                    values["closed_at"] = values.get("closed_at") or decided
            if state == "withdrawn":
                values["closed_at"] = min(received + minutes[rng.randint(1440, 3999)], now)
        elif state in ("refused", "cancelled"):
            values["closed_at"] = min(received + minutes[rng.randint(20, 3000)], now)
            if state == "refused":
                values.update(decision_reason="申请事项依法不属于本机关职权范围。",
                              decision_basis="《中华人民共和国行政许可法》第三十二条第一款第（二）项",
                              decision_way_forward="请向有权机关申请。")
        if state in ("correction", "sendback"):
            values["correction_rounds"] = 1
            values["send_backs"] = 1 if state == "sendback" else 0
        case = self.case_table.row(values, now)
        case[self._form_index] = plan["form"]

        # Steps as the engine leaves them in that state.
        si = self._step_index
        steps = []
        open_at = {"accepted": 0, "special": 0, "sendback": 0,
                   "processing": min(1, plan["department_steps"] - 1)}.get(state)
        delivered = values.get("delivery") == "delivered"
        for base, role, budget, position in plan["steps"]:
            row = base.copy()
            row[si["case_id"]] = case_id
            if state in ("refused", "cancelled"):
                row[si["state"]] = "cancelled"
            elif state in ("received", "correction"):
                pass  # waiting
            elif role == "clerk":
                row[si["state"]], row[si["started_at"]], row[si["finished_at"]] = "done", received, accepted_at
            elif open_at is not None and position is not None:
                if position < open_at:
                    row[si["state"]], row[si["started_at"]], row[si["finished_at"]] = "done", accepted_at, accepted_at
                elif position == open_at:
                    opened = day if position == 0 else later(max(0, age - rng.randint(1, 3)))
                    step_due = cat.add(opened, budget)
                    warn = cat.add(opened, max(budget - warning_days(budget), 0))
                    row[si["started_at"]] = self.moment(opened, 30)
                    row[si["due_date"]], row[si["warning_date"]] = step_due, warn
                    if state == "sendback":
                        row[si["opinion"]] = "__sent_back__"
                    else:
                        row[si["state"]] = "open"
                        row[si["alarm"]] = alarm_level(today=today, warning_date=warn, due_date=step_due)
            elif open_at is not None:
                pass  # waiting
            elif decided_on is not None:
                if role != "result_clerk" or delivered:
                    row[si["state"]], row[si["started_at"]], row[si["finished_at"]] = "done", accepted_at, decided
            else:  # withdrawn
                row[si["state"]] = "cancelled"
            steps.append(row)

        materials = []
        mi = self._material_index
        missing = rng.choice(plan["required"]) if state == "correction" and plan["required"] else None
        for pk, necessity, rows in plan["materials"]:
            if pk == missing:
                row = rows["defective"].copy()
            elif necessity == "optional":
                row = rows["na" if rng.random() < 0.6 else "received"].copy()
            elif necessity == "deferrable" and state == "deferred":
                row = rows["deferred"].copy()
                row[mi["promised_on"]] = day + datetime.timedelta(days=14)
            else:
                row = rows["received"].copy()
            row[mi["case_id"]] = case_id
            materials.append(row)
        return [case], steps, materials


OPEN_NEW, OPEN_NEW_WEIGHTS = ["received", "correction", "accepted", "processing"], [20, 15, 45, 20]
OPEN_OLD, OPEN_OLD_WEIGHTS = ["correction", "sendback", "accepted", "processing", "special"], [6, 4, 30, 48, 12]
STATUS_CODES = {"received": "1", "correction": "6", "sendback": "6", "accepted": "3", "processing": "8",
                "special": "9", "immediate": "11", "approved": "11", "deferred": "12", "denied": "13",
                "refused": "5", "cancelled": "2", "withdrawn": "14", "revoked": "15"}


# --- submissions -------------------------------------------------------------------------------------------


def base31(n: int, width: int) -> str:
    from yichuang.core.validators import USCC_ALPHABET

    digits = []
    for _ in range(width):
        n, d = divmod(n, 31)
        digits.append(USCC_ALPHABET[d])
    return "".join(reversed(digits))


def submission_payloads(n: int, version, seed: int) -> list[dict]:
    """New companies applying for 食品经营许可 with a complete checklist; credit codes unique to the run."""
    from yichuang.core.validators import id_number_check_char, uscc_check_char
    from yichuang.demo import cases as demo

    rng = random.Random(seed)
    run = base31(int(time.time()) // 10, 3)
    payloads = []
    for i in range(n):
        body = f"91339901Q{run}{seed % 10}{base31(i, 4)}"
        name = rng.choice(demo.SURNAMES) + rng.choice(demo.MALE_NAMES)
        company = f"示例县{rng.choice(demo.TRADE_NAMES)}餐饮管理有限公司"
        uscc = body + uscc_check_char(body)
        phone = rng.choice(demo.PHONE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
        first17 = f"339901{rng.randint(1960, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
        payloads.append({
            "item_code": version.item.implementation_code,
            "applicant": {"kind": "company", "name": company, "uscc": uscc, "phone": phone,
                          "address": "示例县城关镇解放街 36 号", "legal_representative": name},
            "window": "A01",
            "materials": [{"requirement_id": m.pk,
                           "state": "received" if m.necessity != "optional" else "na",
                           "note": "" if m.necessity != "optional" else "申请人本人办理"}
                          for m in version.materials.all()],
            # Every required field of the item's form: the API checks the form as the front desk does.
            "form_data": {"entity_name": company, "uscc": uscc, "legal_rep": name,
                          "legal_rep_id": first17 + id_number_check_char(first17),
                          "premises": "示例县城关镇解放街 36 号", "business_form": "餐饮服务经营者",
                          "food_items": ["热食类食品制售"], "floor_area": "86.00", "contact_name": name,
                          "contact_mobile": phone},
        })
    return payloads


class WorkQueue:
    def __init__(self, items):
        self.items = items
        self.lock = threading.Lock()
        self.position = 0

    def take(self):
        with self.lock:
            if self.position >= len(self.items):
                return None
            item = self.items[self.position]
            self.position += 1
            return item


def run_clients(clients: int, work, deadline: float) -> tuple[int, int, float, list[str]]:
    """Run `work(client_index, stop_time)` in threads; returns (ok, failed, seconds, errors)."""
    results = [None] * clients
    barrier = threading.Barrier(clients + 1)

    def worker(i):
        barrier.wait()
        results[i] = work(i, deadline)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    ok = sum(r[0] for r in results)
    failed = sum(r[1] for r in results)
    errors = [e for r in results for e in r[2]][:5]
    return ok, failed, seconds, errors


def api_submissions(ports, token: str, payloads: list[dict], clients: int, seconds: float):
    queue = WorkQueue(payloads)
    deadline = time.monotonic() + seconds

    def work(i, stop):
        port = ports[i % len(ports)]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        ok = failed = 0
        errors = []
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Host": "127.0.0.1"}
        while time.monotonic() < stop:
            payload = queue.take()
            if payload is None:
                break
            try:
                conn.request("POST", "/api/v1/cases/", body=json.dumps(payload, ensure_ascii=False).encode(),
                             headers=headers)
                response = conn.getresponse()
                body = response.read()
                if response.status == 201:
                    ok += 1
                else:
                    failed += 1
                    errors.append(f"{response.status} {body[:300].decode(errors='replace')}")
            except (OSError, http.client.HTTPException) as err:
                failed += 1
                errors.append(repr(err))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.close()
        return ok, failed, errors

    return run_clients(clients, work, deadline)


class RawWriter:
    """The rows POST /api/v1/cases/ makes, written with plain SQL through psycopg."""

    def __init__(self, version, clerk, centre, window_id: int):
        from django.apps import apps

        from yichuang.cases.models import Applicant, Case, CaseEvent, CaseMaterial, CaseStep, Notice
        from yichuang.core.models import AuditEntry, SmsMessage

        self.version, self.clerk, self.centre, self.window_id = version, clerk, centre, window_id
        self.tables = {m: Table(m) for m in (Applicant, Case, CaseEvent, CaseMaterial, CaseStep, Notice, AuditEntry,
                                             SmsMessage)}
        self.Applicant, self.Case, self.CaseEvent = Applicant, Case, CaseEvent
        self.CaseMaterial, self.CaseStep, self.Notice = CaseMaterial, CaseStep, Notice
        self.AuditEntry, self.SmsMessage = AuditEntry, SmsMessage
        self.task_table = apps.get_model("django_tasks_database", "DBTaskResult")._meta.db_table
        self.steps = list(version.steps.all())
        self.requirements = {m.pk: m for m in version.materials.all()}
        self.sql = {m: t.insert() for m, t in self.tables.items()}
        self.sql_many = {m: t.insert(returning=False) for m, t in self.tables.items()}

    def sequence(self, cur, key: str) -> int:
        cur.execute("INSERT INTO core_sequence (key, value) VALUES (%s, 0) ON CONFLICT (key) DO NOTHING", [key])
        cur.execute("UPDATE core_sequence SET value = value + 1 WHERE key = %s RETURNING value", [key])
        return cur.fetchone()[0]

    def audit(self, cur, *, action: str, object_type: str, object_id, before, after, note: str = "") -> None:
        from django.utils import timezone

        from yichuang.core.audit import AUDIT_SEQUENCE_KEY, GENESIS_HASH, _canonical, compute_hash

        seq = self.sequence(cur, AUDIT_SEQUENCE_KEY)
        cur.execute("SELECT entry_hash FROM core_auditentry ORDER BY seq DESC LIMIT 1")
        last = cur.fetchone()
        entry = self.AuditEntry(seq=seq, at=timezone.now(), actor_id=self.clerk.pk, actor_label=str(self.clerk)[:120],
                                action=action, object_type=object_type, object_id=str(object_id),
                                before=_canonical(before), after=_canonical(after), ip=None, note=note,
                                prev_hash=last[0] if last else GENESIS_HASH)
        entry.entry_hash = compute_hash(entry.prev_hash, entry)
        values = {f.column: getattr(entry, f.attname) for f in self.AuditEntry._meta.concrete_fields
                  if not f.primary_key}
        cur.execute(self.sql_many[self.AuditEntry], self.tables[self.AuditEntry].row(values, entry.at))

    def submit(self, conn, payload: dict) -> None:
        from django.utils import timezone

        from yichuang.core.notify import render

        now = timezone.now()
        day = timezone.localdate(now)
        a = payload["applicant"]
        code = self.centre.code
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("SELECT id FROM cases_applicant WHERE uscc = %s", [a["uscc"]])
            found = cur.fetchone()
            if found:
                applicant_id = found[0]
            else:
                cur.execute(self.sql[self.Applicant], self.tables[self.Applicant].row({
                    "kind": a["kind"], "name": a["name"], "uscc": a["uscc"], "phone": a["phone"],
                    "address": a["address"], "legal_representative": a["legal_representative"]}, now))
                applicant_id = cur.fetchone()[0]
            self.audit(cur, action="applicant.register", object_type="cases.applicant", object_id=applicant_id,
                       before=None, after={"kind": a["kind"], "name": a["name"], "id": a["uscc"]})
            seq = self.sequence(cur, f"case:{code}:{day:%Y%m%d}")
            number = f"{code}{day:%Y%m%d}{seq:05d}"
            cur.execute(self.sql[self.Case], self.tables[self.Case].row({
                "number": number, "item_version_id": self.version.pk, "applicant_id": applicant_id,
                "contact_phone": a["phone"], "centre_id": self.centre.pk, "window_id": self.window_id,
                "channel": "window", "department_id": self.version.department_id, "status": "1",
                "form_data": payload["form_data"], "received_at": now, "limit_days": self.version.promised_limit,
                "statutory_limit_days": self.version.statutory_limit, "visits": 1, "first_contact_id": self.clerk.pk,
                "received_by_id": self.clerk.pk, "version": 1}, now))
            case_id = cur.fetchone()[0]
            cur.executemany(self.sql_many[self.CaseMaterial], [self.tables[self.CaseMaterial].row({
                "case_id": case_id, "requirement_id": m["requirement_id"], "state": m["state"], "note": m["note"]},
                now) for m in payload["materials"]])
            cur.executemany(self.sql_many[self.CaseStep], [self.tables[self.CaseStep].row({
                "case_id": case_id, "order": s.order * 10 + i, "name": s.name, "role": s.role,
                "department_id": s.department_id or self.version.department_id, "budget_days": s.budget_days},
                now) for i, s in enumerate(self.steps)])
            cur.execute(self.sql[self.CaseEvent], self.tables[self.CaseEvent].row({
                "case_id": case_id, "at": now, "actor_id": self.clerk.pk, "actor_label": str(self.clerk),
                "action": "receive", "status_code": "1", "from_status": "", "to_status": "1", "summary": "接件",
                "data": {"channel": "window", "item": self.version.name}}, now))
            event_id = cur.fetchone()[0]
            self.audit(cur, action="case.receive", object_type="cases.case", object_id=case_id,
                       before={"status": ""}, after={"status": "1", "version": 1, "channel": "window",
                                                    "item": self.version.name}, note="接件")
            params = {"item": self.version.name, "number": number}
            cur.execute(self.sql[self.SmsMessage], self.tables[self.SmsMessage].row({
                "phone": a["phone"], "template": "case_received", "params": params,
                "text": render("case_received", params)[:500],
                "event_key": f"case:{case_id}:case_received:{event_id}", "status": "pending"}, now))
            message_id = cur.fetchone()[0]
            notice_seq = self.sequence(cur, f"notice:{code}:receipt:{day.year}")
            content = {
                "centre": self.centre.name, "department": self.version.department.name, "case_number": number,
                "item": self.version.name, "item_code": self.version.item.implementation_code,
                "item_version": self.version.version_no, "applicant": a["name"], "applicant_id": a["uscc"],
                "agent": "", "received_on": f"{day.year}年{day.month}月{day.day}日",
                "issued_on": f"{day.year}年{day.month}月{day.day}日",
                "progress_url": f"http://127.0.0.1:8000/progress/?number={number}",
                "consult": self.version.consult_channel, "complaint": self.version.complaint_channel,
                "materials": [{"name": self.requirements[m["requirement_id"]].name,
                               "state": "已收" if m["state"] == "received" else "不适用", "note": m["note"],
                               "promised_on": ""} for m in payload["materials"]],
            }
            cur.execute(self.sql[self.Notice], self.tables[self.Notice].row({
                "case_id": case_id, "kind": "receipt", "number": f"{code}-SJ-{day.year}-{notice_seq:05d}",
                "issued_at": now, "issued_by_id": self.clerk.pk, "content": content}, now))
        # The API queues the sending task after its commit, in its own statement.
        conn.execute(
            f'INSERT INTO "{self.task_table}" (id, args_kwargs, priority, task_path, queue_name, backend_name, '
            "run_after, enqueued_at, exception_class_path, traceback, worker_ids, status) "
            "VALUES (%s, %s, 0, 'yichuang.core.tasks.send_sms', 'default', 'default', '9999-01-01', now(), '', '', "
            "'[]', 'READY')", [uuid.uuid4().hex, json.dumps({"args": [message_id], "kwargs": {}})])
        conn.commit()


def raw_submissions(url: str, writer: RawWriter, payloads: list[dict], clients: int, seconds: float):
    import psycopg

    queue = WorkQueue(payloads)
    deadline = time.monotonic() + seconds
    connections = [psycopg.connect(url) for _ in range(clients)]

    def work(i, stop):
        conn = connections[i]
        ok = failed = 0
        errors = []
        while time.monotonic() < stop:
            payload = queue.take()
            if payload is None:
                break
            try:
                writer.submit(conn, payload)
                ok += 1
            except psycopg.Error as err:
                conn.rollback()
                failed += 1
                errors.append(repr(err)[:300])
        return ok, failed, errors

    try:
        return run_clients(clients, work, deadline)
    finally:
        for conn in connections:
            conn.close()


# --- latency -----------------------------------------------------------------------------------------------


def timed_gets(ports, path: str, headers: dict, n: int, warmup: int = 3):
    connections = {p: http.client.HTTPConnection("127.0.0.1", p, timeout=60) for p in ports}
    times, statuses, size = [], {}, 0
    for i in range(warmup * len(ports) + n):
        port = ports[i % len(ports)]
        conn = connections[port]
        started = time.perf_counter()
        conn.request("GET", path, headers={"Host": "127.0.0.1", **headers})
        response = conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if i >= warmup * len(ports):
            times.append(elapsed)
            statuses[response.status] = statuses.get(response.status, 0) + 1
            size = len(body)
    for conn in connections.values():
        conn.close()
    times.sort()
    return {"p50": statistics.median(times), "p95": times[max(0, int(round(0.95 * len(times))) - 1)],
            "max": times[-1], "statuses": statuses, "bytes": size}


# --- servers -----------------------------------------------------------------------------------------------


def free_ports(n: int) -> list[int]:
    sockets = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def start_servers(n: int, env: dict[str, str], log_dir: Path) -> tuple[list[subprocess.Popen], list[int]]:
    ports = free_ports(n)
    processes = []
    for port in ports:
        log = (log_dir / f"runserver-{port}.log").open("w")
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "yichuang", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
    deadline = time.monotonic() + 90
    for port in ports:
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/api/v1/cases/inbox", headers={"Host": "127.0.0.1"})
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    stop_servers(processes)
                    sys.exit(f"runserver on port {port} did not answer within 90 s; see {log_dir}")
                time.sleep(0.5)
    return processes, ports


def stop_servers(processes: list[subprocess.Popen]) -> None:
    for p in processes:
        p.terminate()
    for p in processes:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


# --- machine -----------------------------------------------------------------------------------------------


def machine(conn) -> list[str]:
    mem = ""
    cpu = platform.processor() or ""
    try:
        meminfo = Path("/proc/meminfo").read_text().split("\n")
        kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().split("\n")
                    if line.startswith("model name")), cpu)
    except (OSError, StopIteration):
        pass
    import django

    version = conn.execute("SHOW server_version").fetchone()[0]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"machine: {os.cpu_count()} CPUs ({cpu}), {mem} memory, {platform.system()} {platform.release()}",
        f"PostgreSQL {version}; Python {platform.python_version()}; Django {django.get_version()}",
        f"load average (1, 5, 15 min) at the end: {load}",
    ]


# --- main --------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--submissions", type=int, default=2000, help="per path (API and raw SQL)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--servers", type=int, default=4)
    parser.add_argument("--inbox-requests", type=int, default=200)
    parser.add_argument("--phase-seconds", type=float, default=300, help="time limit of each submission phase")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    env = prepare_environment(url)
    print(f"database {url}; data directory {env['YICHUANG_DATA_DIR']}")
    print("1. database, migrations, demo seed")
    if ensure_database(url):
        print("  created the database")
    cli("migrate", "-v0", timeout=900, env=env)
    if not (Path(env["YICHUANG_DATA_DIR"]) / "static" / "staticfiles.json").exists():
        cli("collectstatic", "--noinput", "-v0", timeout=600, env=env)
    if demo_loaded(url):
        # Re-running the seed would change nothing here, and some of its steps (e-licences for
        # approved cases) walk every case in the table: with a million that takes hours.
        print("  the demo county is already loaded: not seeding again")
    else:
        cli("seed-demo", "--force", timeout=1800, env=env)

    import django

    django.setup()
    import psycopg
    from django.utils import timezone

    from yichuang.catalog.models import ItemVersion
    from yichuang.core.audit import audit_verify
    from yichuang.org.models import ServiceCentre, User, Window
    from yichuang.org.tokens import api_token_create

    conn = psycopg.connect(url)
    today = timezone.localdate()
    print(f"2. load {args.cases:,} cases")
    cat = Catalogue(today)
    BulkLoader(conn, cat).load(args.cases)
    total = conn.execute("SELECT count(*) FROM cases_case").fetchone()[0]
    open_count = conn.execute("SELECT count(*) FROM cases_case WHERE status IN ('1','3','6','8','9')").fetchone()[0]
    steps = conn.execute("SELECT count(*) FROM cases_casestep").fetchone()[0]
    materials = conn.execute("SELECT count(*) FROM cases_casematerial").fetchone()[0]
    conn.commit()
    print(f"  {total:,} cases ({open_count:,} open), {steps:,} steps, {materials:,} materials")

    version = (ItemVersion.objects.select_related("item", "department")
               .prefetch_related("materials", "steps").get(name="食品经营许可（新办）", status="published"))
    clerk = User.objects.get(username="clerk")
    reviewer = User.objects.get(username="reviewer_scjg")
    centre = ServiceCentre.objects.get(code="SLX")
    window = Window.objects.get(centre=centre, number="A01")
    stamp = f"{datetime.datetime.now():%Y-%m-%d %H:%M:%S}"
    _, clerk_token = api_token_create(actor=None, user=clerk, name=f"基准测试接件 {stamp}")
    _, reviewer_token = api_token_create(actor=None, user=reviewer, name=f"基准测试收件箱 {stamp}")
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session.update({SESSION_KEY: str(reviewer.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: reviewer.get_session_auth_hash()})
    session.create()

    warm = args.clients
    api_payloads = submission_payloads(args.submissions + warm, version, seed=1)
    raw_payloads = submission_payloads(args.submissions + warm, version, seed=2)
    log_dir = Path(env["YICHUANG_DATA_DIR"]) / "logs"
    log_dir.mkdir(exist_ok=True)
    print(f"3. {args.servers} × yichuang runserver --noreload (DEBUG off)")
    processes, ports = start_servers(args.servers, env, log_dir)
    figures = {}
    try:
        print(f"4. {args.submissions} submissions each way, {args.clients} concurrent clients")
        warm_api = api_submissions(ports, clerk_token, api_payloads[:warm], args.clients, 120)
        if warm_api[0] == 0:
            print(f"  the API did not accept a submission ({warm_api[3][:1]}); skipping the API measurement")
        else:
            ok, failed, seconds, errors = api_submissions(ports, clerk_token, api_payloads[warm:], args.clients,
                                                          args.phase_seconds)
            figures["api"] = ok / seconds
            print(f"  API: {ok} accepted, {failed} failed in {seconds:.1f} s: {figures['api']:.1f} cases/s")
            for error in errors:
                print(f"    {error}")
        writer = RawWriter(version, clerk, centre, window.pk)
        raw_submissions(url, writer, raw_payloads[:warm], args.clients, 120)
        ok, failed, seconds, errors = raw_submissions(url, writer, raw_payloads[warm:], args.clients,
                                                      args.phase_seconds)
        figures["raw"] = ok / seconds
        print(f"  raw SQL: {ok} made, {failed} failed in {seconds:.1f} s: {figures['raw']:.1f} cases/s")
        for error in errors:
            print(f"    {error}")
        if "api" in figures:
            print(f"  ratio API / raw SQL: {figures['api'] / figures['raw']:.2f} (aim ≥ 0.3)")

        print(f"5. inbox latency, {args.inbox_requests} requests one at a time")
        open_steps = conn.execute(
            "SELECT count(*) FROM cases_casestep WHERE state = 'open' AND role = 'reviewer' AND department_id = %s",
            [reviewer.department_id]).fetchone()[0]
        conn.commit()
        print(f"  reviewer_scjg has {open_steps:,} open steps waiting")
        page = timed_gets(ports, "/office/inbox/", {"Cookie": f"sessionid={session.session_key}"},
                          args.inbox_requests)
        api = timed_gets(ports, "/api/v1/cases/inbox?page=1", {"Authorization": f"Bearer {reviewer_token}"},
                         args.inbox_requests)
        for label, result in (("GET /office/inbox/ (page)", page), ("GET /api/v1/cases/inbox (JSON)", api)):
            print(f"  {label}: p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms, max {result['max']:.0f} ms "
                  f"(statuses {result['statuses']}, {result['bytes']:,} bytes)")
        print("  aim: p95 < 150 ms")
    finally:
        stop_servers(processes)
    print("6. checks and machine")
    broken = audit_verify()
    print(f"  audit chain: {'whole' if broken is None else broken}")
    for line in machine(conn):
        print(f"  {line}")
    conn.close()


if __name__ == "__main__":
    main()
