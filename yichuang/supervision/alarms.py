"""The alarm pass of the sweep, done in the database.

The level of every running case and open step is one SQL expression (due date against today,
the warning date or the item's rule), so a sweep reads only what changed since the last one:
the cases and steps whose computed level differs from their `AlarmState`, and the states whose
case or step is no longer alarmed. The engine's own alarm columns are corrected by two UPDATEs.
A minute in which nothing changes costs a few index scans, whatever the number of open cases.

Called by `services.alarm_sweep` inside its transaction, under the sweep's lock row.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection

from yichuang.cases.models import Case
from yichuang.core.calendar import add_workdays
from yichuang.org.models import Department

from . import bulk
from .models import ALERT_LEVELS, AlarmEvent, AlarmRule, AlarmState

# The clock runs in these states unless the case is paused (a special procedure that does not
# count, or materials sent back). A special procedure that counts toward the limit (public
# notice, for instance) leaves the status SPECIAL with the clock running.
RUNNING_STATUSES = (Case.Status.ACCEPTED, Case.Status.PROCESSING, Case.Status.SPECIAL)
DEFAULT_WARNING_MAX = 2


@dataclass
class Change:
    case_id: int
    step_id: int | None
    department_id: int
    before: str
    after: str
    due: datetime.date
    state_id: int | None
    number: str = ""
    item: str = ""
    step_name: str = ""
    role: str = ""


def _date(value: datetime.date):
    return connection.ops.adapt_datefield_value(value)


def _in(values) -> str:
    return "(" + ", ".join("%s" for _ in values) + ")"


def alarm_rules() -> tuple[dict[int, int], int | None]:
    per_item, default = {}, None
    for item_id, days in AlarmRule.objects.values_list("item_id", "warning_days"):
        if item_id is None:
            default = days
        else:
            per_item[item_id] = days
    return per_item, default


class LevelSql:
    """SQL for the alarm level of a running case and of an open step on `today`."""

    def __init__(self, today: datetime.date):
        self.today = today
        self.per_item, self.default = alarm_rules()
        widest = max([DEFAULT_WARNING_MAX, self.default or 0, *self.per_item.values()])
        # Any `widest` working days from today end before this (weekends and the longest holiday included).
        self.horizon = today + datetime.timedelta(days=2 * widest + 21)
        self.regions = dict(Department.objects.values_list("pk", "region__code"))
        self._thresholds: dict[tuple[str, int], datetime.date] = {}

    def threshold(self, region: str, days: int) -> datetime.date:
        """The last due date that is yellow today with `days` working days of warning."""
        key = (region, days)
        if key not in self._thresholds:
            self._thresholds[key] = add_workdays(self.today, days, region or None).date
        return self._thresholds[key]

    def _by_department(self, alias: str, days: int) -> tuple[str, list]:
        parts, params = [], []
        for dept, region in self.regions.items():
            parts.append("WHEN %s THEN %s")
            params += [dept, _date(self.threshold(region, days))]
        return f"CASE {alias}.department_id {' '.join(parts)} END", params

    def case_level(self, alias: str, item: str) -> tuple[str, list]:
        """`alias`: the case table or its alias; `item`: an SQL expression for the case's item id."""
        today = _date(self.today)
        if not self.per_item and self.default is None:
            yellow, yellow_params = f"{alias}.warning_date <= %s", [today]
        else:
            branches, params = [], []
            by_days = defaultdict(list)
            for item_id, days in self.per_item.items():
                by_days[days].append(item_id)
            for days, items in sorted(by_days.items()):
                dept_sql, dept_params = self._by_department(alias, days)
                branches.append(f"WHEN {item} IN {_in(items)} THEN {dept_sql}")
                params += [*items, *dept_params]
            if self.default is not None:
                else_sql, else_params = self._by_department(alias, self.default)
            else:
                else_sql, else_params = "NULL", []
            threshold = f"CASE {' '.join(branches)} ELSE {else_sql} END" if branches else else_sql
            threshold_params = params + else_params
            yellow = (f"(({threshold}) IS NOT NULL AND {alias}.due_date <= ({threshold})) "
                      f"OR (({threshold}) IS NULL AND {alias}.warning_date <= %s)")
            yellow_params = [*threshold_params, *threshold_params, *threshold_params, today]
        sql = (f"CASE WHEN {alias}.due_date < %s THEN 'overdue' WHEN {alias}.due_date = %s THEN 'red' "
               f"WHEN {yellow} THEN 'yellow' ELSE 'normal' END")
        return sql, [today, today, *yellow_params]

    def step_level(self, alias: str) -> tuple[str, list]:
        today = _date(self.today)
        return (f"CASE WHEN {alias}.due_date < %s THEN 'overdue' WHEN {alias}.due_date = %s THEN 'red' "
                f"WHEN {alias}.warning_date <= %s THEN 'yellow' ELSE 'normal' END", [today, today, today])

    def running(self, alias: str, *, horizon: bool = True) -> tuple[str, list]:
        sql = (f"{alias}.status IN {_in(RUNNING_STATUSES)} AND {alias}.paused_since IS NULL "
               f"AND {alias}.due_date IS NOT NULL")
        params = list(RUNNING_STATUSES)
        if horizon:
            sql += f" AND {alias}.due_date <= %s"
            params.append(_date(self.horizon))
        return sql, params


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])


