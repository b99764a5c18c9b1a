"""Joint meetings (联审 / 联合踏勘 / 联合验收) with tacit consent.

A coordinator convenes a meeting for a case or another subject (an investment project), invites
departments and sets an opinion deadline in working days after the meeting. Departments record
attendance and opinions until the deadline; an opinion after it is refused, with the deadline
shown. When the deadline has passed the background sweep closes the meeting: a department that
gave no opinion is recorded as agreeing (超时默许), one invited that did not attend as agreeing
(缺席默认) — each marked so in the minutes, the meeting's events and the audit trail.
"""

import datetime
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.core.actors import staff_user
from yichuang.core.audit import audit_record
from yichuang.core.calendar import add_workdays
from yichuang.org.models import Department, Role, User

from .errors import CaseActionError, CasePermissionDenied
from .models import Case, JointMeeting, MeetingEvent, MeetingInvitation

COORDINATOR_ROLES = (Role.Code.ADMIN, Role.Code.CLERK, Role.Code.APPROVER)
DEPARTMENT_ROLES = (Role.Code.REVIEWER, Role.Code.APPROVER)
MAX_OPINION_DAYS = 30
Inv = MeetingInvitation


def _now(at):
    return at or timezone.now()


def _cn_date(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _is_super(actor) -> bool:
    return bool(getattr(actor, "is_superuser", False))


def _require(actor, *roles) -> None:
    if _is_super(actor):
        return
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*roles):
        names = "、".join(str(Role.Code(r).label) for r in roles)
        raise CasePermissionDenied(_("此操作需要「%(roles)s」角色。") % {"roles": names}, code="role")


def _event(meeting: JointMeeting, actor, action: str, *, at, summary: str, data: dict | None = None,
           audit_note: str = "") -> MeetingEvent:
    event = MeetingEvent.objects.create(
        meeting=meeting, at=at, actor=staff_user(actor), actor_label=str(actor) if actor is not None else _("系统"),
        action=action, summary=summary[:500], data=data or {},
    )
    audit_record(actor=actor, action=f"meeting.{action}", obj=meeting, after={"state": meeting.state, **(data or {})},
                 note=audit_note or summary)
    return event


def _lock(meeting: JointMeeting) -> JointMeeting:
    return JointMeeting.objects.select_for_update(of=("self",)).select_related("case", "centre").get(pk=meeting.pk)


@transaction.atomic
def meeting_convene(
    *, actor: User, kind: str, title: str, departments: Iterable[Department], held_on: datetime.date,
    opinion_days: int, place: str = "", case: Case | None = None, subject_type: str = "", subject_id: str = "",
    subject_label: str = "", at: datetime.datetime | None = None,
) -> JointMeeting:
    """Convene a meeting or a site visit; the opinion deadline is `opinion_days` working days after it."""
    at = _now(at)
    _require(actor, *COORDINATOR_ROLES)
    departments = list(dict.fromkeys(departments))
    errors: dict[str, list[str]] = {}
    if kind not in JointMeeting.Kind.values:
        errors["kind"] = [_("请选择会议类型：联审、联合踏勘或联合验收。")]
    if not (title or "").strip():
        errors["title"] = [_("请填写议题。")]
    if len(departments) < 1:
        errors["departments"] = [_("请至少邀请一个部门。")]
    inactive = [d.name for d in departments if not d.is_active]
    if inactive:
        errors["departments"] = [_("部门已停用：%(d)s。") % {"d": "、".join(inactive)}]
    if held_on is None:
        errors["held_on"] = [_("请填写会议（踏勘）日期。")]
    elif held_on < timezone.localdate(at):
        errors["held_on"] = [_("会议日期不能早于今天。")]
    if not isinstance(opinion_days, int) or not 1 <= opinion_days <= MAX_OPINION_DAYS:
        errors["opinion_days"] = [_("意见期限应为 1 至 %(n)d 个工作日。") % {"n": MAX_OPINION_DAYS}]
    if not case and not (subject_type and subject_id) and not (subject_label or "").strip():
        errors["subject"] = [_("请指明会议针对的办件或项目。")]
    if errors:
        raise CaseActionError(errors)
    centre = case.centre if case else getattr(actor, "centre", None)
    region = centre.region if centre else None
    deadline = add_workdays(held_on, opinion_days, region).date
    meeting = JointMeeting.objects.create(
        kind=kind, title=title.strip(), case=case, subject_type=subject_type, subject_id=str(subject_id),
        subject_label=subject_label or (f"{case.number} {case.item_version.name}" if case else ""),
        centre=centre, coordinator=staff_user(actor), held_on=held_on, place=place.strip(),
        opinion_days=opinion_days, opinion_deadline=deadline, created_at=at,
    )
    MeetingInvitation.objects.bulk_create([MeetingInvitation(meeting=meeting, department=d) for d in departments])
    _event(meeting, actor, "convene", at=at, summary=_(
        "发起%(k)s「%(t)s」，%(d)s举行，邀请：%(deps)s；意见截止 %(dl)s") % {
            "k": meeting.get_kind_display(), "t": meeting.title, "d": _cn_date(held_on),
            "deps": "、".join(d.name for d in departments), "dl": _cn_date(deadline)},
        data={"departments": [d.code for d in departments], "deadline": str(deadline)})
    return meeting


