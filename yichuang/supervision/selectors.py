"""Reads of electronic supervision: statistics from the rollups, dashboards, alarm board, audits, interviews.

Scope: supervisors and centre admins see their region and the regions below it; a department's
approvers and reviewers see their own department; the superuser everything. Case lists go
through `cases_visible_to`; statistics filter the rollups by the same departments and centres.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Count, F, Max, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yichuang.cases.models import Case, CaseEvent, CaseStep
from yichuang.cases.selectors import cases_visible_to
from yichuang.catalog.models import Item, ItemVersion
from yichuang.core.calendar import workdays_between
from yichuang.org.models import Department, Role, ServiceCentre, User, Window

from .metrics import ALL_COUNTERS, compute_all
from .models import (
    LEVEL_RANK,
    AlarmState,
    AuditDefect,
    AuditRound,
    AuditSample,
    FollowUp,
    Interview,
    Notification,
    StatRollup,
    SupervisionSettings,
    SweepMark,
)
from .rollups import _month_end

# --- who sees what ---------------------------------------------------------------------------------


def can_supervise(user) -> bool:
    return bool(getattr(user, "is_superuser", False) or (
        getattr(user, "is_authenticated", False) and user.has_role(Role.Code.SUPERVISOR)))


def can_see_statistics(user) -> bool:
    return bool(getattr(user, "is_superuser", False) or (
        getattr(user, "is_authenticated", False)
        and user.has_role(Role.Code.SUPERVISOR, Role.Code.ADMIN, Role.Code.APPROVER)))


def can_see_alarms(user) -> bool:
    return bool(getattr(user, "is_superuser", False) or (
        getattr(user, "is_authenticated", False)
        and user.has_role(Role.Code.SUPERVISOR, Role.Code.ADMIN, Role.Code.APPROVER, Role.Code.REVIEWER)))


@dataclass(frozen=True)
class Scope:
    """None means everything; otherwise the department and centre ids whose figures the user may see."""

    departments: frozenset[int] | None
    centres: frozenset[int] = frozenset()

    @property
    def everything(self) -> bool:
        return self.departments is None

    def rollup_q(self) -> Q:
        if self.everything:
            return Q()
        return Q(department_id__in=self.departments) | Q(centre_id__in=self.centres)

    def allows_department(self, department_id: int) -> bool:
        return self.everything or department_id in self.departments


def scope_for(user) -> Scope:
    if getattr(user, "is_superuser", False):
        return Scope(None)
    if not getattr(user, "is_authenticated", False):
        return Scope(frozenset())
    departments: set[int] = set()
    centres: set[int] = set()
    if user.region_id and user.has_role(Role.Code.SUPERVISOR, Role.Code.ADMIN):
        prefix = user.region.prefix
        departments |= set(Department.objects.filter(region__code__startswith=prefix).values_list("pk", flat=True))
        centres |= set(ServiceCentre.objects.filter(region__code__startswith=prefix).values_list("pk", flat=True))
    if user.department_id and user.has_role(Role.Code.APPROVER, Role.Code.REVIEWER):
        departments.add(user.department_id)
    return Scope(frozenset(departments), frozenset(centres))


def departments_in_scope(scope: Scope) -> QuerySet[Department]:
    rows = Department.objects.filter(is_active=True)
    if not scope.everything:
        rows = rows.filter(pk__in=scope.departments)
    return rows.order_by("sort_order", "code")


# --- statistics ---------------------------------------------------------------------------------------

SLICES = {
    "": gettext_lazy("合计"),
    "centre": gettext_lazy("中心"),
    "point": gettext_lazy("中心及站点"),
    "department": gettext_lazy("部门"),
    "window": gettext_lazy("窗口"),
    "staff": gettext_lazy("工作人员"),
    "item": gettext_lazy("事项"),
    "channel": gettext_lazy("渠道"),
    "month": gettext_lazy("月份"),
    "day": gettext_lazy("日期"),
}
SLICE_COLUMN = {"centre": "centre_id", "point": "centre_id", "department": "department_id", "window": "window_id",
                "staff": "staff_id", "item": "item_id", "channel": "channel", "month": "day", "day": "day"}
FILTERS = ("department", "centre", "point", "window", "staff", "item", "channel")


@dataclass
class StatQuery:
    start: datetime.date
    end: datetime.date
    slice: str = ""
    filters: dict = field(default_factory=dict)


@dataclass
class StatRow:
    key: object
    label: str
    sums: dict
    figures: dict


@dataclass
class StatTable:
    query: StatQuery
    rows: list[StatRow]
    total: StatRow

    @property
    def slice_label(self) -> str:
        return str(SLICES.get(self.query.slice, ""))


def period_q(start: datetime.date, end: datetime.date, *, days_only: bool = False, coarse: bool = False) -> Q:
    """Month rows for the whole months inside [start, end], day rows for the rest.

    `coarse`: the grain without window and staff (far fewer rows), for questions about neither.
    """
    day_period, month_period = ("d", "m") if coarse else ("D", "M")
    if days_only:
        return Q(period=day_period, day__gte=start, day__lte=end)
    first_full = start if start.day == 1 else (start.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    months = []
    month = first_full
    while _month_end(month) <= end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    if not months:
        return Q(period=day_period, day__gte=start, day__lte=end)
    condition = Q(period=month_period, day__in=months)
    if start < months[0]:
        condition |= Q(period=day_period, day__gte=start, day__lt=months[0])
    last_end = _month_end(months[-1])
    if last_end < end:
        condition |= Q(period=day_period, day__gt=last_end, day__lte=end)
    return condition


FULL_GRAIN_ONLY = {"window", "staff"}


def needs_full_grain(slice_name: str, filters: dict) -> bool:
    return slice_name in FULL_GRAIN_ONLY or any(filters.get(name) for name in FULL_GRAIN_ONLY)


def _filter_q(filters: dict) -> Q:
    condition = Q()
    for name, value in filters.items():
        if value in (None, ""):
            continue
        if name == "centre":
            ids = [int(value), *ServiceCentre.objects.filter(parent_id=int(value)).values_list("pk", flat=True)]
            condition &= Q(centre_id__in=ids)
        elif name == "point":
            condition &= Q(centre_id=int(value))
        elif name == "channel":
            condition &= Q(channel=str(value))
        elif name in ("department", "window", "staff", "item"):
            condition &= Q(**{f"{name}_id": int(value)})
    return condition


def _sums(rows) -> dict:
    total = dict.fromkeys(ALL_COUNTERS, 0)
    for row in rows:
        for name in ALL_COUNTERS:
            total[name] += row.get(name) or 0
    return total


def rollup_sums(condition: Q, group: tuple[str, ...], counters=ALL_COUNTERS) -> list[dict]:
    rows = StatRollup.objects.filter(condition)
    if group:
        rows = rows.values(*group).order_by()
        return list(rows.annotate(**{name: Sum(name) for name in counters}))
    return [rows.aggregate(**{name: Sum(name) for name in counters})]


def _root_centres() -> dict[int, int]:
    return {pk: parent or pk for pk, parent in ServiceCentre.objects.values_list("pk", "parent_id")}


def slice_labels(slice_name: str, keys) -> dict:
    keys = [k for k in keys if k not in (None, "")]
    if slice_name == "department":
        return {d.pk: d.display_name for d in Department.objects.filter(pk__in=keys)}
    if slice_name in ("centre", "point"):
        return dict(ServiceCentre.objects.filter(pk__in=keys).values_list("pk", "name"))
    if slice_name == "window":
        labels = {w.pk: f"{w.centre.name} {w.number} {w.name}" for w in
                  Window.objects.filter(pk__in=keys).select_related("centre")}
        labels[0] = _("（未指定窗口）")
        return labels
    if slice_name == "staff":
        labels = {u.pk: str(u) for u in User.objects.filter(pk__in=keys).only("username", "display_name")}
        labels[0] = _("（系统）")
        return labels
    if slice_name == "item":
        names = {}
        for item in Item.objects.filter(pk__in=keys).select_related("current"):
            names[item.pk] = item.current.name if item.current else None
        missing = [k for k, v in names.items() if not v]
        for item_id, name in ItemVersion.objects.filter(item_id__in=missing).order_by("item_id", "-version_no").values_list(
                "item_id", "name"):
            if not names.get(item_id):
                names[item_id] = name
        return names
    if slice_name == "channel":
        return {k: str(label) for k, label in Case.Channel.choices}
    if slice_name == "month":
        return {k: f"{k:%Y-%m}" for k in keys}
    if slice_name == "day":
        return {k: k.isoformat() for k in keys}
    return {}


def statistics(scope: Scope, query: StatQuery) -> StatTable:
    """The figures of METRICS for the period, one row per value of the slice and a total row."""
    slice_name = query.slice if query.slice in SLICES else ""
    coarse = not needs_full_grain(slice_name, query.filters)
    condition = period_q(query.start, query.end, days_only=slice_name == "day", coarse=coarse)
    condition &= _filter_q(query.filters)
    condition &= scope.rollup_q()
    group = ()
    if slice_name in ("month",):
        group = ("day",)
    elif slice_name:
        group = (SLICE_COLUMN[slice_name],)
    raw = rollup_sums(condition, group)
    if not slice_name:
        sums = {name: (raw[0].get(name) or 0) for name in ALL_COUNTERS}
        total = StatRow("", _("合计"), sums, compute_all(sums))
        return StatTable(query, [], total)
    column = group[0]
    folded: dict = defaultdict(list)
    roots = _root_centres() if slice_name == "centre" else {}
    for row in raw:
        key = row[column]
        if slice_name == "centre":
            key = roots.get(key, key)
        elif slice_name == "month":
            key = key.replace(day=1)
        folded[key].append(row)
    labels = slice_labels(slice_name, list(folded))
    rows = []
    for key, parts in folded.items():
        sums = _sums(parts)
        rows.append(StatRow(key, labels.get(key) or str(key), sums, compute_all(sums)))
    if slice_name in ("day", "month"):
        rows.sort(key=lambda r: r.key)
    else:
        rows.sort(key=lambda r: (-r.sums["received"], -r.sums["closed"], r.label))
    total_sums = _sums(r.sums for r in rows)
    return StatTable(query, rows, StatRow("", _("合计"), total_sums, compute_all(total_sums)))


def filter_choices(scope: Scope) -> dict:
    """The values offered in the statistics filters, within the user's scope."""
    departments = list(departments_in_scope(scope).values_list("pk", "name"))
    centres = ServiceCentre.objects.filter(is_active=True)
    if not scope.everything:
        centres = centres.filter(Q(pk__in=scope.centres) | Q(departments__in=scope.departments)).distinct()
    centre_rows = list(centres.order_by("region__code", "name").values_list("pk", "name", "parent_id"))
    items = Item.objects.filter(current__isnull=False).select_related("current")
    if not scope.everything:
        items = items.filter(current__department__in=scope.departments)
    return {
        "departments": departments,
        "centres": [(pk, name) for pk, name, parent in centre_rows if parent is None],
        "points": [(pk, name) for pk, name, _parent in centre_rows],
        "windows": list(Window.objects.filter(centre__in=[c[0] for c in centre_rows]).order_by("centre", "number")
                        .values_list("pk", "number", "name")),
        "items": sorted(((i.pk, i.current.name) for i in items), key=lambda pair: pair[1]),
        "channels": list(Case.Channel.choices),
    }


