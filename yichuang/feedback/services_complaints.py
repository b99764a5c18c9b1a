"""Complaints (投诉): intake from every channel, then 受理 → 调查 → 处置 → 反馈 → 归档.

Each stage has a deadline in working days (the centre's settings; defaults: accepted within 1
working day of receipt, answered within 5 of acceptance, archived within 2 of the answer). A
complex complaint may be extended once or more, each time with a written reason. Every change
writes a `ComplaintEvent` (the public ones are what the complainant sees with their number) and
an audit entry, in one transaction.
"""

import datetime
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.core.actors import staff_user
from yichuang.core.audit import audit_record
from yichuang.core.calendar import add_workdays
from yichuang.core.notify import sms_enqueue
from yichuang.core.sequences import sequence_next
from yichuang.core.validators import validate_mobile
from yichuang.org.models import Department, Role, ServiceCentre, User, Window

from . import rules
from .errors import FeedbackError, FeedbackPermissionDenied
from .models import Complaint, ComplaintEvent
from .services import _is_supervisor, _label, _now, audited_refusal, settings_for

St = Complaint.Stage
INTAKE_ROLES = (Role.Code.SUPERVISOR, Role.Code.ADMIN, Role.Code.CLERK)
MAX_EXTENSION_DAYS = 10
# The order of the stages and the action that leaves each one.
ADVANCE = {
    St.SUBMITTED: ("accept", St.ACCEPTED),
    St.ACCEPTED: ("investigate", St.INVESTIGATED),
    St.INVESTIGATED: ("handle", St.HANDLED),
    St.HANDLED: ("answer", St.ANSWERED),
    St.ANSWERED: ("archive", St.ARCHIVED),
}
ACTION_LABELS = {"accept": _("受理"), "investigate": _("调查"), "handle": _("处置"), "answer": _("反馈"),
                 "archive": _("归档"), "not_accept": _("不予受理"), "extend": _("延期"), "receive": _("登记")}


def _event(complaint: Complaint, actor, action: str, *, at: datetime.datetime, from_stage: str, summary: str = "",
           public: bool = True, data: dict | None = None) -> ComplaintEvent:
    event = ComplaintEvent.objects.create(
        complaint=complaint, at=at, actor=staff_user(actor), actor_label=_label(actor), action=action,
        from_stage=from_stage, to_stage=complaint.stage, summary=summary[:500], public=public, data=data or {},
    )
    audit_record(actor=actor, action=f"complaint.{action}", obj=complaint,
                 before={"stage": from_stage}, after={"stage": complaint.stage, **(data or {})}, note=summary[:500])
    return event


def _region(complaint: Complaint):
    return complaint.centre.region


def _due(start: datetime.date, days: int, region) -> datetime.date:
    return add_workdays(start, days, region).date


def _refresh_alarm(complaint: Complaint, today: datetime.date) -> None:
    if not complaint.is_open or complaint.stage_due_date is None:
        complaint.alarm = "none"
        return
    # One working day of warning: the day before a stage's deadline shows yellow, the deadline itself red.
    warning = rules.workday_before(complaint.stage_due_date, _region(complaint))
    complaint.alarm = rules.alarm_level(today=today, warning_date=warning, due_date=complaint.stage_due_date)


def _number(centre: ServiceCentre, at: datetime.datetime) -> str:
    day = timezone.localdate(at)
    seq = sequence_next(f"complaint:{centre.code}:{day:%Y%m%d}")
    return f"TS{centre.code}{day:%Y%m%d}{seq:04d}"


