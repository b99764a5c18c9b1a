"""Parallel approval (并联审批): a bundle applied for once becomes a parent case and its children.

The parent is a `Case` (with a `ParallelCase` row saying which bundle and stage) whose clock runs
on the bundle's promised limit; it has no steps of its own, so it never sits in a department's
inbox. Each child is an ordinary case of one item, received through `case_receive` and accepted
through `case_accept`, routed to its department with its own clock.

The join (`parallel_join`) runs in the transaction of every child decision, under a row lock on
the parent: `_lock` in services.py takes the parent's lock before a child's, so all work on one
bundle application is serialised on the parent and a late decision cannot produce a second
outcome. The parent's outcome is written once, when its `ParallelCase.outcome` leaves "open".

Children's results are held (delivery "held") and released together by `parallel_deliver`
(统一出件) when the parent is decided.
"""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yichuang.catalog.models import Bundle, ItemVersion, MaterialRequirement
from yichuang.catalog.selectors_bundles import (
    bundle_checklist,
    bundle_entries,
    bundle_form_errors,
    bundle_split_form,
)
from yichuang.catalog.services_bundles import bundle_problems
from yichuang.core.actors import staff_user
from yichuang.core.models import SmsMessage
from yichuang.core.notify import TEMPLATES, sms_enqueue
from yichuang.org.models import Role, ServiceCentre, User, Window

from . import notices
from .errors import CaseActionError
from .models import DECIDED_STATUSES, Applicant, Case, CaseMaterial, CaseStep, Notice, ParallelCase
from .services import (
    CLOCK_FIELDS,
    FRONT_DESK_ROLES,
    _case_number,
    _decide,
    _deliver,
    _event,
    _finish_step,
    _lock,
    _next_waiting_step,
    _now,
    _open_step,
    _refresh_clock,
    _region,
    _require_role,
    _save,
    audited_refusal,
    case_accept,
    case_receive,
)

S = Case.Status
APPROVED_STATUSES = frozenset({S.APPROVED, S.APPROVED_DEFERRED})
# A child in one of these will not produce a result: its part of the bundle failed.
FAILED_STATUSES = frozenset({S.DENIED, S.REFUSED, S.NOT_RECEIVED, S.CANCELLED, S.WITHDRAWN, S.REVOKED})
CLOSED_STATUSES = DECIDED_STATUSES | FAILED_STATUSES

# SMS wording of the bundle's moments (the core table holds the single-case ones).
TEMPLATES.setdefault("bundle_accepted", gettext_lazy(
    "【%(sign)s】您申请的一件事「%(bundle)s」（%(number)s）已受理，共 %(count)s 个事项并联办理，承诺办结日 %(due)s。"))
TEMPLATES.setdefault("bundle_part_failed", gettext_lazy(
    "【%(sign)s】您申请的一件事「%(bundle)s」（%(number)s）中「%(item)s」未获准予：%(reason)s。"
    "如何办成：%(way)s。%(others)s"))
TEMPLATES.setdefault("bundle_stage_started", gettext_lazy(
    "【%(sign)s】您申请的一件事「%(bundle)s」（%(number)s）第 %(stage)s 阶段已开始办理。"))
TEMPLATES.setdefault("bundle_ready", gettext_lazy(
    "【%(sign)s】您申请的一件事「%(bundle)s」（%(number)s）已全部办结（%(result)s），请携带身份证件到%(place)s"
    "统一出件窗口一次领取全部结果。"))


def _quiet(cases: list[Case]) -> None:
    """The applicant hears about the bundle from the parent: drop the children's own messages queued in
    this transaction (the sender skips a message whose row is gone)."""
    for case in cases:
        SmsMessage.objects.filter(event_key__startswith=f"case:{case.pk}:", status=SmsMessage.Status.PENDING).delete()


def _tell(parent: Case, template: str, *, key: str, **params: Any) -> None:
    bundle = parent.parallel.bundle
    sms_enqueue(phone=parent.contact_phone, template=template,
                params={"bundle": bundle.name, "number": parent.number, **{k: str(v) for k, v in params.items()}},
                event_key=f"parallel:{parent.pk}:{key}")


def _date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


# --- applying -------------------------------------------------------------------------------------