def changed_cases(levels: LevelSql) -> list[Change]:
    level, level_params = levels.case_level("x", "v.item_id")
    running, running_params = levels.running("x")
    rows = _rows(f"""
        SELECT t.id, t.department_id, t.due_date, t.number, t.item_name, s.id, s.level, t.lvl
        FROM (SELECT x.id, x.department_id, x.due_date, x.number, v.name AS item_name, {level} AS lvl
              FROM cases_case x JOIN catalog_itemversion v ON v.id = x.item_version_id
              WHERE {running}) t
        LEFT JOIN supervision_alarmstate s ON s.case_id = t.id AND s.step_id IS NULL
        WHERE t.lvl <> 'normal' AND (s.id IS NULL OR s.level <> t.lvl OR s.due_date <> t.due_date)
    """, [*level_params, *running_params])
    return [Change(case_id=pk, step_id=None, department_id=dept, before=old or "normal", after=new,
                   due=_as_date(due), state_id=state, number=number, item=item)
            for pk, dept, due, number, item, state, old, new in rows]


def gone_cases(levels: LevelSql) -> list[Change]:
    level, level_params = levels.case_level("x", "v.item_id")
    running, running_params = levels.running("x")
    still, still_params = levels.running("x", horizon=False)
    rows = _rows(f"""
        SELECT s.id, s.case_id, s.department_id, s.level, s.due_date,
               CASE WHEN x.id IS NOT NULL AND {still} THEN 1 ELSE 0 END
        FROM supervision_alarmstate s
        LEFT JOIN cases_case x ON x.id = s.case_id
        LEFT JOIN catalog_itemversion v ON v.id = x.item_version_id
        WHERE s.step_id IS NULL
          AND (CASE WHEN x.id IS NOT NULL AND {running} AND {level} <> 'normal' THEN 1 ELSE 0 END) = 0
    """, [*still_params, *running_params, *level_params])
    return [Change(case_id=case_id, step_id=None, department_id=dept, before=old,
                   after="normal" if still_running else "stopped", due=_as_date(due), state_id=pk)
            for pk, case_id, dept, old, due, still_running in rows]


def _open_step(levels: LevelSql, step: str, case: str) -> tuple[str, list]:
    """An open step with a due date near enough, of a running case (joined, never a subquery: a
    subquery inside a condition can make the planner rescan the cases for every step)."""
    running, params = levels.running(case, horizon=False)
    return (f"{step}.state = 'open' AND {step}.due_date IS NOT NULL AND {step}.due_date <= %s AND {running}",
            [_date(levels.horizon), *params])


def changed_steps(levels: LevelSql) -> list[Change]:
    level, level_params = levels.step_level("st")
    open_step, open_params = _open_step(levels, "st", "c")
    rows = _rows(f"""
        SELECT t.id, t.case_id, t.department_id, t.due_date, t.role, t.name, t.number, v.name, s.id, s.level, t.lvl
        FROM (SELECT st.id, st.case_id, st.department_id, st.due_date, st.role, st.name, c.number,
                     c.item_version_id, {level} AS lvl
              FROM cases_casestep st JOIN cases_case c ON c.id = st.case_id WHERE {open_step}) t
        JOIN catalog_itemversion v ON v.id = t.item_version_id
        LEFT JOIN supervision_alarmstate s ON s.step_id = t.id
        WHERE t.lvl <> 'normal' AND (s.id IS NULL OR s.level <> t.lvl OR s.due_date <> t.due_date)
    """, [*level_params, *open_params])
    return [Change(case_id=case_id, step_id=pk, department_id=dept, before=old or "normal", after=new,
                   due=_as_date(due), state_id=state, number=number, item=item, step_name=name, role=role)
            for pk, case_id, dept, due, role, name, number, item, state, old, new in rows]


def gone_steps(levels: LevelSql) -> list[Change]:
    level, level_params = levels.step_level("st")
    open_step, open_params = _open_step(levels, "st", "c")
    still, still_params = levels.running("c", horizon=False)
    rows = _rows(f"""
        SELECT s.id, s.case_id, s.step_id, s.department_id, s.level, s.due_date,
               CASE WHEN st.state = 'open' AND c.id IS NOT NULL AND {still} THEN 1 ELSE 0 END
        FROM supervision_alarmstate s
        LEFT JOIN cases_casestep st ON st.id = s.step_id
        LEFT JOIN cases_case c ON c.id = s.case_id
        WHERE s.step_id IS NOT NULL
          AND (CASE WHEN st.id IS NOT NULL AND c.id IS NOT NULL AND {open_step} AND {level} <> 'normal'
                    THEN 1 ELSE 0 END) = 0
    """, [*still_params, *open_params, *level_params])
    return [Change(case_id=case_id, step_id=step_id, department_id=dept, before=old,
                   after="normal" if still_open else "stopped", due=_as_date(due), state_id=pk)
            for pk, case_id, step_id, dept, old, due, still_open in rows]