def complaint_submit(
    *, actor, centre: ServiceCentre, source: str, subject: str, content: str, category: str = "",
    complainant_name: str = "", complainant_phone: str = "", source_platform: str = "", source_ref: str = "",
    case=None, department: Department | None = None, window: Window | None = None, staff: User | None = None,
    at: datetime.datetime | None = None,
) -> Complaint:
    """Register a complaint. Online (actor None, no login) or entered by staff for the hall, a hotline or a
    transfer from another platform. Contact details are optional: without them it cannot be answered by SMS."""
    at = _now(at)
    with transaction.atomic():
        if source != Complaint.Source.ONLINE or actor is not None:
            if not (getattr(actor, "is_superuser", False)
                    or (getattr(actor, "is_authenticated", False) and actor.has_role(*INTAKE_ROLES))):
                raise FeedbackPermissionDenied(_("登记投诉需要电子监察人员、中心管理员或窗口受理员账号。"), code="role")
        errors: dict[str, list[str]] = {}
        if source not in Complaint.Source.values:
            errors["source"] = [_("请选择投诉来源。")]
        if category and category not in Complaint.Category.values:
            errors["category"] = [_("投诉分类无效。")]
        subject, content = (subject or "").strip(), (content or "").strip()
        if not subject:
            errors["subject"] = [_("请用一句话写明投诉什么。")]
        elif len(subject) > 120:
            errors["subject"] = [_("投诉事项最长 120 字，详细情况请写在投诉内容里。")]
        if len(content) < 5:
            errors["content"] = [_("请写明投诉内容：什么时间、在哪个窗口或办什么事、发生了什么。")]
        elif len(content) > 4000:
            errors["content"] = [_("投诉内容最长 4000 字。")]
        phone = (complainant_phone or "").strip()
        if phone:
            try:
                phone = validate_mobile(phone)
            except Exception as err:
                errors["complainant_phone"] = list(getattr(err, "messages", [str(err)]))
        if source == Complaint.Source.TRANSFER and not (source_platform or "").strip():
            errors["source_platform"] = [_("转办的投诉请填写来源平台（如：省 12345 平台）及其编号。")]
        if errors:
            raise FeedbackError(errors)
        if case is not None:
            department = department or case.department
            window = window or case.window
            staff = staff or case.received_by
        conf = settings_for(centre)
        complaint = Complaint.objects.create(
            number=_number(centre, at), query_code=f"{secrets.randbelow(10**6):06d}", centre=centre, source=source,
            source_platform=(source_platform or "").strip()[:60], source_ref=(source_ref or "").strip()[:64],
            category=category or Complaint.Category.OTHER, subject=subject, content=content,
            complainant_name=(complainant_name or "").strip()[:60], complainant_phone=phone,
            case=case, department=department, window=window, staff=staff, received_at=at,
            received_by=staff_user(actor),
            stage_due_date=_due(timezone.localdate(at), conf.complaint_accept_days, centre.region),
        )
        _refresh_alarm(complaint, timezone.localdate(at))
        complaint.save(update_fields=["alarm"])
        summary = _("收到投诉（%(s)s）") % {"s": complaint.get_source_display()}
        if not phone:
            summary += _("；未留联系电话，无法短信答复，请凭编号和查询码查询办理结果")
        _event(complaint, actor if actor is not None else _("投诉人（网上）"), "receive", at=at, from_stage="",
               summary=summary)
        if phone:
            sms_enqueue(phone=phone, template="complaint_received",
                        params={"number": complaint.number, "code": complaint.query_code,
                                "due": complaint.stage_due_date.isoformat()},
                        event_key=f"complaint:{complaint.pk}:received")
    return complaint


