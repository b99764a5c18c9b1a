"""Every change of a rating, its rectification, its appeal and the weekly callbacks.

Each function checks the actor and the inputs, then writes the change, a `RatingEvent` and an
audit entry in one transaction. A refused action leaves nothing behind but the audit entry of
its refusal. Messages to people (SMS) are queued with `sms_enqueue`, which sends after commit.
"""

import datetime
import functools
import secrets

from django.conf import settings as django_settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.cases.models import DECIDED_STATUSES, Case
from yichuang.core.actors import staff_user
from yichuang.core.audit import audit_record
from yichuang.core.notify import sms_enqueue
from yichuang.core.validators import validate_mobile
from yichuang.org.models import Role, ServiceCentre, Window
from yichuang.org.selectors import scope_for

from . import rules
from .errors import FeedbackError, FeedbackPermissionDenied, RatingLinkRefused
from .models import (
    Appeal,
    CallbackSample,
    CallbackTask,
    FeedbackSettings,
    PadInvitation,
    Rating,
    RatingEvent,
    Rectification,
    RectificationStep,
)

K = RectificationStep.Kind
SUPERVISOR_ROLES = (Role.Code.SUPERVISOR, Role.Code.ADMIN)
# Who may enter a rating on the applicant's behalf (hotline, callback): the supervision office and front desk.
ENTRY_ROLES = (Role.Code.SUPERVISOR, Role.Code.ADMIN, Role.Code.CLERK)
STEP_ORDER = (K.VERIFY, K.RECTIFY, K.REPLY, K.CALLBACK, K.REVIEW)
# Steps the department answerable for the rating does; the rest are the supervision office's.
DEPARTMENT_STEPS = (K.VERIFY, K.RECTIFY, K.REPLY)
PAD_INVITATION_MINUTES = 15
RATING_LINK_SALT = "yichuang.feedback.rating-link"


# --- plumbing ---------------------------------------------------------------------------------


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return at or timezone.now()


def audited_refusal(action: str, obj_key: str = ""):
    """Run the service in its own transaction; if it refuses, record the refusal and re-raise."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*, actor, **kwargs):
            try:
                with transaction.atomic():
                    return fn(actor=actor, **kwargs)
            except FeedbackError as err:
                obj = kwargs.get(obj_key) if obj_key else None
                audit_record(actor=actor, action=f"{action}.refused", object_type=f"feedback.{obj_key or action}",
                             object_id=str(getattr(obj, "pk", "") or ""), note="；".join(err.messages))
                raise

        return wrapper

    return decorate


def settings_for(centre: ServiceCentre) -> FeedbackSettings:
    """The centre's settings, or the defaults (15 working days, 1 / 5 for complaints) when it has none."""
    found = FeedbackSettings.objects.filter(centre=centre).first()
    return found or FeedbackSettings(centre=centre)


def _is_supervisor(actor, centre_id: int) -> bool:
    if getattr(actor, "is_superuser", False):
        return True
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*SUPERVISOR_ROLES):
        return False
    return scope_for(actor).centres().filter(pk=centre_id).exists()


def _require_supervisor(actor, centre_id: int) -> None:
    if not _is_supervisor(actor, centre_id):
        raise FeedbackPermissionDenied(_("此操作需要本中心的电子监察人员或中心管理员。"), code="role")


def _rating_event(rating: Rating, actor, action: str, *, at: datetime.datetime, summary: str = "",
                  data: dict | None = None) -> RatingEvent:
    event = RatingEvent.objects.create(
        rating=rating, at=at, actor=staff_user(actor), actor_label=_label(actor), action=action,
        summary=summary[:500], data=data or {},
    )
    audit_record(actor=actor, action=f"rating.{action}", obj=rating,
                 after={"state": rating.state, "level": rating.level, **(data or {})}, note=summary)
    return event


