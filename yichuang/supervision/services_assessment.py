"""The monthly window assessment (窗口月度考核): scores, 红旗窗口 and 服务明星, attendance.

Each window and each window staff member starts the month at the base score (100 by default);
every active rule adds or deducts points from one monthly figure (see AssessmentRule), and the
lines are stored with the result, so the breakdown shown is the one that adds up to the score.

Computing a month is idempotent and may be repeated while the month is a draft (new ratings,
late audits, corrected attendance); once the supervisor confirms the honours it is frozen.

Who counts for what (written next to the figures on the page):
* ratings and complaints: those tied to the window or person (feedback's summaries);
* overdue: a window — cases received at it and decided after their due date in the month
  (the statistics rollups' 超期办结量); a person — steps they finished after the step's due date;
* send-backs: a department sending a case back for correction in the month, counted against the
  window and the clerk who received the case (the front desk accepted an incomplete file);
* audit defects: defects found in the month's case-file audits, against the case's window and clerk;
* attendance: a person's own records; a window's is the sum of the people assigned to it.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.cases.models import CaseEvent, CaseStep
from yichuang.core.actors import staff_user
from yichuang.core.audit import audit_record
from yichuang.org.models import Role, User, Window

from . import feedback_link
from .models import (
    RATE_METRICS,
    AssessmentEvent,
    AssessmentMetric,
    AssessmentMonth,
    AssessmentResult,
    AssessmentRule,
    AssessmentSettings,
    AttendanceRecord,
    AuditDefect,
    StatRollup,
)
from .rollups import _local_bounds, _month_end

TWO_PLACES = Decimal("0.01")


def _require_supervisor(user) -> None:
    if not (getattr(user, "is_superuser", False) or (
            getattr(user, "is_authenticated", False) and user.has_role(Role.Code.SUPERVISOR))):
        raise PermissionDenied(_("此操作需要「电子监察人员」角色。"))


def assessment_settings() -> AssessmentSettings:
    return AssessmentSettings.objects.order_by("pk").first() or AssessmentSettings()


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    month = month.replace(day=1)
    return month, _month_end(month)


def _frozen(month: datetime.date) -> bool:
    return AssessmentMonth.objects.filter(month=month.replace(day=1), state=AssessmentMonth.State.CONFIRMED).exists()


# --- the figures of a month ----------------------------------------------------------------------


@dataclass
class SubjectFigures:
    ratings: feedback_link.RatingFigures = field(default_factory=feedback_link.RatingFigures)
    overdue: int = 0
    complaints_upheld: int = 0
    send_backs: int = 0
    audit_defects: int = 0
    absences: int = 0
    late_arrivals: int = 0
    received: int = 0

    def value(self, metric: str) -> int:
        return {
            AssessmentMetric.BAD_RATINGS: self.ratings.bad,
            AssessmentMetric.PRAISE: self.ratings.levels["very_satisfied"],
            AssessmentMetric.OVERDUE: self.overdue,
            AssessmentMetric.COMPLAINTS_UPHELD: self.complaints_upheld,
            AssessmentMetric.SEND_BACKS: self.send_backs,
            AssessmentMetric.AUDIT_DEFECTS: self.audit_defects,
            AssessmentMetric.ABSENCES: self.absences,
            AssessmentMetric.LATE_ARRIVALS: self.late_arrivals,
        }[metric]

    def as_dict(self) -> dict:
        return {"ratings": self.ratings.total, "satisfaction_rate": self.ratings.satisfaction_rate,
                "levels": self.ratings.levels, "bad_ratings": self.ratings.bad,
                "appeals_upheld": self.ratings.appeals_upheld, "overdue": self.overdue,
                "complaints_upheld": self.complaints_upheld, "send_backs": self.send_backs,
                "audit_defects": self.audit_defects, "absences": self.absences, "late_arrivals": self.late_arrivals,
                "received": self.received}


def assessment_subjects() -> tuple[list[Window], list[User]]:
    """Active windows, and the active staff assigned to at least one window."""
    windows = list(Window.objects.filter(is_active=True, centre__is_active=True).select_related("centre")
                   .order_by("centre__region__code", "centre_id", "number"))
    people = list(User.objects.filter(is_active=True, windows__isnull=False).distinct().order_by("username"))
    return windows, people


def month_figures(month: datetime.date, windows: list[Window], people: list[User]) -> dict:
    """{("window", id) | ("staff", id): SubjectFigures} for the month."""
    start, end = month_bounds(month)
    first, after = _local_bounds(start, end)
    figures: dict = {("window", w.pk): SubjectFigures() for w in windows}
    figures.update({("staff", u.pk): SubjectFigures() for u in people})

    def add(kind, key, name, value):
        entry = figures.get((kind, key))
        if entry is not None and value:
            setattr(entry, name, getattr(entry, name) + int(value))

    # Late decisions and intake per window; intake per receiving clerk (the rollups' month rows).
    month_rows = StatRollup.objects.filter(period=StatRollup.MONTH, day=start)
    for row in month_rows.values("window_id").order_by().annotate(late=Sum("late"), received=Sum("received")):
        add("window", row["window_id"], "overdue", row["late"])
        add("window", row["window_id"], "received", row["received"])
    for row in month_rows.values("staff_id").order_by().annotate(received=Sum("received")):
        add("staff", row["staff_id"], "received", row["received"])
    # Steps a person finished after the step's due date.
    late_steps = (CaseStep.objects.filter(state=CaseStep.State.DONE, handled_by__isnull=False, due_date__isnull=False,
                                          finished_at__gte=first, finished_at__lt=after)
                  .annotate(finished_day=TruncDate("finished_at")).filter(finished_day__gt=F("due_date")))
    for row in late_steps.values("handled_by_id").order_by().annotate(n=Count("id")):
        add("staff", row["handled_by_id"], "overdue", row["n"])
    # Send-backs, against the window and the clerk that received the case.
    send_backs = CaseEvent.objects.filter(action="send_back", at__gte=first, at__lt=after)
    for row in send_backs.values("case__window_id", "case__received_by_id").order_by().annotate(n=Count("id")):
        add("window", row["case__window_id"], "send_backs", row["n"])
        add("staff", row["case__received_by_id"], "send_backs", row["n"])
    # Case-file audit defects found in the month.
    defects = AuditDefect.objects.filter(sample__audited_at__gte=first, sample__audited_at__lt=after)
    for row in defects.values("sample__case__window_id", "sample__case__received_by_id").order_by().annotate(
            n=Count("id")):
        add("window", row["sample__case__window_id"], "audit_defects", row["n"])
        add("staff", row["sample__case__received_by_id"], "audit_defects", row["n"])
    # Attendance: the person's own; a window's is the sum of its people.
    window_people = defaultdict(set)
    for user_id, window_id in User.windows.through.objects.filter(window_id__in=[w.pk for w in windows]).values_list(
            "user_id", "window_id"):
        window_people[user_id].add(window_id)
    attendance = AttendanceRecord.objects.filter(day__gte=start, day__lte=end)
    for row in attendance.values("staff_id", "kind").order_by().annotate(n=Count("id")):
        name = "absences" if row["kind"] == AttendanceRecord.Kind.ABSENT else "late_arrivals"
        add("staff", row["staff_id"], name, row["n"])
        for window_id in window_people.get(row["staff_id"], ()):
            add("window", window_id, name, row["n"])
    # Ratings and complaints, from feedback.
    for (kind, key), entry in figures.items():
        filters = {"window_id": key} if kind == "window" else {"staff_id": key}
        entry.ratings = feedback_link.rating_figures(start=start, end=end, **filters)
        entry.complaints_upheld = feedback_link.complaints_upheld(start=start, end=end, **filters)
    return figures


# --- the score -----------------------------------------------------------------------------------


def rule_words(rule: AssessmentRule) -> str:
    """A rule in words: “每件（次、天）扣 2 分，最多扣 10 分”, “满意率低于 95% 扣 5 分”."""

    def n(value: Decimal) -> str:
        return _number(Decimal(value))

    verb = _("扣") if rule.points < 0 else _("加")
    amount = n(abs(rule.points))
    if rule.metric == AssessmentMetric.SATISFACTION_BELOW:
        text = _("满意率低于 %(t)s%% %(v)s %(p)s 分") % {"t": n(rule.threshold or 0), "v": verb, "p": amount}
    elif rule.metric == AssessmentMetric.SATISFACTION_AT_LEAST:
        text = _("满意率达到 %(t)s%% %(v)s %(p)s 分") % {"t": n(rule.threshold or 0), "v": verb, "p": amount}
    else:
        text = _("每件（次、天）%(v)s %(p)s 分") % {"v": verb, "p": amount}
        if rule.threshold:
            text += _("，前 %(t)s 件不计") % {"t": n(rule.threshold)}
    if rule.cap is not None:
        text += _("，最多%(v)s %(c)s 分") % {"v": verb, "c": n(rule.cap)}
    return text


def rule_snapshot(rule: AssessmentRule) -> dict:
    return {"id": rule.pk, "metric": rule.metric, "label": str(rule), "text": rule_words(rule),
            "applies_to": rule.applies_to,
            "points": str(rule.points), "threshold": None if rule.threshold is None else str(rule.threshold),
            "cap": None if rule.cap is None else str(rule.cap)}


def _number(value: Decimal) -> str:
    return f"{value.to_integral():f}" if value == value.to_integral() else f"{value.normalize():f}"


def score_lines(rules: list[dict], kind: str, figures: SubjectFigures) -> list[dict]:
    """One line per applicable rule: the figure, the units it counts and the points (a Decimal string)."""
    lines = []
    for rule in rules:
        if rule["applies_to"] not in ("both", kind):
            continue
        points_each = Decimal(rule["points"])
        threshold = Decimal(rule["threshold"]) if rule["threshold"] is not None else None
        if rule["metric"] in RATE_METRICS:
            rate = figures.ratings.satisfaction_rate
            value = "—" if rate is None else f"{rate:.1f}%"
            if rate is None or threshold is None:
                units = 0
            elif rule["metric"] == AssessmentMetric.SATISFACTION_BELOW:
                units = int(Decimal(str(rate)) < threshold)
            else:
                units = int(Decimal(str(rate)) >= threshold)
        else:
            count = figures.value(rule["metric"])
            value = str(count)
            allowance = threshold or Decimal(0)
            units = max(Decimal(count) - allowance, Decimal(0))
        points = (points_each * units).quantize(TWO_PLACES)
        if rule["cap"] is not None and abs(points) > Decimal(rule["cap"]):
            points = Decimal(rule["cap"]).copy_sign(points).quantize(TWO_PLACES)
        if not points:
            points = Decimal("0.00")  # never "-0.00"
        lines.append({"rule": rule["id"], "metric": rule["metric"], "label": rule["label"],
                      "text": rule.get("text", ""), "value": value,
                      "units": _number(Decimal(units)), "points": str(points)})
    return lines


def score_of(base: Decimal, lines: list[dict]) -> Decimal:
    return (base + sum((Decimal(line["points"]) for line in lines), Decimal(0))).quantize(TWO_PLACES)


# The order among equal scores, shown on the pages (see `ranking_key`).
TIE_RULE = _(
    "得分相同时依次比较：满意率高者在前（当月没有评价的在后）；有效评价数多者在前；当月接件量多者在前；"
    "仍相同的，窗口按窗口号、人员按账号顺序。")


def ranking_key(score: Decimal, figures: dict, order: str) -> tuple:
    rate = figures.get("satisfaction_rate")
    return (-score, -(rate if rate is not None else -1), -figures.get("ratings", 0), -figures.get("received", 0),
            order)


def _eligibility(figures: SubjectFigures, settings: AssessmentSettings) -> str:
    """Why a subject cannot be proposed for an honour ('' when it can)."""
    if settings.complaint_veto and figures.complaints_upheld:
        return _("当月有属实投诉（一票否决）")
    if figures.ratings.total < settings.min_ratings:
        return _("当月有效评价少于 %(n)d 件") % {"n": settings.min_ratings}
    return ""


@transaction.atomic
def assessment_compute(*, actor, month: datetime.date, at: datetime.datetime | None = None) -> AssessmentMonth:
    """Compute (or recompute) the month's scores and propose its 红旗窗口 and 服务明星.

    Refused for a month not yet over and for a confirmed (frozen) month. `actor` None: the system.
    """
    at = at or timezone.now()
    if actor is not None:
        _require_supervisor(actor)
    month = month.replace(day=1)
    if month >= timezone.localdate(at).replace(day=1):
        raise ValidationError({"month": [_("只能考核已结束的月份（%(m)s 尚未结束）。") % {"m": f"{month:%Y-%m}"}]})
    settings = assessment_settings()
    rules = [rule_snapshot(r) for r in AssessmentRule.objects.filter(is_active=True).order_by("sort_order", "id")]
    # Two supervisors computing a new month at once: the unique month makes the second wait, then recompute.
    assessment, created = AssessmentMonth.objects.get_or_create(
        month=month, defaults={"base_score": settings.base_score, "computed_at": at})
    assessment = AssessmentMonth.objects.select_for_update().get(pk=assessment.pk)
    if assessment.frozen:
        raise ValidationError(_("%(m)s 的考核已确认，结果已锁定，不能重新计算。") % {"m": f"{month:%Y-%m}"})
    action = "compute" if created else "recompute"
    assessment.base_score = settings.base_score
    assessment.rules = rules
    assessment.computed_at, assessment.computed_by = at, staff_user(actor)
    assessment.save()
    assessment.results.all().delete()

    windows, people = assessment_subjects()
    figures = month_figures(month, windows, people)
    results = []
    for kind, subjects in (("window", windows), ("staff", people)):
        rows = []
        for subject in subjects:
            entry = figures[(kind, subject.pk)]
            lines = score_lines(rules, kind, entry)
            score = score_of(settings.base_score, lines)
            data = entry.as_dict()
            if kind == "window":
                label, order = f"{subject.centre.name} {subject.number} {subject.name}", (subject.centre_id,
                                                                                         subject.number)
            else:
                label, order = str(subject), (0, subject.username)
            reason = _eligibility(entry, settings)
            rows.append((ranking_key(score, data, order), AssessmentResult(
                assessment=assessment, kind=kind, window=subject if kind == "window" else None,
                staff=subject if kind == "staff" else None, label=label[:120], score=score, lines=lines,
                figures=data, eligible=not reason, ineligible_reason=reason)))
        rows.sort(key=lambda pair: pair[0])
        honour, wanted = ((AssessmentResult.Honour.RED_FLAG, settings.red_flag_count) if kind == "window"
                          else (AssessmentResult.Honour.STAR, settings.star_count))
        for rank, (_key, result) in enumerate(rows, start=1):
            result.rank = rank
            if result.eligible and wanted:
                result.proposed = honour
                wanted -= 1
            results.append(result)
    AssessmentResult.objects.bulk_create(results)
    proposed = {"red_flag": [r.label for r in results if r.proposed == AssessmentResult.Honour.RED_FLAG],
                "star": [r.label for r in results if r.proposed == AssessmentResult.Honour.STAR]}
    AssessmentEvent.objects.create(assessment=assessment, action=action, actor=staff_user(actor), at=at,
                                   data={"windows": len(windows), "staff": len(people), "proposed": proposed})
    audit_record(actor=actor, action=f"supervision.assessment_{action}", obj=assessment,
                 after={"month": f"{month:%Y-%m}", "rules": rules, "proposed": proposed,
                        "scores": {r.label: str(r.score) for r in results}})
    return assessment


@transaction.atomic
def assessment_confirm(*, actor, month: datetime.date, red_flag_window_ids: list[int] | None = None,
                       star_staff_ids: list[int] | None = None, note: str = "",
                       at: datetime.datetime | None = None) -> AssessmentMonth:
    """The supervisor confirms the month's 红旗窗口 and 服务明星 (the proposals unless chosen otherwise).

    Choosing other than proposed needs a reason; only eligible results can be honoured. After this
    the month is frozen: no recomputation, no attendance changes in it.
    """
    at = at or timezone.now()
    _require_supervisor(actor)
    assessment = AssessmentMonth.objects.select_for_update().filter(month=month.replace(day=1)).first()
    if assessment is None:
        raise ValidationError(_("%(m)s 的考核尚未计算，请先计算。") % {"m": f"{month:%Y-%m}"})
    if assessment.frozen:
        raise ValidationError(_("%(m)s 的考核已确认，不能重复确认。") % {"m": f"{assessment.month:%Y-%m}"})
    settings = assessment_settings()
    results = list(assessment.results.select_for_update())
    note = (note or "").strip()
    chosen = {}
    errors = []
    for kind, honour, ids, limit, key in (
            ("window", AssessmentResult.Honour.RED_FLAG, red_flag_window_ids, settings.red_flag_count, "window_id"),
            ("staff", AssessmentResult.Honour.STAR, star_staff_ids, settings.star_count, "staff_id")):
        pool = {getattr(r, key): r for r in results if r.kind == kind}
        proposed = {getattr(r, key) for r in pool.values() if r.proposed == honour}
        picked = proposed if ids is None else {int(i) for i in ids}
        label = AssessmentResult.Honour(honour).label
        for pk in sorted(picked):
            if pk not in pool:
                errors.append(_("所选%(h)s不在本月考核结果中。") % {"h": label})
            elif not pool[pk].eligible:
                errors.append(_("%(l)s 不能评为%(h)s：%(r)s。") % {"l": pool[pk].label, "h": label,
                                                                  "r": pool[pk].ineligible_reason})
        if len(picked) > limit:
            errors.append(_("%(h)s每月最多 %(n)d 个。") % {"h": label, "n": limit})
        if picked != proposed and not note:
            errors.append(_("所选%(h)s与系统建议不同，请写明理由。") % {"h": label})
        chosen[honour] = [pool[pk] for pk in sorted(picked) if pk in pool]
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)))
    for honour, rows in chosen.items():
        for result in rows:
            result.honour = honour
            result.save(update_fields=["honour"])
    assessment.state = AssessmentMonth.State.CONFIRMED
    assessment.confirmed_at, assessment.confirmed_by, assessment.note = at, actor, note
    assessment.save(update_fields=["state", "confirmed_at", "confirmed_by", "note"])
    data = {honour: [r.label for r in rows] for honour, rows in chosen.items()}
    AssessmentEvent.objects.create(assessment=assessment, action="confirm", actor=actor, at=at,
                                   data={**data, "note": note})
    audit_record(actor=actor, action="supervision.assessment_confirm", obj=assessment,
                 after={"month": f"{assessment.month:%Y-%m}", **data, "note": note})
    return assessment


# --- attendance (考勤) -----------------------------------------------------------------------------


@transaction.atomic
def attendance_record(*, actor, staff: User, day: datetime.date, kind: str, note: str = "",
                      at: datetime.datetime | None = None) -> AttendanceRecord:
    """Record an absence or a late arrival / early leave of a staff member on a day."""
    at = at or timezone.now()
    _require_supervisor(actor)
    errors = {}
    if kind not in AttendanceRecord.Kind.values:
        errors["kind"] = [_("请选择考勤类型：缺勤或迟到早退。")]
    if day > timezone.localdate(at):
        errors["day"] = [_("不能登记今天以后的考勤。")]
    if staff_user(staff) is None:
        errors["staff"] = [_("只能登记工作人员的考勤。")]
    if errors:
        raise ValidationError(errors)
    if _frozen(day):
        raise ValidationError(_("%(m)s 的考核已确认，不能再登记该月考勤。") % {"m": f"{day:%Y-%m}"})
    if AttendanceRecord.objects.filter(staff=staff, day=day, kind=kind).exists():
        raise ValidationError(_("%(s)s %(d)s 已登记过“%(k)s”。") % {
            "s": staff, "d": day, "k": AttendanceRecord.Kind(kind).label})
    record = AttendanceRecord.objects.create(staff=staff, day=day, kind=kind, note=(note or "").strip()[:200],
                                             recorded_by=actor, recorded_at=at)
    audit_record(actor=actor, action="supervision.attendance_record", obj=record,
                 after={"staff": staff.username, "day": str(day), "kind": kind, "note": record.note})
    return record


@transaction.atomic
def attendance_remove(*, actor, record: AttendanceRecord, reason: str) -> None:
    """Withdraw a record entered by mistake (with the reason, in the audit log); not in a confirmed month."""
    _require_supervisor(actor)
    record = AttendanceRecord.objects.select_for_update().select_related("staff").get(pk=record.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请写明撤销这条考勤记录的理由。")]})
    if _frozen(record.day):
        raise ValidationError(_("%(m)s 的考核已确认，该月考勤不能更改。") % {"m": f"{record.day:%Y-%m}"})
    audit_record(actor=actor, action="supervision.attendance_remove", obj=record, note=reason[:200],
                 before={"staff": record.staff.username, "day": str(record.day), "kind": record.kind,
                         "note": record.note})
    record.delete()


# --- rules and settings (edited by the admin) ------------------------------------------------------


def _require_admin(user) -> None:
    if not (getattr(user, "is_superuser", False) or (
            getattr(user, "is_authenticated", False) and user.has_role(Role.Code.ADMIN, Role.Code.SUPERVISOR))):
        raise PermissionDenied(_("修改考核规则需要「中心管理员」或「电子监察人员」角色。"))


@transaction.atomic
def assessment_rule_save(*, actor, rule: AssessmentRule) -> AssessmentRule:
    """Create or change a scoring rule (checked, audited). Months already computed keep the rules they used."""
    _require_admin(actor)
    errors = {}
    if rule.metric not in AssessmentMetric.values:
        errors["metric"] = [_("请选择考核指标。")]
    if rule.points is None or rule.points == 0:
        errors["points"] = [_("请填写每单位分值：负数扣分，正数加分，不能为 0。")]
    if rule.metric in RATE_METRICS and (rule.threshold is None or not 0 <= rule.threshold <= 100):
        errors["threshold"] = [_("满意率规则须填写 0 至 100 之间的阈值（百分比）。")]
    if rule.metric not in RATE_METRICS and rule.threshold is not None and rule.threshold < 0:
        errors["threshold"] = [_("免扣件数不能为负数。")]
    if rule.cap is not None and rule.cap <= 0:
        errors["cap"] = [_("单项上限应大于 0，或留空不设上限。")]
    if errors:
        raise ValidationError(errors)
    before = rule_snapshot(AssessmentRule.objects.get(pk=rule.pk)) if rule.pk else None
    rule.save()
    audit_record(actor=actor, action="supervision.assessment_rule", obj=rule, before=before,
                 after={**rule_snapshot(rule), "is_active": rule.is_active, "sort_order": rule.sort_order})
    return rule


@transaction.atomic
def assessment_settings_save(*, actor, settings: AssessmentSettings) -> AssessmentSettings:
    """Change the base score and how many honours a month has (checked, audited)."""
    _require_admin(actor)
    errors = {}
    if settings.base_score is None or not 0 < settings.base_score <= 1000:
        errors["base_score"] = [_("基础分应大于 0（通常为 100）。")]
    if settings.red_flag_count > 20 or settings.star_count > 50:
        errors["red_flag_count"] = [_("每月红旗窗口不超过 20 个，服务明星不超过 50 名。")]
    if errors:
        raise ValidationError(errors)
    settings.save()
    audit_record(actor=actor, action="supervision.assessment_settings", obj=settings,
                 after={"base_score": str(settings.base_score), "red_flag_count": settings.red_flag_count,
                        "star_count": settings.star_count, "min_ratings": settings.min_ratings,
                        "complaint_veto": settings.complaint_veto})
    return settings