def _lock(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update(of=("self",)).select_related("centre__region").get(pk=complaint.pk)


@audited_refusal("complaint.advance", "complaint")
def complaint_advance(
    *, actor, complaint: Complaint, action: str, note: str = "", finding: str = "", accountability: str = "",
    answer: str = "", at: datetime.datetime | None = None,
) -> Complaint:
    """Move the complaint to its next stage (受理 / 调查 / 处置 / 反馈 / 归档), or refuse it at intake
    (不予受理, with the reason). The supervision office acts; each stage has its own deadline."""
    at = _now(at)
    complaint = _lock(complaint)
    if not _is_supervisor(actor, complaint.centre_id):
        raise FeedbackPermissionDenied(_("投诉由本中心的电子监察人员或中心管理员办理。"), code="role")
    today = timezone.localdate(at)
    before = complaint.stage
    note = (note or "").strip()
    conf = settings_for(complaint.centre)
    region = _region(complaint)
    if action == "not_accept":
        if before != St.SUBMITTED:
            raise FeedbackError(_("只有待受理的投诉可以不予受理。"), code="state")
        if not note:
            raise FeedbackError({"note": [_("不予受理须写明理由（如：不属于本中心职责，已告知向何处反映）。")]})
        complaint.stage, complaint.not_accepted_reason, complaint.answered_at = St.NOT_ACCEPTED, note, at
        complaint.answer = note
        complaint.stage_due_date = None
        _late(complaint, before, today)
        complaint.alarm = "none"
        complaint.save()
        _event(complaint, actor, action, at=at, from_stage=before, summary=_("不予受理：%(r)s") % {"r": note})
        _tell_answer(complaint, note)
        return complaint
    expected = ADVANCE.get(before)
    if expected is None or expected[0] != action:
        raise FeedbackError(
            _("投诉当前为「%(s)s」，不能%(a)s。请刷新页面。") % {"s": complaint.get_stage_display(),
                                                            "a": ACTION_LABELS.get(action, action)},
            code="state")
    _late(complaint, before, today)  # judged against the stage's own deadline, before the next one is set
    if action == "accept":
        complaint.accepted_at = at
        complaint.answer_due_date = _due(today, conf.complaint_answer_days + complaint.extension_days, region)
        complaint.stage_due_date = _due(today, conf.complaint_investigate_days + complaint.extension_days, region)
        summary = _("已受理，%(d)s 前答复") % {"d": complaint.answer_due_date.isoformat()}
    elif action == "investigate":
        if not note:
            raise FeedbackError({"note": [_("请写明调查情况：核实了什么、向谁了解、结论依据。")]})
        if finding not in (Complaint.Finding.UPHELD, Complaint.Finding.PARTLY, Complaint.Finding.UNFOUNDED):
            raise FeedbackError({"finding": [_("请选择调查结论：属实、部分属实或不属实。")]})
        complaint.investigation, complaint.finding = note, finding
        accepted_on = timezone.localdate(complaint.accepted_at)
        complaint.stage_due_date = _due(accepted_on, conf.complaint_handle_days + complaint.extension_days, region)
        summary = _("调查完成，结论：%(f)s") % {"f": Complaint.Finding(finding).label}
    elif action == "handle":
        if not note:
            raise FeedbackError({"note": [_("请写明处置措施。")]})
        complaint.handling = note
        complaint.accountability = (accountability or "").strip()[:200]
        complaint.stage_due_date = complaint.answer_due_date
        summary = _("已处置") + (_("；问责：%(a)s") % {"a": complaint.accountability} if complaint.accountability else "")
    elif action == "answer":
        answer = (answer or note).strip()
        if not answer:
            raise FeedbackError({"answer": [_("请填写给投诉人的答复。")]})
        complaint.answer, complaint.answered_at = answer, at
        complaint.stage_due_date = _due(today, conf.complaint_archive_days, region)
        summary = _("已答复投诉人") + ("" if complaint.can_sms else _("（未留联系电话，未能短信答复；投诉人可凭编号查询）"))
    else:  # archive
        complaint.archived_at = at
        complaint.stage_due_date = None
        summary = _("办结归档") + (f"：{note}" if note else "")
    complaint.stage = expected[1]
    _refresh_alarm(complaint, today)
    complaint.save()
    _event(complaint, actor, action, at=at, from_stage=before, summary=summary,
           data={"finding": complaint.finding} if action == "investigate" else None)
    if action == "answer":
        _tell_answer(complaint, complaint.answer)
    return complaint


def _late(complaint: Complaint, stage: str, today: datetime.date) -> None:
    if complaint.stage_due_date is not None and today > complaint.stage_due_date:
        complaint.late_stages = [*complaint.late_stages, stage]


def _tell_answer(complaint: Complaint, answer: str) -> None:
    if complaint.can_sms:
        sms_enqueue(phone=complaint.complainant_phone, template="complaint_answered",
                    params={"number": complaint.number, "answer": answer[:200]},
                    event_key=f"complaint:{complaint.pk}:answered")


@audited_refusal("complaint.extend", "complaint")
def complaint_extend(*, actor, complaint: Complaint, days: int, reason: str,
                     at: datetime.datetime | None = None) -> Complaint:
    """A complex complaint: more working days before the answer, with the reason written down (and shown)."""
    at = _now(at)
    complaint = _lock(complaint)
    if not _is_supervisor(actor, complaint.centre_id):
        raise FeedbackPermissionDenied(_("投诉由本中心的电子监察人员或中心管理员办理。"), code="role")
    if complaint.stage not in (St.ACCEPTED, St.INVESTIGATED, St.HANDLED):
        raise FeedbackError(_("只有已受理、尚未答复的投诉可以延期。"), code="state")
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise FeedbackError({"days": [_("延期天数为 1 至 %(m)d 个工作日。") % {"m": MAX_EXTENSION_DAYS}]})
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise FeedbackError({"reason": [_("请写明延期理由：为什么复杂、还需要做什么。")]})
    region = _region(complaint)
    complaint.extension_days += days
    complaint.extension_reason = "\n".join(filter(None, [complaint.extension_reason, reason]))
    complaint.answer_due_date = add_workdays(complaint.answer_due_date, days, region).date
    complaint.stage_due_date = add_workdays(complaint.stage_due_date, days, region).date
    _refresh_alarm(complaint, timezone.localdate(at))
    complaint.save()
    _event(complaint, actor, "extend", at=at, from_stage=complaint.stage,
           summary=_("情况复杂，延期 %(d)d 个工作日，答复期限改为 %(due)s：%(r)s")
           % {"d": days, "due": complaint.answer_due_date.isoformat(), "r": reason}, data={"days": days})
    return complaint


@transaction.atomic
def complaint_alarms_refresh(*, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    changed = 0
    for complaint in Complaint.objects.exclude(stage__in=[St.ARCHIVED, St.NOT_ACCEPTED]):
        before = complaint.alarm
        _refresh_alarm(complaint, today)
        if complaint.alarm != before:
            complaint.save(update_fields=["alarm"])
            changed += 1
    return changed
