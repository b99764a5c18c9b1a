"""Every write of electronic supervision: the alarm sweep, follow-ups, reminders, audits, interviews.

The sweep (`alarm_sweep`) runs every minute from `yichuang supervision sweep --loop 60` (or as
a django-tasks task). It takes one lock row for its whole alarm pass, so two sweeps started at
once run one after the other and the second finds nothing left to change; the unique
constraints on alarm events and on (event, recipient) of notifications say the same thing to
the database.
"""

import datetime
import logging
import random
import secrets
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from yichuang.cases.models import DECIDED_STATUSES, OPEN_STATUSES, Case, CaseStep
from yichuang.core.audit import audit_record
from yichuang.core.calendar import add_workdays
from yichuang.org.models import Department, Role, User

from . import alarms, bulk, rollups
from .models import (
    LEVEL_RANK,
    AlarmLevel,
    AlarmRule,
    AlarmState,
    AuditDefect,
    AuditRound,
    AuditSample,
    AuditSetting,
    DefectCategory,
    FollowUp,
    Interview,
    Notification,
)

log = logging.getLogger(__name__)

CHUNK = bulk.MAX_PARAMS - 10


def _chunks(values, size=CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _is_supervisor(user) -> bool:
    return bool(getattr(user, "is_superuser", False) or (
        getattr(user, "is_authenticated", False) and user.has_role(Role.Code.SUPERVISOR)))


def _require_supervisor(user) -> None:
    if not _is_supervisor(user):
        raise PermissionDenied(_("此操作需要「电子监察人员」角色。"))


# --- notifications ------------------------------------------------------------------------------


class NotificationBackend:
    """Delivers reminders beyond the in-app list (我的提醒), e.g. by SMS. Called after commit."""

    def deliver(self, notifications: list[Notification]) -> None:  # pragma: no cover - interface
        raise NotImplementedError


def notification_backends() -> list[NotificationBackend]:
    return [import_string(path)() for path in getattr(settings, "SUPERVISION_NOTIFICATION_BACKENDS", [])]


def _deliver_after_commit(notifications: list[Notification]) -> None:
    if not notifications:
        return
    ids = [n.pk for n in notifications]

    def deliver():
        rows = list(Notification.objects.filter(pk__in=ids).select_related("recipient"))
        for backend in notification_backends():
            try:
                backend.deliver(rows)
            except Exception:  # one failing gateway must not stop the others or the sweep
                log.exception("notification backend %s failed", type(backend).__name__)

    transaction.on_commit(deliver)


def notify(*, recipients, kind: str, text: str, link: str = "", case: Case | None = None,
           level: str = "", at: datetime.datetime | None = None) -> list[Notification]:
    """Write one reminder per recipient (each once) and hand them to the delivery backends after commit."""
    at = at or timezone.now()
    unique = {u.pk if hasattr(u, "pk") else int(u) for u in recipients if u}
    rows = Notification.objects.bulk_create([
        Notification(recipient_id=uid, kind=kind, text=text[:500], link=link, case=case, level=level, created_at=at)
        for uid in sorted(unique)
    ])
    _deliver_after_commit(rows)
    return rows


@transaction.atomic
def notifications_mark_read(*, actor, ids: list[int] | None = None, at: datetime.datetime | None = None) -> int:
    """Mark the actor's reminders read (all unread ones when ids is None). Only one's own."""
    rows = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=at or timezone.now())


# --- the alarm sweep ------------------------------------------------------------------------------


@dataclass
class SweepReport:
    today: datetime.date
    changes: dict = field(default_factory=dict)
    events: int = 0
    notifications: int = 0
    alarm_updates: int = 0
    rollup_events: int = 0
    audits_drawn: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"today": self.today.isoformat(), "changes": self.changes, "events": self.events,
                "notifications": self.notifications, "alarm_updates": self.alarm_updates,
                "rollup_events": self.rollup_events, "audits_drawn": self.audits_drawn,
                "seconds": round(self.seconds, 3)}


def _staff_by_role(department_ids: set[int], roles: set[str]) -> dict[tuple[int, str], list[int]]:
    found = defaultdict(list)
    for chunk in _chunks(sorted(department_ids)):
        rows = User.objects.filter(is_active=True, department_id__in=chunk, roles__code__in=roles).values_list(
            "id", "department_id", "roles__code")
        for uid, dept, role in rows:
            found[(dept, role)].append(uid)
    return found