# --- dashboards ----------------------------------------------------------------------------------------

DASH_COUNTERS = ("received", "accepted", "not_accepted", "closed", "on_time", "cohort_closed", "cohort_ended",
                 "online_received", "delivered", "one_visit", "zero_visit", "late")


def _rate(numerator: int, denominator: int):
    return round(numerator * 100 / denominator, 1) if denominator else None


def _hall_panel(today: datetime.date, scope: Scope) -> dict | None:
    """Today's queue tickets, from the hall app's `dashboard_tickets(today=…)` once that app is installed."""
    if not apps.is_installed("yichuang.hall"):
        return None
    try:
        from yichuang.hall.selectors import dashboard_tickets
    except ImportError:
        return None
    return dashboard_tickets(today=today)


def _ratings_panel(today: datetime.date, scope: Scope) -> dict:
    """Ratings (好差评) of the last 30 days, from feedback's summary; the definition of 满意率 goes with it."""
    from .feedback_link import RATING_METRICS_BY_KEY, RatingFigures, rating_figures
    from .ratings_stats import scope_parts

    first = today - datetime.timedelta(days=29)
    figures = RatingFigures()
    for part in scope_parts(scope):
        figures = figures + rating_figures(start=first, end=today, **part)
    values, shown = figures.as_dict(), figures.display()
    keys = ("ratings", "satisfaction_rate", "very_satisfied", "satisfied", "basic", "dissatisfied",
            "very_dissatisfied", "bad", "rectification_rate")
    levels = keys[2:7]
    items = [{"key": k, "label": str(RATING_METRICS_BY_KEY[k].label), "value": shown[k]}
             for k in ("ratings", "satisfaction_rate")]
    items.append({"key": "levels", "label": " / ".join(str(RATING_METRICS_BY_KEY[k].label) for k in levels),
                  "value": " / ".join(shown[k] for k in levels)})
    items += [{"key": k, "label": str(RATING_METRICS_BY_KEY[k].label), "value": shown[k]}
              for k in ("bad", "rectification_rate")]
    return {
        "items": items,
        "values": {k: values[k] for k in keys},
        "note": str(RATING_METRICS_BY_KEY["satisfaction_rate"].definition),
    }


