"""Why a case is due when it is: the deadline explained in plain Chinese (read-only).

The stored clock on the case (`due_date`, `statutory_due_date`) is what lists and alarms use.
This module rebuilds the same dates from the case's rows — its acceptance, the extensions
granted, the special procedures and the send-backs for correction — so that a clerk, a
supervisor or an applicant can see which days counted, which were skipped (weekends and
holidays), which were paused, and why the due date moved.

Rules (DESIGN §4.2, clock.py): the day of acceptance is not counted; a limit of N working
days ends with the Nth working day after it; the working days of a pause (a special procedure
that does not count toward the limit, or a send-back until the materials return) are added to
the limit; a special procedure still running is added provisionally with the length the
applicant was told in writing; a granted extension lengthens both limits.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.core.calendar import (
    Deadline,
    add_workdays,
    format_date,
    format_span,
    weekday_name,
    workday_table,
)

from .clock import paused_workdays
from .models import Case, Extension

COUNTED = "counted"
SKIPPED = "skipped"
PAUSED = "paused"

NOT_STARTED = "not_started"
RUNNING = "running"
PAUSED_NOW = "paused"
DECIDED = "decided"
ENDED = "ended"


@dataclass(frozen=True)
class Pause:
    """A stretch of time the clock stood still (or, for a counting procedure, kept running)."""

    kind: str  # "special" or "sendback"
    name: str
    started_on: datetime.date
    ended_on: datetime.date | None
    workdays: int
    counts_toward_limit: bool = False
    expected_days: int | None = None
    running: bool = False
    # The working days in (started_on, interval_end] are shown as paused on the day list.
    interval_end: datetime.date | None = None
    # A running special procedure: the last day of the length the applicant was told in writing.
    expected_end: datetime.date | None = None

    @property
    def overrun(self) -> int:
        """Working days a running special procedure has gone past the length the applicant was told."""
        if not self.running or self.kind != "special" or self.counts_toward_limit:
            return 0
        return max(self.workdays - (self.expected_days or 0), 0)

    @property
    def adds_days(self) -> int:
        """Working days this pause adds to the limit now (a running procedure: its expected length)."""
        if self.counts_toward_limit:
            return 0
        if self.running:
            return (self.expected_days or 0) if self.kind == "special" else 0
        return self.workdays


@dataclass(frozen=True)
class ExtensionLine:
    days: int
    state: str
    state_label: str
    reason: str
    requested_on: datetime.date
    decided_on: datetime.date | None


@dataclass(frozen=True)
class Segment:
    """Consecutive days treated alike: counted, skipped (not a working day) or paused."""

    first: datetime.date
    last: datetime.date
    kind: str
    label: str
    days: int
    # For counted days: the numbers of the first and last working day of the limit.
    from_n: int = 0
    to_n: int = 0

    @property
    def span(self) -> str:
        return format_span(self.first, self.last)


@dataclass
class DeadlineExplanation:
    state: str
    summary: list[str] = field(default_factory=list)
    accepted_on: datetime.date | None = None
    limit_days: int = 0
    statutory_limit_days: int = 0
    extension_days: int = 0
    paused_days: int = 0
    total_days: int = 0
    due: Deadline | None = None
    statutory_due: Deadline | None = None
    pauses: list[Pause] = field(default_factory=list)
    extensions: list[ExtensionLine] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    calendar_lines: list[str] = field(default_factory=list)
    unconfirmed_years: tuple[int, ...] = ()
    stored_due_date: datetime.date | None = None

    @property
    def confirmed(self) -> bool:
        return not self.unconfirmed_years

    @property
    def due_date(self) -> datetime.date | None:
        return self.due.date if self.due else None

    @property
    def matches_stored(self) -> bool:
        """False if the rows and the stored due date disagree (shown to the reader, never hidden)."""
        return self.state in (NOT_STARTED, ENDED) or self.due is None or self.due.date == self.stored_due_date

    @property
    def paused_segments(self) -> list[Segment]:
        return [s for s in self.segments if s.kind == PAUSED]

    @property
    def skipped_segments(self) -> list[Segment]:
        return [s for s in self.segments if s.kind == SKIPPED]


def _with_weekday(day: datetime.date) -> str:
    return f"{format_date(day)}（{weekday_name(day)}）"


def _pauses(case: Case, today: datetime.date, region) -> list[Pause]:
    pauses: list[Pause] = []
    for sp in case.special_procedures.all():
        name = sp.procedure.name
        if sp.ended_on is not None:
            pauses.append(Pause(
                kind="special", name=name, started_on=sp.started_on, ended_on=sp.ended_on,
                workdays=sp.paused_days if not sp.counts_toward_limit else paused_workdays(sp.started_on, sp.ended_on, region),
                counts_toward_limit=sp.counts_toward_limit, expected_days=sp.expected_days,
                interval_end=sp.ended_on,
            ))
        else:
            expected_end = add_workdays(sp.started_on, sp.expected_days, region).date
            pauses.append(Pause(
                kind="special", name=name, started_on=sp.started_on, ended_on=None,
                workdays=paused_workdays(sp.started_on, max(today, sp.started_on), region),
                counts_toward_limit=sp.counts_toward_limit, expected_days=sp.expected_days, running=True,
                interval_end=max(expected_end, today), expected_end=expected_end,
            ))
    for request in case.corrections.all():
        if request.origin != "sendback":
            continue
        started = timezone.localdate(request.requested_at)
        name = _("第 %(n)d 次补正（部门退回）") % {"n": request.round}
        if request.resolved_at is not None:
            ended = timezone.localdate(request.resolved_at)
            pauses.append(Pause(kind="sendback", name=name, started_on=started, ended_on=ended,
                                workdays=paused_workdays(started, ended, region), interval_end=ended))
        else:
            pauses.append(Pause(kind="sendback", name=name, started_on=started, ended_on=None,
                                workdays=paused_workdays(started, max(today, started), region), running=True,
                                interval_end=max(today, started)))
    pauses.sort(key=lambda p: (p.started_on, p.kind))
    return pauses


def _extensions(case: Case) -> list[ExtensionLine]:
    lines = []
    for ext in sorted(case.extensions.all(), key=lambda e: e.requested_at):
        lines.append(ExtensionLine(
            days=ext.days, state=ext.state, state_label=ext.get_state_display(), reason=ext.reason,
            requested_on=timezone.localdate(ext.requested_at),
            decided_on=timezone.localdate(ext.decided_at) if ext.decided_at else None,
        ))
    return lines


def _pause_day_label(pause: Pause, day: datetime.date, today: datetime.date) -> str:
    """A running special procedure's days: to come within the told length are 预计; gone past it, 超出预计."""
    if not (pause.running and pause.kind == "special"):
        return pause.name
    if pause.expected_end is not None and day > pause.expected_end:
        return pause.name + _("（超出预计）")
    return pause.name + (_("（预计）") if day > today else "")