def _label(actor) -> str:
    if actor is None:
        return _("系统")
    if isinstance(actor, str):
        return actor
    return str(actor)


# --- the signed SMS link ------------------------------------------------------------------------


def rating_link_token(case: Case) -> str:
    """A token for the SMS link: the case number, signed with a timestamp (no login needed)."""
    return signing.TimestampSigner(salt=RATING_LINK_SALT).sign(case.number)


def rating_link_url(case: Case) -> str:
    # The link goes in an SMS: reverse against the site's own URLs, whatever the request's urlconf.
    path = reverse("feedback:rate_online", kwargs={"number": case.number}, urlconf=django_settings.ROOT_URLCONF)
    return f"{django_settings.SITE_URL}{path}?t={rating_link_token(case)}"


def rating_link_check(*, number: str, token: str, max_age_days: int) -> None:
    """Refuse a link that is altered, for another case, or older than the centre's validity."""
    signer = signing.TimestampSigner(salt=RATING_LINK_SALT)
    try:
        value = signer.unsign(token or "", max_age=datetime.timedelta(days=max_age_days))
    except signing.SignatureExpired:
        raise RatingLinkRefused(
            _("这条评价链接已过期（有效期 %(d)d 天）。您仍可拨打 12345 热线评价，或在网上办事大厅登录后评价。")
            % {"d": max_age_days}, code="expired") from None
    except signing.BadSignature:
        raise RatingLinkRefused(
            _("这条评价链接无效（可能被改动或复制不完整）。请打开短信中的完整链接，或拨打 12345 热线评价。"),
            code="altered") from None
    if value != number:
        raise RatingLinkRefused(_("这条评价链接不属于办件 %(n)s。请打开短信中的完整链接。") % {"n": number},
                                code="altered")


def rating_invitation_send(*, case: Case, event_id: int) -> None:
    """After the result is delivered: an SMS inviting the applicant to rate, with the signed link. Goes once."""
    if not case.contact_phone or case.ratings.filter(channel__in=[Rating.Channel.ONLINE, Rating.Channel.SMS]).exists():
        return
    sms_enqueue(phone=case.contact_phone, template="rating_invitation",
                params={"item": case.item_version.name, "number": case.number, "link": rating_link_url(case)},
                event_key=f"case:{case.pk}:rating_invitation:{event_id}")


# --- ratings ----------------------------------------------------------------------------------------


def _clean_level(value) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if level not in Rating.Level.values:
        raise FeedbackError({"level": [_("请选择总体评价：非常满意、满意、基本满意、不满意或非常不满意。")]})
    return level


def _clean_indicators(raw: dict | None, allowed: tuple, level: int) -> dict:
    keys = {key for key, _label in allowed}
    result = {}
    for key, value in (raw or {}).items():
        if value in ("", None):
            continue
        if key not in keys:
            raise FeedbackError({"indicators": [_("评价指标「%(k)s」不属于此渠道的指标。") % {"k": key}]})
        result[key] = _clean_level(value)
    result["overall"] = level
    return result


def _context_from_case(case: Case) -> dict:
    return {
        "centre": case.centre, "item": case.item_version.item, "department": case.department,
        "window": case.window, "staff": case.received_by,
    }