def _alarm_texts() -> dict[str, str]:
    """The reminder texts, translated once per sweep."""
    return {
        "case": _("办件 %(n)s「%(i)s」"),
        "step": _("的「%(s)s」环节"),
        AlarmLevel.YELLOW: _("【黄牌预警】%(s)s将于 %(d)s 到期，请抓紧办理。"),
        AlarmLevel.RED: _("【红牌】%(s)s今日（%(d)s）到期，请今日办结。"),
        AlarmLevel.OVERDUE: _("【超期】%(s)s已超过到期日 %(d)s，请立即办理并向监察人员说明原因。"),
    }


def _alarm_text(change: alarms.Change, texts: dict[str, str]) -> str:
    subject = texts["case"] % {"n": change.number, "i": change.item}
    if change.step_id:
        subject += texts["step"] % {"s": change.step_name}
    return texts[change.after] % {"s": subject, "d": change.due}


def _sweep_alarms(report: SweepReport, now: datetime.datetime) -> None:
    event_ids, recorded, fixed = alarms.sweep_levels(report.today, now)
    report.events = len(event_ids)
    for change in recorded:
        report.changes[str(change.after)] = report.changes.get(str(change.after), 0) + 1
    escalations = [(event_id, change) for event_id, change in zip(event_ids, recorded, strict=True)
                   if LEVEL_RANK[change.after] > LEVEL_RANK[change.before]]
    report.notifications = _notify_escalations(escalations, report.today, now)
    report.alarm_updates = fixed


def _notify_escalations(escalations: list[tuple[int, alarms.Change]], today, now) -> int:
    """One reminder per case and recipient: the handler always, the department head for red and overdue."""
    if not escalations:
        return 0
    by_case: dict[int, list[tuple[int, alarms.Change]]] = defaultdict(list)
    for event_id, change in escalations:
        by_case[change.case_id].append((event_id, change))
    # This sweep's events are the only ones in their id range (sweeps take turns on the lock row).
    first, last = min(e for e, _c in escalations), max(e for e, _c in escalations)
    open_steps: dict[int, list[tuple[int, str]]] = defaultdict(list)
    received_by: dict[int, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT e.case_id, st.department_id, st.role FROM supervision_alarmevent e "
            "JOIN cases_casestep st ON st.case_id = e.case_id AND st.state = 'open' WHERE e.id BETWEEN %s AND %s",
            [first, last])
        for case_id, dept, role in cursor.fetchall():
            open_steps[case_id].append((dept, role))
        cursor.execute(
            "SELECT DISTINCT e.case_id, c.received_by_id FROM supervision_alarmevent e "
            "JOIN cases_case c ON c.id = e.case_id WHERE e.id BETWEEN %s AND %s", [first, last])
        received_by.update(cursor.fetchall())
    departments = {c.department_id for _e, c in escalations} | {d for steps in open_steps.values() for d, _r in steps}
    roles = {r for steps in open_steps.values() for _d, r in steps} | {c.role for _e, c in escalations if c.role}
    staff = _staff_by_role(departments, roles | {Role.Code.APPROVER})
    texts = _alarm_texts()

    rows = []
    for case_id, items in by_case.items():
        items.sort(key=lambda pair: (pair[1].step_id is not None, -LEVEL_RANK[pair[1].after]))
        primary_event, primary = items[0]
        recipients: set[int] = set()
        for _event, change in items:
            handler_keys = [(change.department_id, change.role)] if change.step_id else open_steps.get(case_id, [])
            handlers = [uid for key in handler_keys for uid in staff.get(key, [])]
            if not handlers and received_by.get(case_id):
                handlers = [received_by[case_id]]
            recipients |= set(handlers)
            if change.after in (AlarmLevel.RED, AlarmLevel.OVERDUE):
                recipients |= set(staff.get((change.department_id, Role.Code.APPROVER), []))
        text = "；".join(_alarm_text(c, texts) for _e, c in items)[:500]
        link = f"/office/case/{case_id}/"
        for uid in sorted(recipients):
            rows.append((uid, Notification.Kind.ALARM, primary.after, text, link, case_id, primary_event, now))
    inserted = bulk.insert_rows(Notification, ("recipient_id", "kind", "level", "text", "link", "case_id",
                                               "alarm_event_id", "created_at"), rows,
                                returning=("id",) if notification_backends() else ())
    if inserted:
        _deliver_after_commit([Notification(pk=row[0]) for row in inserted])
    return len(rows)