def _segments(accepted_on: datetime.date, last: datetime.date, pauses: list[Pause], region,
              today: datetime.date) -> list[Segment]:
    """Every day after acceptance up to `last`, grouped into counted, skipped and paused runs."""
    table = workday_table(region)
    paused_by: dict[datetime.date, str] = {}
    for pause in pauses:
        if pause.counts_toward_limit or pause.interval_end is None:
            continue
        day = pause.started_on + datetime.timedelta(days=1)
        while day <= pause.interval_end:
            paused_by.setdefault(day, _pause_day_label(pause, day, today))
            day += datetime.timedelta(days=1)
    segments: list[Segment] = []
    counted = 0
    day = accepted_on + datetime.timedelta(days=1)
    one = datetime.timedelta(days=1)
    while day <= last:
        info = table.day_info(day)
        if not info.is_workday:
            kind, label = SKIPPED, info.reason
        elif day in paused_by:
            kind, label = PAUSED, paused_by[day]
        else:
            kind, label = COUNTED, ""
            counted += 1
        previous = segments[-1] if segments else None
        if previous and previous.kind == kind and previous.label == label and previous.last + one == day:
            segments[-1] = Segment(
                first=previous.first, last=day, kind=kind, label=label, days=previous.days + 1,
                from_n=previous.from_n, to_n=counted if kind == COUNTED else 0,
            )
        else:
            segments.append(Segment(
                first=day, last=day, kind=kind, label=label, days=1,
                from_n=counted if kind == COUNTED else 0, to_n=counted if kind == COUNTED else 0,
            ))
        day += one
    return segments