def correct_engine_columns(levels: LevelSql) -> int:
    """Keep Case.alarm and CaseStep.alarm (which the case pages show) equal to the computed level."""
    item = "(SELECT v.item_id FROM catalog_itemversion v WHERE v.id = cases_case.item_version_id)"
    level, level_params = levels.case_level("cases_case", item)
    running, running_params = levels.running("cases_case")
    step_level, step_params = levels.step_level("cases_casestep")
    case_running, case_params = levels.running("c", horizon=False)
    open_filter = ("cases_casestep.state = 'open' AND cases_casestep.due_date IS NOT NULL "
                   "AND cases_casestep.due_date <= %s AND EXISTS (SELECT 1 FROM cases_case c "
                   f"WHERE c.id = cases_casestep.case_id AND {case_running})")
    open_params = [_date(levels.horizon), *case_params]
    alerts = list(ALERT_LEVELS)
    statements = [
        (f"UPDATE cases_case SET alarm = {level} WHERE {running} AND alarm <> {level}",
         [*level_params, *running_params, *level_params]),
        # Beyond the horizon every running case and open step is normal whatever its column says.
        (f"UPDATE cases_case SET alarm = 'normal' WHERE status IN {_in(RUNNING_STATUSES)} AND paused_since IS NULL "
         f"AND due_date > %s AND alarm IN {_in(alerts)}", [*RUNNING_STATUSES, _date(levels.horizon), *alerts]),
        (f"UPDATE cases_casestep SET alarm = {step_level} WHERE {open_filter} AND alarm <> {step_level}",
         [*step_params, *open_params, *step_params]),
        (f"UPDATE cases_casestep SET alarm = 'normal' WHERE state = 'open' AND due_date > %s "
         f"AND alarm IN {_in(alerts)}", [_date(levels.horizon), *alerts]),
    ]
    changed = 0
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            changed += max(cursor.rowcount, 0)
    return changed


def apply_changes(changes: list[Change], now: datetime.datetime) -> tuple[list[int], list[Change]]:
    """Write the states and the events; return the event ids and the changes they record."""
    new_states, updates, removed = [], defaultdict(list), []
    for change in changes:
        if change.after in ALERT_LEVELS:
            if change.state_id is None:
                new_states.append((change.case_id, change.step_id, change.department_id, change.after, change.due, now))
            else:
                updates[(change.after, change.due, change.before != change.after)].append(change.state_id)
        else:
            removed.append(change.state_id)
    bulk.insert_rows(AlarmState, ("case_id", "step_id", "department_id", "level", "due_date", "since"), new_states)
    for (level, due, moved), ids in updates.items():
        fields = {"level": level, "due_date": due, **({"since": now} if moved else {})}
        bulk.update_by_ids(AlarmState, fields, ids)
    bulk.delete_by_ids(AlarmState, removed)

    # An event once per (case or step, level, due date) for the alert levels (the database's unique
    # indexes decide: a repeat is not inserted); a level that only moved its due date (still
    # overdue after an extension, say) is no event at all.
    real = [c for c in changes if c.before != c.after]
    columns = ("case_id", "step_id", "department_id", "from_level", "to_level", "due_date", "at")
    alerts = ", ".join(f"'{level}'" for level in ALERT_LEVELS)
    recorded: list[Change] = []
    ids: list[int] = []
    for on_steps, target in ((False, "case_id"), (True, "step_id")):
        part = [c for c in real if (c.step_id is not None) == on_steps]
        null = "IS NOT NULL" if on_steps else "IS NULL"
        inserted = bulk.insert_rows(
            AlarmEvent, columns, [(c.case_id, c.step_id, c.department_id, c.before, c.after, c.due, now) for c in part],
            returning=("id", "case_id", "step_id"),
            suffix=f"ON CONFLICT ({target}, to_level, due_date) WHERE step_id {null} AND to_level IN ({alerts}) "
                   "DO NOTHING",
        )
        by_key = {(case_id, step_id): pk for pk, case_id, step_id in inserted}
        for change in part:
            pk = by_key.get((change.case_id, change.step_id))
            if pk is not None:
                ids.append(pk)
                recorded.append(change)
    return ids, recorded


def sweep_levels(today: datetime.date, now: datetime.datetime) -> tuple[list[int], list[Change], int]:
    """Find and record every change of level; correct the engine's columns. (event ids, changes, columns fixed)"""
    levels = LevelSql(today)
    changes = changed_cases(levels) + gone_cases(levels) + changed_steps(levels) + gone_steps(levels)
    ids, recorded = apply_changes(changes, now)
    fixed = correct_engine_columns(levels)
    return ids, recorded, fixed