@audited_refusal("rating.submit", "case")
def rating_submit(
    *, actor, channel: str, level, case: Case | None = None, ticket=None, indicators: dict | None = None,
    comment: str = "", real_name: bool = False, rater_name: str = "", rater_phone: str = "",
    external_ref: str = "", at: datetime.datetime | None = None,
) -> Rating:
    """One rating: by the applicant (online, SMS link, the window's pad), or entered for them by staff
    (hotline, callback) or pushed by the provincial platform. A 差评 opens its rectification at once."""
    at = _now(at)
    if channel not in Rating.Channel.values:
        raise FeedbackError(_("评价渠道无效。"), code="channel")
    if channel in (Rating.Channel.HOTLINE, Rating.Channel.CALLBACK):
        if not (getattr(actor, "is_superuser", False) or (getattr(actor, "is_authenticated", False)
                                                            and actor.has_role(*ENTRY_ROLES))):
            raise FeedbackPermissionDenied(_("代录评价需要电子监察人员、中心管理员或窗口受理员账号。"), code="role")
    level = _clean_level(level)
    if channel == Rating.Channel.PAD:
        if ticket is None:
            raise FeedbackError(_("窗口评价须对应一次窗口服务（叫号）。"), code="ticket")
        context = {"centre": ticket.centre, "item": ticket.item, "window": ticket.window, "staff": ticket.clerk,
                   "department": ticket.window.department if ticket.window_id else None}
        if case is not None:
            context.update(item=case.item_version.item, department=case.department)
        if Rating.objects.filter(ticket=ticket).exists():
            raise FeedbackError(_("这次服务已经评价过了，一次服务只能评价一次。"), code="duplicate")
    else:
        if case is None:
            raise FeedbackError({"case": [_("请填写要评价的办件编号。")]})
        context = _context_from_case(case)
        if channel in (Rating.Channel.ONLINE, Rating.Channel.SMS) and not (
            case.status in DECIDED_STATUSES or case.closed_at is not None
        ):
            raise FeedbackError(_("办件 %(n)s 尚未办结。办结并出具结果后才能评价（一事一评）。") % {"n": case.number},
                                code="not_finished")
        if Rating.objects.filter(case=case, channel=channel).exists():
            raise FeedbackError(
                _("办件 %(n)s 已经通过「%(c)s」评价过，同一办件同一渠道只能评价一次。")
                % {"n": case.number, "c": Rating.Channel(channel).label}, code="duplicate")
    allowed = rules.indicator_set(channel, case.channel if case is not None else None)
    indicators = _clean_indicators(indicators, allowed, level)
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise FeedbackError({"comment": [_("评价内容最长 1000 字。")]})
    rater_name, rater_phone = (rater_name or "").strip()[:60], (rater_phone or "").strip()
    if real_name:
        if not rater_name:
            raise FeedbackError({"rater_name": [_("实名评价请填写姓名；不愿留名可选择匿名评价。")]})
        if not rater_phone and case is not None:
            rater_phone = case.contact_phone
    if rater_phone:
        try:
            rater_phone = validate_mobile(rater_phone)
        except Exception as err:
            raise FeedbackError({"rater_phone": list(getattr(err, "messages", [str(err)]))}) from None
    if not real_name:
        rater_name, rater_phone = "", ""
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                channel=channel, case=case, ticket=ticket, level=level, indicators=indicators, comment=comment,
                real_name=real_name, rater_name=rater_name, rater_phone=rater_phone, rated_at=at,
                entered_by=staff_user(actor) if channel in (Rating.Channel.HOTLINE, Rating.Channel.CALLBACK) else None,
                external_ref=(external_ref or "")[:64], token=secrets.token_hex(16), **context,
            )
    except IntegrityError:  # the same rating sent twice at once: the second loses
        raise FeedbackError(_("这次服务（办件）已经通过此渠道评价过，不能重复评价。"), code="duplicate") from None
    _rating_event(rating, actor, "rate", at=at, summary=_("%(c)s：%(l)s") % {
        "c": rating.get_channel_display(), "l": rating.get_level_display()}, data={"channel": channel})
    if rating.is_bad:
        _rectification_open(rating, at=at)
    return rating