def dashboard_title() -> str:
    """The name the big screen shows: the main service centre (the first one without a parent)."""
    return (ServiceCentre.objects.filter(is_active=True, parent__isnull=True).order_by("region__code", "pk")
            .values_list("name", flat=True).first() or "")


def dashboard_payload(scope: Scope, *, today: datetime.date | None = None, staff: bool = False) -> dict:
    """Everything the big screen shows, as plain numbers (no personal data unless `staff`)."""
    today = today or timezone.localdate()
    first = today - datetime.timedelta(days=29)
    condition = Q(period="d", day__gte=first, day__lte=today) & scope.rollup_q()
    rows = rollup_sums(condition, ("day", "department_id"), DASH_COUNTERS)
    departments = list(departments_in_scope(scope).values_list("pk", "short_name", "name"))
    by_day: dict = defaultdict(lambda: dict.fromkeys(DASH_COUNTERS, 0))
    by_dept: dict = defaultdict(lambda: dict.fromkeys(DASH_COUNTERS, 0))
    today_by_dept: dict = defaultdict(lambda: dict.fromkeys(DASH_COUNTERS, 0))
    for row in rows:
        for name in DASH_COUNTERS:
            value = row[name] or 0
            by_day[row["day"]][name] += value
            by_dept[row["department_id"]][name] += value
            if row["day"] == today:
                today_by_dept[row["department_id"]][name] += value
    mark = SweepMark.objects.filter(pk=1).values("snapshot", "snapshot_at", "last_sweep_at").first() or {}
    snapshot = mark.get("snapshot") or {}
    open_by_dept = {int(k): v for k, v in (snapshot.get("open") or {}).items()}
    alarms_by_dept = {int(k): v for k, v in (snapshot.get("alarms") or {}).items()}

    dept_rows = []
    for pk, short, name in departments:
        month = by_dept.get(pk, {})
        day = today_by_dept.get(pk, {})
        alarm = alarms_by_dept.get(pk, {})
        entry = {
            "name": short or name,
            "received_today": day.get("received", 0), "closed_today": day.get("closed", 0),
            "received_30d": month.get("received", 0), "closed_30d": month.get("closed", 0),
            "on_time_rate_30d": _rate(month.get("on_time", 0), month.get("closed", 0)),
            "closure_rate_30d": _rate(month.get("cohort_closed", 0), month.get("accepted", 0)),
            "open": open_by_dept.get(pk, 0),
            "yellow": alarm.get("yellow", 0), "red": alarm.get("red", 0), "overdue": alarm.get("overdue", 0),
        }
        if staff:
            entry["id"] = pk
        dept_rows.append(entry)
    dept_rows.sort(key=lambda d: (-d["received_30d"], d["name"]))

    totals_30 = {name: sum(d[name] for d in by_day.values()) for name in DASH_COUNTERS}
    totals_today = by_day.get(today, dict.fromkeys(DASH_COUNTERS, 0))
    days = [first + datetime.timedelta(days=i) for i in range(30)]
    payload = {
        "today": today.isoformat(),
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "as_of": timezone.localtime(mark["last_sweep_at"]).isoformat(timespec="seconds")
        if mark.get("last_sweep_at") else None,
        "figures": {
            "received_today": totals_today["received"],
            "accepted_today": totals_today["accepted"],
            "closed_today": totals_today["closed"],
            "delivered_today": totals_today["delivered"],
            "open": sum(open_by_dept.get(pk, 0) for pk, _s, _n in departments),
            "yellow": sum(d["yellow"] for d in dept_rows),
            "red": sum(d["red"] for d in dept_rows),
            "overdue": sum(d["overdue"] for d in dept_rows),
        },
        "rates_30d": {
            "closure_rate": _rate(totals_30["cohort_closed"], totals_30["accepted"]),
            "on_time_rate": _rate(totals_30["on_time"], totals_30["closed"]),
            "online_rate": _rate(totals_30["online_received"], totals_30["received"]),
            "one_visit_rate": _rate(totals_30["one_visit"], totals_30["delivered"]),
        },
        "departments": dept_rows,
        "trend": {
            "days": [d.isoformat() for d in days],
            "received": [by_day[d]["received"] if d in by_day else 0 for d in days],
            "closed": [by_day[d]["closed"] if d in by_day else 0 for d in days],
            "on_time_rate": [_rate(by_day[d]["on_time"], by_day[d]["closed"]) if d in by_day else None for d in days],
        },
        "hall": _hall_panel(today, scope),
        "ratings": _ratings_panel(today, scope),
    }
    return payload