def _invitation(meeting: JointMeeting, department: Department) -> MeetingInvitation:
    invitation = meeting.invitations.select_related("department").filter(department=department).first()
    if invitation is None:
        raise CaseActionError(_("「%(d)s」不在本次会议的邀请部门之中。") % {"d": department.name}, code="not_invited")
    return invitation


def _require_open(meeting: JointMeeting) -> None:
    if meeting.state != JointMeeting.State.OPEN:
        raise CaseActionError(_("会议已于%(d)s闭会，不能再修改。") % {"d": _cn_date(timezone.localdate(meeting.closed_at))},
                              code="closed")


@transaction.atomic
def meeting_attendance_record(
    *, actor: User, meeting: JointMeeting, department: Department, present: bool, attendee: str = "",
    at: datetime.datetime | None = None,
) -> MeetingInvitation:
    """The coordinator records who came (a department records its own attendance too)."""
    at = _now(at)
    meeting = _lock(meeting)
    _require_open(meeting)
    if not _is_super(actor) and meeting.coordinator_id != actor.pk and actor.department_id != department.pk:
        raise CasePermissionDenied(_("只有牵头人或本部门可以登记出席情况。"), code="coordinator")
    invitation = _invitation(meeting, department)
    invitation.attendance = Inv.Attendance.PRESENT if present else Inv.Attendance.ABSENT
    invitation.attendee = (attendee or "").strip()[:60]
    invitation.save(update_fields=["attendance", "attendee"])
    meeting.version += 1
    meeting.save(update_fields=["version"])
    _event(meeting, actor, "attendance", at=at, summary=_("%(d)s：%(a)s%(p)s") % {
        "d": department.name, "a": invitation.get_attendance_display(),
        "p": f"（{invitation.attendee}）" if invitation.attendee else ""},
        data={"department": department.code, "present": present})
    return invitation


@transaction.atomic
def meeting_opinion_record(
    *, actor: User, meeting: JointMeeting, opinion: str, text: str = "", department: Department | None = None,
    at: datetime.datetime | None = None,
) -> MeetingInvitation:
    """A department's opinion: agree, agree with conditions, or disagree with reasons — by the deadline."""
    at = _now(at)
    meeting = _lock(meeting)
    _require(actor, *DEPARTMENT_ROLES)
    department = department or getattr(actor, "department", None)
    if department is None:
        raise CaseActionError(_("请选择提交意见的部门。"), code="department")
    if not _is_super(actor) and actor.department_id != department.pk:
        raise CasePermissionDenied(_("只能提交本部门的意见。"), code="department")
    today = timezone.localdate(at)
    if meeting.state != JointMeeting.State.OPEN or today > meeting.opinion_deadline:
        raise CaseActionError(
            _("意见提交截止日为 %(d)s，已过截止日，不能再提交意见；未提交意见的部门按规定视为同意（超时默许）。")
            % {"d": _cn_date(meeting.opinion_deadline)}, code="deadline")
    invitation = _invitation(meeting, department)
    text = (text or "").strip()
    if opinion not in (Inv.Opinion.AGREE, Inv.Opinion.CONDITIONS, Inv.Opinion.DISAGREE):
        raise CaseActionError({"opinion": [_("请选择意见：同意、有条件同意或不同意。")]})
    if opinion == Inv.Opinion.CONDITIONS and not text:
        raise CaseActionError({"text": [_("有条件同意请写明条件。")]})
    if opinion == Inv.Opinion.DISAGREE and not text:
        raise CaseActionError({"text": [_("不同意请写明理由和依据。")]})
    before = invitation.opinion
    invitation.opinion = opinion
    invitation.text = text
    invitation.deemed = Inv.Deemed.NO
    invitation.recorded_by = staff_user(actor)
    invitation.recorded_at = at
    invitation.save()
    meeting.version += 1
    meeting.save(update_fields=["version"])
    _event(meeting, actor, "opinion", at=at, summary=_("%(d)s：%(o)s%(t)s") % {
        "d": department.name, "o": invitation.get_opinion_display(), "t": f"——{text}" if text else ""},
        data={"department": department.code, "opinion": opinion, "before": before})
    return invitation