def _child_checklists(bundle: Bundle, materials: dict[str, dict[str, Any]]) -> tuple[dict[int, dict], list[str]]:
    """The one checklist's answers as each child's own checklist, and what is missing (一次性告知)."""
    per_version: dict[int, dict[int, dict[str, Any]]] = {}
    missing = []
    for merged in bundle_checklist(bundle):
        if merged.produced_by is not None:
            answer = {"state": CaseMaterial.State.NOT_APPLICABLE,
                      "note": _("由本一件事「%(i)s」的办理结果提供") % {"i": merged.produced_by.name}}
        else:
            answer = dict(materials.get(merged.key) or {"state": CaseMaterial.State.MISSING})
            state = answer.get("state")
            if merged.necessity != MaterialRequirement.Necessity.OPTIONAL and state in (
                CaseMaterial.State.MISSING, CaseMaterial.State.DEFECTIVE, None
            ):
                missing.append(_("「%(m)s」%(s)s") % {
                    "m": merged.name, "s": _("不符合要求") if state == CaseMaterial.State.DEFECTIVE else _("未提交")})
        for requirement in merged.requirements:
            per_version.setdefault(requirement.version_id, {})[requirement.pk] = answer
    return per_version, missing


def _start_child(child: Case, *, actor, at: datetime.datetime, stage: int) -> Case:
    """A later stage opens: the child, received with the one application, is accepted now and its
    clock starts. The front desk checked its materials on the day of the application."""
    child = _lock(child, None)
    if child.status != S.RECEIVED:
        return child
    before = child.status
    child.status = S.ACCEPTED
    child.accepted_at = at
    _refresh_clock(child, timezone.localdate(at))
    _save(child, "status", "accepted_at", *CLOCK_FIELDS)
    for step in child.steps.order_by("order"):
        if step.role != "clerk":
            break
        _finish_step(step, actor=actor, at=at, opinion=_("受理"))
    following = _next_waiting_step(child)
    if following is not None:
        _open_step(following, at=at, region=_region(child))
    _event(child, actor, "accept", at=at, from_status=before, code="3",
           summary=_("并联审批第 %(n)d 阶段开始，受理，承诺办结日 %(d)s") % {"n": stage, "d": child.due_date},
           data={"due_date": str(child.due_date), "stage": stage})
    notices.notice_issue(case=child, kind=Notice.Kind.ACCEPTANCE, actor=actor, at=at)
    return child


def _require_bundle_open(bundle: Bundle) -> None:
    """A bundle takes applications only while published and complete (every item still acceptable)."""
    if bundle.status != Bundle.Status.PUBLISHED:
        raise CaseActionError(_("一件事「%(b)s」当前为「%(s)s」，不能申请。")
                              % {"b": bundle.name, "s": bundle.get_status_display()}, code="bundle")
    problems = bundle_problems(bundle)
    if problems:
        raise CaseActionError([_("一件事「%(b)s」暂不能办理：") % {"b": bundle.name}, *problems], code="bundle")


@audited_refusal("case.bundle_apply")
def bundle_apply(
    *, actor: User, applicant: Applicant, bundle: Bundle, form_data: dict[str, Any],
    materials: dict[str, dict[str, Any]], centre: ServiceCentre, window: Window | None = None,
    channel: str = Case.Channel.WINDOW, contact_phone: str = "", at: datetime.datetime | None = None,
) -> Case:
    """一件事 at the window: one form, one checklist → the parent case and one child per item.

    Stage-1 children are received and accepted now, each in its department's inbox with its own
    clock; later-stage children are received and wait for the join to open their stage.
    Returns the parent.
    """
    at = _now(at)
    _require_role(actor, *FRONT_DESK_ROLES)
    bundle = Bundle.objects.get(pk=bundle.pk)
    _require_bundle_open(bundle)
    form_data = {k: v for k, v in (form_data or {}).items()}
    errors = bundle_form_errors(bundle, form_data)
    if errors:
        raise CaseActionError(errors, code="form")
    checklists, missing = _child_checklists(bundle, materials or {})
    if missing:
        raise CaseActionError(
            [_("材料不齐全，不能受理。请一次性告知申请人补齐以下材料：")] + missing, code="materials")
    entries = bundle_entries(bundle)
    lead = entries[0].version
    stages = sorted({e.stage for e in entries})
    parent = Case.objects.create(
        number=_case_number(centre, at), item_version=lead, applicant=applicant,
        contact_phone=contact_phone or applicant.phone, centre=centre, window=window, channel=channel,
        department=lead.department, status=S.RECEIVED, form_data=form_data, received_at=at,
        limit_days=bundle.promised_limit, statutory_limit_days=bundle.statutory_limit,
        visits=1 if channel in (Case.Channel.WINDOW, Case.Channel.TOWN) else 0,
        first_contact=staff_user(actor), received_by=staff_user(actor),
    )
    ParallelCase.objects.create(parent=parent, bundle=bundle, current_stage=stages[0], stage_count=len(stages),
                                on_denial=bundle.on_denial)
    _event(parent, actor, "bundle_receive", at=at, from_status="", code="1",
           summary=_("一件事「%(b)s」接件，一表申请 %(n)d 个事项") % {"b": bundle.name, "n": len(entries)},
           data={"bundle": bundle.code, "items": [e.version.name for e in entries]})
    children = _bundle_receive_children(actor=actor, parent=parent, bundle=bundle, checklists=checklists,
                                        window=window, channel=channel, at=at, accept=True)
    return _bundle_accept(actor=actor, parent=parent, children=children, at=at)