def _snapshot() -> dict:
    """Open cases and current alarms per department, for the dashboards (read once per sweep)."""
    open_by_dept = dict(Case.objects.filter(status__in=OPEN_STATUSES).values("department_id")
                        .annotate(n=Count("id")).values_list("department_id", "n"))
    alarms: dict[str, dict[str, int]] = defaultdict(dict)
    for dept, level, n in (AlarmState.objects.filter(step__isnull=True).values("department_id", "level")
                           .annotate(n=Count("id")).values_list("department_id", "level", "n")):
        alarms[str(dept)][level] = n
    return {"open": {str(k): v for k, v in open_by_dept.items()}, "alarms": alarms}


def alarm_sweep(*, today: datetime.date | None = None, now: datetime.datetime | None = None,
                rollups_too: bool = True, audits_too: bool = True) -> SweepReport:
    """Move running cases and open steps between normal, yellow, red and overdue; then the rollups.

    Idempotent: a second run the same day changes nothing. Safe with several workers: the lock
    row serialises them.
    """
    started = time.monotonic()
    now = now or timezone.now()
    report = SweepReport(today=today or timezone.localdate(now))
    with transaction.atomic():
        mark = rollups.lock_mark()
        _sweep_alarms(report, now)
        mark.snapshot = _snapshot()
        mark.snapshot_at = now
        mark.save(update_fields=["snapshot", "snapshot_at"])
    if rollups_too:
        while True:
            with transaction.atomic():
                mark = rollups.lock_mark()
                read = rollups.rollup_advance(mark=mark, now=now)
            report.rollup_events += read
            if read < rollups.BATCH:
                break
    if audits_too:
        report.audits_drawn = len(audit_draw_due(today=report.today, now=now))
    report.seconds = time.monotonic() - started
    with transaction.atomic():
        mark = rollups.lock_mark()
        mark.last_sweep_at = now
        mark.last_sweep = report.as_dict()
        mark.save(update_fields=["last_sweep_at", "last_sweep"])
    return report


@transaction.atomic
def alarm_rule_set(*, actor, item=None, warning_days: int, note: str = "") -> AlarmRule:
    """Set how many working days before the due date an item's cases turn yellow (item None: the default)."""
    if not getattr(actor, "is_superuser", False) and not (
            getattr(actor, "is_authenticated", False) and actor.has_role(Role.Code.ADMIN, Role.Code.SUPERVISOR)):
        raise PermissionDenied(_("设置预警规则需要「中心管理员」或「电子监察人员」角色。"))
    if not isinstance(warning_days, int) or warning_days < 0 or warning_days > 60:
        raise ValidationError({"warning_days": [_("提前预警天数应为 0 至 60 个工作日。")]})
    rule = AlarmRule.objects.select_for_update().filter(item=item).first() or AlarmRule(item=item)
    before = rule.warning_days if rule.pk else None
    rule.warning_days = warning_days
    rule.note = (note or "").strip()[:200]
    rule.save()
    audit_record(actor=actor, action="supervision.alarm_rule", obj=rule, before={"warning_days": before},
                 after={"warning_days": warning_days, "item": getattr(item, "pk", None)})
    return rule


# --- follow-ups (督办) ------------------------------------------------------------------------------