@transaction.atomic
def meeting_close(*, meeting: JointMeeting, actor=None, at: datetime.datetime | None = None) -> JointMeeting:
    """After the opinion deadline: deem the silent and the absent as agreeing, conclude, write the minutes."""
    at = _now(at)
    meeting = _lock(meeting)
    if meeting.state == JointMeeting.State.CLOSED:
        return meeting
    if timezone.localdate(at) <= meeting.opinion_deadline:
        raise CaseActionError(_("意见期限到 %(d)s 为止，期限届满后才能闭会。") % {"d": _cn_date(meeting.opinion_deadline)},
                              code="not_due")
    for invitation in meeting.invitations.select_related("department"):
        if invitation.opinion:
            continue
        absent = invitation.attendance == Inv.Attendance.ABSENT
        invitation.opinion = Inv.Opinion.AGREE
        invitation.deemed = Inv.Deemed.ABSENT if absent else Inv.Deemed.SILENT
        invitation.recorded_at = at
        invitation.save(update_fields=["opinion", "deemed", "recorded_at"])
        label = _("缺席默认") if absent else _("超时默许")
        why = _("受邀未出席，且截止日前未提交意见") if absent else _("截止日（%(d)s）前未提交意见") % {
            "d": _cn_date(meeting.opinion_deadline)}
        _event(meeting, actor, "deemed_consent", at=at,
               summary=_("%(d)s：视为同意（%(l)s）——%(w)s") % {"d": invitation.department.name, "l": label, "w": why},
               data={"department": invitation.department.code, "deemed": invitation.deemed},
               audit_note=_("%(d)s %(l)s：%(w)s，按规定视为同意") % {"d": invitation.department.name, "l": label, "w": why})
    opinions = list(meeting.invitations.values_list("opinion", flat=True))
    if Inv.Opinion.DISAGREE in opinions:
        meeting.result = JointMeeting.Result.DISAGREED
    elif Inv.Opinion.CONDITIONS in opinions:
        meeting.result = JointMeeting.Result.CONDITIONS
    else:
        meeting.result = JointMeeting.Result.AGREED
    meeting.state = JointMeeting.State.CLOSED
    meeting.closed_at = at
    meeting.version += 1
    from .meeting_minutes import render_minutes

    pdf = render_minutes(meeting)
    meeting.minutes_pdf.save(f"meeting-{meeting.pk}.pdf", ContentFile(pdf), save=False)
    meeting.save(update_fields=["result", "state", "closed_at", "version", "minutes_pdf"])
    _event(meeting, actor, "close", at=at, summary=_("闭会，会议结论：%(r)s") % {"r": meeting.get_result_display()},
           data={"result": meeting.result})
    if meeting.case_id:
        from .services import _event as case_event

        case_event(meeting.case, actor, "meeting_closed", at=at, from_status=meeting.case.status, summary=_(
            "%(k)s「%(t)s」闭会，结论：%(r)s") % {"k": meeting.get_kind_display(), "t": meeting.title,
                                          "r": meeting.get_result_display()},
            data={"meeting": meeting.pk})
    return meeting


def meetings_close_due(*, today: datetime.date | None = None, at: datetime.datetime | None = None) -> int:
    """The sweep: close every open meeting whose opinion deadline has passed. Returns how many closed."""
    at = _now(at)
    today = today or timezone.localdate(at)
    closed = 0
    due = JointMeeting.objects.filter(state=JointMeeting.State.OPEN, opinion_deadline__lt=today).values_list(
        "pk", flat=True)
    for pk in list(due):
        meeting = JointMeeting.objects.get(pk=pk)
        # The day after the deadline, at the earliest: a sweep with an explicit `today` acts as of that day.
        when = max(at, timezone.make_aware(datetime.datetime.combine(today, datetime.time(0, 5))))
        meeting = meeting_close(meeting=meeting, actor=None, at=when)
        closed += 1
    return closed