def _rectification_open(rating: Rating, *, at: datetime.datetime) -> Rectification:
    conf = settings_for(rating.centre)
    budgets = [(K.VERIFY, conf.verify_days), (K.RECTIFY, conf.rectify_days), (K.REPLY, conf.reply_days),
               (K.CALLBACK, conf.callback_days), (K.REVIEW, conf.review_days)]
    opened_on = timezone.localdate(at)
    region = rating.centre.region
    schedule = rules.rectification_schedule(opened_on, budgets, region)
    rect = Rectification.objects.create(
        rating=rating, opened_on=opened_on, total_days=sum(days for _k, days in budgets),
        due_date=schedule[-1].due_date,
        alarm=rules.alarm_level(today=opened_on, warning_date=schedule[-1].warning_date,
                                due_date=schedule[-1].due_date),
    )
    for order, planned in enumerate(schedule, start=1):
        RectificationStep.objects.create(
            rectification=rect, order=order, kind=planned.kind, budget_days=planned.budget_days,
            due_date=planned.due_date, warning_date=planned.warning_date,
            state=RectificationStep.State.OPEN if order == 1 else RectificationStep.State.WAITING,
            alarm=rules.alarm_level(today=opened_on, warning_date=planned.warning_date, due_date=planned.due_date)
            if order == 1 else "none",
        )
    _rating_event(rating, None, "rectification_open", at=at,
                  summary=_("差评自动启动整改：核实 → 整改 → 反馈 → 回访 → 复核，%(d)d 个工作日内（%(due)s 前）办结。")
                  % {"d": rect.total_days, "due": rect.due_date.isoformat()}, data={"due": rect.due_date.isoformat()})
    return rect


# --- rectification ------------------------------------------------------------------------------------


def may_act_on_step(actor, rect: Rectification, kind: str) -> bool:
    rating = rect.rating
    if _is_supervisor(actor, rating.centre_id):
        return True
    if kind in DEPARTMENT_STEPS and getattr(actor, "is_authenticated", False):
        return rating.department_id is not None and actor.department_id == rating.department_id
    return False


def _lock_rect(rect: Rectification) -> Rectification:
    return Rectification.objects.select_for_update(of=("self",)).select_related(
        "rating__centre__region").get(pk=rect.pk)