def _bundle_receive_children(*, actor, parent: Case, bundle: Bundle, checklists: dict[int, dict],
                             window: Window | None, channel: str, at: datetime.datetime, accept: bool) -> list[Case]:
    """One child per item of the bundle, received with the parent's form and checklist; the first
    stage's children are accepted too when `accept` (shared by the window and the online pre-review)."""
    entries = bundle_entries(bundle)
    split = bundle_split_form(bundle, parent.form_data)
    first_stage = min(e.stage for e in entries)
    centre = parent.centre
    children = []
    for entry in entries:
        version = entry.version
        child = case_receive(actor=actor, item_version=version, applicant=parent.applicant, centre=centre, window=window,
                             channel=channel, materials=checklists.get(version.pk, {}), form_data=split[version.pk],
                             contact_phone=parent.contact_phone, at=at)
        child.parent = parent
        child.stage = entry.stage
        child.visits = 0  # the applicant came once, for the parent
        _save(child, "parent", "stage", "visits")
        if accept and entry.stage == first_stage:
            child = case_accept(actor=actor, case=child, at=at)
        children.append(child)
    return children


def _bundle_accept(*, actor, parent: Case, children: list[Case], at: datetime.datetime) -> Case:
    """The parent is accepted (its clock starts), the first stage's children run, a 即办件 among
    them is settled on the spot; the applicant hears once, from the parent."""
    stages = sorted({c.stage for c in children})
    parent = _lock(parent, None)
    before = parent.status
    parent.status = S.ACCEPTED
    parent.accepted_at = at
    _refresh_clock(parent, timezone.localdate(at))
    _save(parent, "status", "accepted_at", *CLOCK_FIELDS)
    now_running = [c for c in children if c.stage == stages[0]]
    _event(parent, actor, "bundle_accept", at=at, from_status=before, code="3",
           summary=_("受理，承诺办结日 %(d)s；第 %(s)d 阶段 %(n)d 个事项同时办理：%(i)s") % {
               "d": parent.due_date, "s": stages[0], "n": len(now_running),
               "i": "、".join(c.item_version.name for c in now_running)},
           data={"due_date": str(parent.due_date), "children": [c.number for c in children]})
    # A 即办件 in the running stage is settled on the spot, as at its own window; its result waits for
    # the others (统一出件).
    for child in children:
        if child.stage == stages[0] and child.item_version.handling_type == ItemVersion.HandlingType.IMMEDIATE:
            _decide(actor=actor, case=_lock(child, None), approve=True, reason=_("材料齐全，符合法定条件，当场办结。"),
                    basis=child.item_version.legal_basis, way_forward="", at=at, front_desk=True)
    _quiet(children)
    _tell(parent, "bundle_accepted", key="accepted", count=len(children), due=_date(parent.due_date))
    return parent


# --- the join -------------------------------------------------------------------------------------


def _stop_child(child: Case, *, actor, at: datetime.datetime, reason: str) -> None:
    child = _lock(child, None)
    if child.status in CLOSED_STATUSES:
        return
    before = child.status
    child.status = S.CANCELLED if child.accepted_at is None else S.WITHDRAWN
    child.closed_at = at
    child.alarm = Case.Alarm.NONE
    child.paused_since = None
    _save(child, "status", "closed_at", "alarm", "paused_since")
    child.steps.exclude(state=CaseStep.State.DONE).update(state=CaseStep.State.CANCELLED, alarm=Case.Alarm.NONE)
    _event(child, actor, "bundle_stop", at=at, from_status=before, code="2" if child.status == S.CANCELLED else "14",
           summary=reason)


def _part(child: Case) -> dict[str, Any]:
    return {
        "case": child.pk, "number": child.number, "item": child.item_version.name,
        "department": child.department.name, "status": child.get_status_display(),
        "reason": child.decision_reason or child.get_status_display(),
        "way_forward": child.decision_way_forward,
    }