# --- alarm board ---------------------------------------------------------------------------------------


@dataclass
class AlarmRow:
    case: Case
    level: str
    due_date: datetime.date | None
    since: datetime.datetime | None
    age: int
    steps: list = field(default_factory=list)
    handlers: list = field(default_factory=list)
    followups: list = field(default_factory=list)

    @property
    def level_label(self) -> str:
        if self.level == "normal":
            return _("环节预警")
        return str(dict(Case.Alarm.choices).get(self.level, self.level))

    @property
    def worst_step(self) -> int:
        return max((LEVEL_RANK[level] for _name, level, _due in self.steps), default=0)


ALARM_FILTERS = ("yellow", "red", "overdue", "step")


def alarm_board(user, *, department_id: int | None = None, level: str = "",
                today: datetime.date | None = None) -> list[tuple[Department, list[AlarmRow]]]:
    """Cases with a yellow, red or overdue alarm, grouped by department; the level is the case's,
    the alarms of its open steps are listed with it (a case whose only alarm is on a step has level
    "normal" and is found with the filter "step")."""
    today = today or timezone.localdate()
    visible = cases_visible_to(user).values("pk")
    states = AlarmState.objects.filter(case__in=visible)
    if department_id:
        states = states.filter(department_id=department_id)
    by_case: dict[int, list[AlarmState]] = defaultdict(list)
    for state in states.select_related("step").order_by("due_date"):
        by_case[state.case_id].append(state)
    if not by_case:
        return []
    cases = {c.pk: c for c in Case.objects.filter(pk__in=list(by_case)).select_related(
        "item_version", "department__region", "centre").prefetch_related(
        Prefetch("steps", queryset=CaseStep.objects.filter(state=CaseStep.State.OPEN), to_attr="open_steps"))}
    followups = defaultdict(list)
    for item in FollowUp.objects.filter(case_id__in=list(by_case)).select_related("created_by", "outcome_by"):
        followups[item.case_id].append(item)
    wanted = {(s.department_id, s.role) for c in cases.values() for s in c.open_steps}
    handlers = defaultdict(list)
    if wanted:
        for person in User.objects.filter(is_active=True, department_id__in={d for d, _r in wanted},
                                          roles__code__in={r for _d, r in wanted}).annotate(
                role_code=F("roles__code")).only("username", "display_name", "department_id"):
            handlers[(person.department_id, person.role_code)].append(str(person))
    groups: dict[int, list[AlarmRow]] = defaultdict(list)
    for case_id, rows in by_case.items():
        case = cases.get(case_id)
        if case is None:
            continue
        own = next((s for s in rows if s.step_id is None), None)
        row_level = own.level if own else "normal"
        if level and (row_level != level if level != "step" else own is not None):
            continue
        region = case.department.region
        due = own.due_date if own else case.due_date
        if row_level == "overdue":
            age = workdays_between(due, today, region)
        elif row_level == "yellow":
            age = workdays_between(today, due, region)
        else:
            age = 0
        names = sorted({n for s in case.open_steps for n in handlers.get((s.department_id, s.role), [])})
        groups[case.department_id].append(AlarmRow(
            case=case, level=row_level, due_date=due, since=own.since if own else None, age=age,
            steps=[(s.step.name, s.level, s.due_date) for s in rows if s.step_id], handlers=names,
            followups=sorted(followups.get(case_id, []), key=lambda f: f.created_at, reverse=True),
        ))
    departments = {d.pk: d for d in Department.objects.filter(pk__in=list(groups))}
    result = []
    for dept_id, rows in groups.items():
        rows.sort(key=lambda r: (-LEVEL_RANK[r.level], -r.age if r.level == "overdue" else r.age, -r.worst_step,
                                 r.due_date or today))
        result.append((departments[dept_id], rows))
    result.sort(key=lambda pair: (-sum(LEVEL_RANK[r.level] for r in pair[1]), pair[0].sort_order, pair[0].code))
    return result