@audited_refusal("rectification.step", "rectification")
def rectification_step_complete(
    *, actor, rectification: Rectification, kind: str, note: str, answer: str = "", outcome: str = "",
    level_after=None, passed: bool = True, at: datetime.datetime | None = None,
) -> Rectification:
    """Finish the open step. 反馈 writes the answer the rater sees; 回访 records the call's outcome (a call not
    answered leaves the step open for another try); 复核 passes (the rectification is done) or returns it to 整改."""
    at = _now(at)
    rect = _lock_rect(rectification)
    if rect.state != Rectification.State.OPEN:
        raise FeedbackError(_("此整改已%(s)s，不能再办理。") % {"s": rect.get_state_display()}, code="state")
    step = rect.steps.filter(state=RectificationStep.State.OPEN).first()
    if step is None or step.kind != kind:
        raise FeedbackError(_("当前环节是「%(c)s」，不是「%(k)s」。请刷新页面。") % {
            "c": step.get_kind_display() if step else "—", "k": K(kind).label if kind in K.values else kind},
            code="conflict")
    if not may_act_on_step(actor, rect, kind):
        who = _("责任部门或电子监察人员") if kind in DEPARTMENT_STEPS else _("电子监察人员")
        raise FeedbackPermissionDenied(_("「%(k)s」环节须由%(w)s办理。") % {"k": step.get_kind_display(), "w": who},
                                       code="role")
    note = (note or "").strip()
    if not note:
        raise FeedbackError({"note": [_("请填写%(k)s情况。") % {"k": step.get_kind_display()}]})
    rating = rect.rating
    data: dict = {"step": kind}
    if kind == K.REPLY:
        answer = (answer or "").strip()
        if not answer:
            raise FeedbackError({"answer": [_("请填写给评价人的答复，评价人可在评价页看到。")]})
        rect.answer = answer
        rect.save(update_fields=["answer"])
        if rating.rater_phone:
            sms_enqueue(phone=rating.rater_phone, template="rating_answered",
                        params={"link": f"{django_settings.SITE_URL}"
                                        f"{reverse('feedback:rating_public', kwargs={'token': rating.token}, urlconf=django_settings.ROOT_URLCONF)}"},
                        event_key=f"rating:{rating.pk}:answered")
    if kind == K.CALLBACK:
        if outcome not in CallbackTask.Outcome.values or outcome == CallbackTask.Outcome.PENDING:
            raise FeedbackError({"outcome": [_("请选择回访结果：已回访、未接通或拒绝回访。")]})
        data["outcome"] = outcome
        if level_after not in (None, ""):
            data["level_after"] = _clean_level(level_after)
        if outcome == CallbackTask.Outcome.NOT_REACHED:
            attempts = step.data.get("attempts", 0) + 1
            step.data = {**step.data, "attempts": attempts}
            step.save(update_fields=["data"])
            _rating_event(rating, actor, "callback_attempt", at=at,
                          summary=_("回访未接通（第 %(n)d 次）：%(note)s") % {"n": attempts, "note": note}, data=data)
            return rect
    if kind == K.REVIEW and not passed:
        # Returned to 整改: the steps from 整改 on open again, their deadlines unchanged.
        for later in rect.steps.filter(order__gte=2):
            later.state = RectificationStep.State.OPEN if later.kind == K.RECTIFY else RectificationStep.State.WAITING
            later.finished_at = None
            later.save(update_fields=["state", "finished_at"])
        _rating_event(rating, actor, "review_returned", at=at, summary=_("复核未通过，退回整改：%(n)s") % {"n": note},
                      data=data)
        return rect
    today = timezone.localdate(at)
    step.state, step.finished_at, step.actor, step.note = RectificationStep.State.DONE, at, staff_user(actor), note
    step.data = {**step.data, **data}
    step.alarm = "overdue" if today > step.due_date else "normal"
    step.save()
    following = rect.steps.filter(state=RectificationStep.State.WAITING).order_by("order").first()
    if following is not None:
        following.state = RectificationStep.State.OPEN
        following.alarm = rules.alarm_level(today=today, warning_date=following.warning_date,
                                            due_date=following.due_date)
        following.save(update_fields=["state", "alarm"])
    else:
        rect.state, rect.finished_at = Rectification.State.DONE, at
        rect.finished_late = today > rect.due_date
        rect.alarm = "none"
        rect.save(update_fields=["state", "finished_at", "finished_late", "alarm"])
    _rating_event(rating, actor, f"step_{kind}", at=at, summary=f"{step.get_kind_display()}：{note}", data=data)
    return rect


# --- appeals ------------------------------------------------------------------------------------------


@audited_refusal("rating.appeal", "rating")
def appeal_request(*, actor, rating: Rating, reason: str, at: datetime.datetime | None = None) -> Appeal:
    """A staff member asks that a malicious or mistaken 差评 be set aside; a supervisor decides."""
    at = _now(at)
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    if not getattr(actor, "is_authenticated", False):
        raise FeedbackPermissionDenied(_("请先登录。"), code="role")
    allowed = (actor.is_superuser or actor.pk == rating.staff_id
               or (rating.department_id and actor.department_id == rating.department_id)
               or _is_supervisor(actor, rating.centre_id))
    if not allowed:
        raise FeedbackPermissionDenied(_("只有被评价的工作人员、其所在部门或电子监察人员可以申诉。"), code="role")
    if not rating.is_bad:
        raise FeedbackError(_("只能对差评（不满意、非常不满意）申诉。"), code="level")
    if rating.state != Rating.State.VALID:
        raise FeedbackError(_("此评价%(s)s，不能再申诉。") % {"s": rating.get_state_display()}, code="state")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise FeedbackError({"reason": [_("请写明申诉理由（至少 10 字）：为什么认为这是恶意或误评，有何证据。")]})
    appeal = Appeal.objects.create(rating=rating, reason=reason, requested_by=staff_user(actor), requested_at=at)
    rating.state = Rating.State.APPEALED
    rating.save(update_fields=["state"])
    _rating_event(rating, actor, "appeal", at=at, summary=_("申诉：%(r)s") % {"r": reason}, data={"appeal": appeal.pk})
    return appeal