def parallel_child_decided(*, actor, child: Case, at: datetime.datetime) -> None:
    """Hook from the engine's decision: run the join of the child's parent in the same transaction."""
    parallel_join(parent=Case(pk=child.parent_id), actor=actor, at=at)


@transaction.atomic
def parallel_join(*, parent: Case, actor=None, at: datetime.datetime | None = None) -> Case:
    """Under the parent's row lock: record failed parts, open the next stage, decide the parent once."""
    at = _now(at)
    parent = _lock(parent, None)
    record = ParallelCase.objects.select_for_update().select_related("bundle").get(parent=parent)
    if record.outcome != ParallelCase.Outcome.OPEN:
        return parent
    children = list(parent.children.select_related("item_version", "department").order_by("stage", "id"))
    known = {part["case"] for part in record.failed_parts}
    fresh = [c for c in children if c.status in FAILED_STATUSES and c.pk not in known]
    for child in fresh:
        part = _part(child)
        record.failed_parts.append(part)
        still = [c.item_version.name for c in children if c.pk != child.pk and c.status not in CLOSED_STATUSES]
        if record.on_denial == Bundle.OnDenial.STOP:
            others = _("按一件事规定，其他事项一并终止办理。")
        elif still:
            others = _("其他事项继续办理：%(i)s。") % {"i": "、".join(still)}
        else:
            others = ""
        _event(parent, actor, "bundle_part_failed", at=at, from_status=parent.status,
               summary=_("「%(i)s」（%(d)s）%(s)s：%(r)s。如何办成：%(w)s") % {
                   "i": part["item"], "d": part["department"], "s": part["status"], "r": part["reason"],
                   "w": part["way_forward"] or _("请咨询%(d)s") % {"d": part["department"]}},
               data={"part": part, "on_denial": record.on_denial})
        _tell(parent, "bundle_part_failed", key=f"failed:{child.pk}", item=part["item"], reason=part["reason"],
              way=part["way_forward"] or _("请咨询%(d)s") % {"d": part["department"]}, others=others)
    if record.failed_parts:
        failed_names = "、".join(p["item"] for p in record.failed_parts)
        if record.on_denial == Bundle.OnDenial.STOP:
            for child in children:
                if child.status not in CLOSED_STATUSES:
                    _stop_child(child, actor=actor, at=at,
                                reason=_("一件事中「%(i)s」未获准予，按规定本事项一并终止办理") % {"i": failed_names})
        # A later stage needs every earlier result: it cannot start.
        for child in children:
            if child.stage > record.current_stage and child.status == S.RECEIVED:
                _stop_child(child, actor=actor, at=at, reason=_(
                    "第 %(n)d 阶段「%(i)s」未获准予，本阶段不再办理") % {"n": record.current_stage, "i": failed_names})
        children = list(parent.children.select_related("item_version", "department").order_by("stage", "id"))
    current = [c for c in children if c.stage == record.current_stage]
    if (not record.failed_parts and current and all(c.status in APPROVED_STATUSES for c in current)
            and record.current_stage < record.stage_count):
        record.current_stage += 1
        started = [_start_child(c, actor=actor, at=at, stage=record.current_stage)
                   for c in children if c.stage == record.current_stage]
        _save(parent)
        _event(parent, actor, "bundle_stage", at=at, from_status=parent.status, summary=_(
            "第 %(p)d 阶段全部准予，第 %(n)d 阶段开始：%(i)s") % {
                "p": record.current_stage - 1, "n": record.current_stage,
                "i": "、".join(c.item_version.name for c in started)},
            data={"stage": record.current_stage})
        _tell(parent, "bundle_stage_started", key=f"stage:{record.current_stage}", stage=record.current_stage)
        children = list(parent.children.select_related("item_version", "department").order_by("stage", "id"))
    if all(c.status in CLOSED_STATUSES for c in children):
        _decide_parent(parent, record, children, actor=actor, at=at)
    record.save()
    return parent