@transaction.atomic
def followup_create(*, actor, case: Case, instruction: str, deadline_days: int | None = None,
                    at: datetime.datetime | None = None) -> FollowUp:
    """督办: a supervisor tells the department what to do about an alarmed case, with a feedback deadline."""
    at = at or timezone.now()
    _require_supervisor(actor)
    instruction = (instruction or "").strip()
    errors = {}
    if not instruction:
        errors["instruction"] = [_("请填写督办意见：要求部门做什么、何时反馈。")]
    if deadline_days is not None and (deadline_days < 1 or deadline_days > 30):
        errors["deadline_days"] = [_("反馈期限应为 1 至 30 个工作日。")]
    if errors:
        raise ValidationError(errors)
    state = AlarmState.objects.filter(case=case, step__isnull=True).first()
    deadline = add_workdays(timezone.localdate(at), deadline_days, case.department.region).date if deadline_days else None
    followup = FollowUp.objects.create(
        case=case, department=case.department, level=state.level if state else (case.alarm or ""),
        instruction=instruction, deadline=deadline, created_by=actor, created_at=at,
    )
    heads = User.objects.filter(is_active=True, department=case.department, roles__code=Role.Code.APPROVER)
    handlers = User.objects.filter(is_active=True, department=case.department, roles__code__in=list(
        CaseStep.objects.filter(case=case, state=CaseStep.State.OPEN).values_list("role", flat=True)))
    text = _("【督办】办件 %(n)s「%(i)s」：%(t)s") % {"n": case.number, "i": case.item_version.name, "t": instruction}
    if deadline:
        text += _("（请于 %(d)s 前反馈）") % {"d": deadline}
    notify(recipients=[*heads, *handlers], kind=Notification.Kind.FOLLOW_UP, text=text,
           link=f"/office/case/{case.pk}/", case=case, at=at)
    audit_record(actor=actor, action="supervision.followup", obj=followup,
                 after={"case": case.number, "instruction": instruction, "deadline": str(deadline or "")})
    return followup


@transaction.atomic
def followup_close(*, actor, followup: FollowUp, outcome: str, at: datetime.datetime | None = None) -> FollowUp:
    """Record what came of a follow-up (the department's explanation, the result) and close it."""
    at = at or timezone.now()
    _require_supervisor(actor)
    followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
    if followup.state == FollowUp.State.CLOSED:
        raise ValidationError(_("此督办已办结，不能重复登记结果。"))
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": [_("请填写督办结果：部门的说明和处理情况。")]})
    followup.outcome, followup.outcome_by, followup.outcome_at = outcome, actor, at
    followup.state = FollowUp.State.CLOSED
    followup.save(update_fields=["outcome", "outcome_by", "outcome_at", "state"])
    audit_record(actor=actor, action="supervision.followup_close", obj=followup, after={"outcome": outcome})
    return followup


# --- case-file audits (案卷内审) ---------------------------------------------------------------------


def audit_setting_for(department: Department) -> AuditSetting:
    return (AuditSetting.objects.filter(department=department).first()
            or AuditSetting.objects.filter(department__isnull=True).first() or AuditSetting())


def audit_population(department_id: int, month: datetime.date) -> list[int]:
    """The closed cases of a department in a month (decided in it), by id: what the sample is drawn from."""
    first, after = rollups._local_bounds(month, rollups._month_end(month))
    return list(Case.objects.filter(department_id=department_id, status__in=DECIDED_STATUSES, decided_at__gte=first,
                                    decided_at__lt=after).order_by("pk").values_list("pk", flat=True))


def audit_sample_ids(population: list[int], size: int, seed: int) -> list[int]:
    """The sample: the same population, size and seed always give the same cases, in the same order."""
    return random.Random(seed).sample(sorted(population), min(size, len(population)))


@transaction.atomic
def audit_draw(*, actor, month: datetime.date, department: Department, size: int | None = None,
               seed: int | None = None, at: datetime.datetime | None = None) -> AuditRound:
    """Draw a month's random sample of a department's closed cases, recording the seed."""
    at = at or timezone.now()
    if actor is not None:
        _require_supervisor(actor)
    month = month.replace(day=1)
    if month >= timezone.localdate(at).replace(day=1):
        raise ValidationError({"month": [_("只能抽取已结束月份的案卷（%(m)s 尚未结束）。") % {"m": f"{month:%Y-%m}"}]})
    if AuditRound.objects.filter(month=month, department=department).exists():
        raise ValidationError({"month": [_("%(d)s %(m)s 的案卷已抽取过。") % {"d": department, "m": f"{month:%Y-%m}"}]})
    setting = audit_setting_for(department)
    size = size if size is not None else setting.sample_size
    if size < 1 or size > 200:
        raise ValidationError({"size": [_("抽查件数应为 1 至 200。")]})
    seed = seed if seed is not None else secrets.randbits(48)
    population = audit_population(department.pk, month)
    chosen = audit_sample_ids(population, size, seed)
    audit_round = AuditRound.objects.create(month=month, department=department, sample_size=size, seed=seed,
                                            population=len(population), drawn_at=at, drawn_by=actor)
    AuditSample.objects.bulk_create([AuditSample(round=audit_round, case_id=case_id, position=i + 1)
                                     for i, case_id in enumerate(chosen)])
    audit_record(actor=actor, action="supervision.audit_draw", obj=audit_round,
                 after={"month": f"{month:%Y-%m}", "department": department.code, "seed": seed, "size": size,
                        "population": len(population), "cases": chosen})
    return audit_round