@audited_refusal("rating.appeal_decide", "appeal")
def appeal_decide(*, actor, appeal: Appeal, uphold: bool, reason: str, at: datetime.datetime | None = None) -> Appeal:
    """Uphold (the rating no longer counts, its rectification is withdrawn) or reject, always with a reason."""
    at = _now(at)
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("rating").get(pk=appeal.pk)
    rating = appeal.rating
    _require_supervisor(actor, rating.centre_id)
    if appeal.state != Appeal.State.PENDING:
        raise FeedbackError(_("此申诉已裁定（%(s)s）。") % {"s": appeal.get_state_display()}, code="state")
    if appeal.requested_by_id and appeal.requested_by_id == getattr(actor, "pk", None):
        raise FeedbackPermissionDenied(_("申诉须由另一名监察人员裁定，不能裁定自己提出的申诉。"), code="self")
    reason = (reason or "").strip()
    if not reason:
        raise FeedbackError({"reason": [_("请写明裁定理由。")]})
    appeal.state = Appeal.State.UPHELD if uphold else Appeal.State.REJECTED
    appeal.decided_by, appeal.decided_at, appeal.decision_reason = staff_user(actor), at, reason
    appeal.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
    rating.state = Rating.State.EXCLUDED if uphold else Rating.State.VALID
    rating.save(update_fields=["state"])
    if uphold:
        rect = Rectification.objects.filter(rating=rating, state=Rectification.State.OPEN).first()
        if rect is not None:
            rect.state, rect.alarm, rect.finished_at = Rectification.State.WITHDRAWN, "none", at
            rect.save(update_fields=["state", "alarm", "finished_at"])
            rect.steps.exclude(state=RectificationStep.State.DONE).update(state=RectificationStep.State.CANCELLED,
                                                                        alarm="none")
    summary = (_("申诉成立，此评价不计入考核：%(r)s") if uphold else _("申诉驳回：%(r)s")) % {"r": reason}
    _rating_event(rating, actor, "appeal_upheld" if uphold else "appeal_rejected", at=at, summary=summary,
                  data={"appeal": appeal.pk})
    return appeal


# --- the window's rating pad ------------------------------------------------------------------------


def _case_served(ticket) -> Case | None:
    """The case the clerk received during this service, if any (so the pad's rating is tied to it)."""
    began = ticket.called_at or ticket.started_at
    if not (ticket.clerk_id and ticket.window_id and began and ticket.finished_at):
        return None
    return (Case.objects.filter(received_by_id=ticket.clerk_id, window_id=ticket.window_id,
                                received_at__gte=began, received_at__lte=ticket.finished_at)
            .order_by("-received_at").first())


@transaction.atomic
def pad_invite(*, actor, window: Window, ticket_id: int, at: datetime.datetime | None = None) -> PadInvitation:
    """The console's 'finished' event: the window's pad asks the person just served to rate (一次一评)."""
    from yichuang.hall.models import Ticket
    from yichuang.hall.services import may_use_window

    at = _now(at)
    if not may_use_window(actor, window):
        raise FeedbackPermissionDenied(_("您没有被分配到 %(w)s 窗口。") % {"w": window.number}, code="window")
    ticket = Ticket.objects.filter(pk=ticket_id, window=window, status=Ticket.Status.DONE).first()
    if ticket is None:
        raise FeedbackError(_("没有找到在本窗口办结的这个号。"), code="ticket")
    PadInvitation.objects.filter(window=window, state=PadInvitation.State.PENDING).exclude(ticket=ticket).update(
        state=PadInvitation.State.SKIPPED)
    invitation, created = PadInvitation.objects.get_or_create(
        ticket=ticket, defaults={"window": window, "clerk": ticket.clerk, "case": _case_served(ticket),
                                 "created_at": at})
    if created:
        audit_record(actor=actor, action="rating.pad_invite", obj=invitation, after={"ticket": ticket.number})
    return invitation