def _decide_parent(parent: Case, record: ParallelCase, children: list[Case], *, actor, at) -> None:
    approved = [c for c in children if c.status in APPROVED_STATUSES]
    all_approved = len(approved) == len(children)
    before = parent.status
    results = [c for c in children if c.status in DECIDED_STATUSES]
    parent.status = S.APPROVED if all_approved else S.DENIED
    parent.decision_approved = all_approved
    if all_approved:
        parent.decision_reason = _("一件事包含的 %(n)d 个事项全部准予") % {"n": len(children)}
        parent.decision_way_forward = ""
    else:
        parent.decision_reason = "；".join(
            _("「%(i)s」%(s)s：%(r)s") % {"i": p["item"], "s": p["status"], "r": p["reason"]}
            for p in record.failed_parts)
        parent.decision_way_forward = "；".join(
            f"{p['item']}：{p['way_forward']}" for p in record.failed_parts if p["way_forward"])
    parent.decision_basis = _("并联审批，各事项依其设定依据分别决定")
    parent.decided_at = at
    parent.alarm = Case.Alarm.NONE
    if any(c.delivery == Case.Delivery.WITHHELD for c in results):
        parent.delivery = Case.Delivery.WITHHELD
    elif results:
        parent.delivery = Case.Delivery.WAITING
    else:
        parent.delivery = Case.Delivery.NONE
        parent.closed_at = at
    _save(parent, "status", "decision_approved", "decision_reason", "decision_way_forward", "decision_basis",
          "decided_at", "alarm", "delivery", "closed_at")
    record.outcome = ParallelCase.Outcome.APPROVED if all_approved else (
        ParallelCase.Outcome.DENIED if approved or any(c.status == S.DENIED for c in children)
        else ParallelCase.Outcome.STOPPED)
    record.outcome_at = at
    summary = parent.decision_reason
    if parent.delivery == Case.Delivery.WAITING:
        summary += _("；结果统一出件")
    _event(parent, actor, "bundle_decide", at=at, from_status=before, code="11" if all_approved else "13",
           summary=summary, data={"outcome": record.outcome, "approved": [c.number for c in approved]})
    if parent.delivery != Case.Delivery.NONE:
        _tell(parent, "bundle_ready", key="ready", place=parent.centre.name,
              result=_("全部准予") if all_approved else _("%(a)d 项准予，%(f)d 项未获准予") % {
                  "a": len(approved), "f": len(children) - len(approved)})


# --- 统一出件 ---------------------------------------------------------------------------------------


@audited_refusal("case.bundle_deliver")
def parallel_deliver(
    *, actor, case: Case, method: str, expected_version: int | None = None, collected_by: str = "",
    collector_id_last4: str = "", address: str = "", recipient: str = "", recipient_phone: str = "",
    carrier: str = "", tracking_number: str = "", at: datetime.datetime | None = None,
) -> Case:
    """统一出件: every child's result and the parent handed over together, in one visit or one parcel."""
    at = _now(at)
    parent = _lock(case, expected_version)
    _require_role(actor, Role.Code.RESULT_CLERK, *FRONT_DESK_ROLES)
    return parallel_release(actor=actor, parent=parent, method=method, at=at, collected_by=collected_by,
                            collector_id_last4=collector_id_last4, address=address, recipient=recipient,
                            recipient_phone=recipient_phone, carrier=carrier, tracking_number=tracking_number)


def parallel_release(*, actor, parent: Case, method: str, at: datetime.datetime, **details: Any) -> Case:
    """Deliver the locked parent and its children. The engine's `_deliver` hands a parent here, so the
    result window's ordinary 出件 on a parent case issues the whole bundle."""
    if not hasattr(parent, "parallel"):
        raise CaseActionError(_("此办件不是一件事的主办件。"), code="not_parent")
    children = list(parent.children.select_related("item_version").order_by("stage", "id"))
    if parent.status not in DECIDED_STATUSES:
        running = [c.item_version.name for c in children if c.status not in CLOSED_STATUSES]
        raise CaseActionError(_("一件事尚未全部办结，不能统一出件。仍在办理：%(i)s。") % {"i": "、".join(running)},
                              code="state")
    withheld = [c.item_version.name for c in children if c.delivery == Case.Delivery.WITHHELD]
    if withheld:
        raise CaseActionError(_("「%(i)s」的容缺材料尚未补齐，请先登记补齐后再统一出件。") % {"i": "、".join(withheld)},
                              code="withheld")
    if parent.delivery == Case.Delivery.WITHHELD:
        parent.delivery = Case.Delivery.WAITING
    delivered = []
    for child in children:
        if child.status not in DECIDED_STATUSES or child.delivery == Case.Delivery.DELIVERED:
            continue
        child = _lock(child, None)
        child.delivery = Case.Delivery.WAITING
        _deliver(actor=actor, case=child, method=method, at=at, count_visit=False, **details)
        delivered.append(child)
    _quiet(delivered)
    parent._bundle_release = True
    return _deliver(actor=actor, case=parent, method=method, at=at, **details)