def alarm_counts(board) -> dict:
    counts = {"yellow": 0, "red": 0, "overdue": 0, "step": 0}
    for _dept, rows in board:
        for row in rows:
            counts["step" if row.level == "normal" else row.level] += 1
    return counts


def followups_open(user) -> QuerySet[FollowUp]:
    return (FollowUp.objects.filter(case__in=cases_visible_to(user).values("pk"), state=FollowUp.State.OPEN)
            .select_related("case", "department", "created_by").order_by("deadline", "created_at"))


# --- reminders --------------------------------------------------------------------------------------------


def my_notifications(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("case").order_by("-created_at", "-id")


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# --- audits ----------------------------------------------------------------------------------------------


def audit_rounds(user) -> QuerySet[AuditRound]:
    scope = scope_for(user)
    rounds = AuditRound.objects.select_related("department", "drawn_by").annotate(
        audited=Count("samples", filter=~Q(samples__finding="pending")),
        defects=Count("samples", filter=Q(samples__finding="defect")),
        drawn=Count("samples"),
    )
    if not scope.everything:
        rounds = rounds.filter(department_id__in=scope.departments)
    return rounds.order_by("-month", "department__sort_order")


def audit_round_for(user, pk: int) -> AuditRound | None:
    return audit_rounds(user).filter(pk=pk).first()


def audit_samples(audit_round: AuditRound) -> QuerySet[AuditSample]:
    return audit_round.samples.select_related("case__item_version", "case__applicant", "audited_by").prefetch_related(
        "defects").order_by("position")


def defects_for(user, *, state: str = "") -> QuerySet[AuditDefect]:
    scope = scope_for(user)
    rows = AuditDefect.objects.select_related("department", "sample__case__item_version", "sample__round",
                                              "responded_by", "closed_by")
    if not scope.everything:
        rows = rows.filter(department_id__in=scope.departments)
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("state", "deadline", "id")


# --- interview list ----------------------------------------------------------------------------------------


def supervision_settings() -> SupervisionSettings:
    return SupervisionSettings.objects.order_by("pk").first() or SupervisionSettings()


def _previous_month(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    last = today.replace(day=1) - datetime.timedelta(days=1)
    return last.replace(day=1), last


def interview_list(user, *, today: datetime.date | None = None) -> dict:
    """Who should be interviewed and why: the evidence with each, and the interview held since, if any."""
    today = today or timezone.localdate()
    rules = supervision_settings()
    visible = cases_visible_to(user)
    scope = scope_for(user)
    held = defaultdict(list)
    for interview in Interview.objects.select_related("recorded_by").order_by("-held_on"):
        held[(interview.kind, interview.case_id or interview.staff_id or interview.department_id)].append(interview)

    flagged = list(visible.filter(interview_flag=True).order_by("-send_backs", "received_at"))
    send_backs = defaultdict(list)
    for event in CaseEvent.objects.filter(case__in=[c.pk for c in flagged], action="send_back").order_by("at"):
        send_backs[event.case_id].append(event)
    cases = [{"case": c, "evidence": send_backs.get(c.pk, []), "interviews": held.get(("case", c.pk), [])}
             for c in flagged]

    since = timezone.now() - datetime.timedelta(days=rules.lookback_days)
    late_steps = (
        CaseStep.objects.filter(case__in=visible.values("pk"), state=CaseStep.State.DONE, handled_by__isnull=False,
                                finished_at__gte=since, due_date__isnull=False)
        .annotate(finished_day=TruncDate("finished_at")).filter(finished_day__gt=F("due_date"))
        .select_related("case", "handled_by", "department").order_by("handled_by_id", "finished_at")
    )
    by_handler = defaultdict(list)
    for step in late_steps:
        by_handler[step.handled_by_id].append(step)
    handlers = []
    for _uid, steps in by_handler.items():
        if len(steps) < rules.overdue_steps_threshold:
            continue
        person = steps[0].handled_by
        since_day = timezone.localdate(since)
        handlers.append({"staff": person, "department": steps[0].department, "evidence": steps,
                         "interviews": [i for i in held.get(("handler", person.pk), []) if i.held_on >= since_day]})
    handlers.sort(key=lambda h: -len(h["evidence"]))

    start, end = _previous_month(today)
    rows = rollup_sums(Q(period="m", day=start) & scope.rollup_q(), ("department_id",),
                       ("closed", "on_time", "late"))
    names = {d.pk: d for d in Department.objects.filter(pk__in=[r["department_id"] for r in rows])}
    departments = []
    threshold = float(rules.on_time_rate_threshold)
    for row in rows:
        closed = row["closed"] or 0
        if closed < rules.min_closed:
            continue
        rate = round((row["on_time"] or 0) * 100 / closed, 1)
        if rate < threshold:
            department = names[row["department_id"]]
            departments.append({
                "department": department, "closed": closed, "on_time": row["on_time"], "late": row["late"],
                "rate": rate, "month": start,
                "interviews": [i for i in held.get(("department", department.pk), []) if i.held_on >= start],
            })
    departments.sort(key=lambda d: d["rate"])
    return {"cases": cases, "handlers": handlers, "departments": departments, "rules": rules,
            "month": start, "since": timezone.localdate(since)}


def latest_sweep() -> dict:
    return SweepMark.objects.filter(pk=1).values("last_sweep_at", "last_sweep", "last_event_id").first() or {}


def last_activity_day() -> datetime.date | None:
    return StatRollup.objects.filter(period="d").aggregate(last=Max("day"))["last"]