def audit_draw_due(*, today: datetime.date, now: datetime.datetime | None = None) -> list[AuditRound]:
    """On and after the 1st, draw last month's sample for each department that has automatic audits on."""
    month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    done = set(AuditRound.objects.filter(month=month).values_list("department_id", flat=True))
    drawn = []
    for department in Department.objects.filter(is_active=True).exclude(pk__in=done):
        if not audit_setting_for(department).auto_draw:
            continue
        if not audit_population(department.pk, month):
            continue
        try:
            drawn.append(audit_draw(actor=None, month=month, department=department, at=now))
        except ValidationError:  # drawn by a concurrent sweep or a supervisor a moment ago
            continue
    return drawn


@transaction.atomic
def audit_finding_record(*, actor, sample: AuditSample, finding: str, note: str = "",
                         defects: list[dict] | None = None, at: datetime.datetime | None = None) -> AuditSample:
    """Record the finding on one case file; each defect goes back to the department with a deadline."""
    at = at or timezone.now()
    _require_supervisor(actor)
    sample = AuditSample.objects.select_for_update().select_related("round__department__region", "case").get(pk=sample.pk)
    if finding not in (AuditSample.Finding.COMPLETE, AuditSample.Finding.DEFECT):
        raise ValidationError({"finding": [_("请选择评查结论：案卷完整规范，或存在问题。")]})
    if sample.finding != AuditSample.Finding.PENDING:
        raise ValidationError(_("此案卷已评查，结论不能更改。"))
    defects = [d for d in (defects or []) if (d.get("category") or d.get("description"))]
    errors = []
    if finding == AuditSample.Finding.DEFECT and not defects:
        errors.append(_("结论为“存在问题”时，请至少列出一个问题（类别和描述）。"))
    if finding == AuditSample.Finding.COMPLETE and defects:
        errors.append(_("结论为“案卷完整规范”时不应列出问题。"))
    for d in defects:
        if d.get("category") not in DefectCategory.values:
            errors.append(_("请为每个问题选择类别。"))
        if not (d.get("description") or "").strip():
            errors.append(_("请描述每个问题：哪份材料或文书、缺什么、错在哪里。"))
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)))
    department = sample.round.department
    days = audit_setting_for(department).rectify_days
    deadline = add_workdays(timezone.localdate(at), days, department.region).date
    sample.finding, sample.note, sample.audited_by, sample.audited_at = finding, (note or "").strip(), actor, at
    sample.save(update_fields=["finding", "note", "audited_by", "audited_at"])
    rows = AuditDefect.objects.bulk_create([
        AuditDefect(sample=sample, department=department, category=d["category"],
                    description=d["description"].strip(), deadline=deadline) for d in defects
    ])
    if rows:
        heads = User.objects.filter(is_active=True, department=department, roles__code=Role.Code.APPROVER)
        notify(recipients=heads, kind=Notification.Kind.AUDIT, at=at, case=sample.case, link="/supervision/defects/",
               text=_("【案卷评查】办件 %(n)s 的案卷发现 %(k)d 个问题，请于 %(d)s 前整改并反馈。")
               % {"n": sample.case.number, "k": len(rows), "d": deadline})
    audit_record(actor=actor, action="supervision.audit_finding", obj=sample,
                 after={"finding": finding, "defects": [{"category": d["category"], "description": d["description"]}
                                                        for d in defects], "deadline": str(deadline)})
    return sample


def _defect_for_update(defect: AuditDefect) -> AuditDefect:
    return AuditDefect.objects.select_for_update().select_related("department").get(pk=defect.pk)