def pad_current(window: Window, *, now: datetime.datetime | None = None) -> PadInvitation | None:
    now = _now(now)
    return (PadInvitation.objects.filter(window=window, state=PadInvitation.State.PENDING,
                                         created_at__gte=now - datetime.timedelta(minutes=PAD_INVITATION_MINUTES))
            .select_related("ticket", "clerk", "case__item_version").first())


@transaction.atomic
def pad_rate(*, invitation: PadInvitation, level, indicators: dict | None = None, comment: str = "",
             at: datetime.datetime | None = None) -> Rating:
    """The person at the window rates on the pad (anonymous unless the centre asks otherwise)."""
    invitation = PadInvitation.objects.select_for_update(of=("self",)).select_related("ticket__window__department").get(
        pk=invitation.pk)
    if invitation.state != PadInvitation.State.PENDING:
        raise FeedbackError(_("这次服务已经评价过了，谢谢！"), code="duplicate")
    rating = rating_submit(actor=_("窗口评价器"), channel=Rating.Channel.PAD, level=level, ticket=invitation.ticket,
                           case=invitation.case, indicators=indicators, comment=comment, at=at)
    invitation.state = PadInvitation.State.RATED
    invitation.save(update_fields=["state"])
    return rating


@transaction.atomic
def pad_skip(*, invitation: PadInvitation) -> None:
    PadInvitation.objects.filter(pk=invitation.pk, state=PadInvitation.State.PENDING).update(
        state=PadInvitation.State.SKIPPED)


# --- weekly callbacks (第三方回访) --------------------------------------------------------------------


@audited_refusal("callback.draw")
def callback_sample_draw(*, actor, centre: ServiceCentre, iso_year: int, iso_week: int,
                         at: datetime.datetime | None = None) -> CallbackSample:
    """Draw the week's sample of cases closed (result delivered) in that ISO week at the centre.
    Drawing again returns the sample already drawn: it is reproducible, see `rules.callback_draw`."""
    at = _now(at)
    if actor is not None:
        _require_supervisor(actor, centre.pk)
    existing = CallbackSample.objects.filter(centre=centre, iso_year=iso_year, iso_week=iso_week).first()
    if existing is not None:
        return existing
    monday, sunday = rules.week_bounds(iso_year, iso_week)
    if monday > timezone.localdate(at):
        raise FeedbackError(_("这一周还没有开始，不能抽样。"), code="future")
    population = callback_population(centre=centre, monday=monday, sunday=sunday)
    seed = rules.callback_seed(centre.code, iso_year, iso_week)
    size = settings_for(centre).callback_sample_size
    chosen = rules.callback_draw(population, seed=seed, size=size)
    sample = CallbackSample.objects.create(centre=centre, iso_year=iso_year, iso_week=iso_week, seed=seed,
                                           population=len(set(population)), size=len(chosen), drawn_at=at,
                                           drawn_by=staff_user(actor))
    CallbackTask.objects.bulk_create([CallbackTask(sample=sample, case_id=case_id, order=i)
                                      for i, case_id in enumerate(chosen, start=1)])
    audit_record(actor=actor, action="callback.draw", obj=sample,
                 after={"seed": seed, "population": sample.population, "cases": chosen})
    return sample


def callback_population(*, centre: ServiceCentre, monday: datetime.date, sunday: datetime.date) -> list[int]:
    start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(sunday + datetime.timedelta(days=1), datetime.time.min))
    return list(Case.objects.filter(centre=centre, closed_at__gte=start, closed_at__lt=end)
                .values_list("pk", flat=True))