def _pause_line(pause: Pause) -> str:
    if pause.kind == "special":
        if pause.counts_toward_limit:
            if pause.running:
                return _("特别程序「%(p)s」自 %(s)s 起进行中（预计 %(e)d 个工作日），按规定计入办理时限，期限不顺延。") % {
                    "p": pause.name, "s": format_date(pause.started_on), "e": pause.expected_days or 0}
            return _("特别程序「%(p)s」：%(span)s，按规定计入办理时限，期限不顺延。") % {
                "p": pause.name, "span": format_span(pause.started_on, pause.ended_on)}
        if pause.running:
            line = _("特别程序「%(p)s」自 %(s)s 起进行中，已书面告知申请人预计 %(e)d 个工作日（至今已用 %(u)d 个）；"
                     "期限暂按预计时长顺延，结束后按实际用时计算。") % {
                "p": pause.name, "s": format_date(pause.started_on), "e": pause.expected_days or 0, "u": pause.workdays}
            if pause.overrun:
                line += _("已超出预计 %(o)d 个工作日：结束后期限将至少再顺延 %(o)d 个工作日，超出部分应书面告知申请人。") % {
                    "o": pause.overrun}
            return line
        return _("特别程序「%(p)s」：%(span)s，用时 %(n)d 个工作日，不计入办理时限，期限顺延 %(n)d 个工作日。") % {
            "p": pause.name, "span": format_span(pause.started_on, pause.ended_on), "n": pause.workdays}
    if pause.running:
        return _("%(p)s：自 %(s)s 起暂停计时（至今 %(u)d 个工作日）；申请人补正后，按实际暂停的工作日顺延期限。") % {
            "p": pause.name, "s": format_date(pause.started_on), "u": pause.workdays}
    return _("%(p)s：%(span)s，暂停计时 %(n)d 个工作日，期限顺延 %(n)d 个工作日。") % {
        "p": pause.name, "span": format_span(pause.started_on, pause.ended_on), "n": pause.workdays}


def _extension_line(ext: ExtensionLine) -> str:
    if ext.state == Extension.State.GRANTED:
        return _("经批准延长 %(n)d 个工作日（%(d)s 批准）：%(r)s") % {
            "n": ext.days, "d": format_date(ext.decided_on or ext.requested_on), "r": ext.reason}
    if ext.state == Extension.State.REQUESTED:
        return _("已申请延长 %(n)d 个工作日，待决定人员批准，批准前期限不变：%(r)s") % {"n": ext.days, "r": ext.reason}
    return _("延长 %(n)d 个工作日的申请未获批准（%(d)s），期限不变。") % {
        "n": ext.days, "d": format_date(ext.decided_on or ext.requested_on)}