@transaction.atomic
def audit_defect_respond(*, actor, defect: AuditDefect, response: str,
                         at: datetime.datetime | None = None) -> AuditDefect:
    """The department says how it rectified the defect; a supervisor then reviews it."""
    at = at or timezone.now()
    defect = _defect_for_update(defect)
    if not getattr(actor, "is_superuser", False) and not (
            actor.department_id == defect.department_id and actor.has_role(Role.Code.APPROVER, Role.Code.REVIEWER)):
        raise PermissionDenied(_("只有%(d)s的审查或决定人员可以反馈整改情况。") % {"d": defect.department})
    if defect.state == AuditDefect.State.CLOSED:
        raise ValidationError(_("此问题已整改完成。"))
    response = (response or "").strip()
    if not response:
        raise ValidationError({"response": [_("请写明整改情况：补了什么材料、改了哪份文书。")]})
    defect.response, defect.responded_by, defect.responded_at = response, actor, at
    defect.state = AuditDefect.State.RESPONDED
    defect.save(update_fields=["response", "responded_by", "responded_at", "state"])
    audit_record(actor=actor, action="supervision.defect_respond", obj=defect, after={"response": response})
    return defect


@transaction.atomic
def audit_defect_review(*, actor, defect: AuditDefect, accept: bool, note: str = "",
                        at: datetime.datetime | None = None) -> AuditDefect:
    """A supervisor accepts the rectification (closed) or sends it back with a new deadline."""
    at = at or timezone.now()
    _require_supervisor(actor)
    defect = _defect_for_update(defect)
    if defect.state != AuditDefect.State.RESPONDED:
        raise ValidationError(_("部门尚未反馈整改情况，不能复核。"))
    note = (note or "").strip()
    if not accept and not note:
        raise ValidationError({"note": [_("退回整改时请写明仍存在的问题。")]})
    defect.review_note = note
    if accept:
        defect.state, defect.closed_by, defect.closed_at = AuditDefect.State.CLOSED, actor, at
    else:
        days = audit_setting_for(defect.department).rectify_days
        defect.state = AuditDefect.State.OPEN
        defect.deadline = add_workdays(timezone.localdate(at), days, defect.department.region).date
        heads = User.objects.filter(is_active=True, department=defect.department, roles__code=Role.Code.APPROVER)
        notify(recipients=heads, kind=Notification.Kind.AUDIT, at=at, link="/supervision/defects/",
               text=_("【案卷评查】整改未通过复核：%(n)s。请于 %(d)s 前重新整改。") % {"n": note, "d": defect.deadline})
    defect.save(update_fields=["review_note", "state", "closed_by", "closed_at", "deadline"])
    audit_record(actor=actor, action="supervision.defect_review", obj=defect, after={"accept": accept, "note": note})
    return defect


# --- interviews (约谈) ----------------------------------------------------------------------------


@transaction.atomic
def interview_record(*, actor, kind: str, department: Department, held_on: datetime.date, attendees: str,
                     summary: str, measures: str = "", case: Case | None = None, staff: User | None = None,
                     evidence: dict | None = None, at: datetime.datetime | None = None) -> Interview:
    """Record an interview held with a department, a handler or about a case, with its evidence."""
    at = at or timezone.now()
    _require_supervisor(actor)
    errors = {}
    if kind not in Interview.Kind.values:
        errors["kind"] = [_("约谈类型无效。")]
    if kind == Interview.Kind.CASE and case is None:
        errors["case"] = [_("请指明约谈所涉办件。")]
    if kind == Interview.Kind.HANDLER and staff is None:
        errors["staff"] = [_("请指明被约谈的经办人。")]
    if held_on > timezone.localdate(at):
        errors["held_on"] = [_("约谈日期不能晚于今天：请在约谈之后登记。")]
    if not (attendees or "").strip():
        errors["attendees"] = [_("请填写参加人员。")]
    if not (summary or "").strip():
        errors["summary"] = [_("请填写约谈情况。")]
    if errors:
        raise ValidationError(errors)
    interview = Interview.objects.create(
        kind=kind, department=department, case=case, staff=staff, held_on=held_on, attendees=attendees.strip(),
        summary=summary.strip(), measures=(measures or "").strip(), evidence=evidence or {}, recorded_by=actor,
        recorded_at=at,
    )
    audit_record(actor=actor, action="supervision.interview", obj=interview,
                 after={"kind": kind, "department": department.code, "case": getattr(case, "number", ""),
                        "staff": getattr(staff, "username", ""), "held_on": str(held_on)})
    return interview