@audited_refusal("callback.record", "task")
def callback_record(*, actor, task: CallbackTask, outcome: str, note: str = "", level=None,
                    indicators: dict | None = None, comment: str = "", real_name: bool = True,
                    at: datetime.datetime | None = None) -> CallbackTask:
    """A caller's result: reached (with the applicant's rating, entered for them), not reached, or refused."""
    at = _now(at)
    task = CallbackTask.objects.select_for_update(of=("self",)).select_related("sample", "case__applicant").get(pk=task.pk)
    _require_supervisor(actor, task.sample.centre_id)
    if outcome not in CallbackTask.Outcome.values or outcome == CallbackTask.Outcome.PENDING:
        raise FeedbackError({"outcome": [_("请选择回访结果：已回访、未接通或拒绝回访。")]})
    if task.outcome in (CallbackTask.Outcome.REACHED, CallbackTask.Outcome.REFUSED):
        raise FeedbackError(_("此回访已记录为「%(o)s」。") % {"o": task.get_outcome_display()}, code="state")
    if outcome == CallbackTask.Outcome.REACHED:
        if level in (None, ""):
            raise FeedbackError({"level": [_("已回访的，请记录申请人的评价。")]})
        task.rating = rating_submit(
            actor=actor, channel=Rating.Channel.CALLBACK, level=level, case=task.case, indicators=indicators,
            comment=comment, real_name=real_name, rater_name=task.case.applicant.name if real_name else "",
            rater_phone=task.case.contact_phone if real_name else "", at=at)
    task.outcome, task.called_by, task.called_at = outcome, staff_user(actor), at
    task.attempts += 1
    task.note = (note or "").strip()[:300]
    task.save()
    audit_record(actor=actor, action="callback.record", obj=task, after={"outcome": outcome, "case": task.case_id})
    return task


# --- the alarm sweep --------------------------------------------------------------------------------


@transaction.atomic
def rectification_alarms_refresh(*, today: datetime.date | None = None) -> int:
    """Store each open rectification's (and open step's) alarm for lists and the dashboard. Returns changes."""
    today = today or timezone.localdate()
    changed = 0
    for rect in Rectification.objects.filter(state=Rectification.State.OPEN).prefetch_related("steps"):
        level = rules.alarm_level(today=today, warning_date=None, due_date=rect.due_date)
        open_step = next((s for s in rect.steps.all() if s.state == RectificationStep.State.OPEN), None)
        if open_step is not None:
            step_level = rules.alarm_level(today=today, warning_date=open_step.warning_date,
                                           due_date=open_step.due_date)
            if step_level != open_step.alarm:
                open_step.alarm = step_level
                open_step.save(update_fields=["alarm"])
                changed += 1
            # The whole is at least as urgent as the open step.
            order = ["none", "normal", "yellow", "red", "overdue"]
            level = max(level, step_level, key=order.index)
        if level != rect.alarm:
            rect.alarm = level
            rect.save(update_fields=["alarm"])
            changed += 1
    return changed


def feedback_sweep(*, today: datetime.date | None = None) -> dict:
    """The sweep: rectification and complaint alarms (yellow / red / overdue), and last week's callback sample
    for every centre that has closed cases and no sample yet."""
    from .services_complaints import complaint_alarms_refresh

    today = today or timezone.localdate()
    report = {"rectifications": rectification_alarms_refresh(today=today),
              "complaints": complaint_alarms_refresh(today=today), "samples": 0}
    year, week, monday, sunday = rules.previous_iso_week(today)
    for centre in ServiceCentre.objects.filter(is_active=True):
        if CallbackSample.objects.filter(centre=centre, iso_year=year, iso_week=week).exists():
            continue
        if callback_population(centre=centre, monday=monday, sunday=sunday):
            callback_sample_draw(actor=None, centre=centre, iso_year=year, iso_week=week)
            report["samples"] += 1
    return report