def explain_case_deadline(case: Case, *, today: datetime.date | None = None) -> DeadlineExplanation:
    """The deadline of `case` explained from its rows; prefetch special_procedures__procedure,
    corrections and extensions (and select department__region) to read it without queries."""
    today = today or timezone.localdate()
    region = case.department.region
    explanation = DeadlineExplanation(
        state=NOT_STARTED, limit_days=case.limit_days, statutory_limit_days=case.statutory_limit_days,
        stored_due_date=case.due_date,
    )
    if case.accepted_at is None:
        if case.status == Case.Status.CORRECTION:
            explanation.summary.append(_("办件尚未受理，正在补正材料：补正期间期限尚未开始计算，受理后才开始计时。"))
        elif case.status in (Case.Status.RECEIVED,):
            explanation.summary.append(_("办件已接件、尚未受理：受理后次日起开始计算办理期限。"))
        else:
            explanation.summary.append(_("办件未受理，不计算办理期限。"))
        explanation.state = ENDED if case.closed_at else NOT_STARTED
        return explanation

    accepted_on = timezone.localdate(case.accepted_at)
    explanation.accepted_on = accepted_on
    pauses = _pauses(case, today, region)
    extensions = _extensions(case)
    granted = sum(e.days for e in extensions if e.state == Extension.State.GRANTED)
    paused = sum(p.adds_days for p in pauses)
    total = case.limit_days + granted + paused
    due = add_workdays(accepted_on, total, region)
    statutory_due = add_workdays(accepted_on, case.statutory_limit_days + granted + paused, region)
    explanation.pauses, explanation.extensions = pauses, extensions
    explanation.extension_days, explanation.paused_days, explanation.total_days = granted, paused, total
    explanation.due, explanation.statutory_due = due, statutory_due
    explanation.unconfirmed_years = tuple(sorted(set(due.unconfirmed_years) | set(statutory_due.unconfirmed_years)))
    explanation.calendar_lines = due.explain_lines()

    if case.decided_at is not None:
        explanation.state = DECIDED
    elif case.status in (Case.Status.WITHDRAWN, Case.Status.REVOKED, Case.Status.CANCELLED):
        explanation.state = ENDED
    elif case.paused_since is not None:
        explanation.state = PAUSED_NOW
    else:
        explanation.state = RUNNING

    summary = explanation.summary
    summary.append(_("受理日：%(d)s，当天不计入，自次日起计算。") % {"d": _with_weekday(accepted_on)})
    if case.limit_days == 0:
        summary.append(_("本事项为即办件（承诺时限 0 个工作日），当日办结。"))
    else:
        summary.append(_("承诺时限 %(p)d 个工作日，法定时限 %(s)d 个工作日。") % {
            "p": case.limit_days, "s": case.statutory_limit_days})
    summary.extend(_extension_line(e) for e in extensions)
    summary.extend(_pause_line(p) for p in pauses)
    parts = [str(case.limit_days)]
    if granted:
        parts.append(_("%(n)d（延长）") % {"n": granted})
    if paused:
        parts.append(_("%(n)d（暂停顺延）") % {"n": paused})
    if len(parts) > 1:
        summary.append(_("合计 %(expr)s = %(t)d 个工作日，承诺办结日 %(d)s。") % {
            "expr": " + ".join(parts), "t": total, "d": _with_weekday(due.date)})
    else:
        summary.append(_("承诺办结日 %(d)s。") % {"d": _with_weekday(due.date)})
    summary.append(_("法定办结日 %(d)s（%(n)d 个工作日）。") % {
        "d": _with_weekday(statutory_due.date), "n": case.statutory_limit_days + granted + paused})
    if explanation.unconfirmed_years:
        summary.append(_("注意：%(y)s年的节假日安排尚未公布，到期日暂按周一至周五推算，待确认。") % {
            "y": "、".join(str(y) for y in explanation.unconfirmed_years)})

    if explanation.state == DECIDED:
        decided_on = timezone.localdate(case.decided_at)
        used = _used_workdays(accepted_on, decided_on, pauses, region)
        if decided_on <= due.date:
            summary.append(_("已于 %(d)s 作出决定，实际用时 %(n)d 个工作日（不含暂停），在承诺时限内办结。") % {
                "d": format_date(decided_on), "n": used})
        else:
            late = paused_workdays(due.date, decided_on, region)
            summary.append(_("已于 %(d)s 作出决定，实际用时 %(n)d 个工作日（不含暂停），超出承诺时限 %(l)d 个工作日。") % {
                "d": format_date(decided_on), "n": used, "l": late})
        last = max(due.date, decided_on)
    elif explanation.state == ENDED:
        summary.append(_("办件已终止（%(s)s），期限不再计算。") % {"s": case.get_status_display()})
        last = due.date
    else:
        last = due.date
    for pause in pauses:
        if pause.interval_end and not pause.counts_toward_limit:
            last = max(last, pause.interval_end)
    explanation.segments = _segments(accepted_on, last, pauses, region, today)
    return explanation


def _used_workdays(accepted_on: datetime.date, end: datetime.date, pauses: list[Pause], region) -> int:
    """Working days in (accepted_on, end] that counted: minus the paused days within them."""
    days = paused_workdays(accepted_on, end, region)
    for pause in pauses:
        if pause.counts_toward_limit:
            continue
        stop = min(pause.interval_end or end, end)
        if stop > pause.started_on:
            days -= paused_workdays(pause.started_on, stop, region)
    return max(days, 0)


@dataclass(frozen=True)
class DaysLeft:
    """Working days left until a due date ends (0 on the due day), or how far past it a case is."""

    days: int
    overdue: bool

    @property
    def label(self) -> str:
        if self.overdue:
            return _("超期 %(n)d 个工作日") % {"n": self.days} if self.days else _("已超期")
        if self.days == 0:
            return _("今日到期")
        return _("剩 %(n)d 个工作日") % {"n": self.days}


def days_left(due: datetime.date | None, today: datetime.date, region=None) -> DaysLeft | None:
    if due is None:
        return None
    if due < today:
        return DaysLeft(days=paused_workdays(due, today, region), overdue=True)
    return DaysLeft(days=paused_workdays(today, due, region), overdue=False)
