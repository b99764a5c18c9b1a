"""Every change of a case (办件) goes through a function here.

Each function checks the actor's role and department, the case's state and its inputs; then
writes the new state, a `CaseEvent` and an audit entry in one transaction. The case row is
locked (`select_for_update`) and its `version` compared with the one the client saw, so of two
clerks acting at once one wins and the other is told plainly. A refused action leaves no trace
but the audit entry of its refusal.
"""

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.catalog.models import AllowedSpecialProcedure, ItemVersion, MaterialRequirement
from yichuang.core.actors import staff_user
from yichuang.core.audit import audit_record
from yichuang.core.crypto import lookup_hash
from yichuang.core.sequences import sequence_next
from yichuang.core.validators import validate_id_number, validate_mobile, validate_uscc
from yichuang.org.models import Role, ServiceCentre, User, Window

from . import notices
from .clock import alarm_level, compute_clock, paused_workdays
from .errors import CaseActionError, CaseConflict, CasePermissionDenied
from .models import (
    CLOCK_RUNNING_STATUSES,
    DECIDED_STATUSES,
    Applicant,
    Case,
    CaseEvent,
    CaseMaterial,
    CaseStep,
    CorrectionRequest,
    Delivery,
    Extension,
    Notice,
    SpecialProcedure,
)
from .notifications import tell_applicant
from .rules import can_accept_at

S = Case.Status
# More than three send-backs flag the case for an interview (约谈).
SEND_BACK_INTERVIEW_THRESHOLD = 3
FRONT_DESK_ROLES = (Role.Code.CLERK, Role.Code.TOWN_CLERK)


# --- plumbing ---------------------------------------------------------------------------------


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return at or timezone.now()


def _today(at: datetime.datetime | None) -> datetime.date:
    return timezone.localdate(_now(at))


def audited_refusal(action: str):
    """Run the service in its own transaction; if it refuses, record the refusal and re-raise."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*, actor, **kwargs):
            try:
                with transaction.atomic():
                    return fn(actor=actor, **kwargs)
            except CaseActionError as err:
                case = kwargs.get("case")
                audit_record(
                    actor=actor, action=f"{action}.refused", object_type="cases.case",
                    object_id=str(getattr(case, "pk", "") or ""), note="；".join(err.messages),
                )
                raise

        return wrapper

    return decorate


def _require_role(actor: User, *roles: str) -> None:
    if getattr(actor, "is_superuser", False):
        return
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*roles):
        names = "、".join(str(Role.Code(r).label) for r in roles)
        raise CasePermissionDenied(_("此操作需要「%(roles)s」角色。") % {"roles": names}, code="role")


def _require_department(actor: User, department_id: int) -> None:
    if getattr(actor, "is_superuser", False):
        return
    if actor.department_id != department_id:
        raise CasePermissionDenied(_("此办件由其他部门办理，您无权操作。"), code="department")


def _require_front_desk(actor: User, case: Case) -> None:
    _require_role(actor, *FRONT_DESK_ROLES)
    if not getattr(actor, "is_superuser", False) and actor.centre_id != case.centre_id:
        raise CasePermissionDenied(_("此办件由其他中心（站点）接件，请由接件窗口办理。"), code="centre")


def _require_at_centre(actor: User, case: Case, *roles: str, issuing: bool = False) -> None:
    """One of `roles`, working at the centre (or point) that received the case.

    `issuing`: the result window of a centre also issues the results of the town and village
    points below it (统一出件), so a centre's staff may act on its points' cases.
    """
    _require_role(actor, *roles)
    if getattr(actor, "is_superuser", False) or (actor.centre_id and actor.centre_id == case.centre_id):
        return
    if issuing and actor.centre_id:
        centre, hops = case.centre, 0
        while centre.parent_id and hops < 3:
            if centre.parent_id == actor.centre_id:
                return
            centre, hops = centre.parent, hops + 1
    raise CasePermissionDenied(_("此办件由其他中心（站点）接件，您无权操作。"), code="centre")


def _require_supervisor_over(actor: User, case: Case) -> None:
    """A supervisor of the region the case's department or receiving point lies in."""
    _require_role(actor, Role.Code.SUPERVISOR)
    if getattr(actor, "is_superuser", False):
        return
    prefix = actor.region.prefix if actor.region_id else None
    if prefix is None or not (case.department.region.code.startswith(prefix)
                              or case.centre.region.code.startswith(prefix)):
        raise CasePermissionDenied(_("此办件不在您监察的地区范围内。"), code="region")


def _lock(case: Case, expected_version: int | None) -> Case:
    # Lock the case row only: locking the joined centre, department or applicant rows as well
    # would deadlock against other transactions that touch them (the hall's tickets, say).
    if getattr(case, "parent_id", None):
        # 并联审批: the parent is always locked before a child, so the join never deadlocks.
        list(Case.objects.select_for_update(of=("self",)).filter(pk=case.parent_id).values_list("pk", flat=True))
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("item_version", "department__region", "centre", "applicant")
        .get(pk=case.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        last = locked.events.order_by("-at", "-id").first()
        who = last.actor_label if last else ""
        raise CaseConflict(
            _("办件 %(n)s 已被%(who)s处理（当前状态：%(s)s），您看到的是旧页面。请刷新后再操作。")
            % {"n": locked.number, "who": who or _("他人"), "s": locked.get_status_display()},
            code="conflict",
        )
    return locked


def _require_status(case: Case, *allowed: str, action: str) -> None:
    if case.status not in allowed:
        raise CaseActionError(
            _("办件当前状态为「%(s)s」，不能%(a)s。") % {"s": case.get_status_display(), "a": action}, code="state"
        )


def _save(case: Case, *fields: str) -> None:
    case.version += 1
    case.save(update_fields=[*fields, "version", "updated_at"])


def _event(
    case: Case, actor, action: str, *, at: datetime.datetime, from_status: str, code: str = "",
    summary: str = "", data: dict[str, Any] | None = None,
) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case, at=at, actor=staff_user(actor),
        actor_label=str(actor) if actor is not None else _("系统"), action=action, status_code=code,
        from_status=from_status, to_status=case.status, summary=summary[:500], data=data or {},
    )
    audit_record(
        actor=actor, action=f"case.{action}", obj=case,
        before={"status": from_status}, after={"status": case.status, "version": case.version, **(data or {})},
        note=summary,
    )
    return event


def _region(case: Case):
    return case.department.region


def _clock_running(case: Case) -> bool:
    """The clock runs while the department has the case, and through a special procedure that
    counts toward the limit (公示, say): only a pause (`paused_since`) stops it."""
    return case.paused_since is None and (case.status in CLOCK_RUNNING_STATUSES or case.status == S.SPECIAL)


def _refresh_clock(case: Case, today: datetime.date, *, provisional_pause: int = 0) -> None:
    """Recompute the stored due dates and alarm from the case's limits, extension and pauses."""
    if case.accepted_at is None:
        return
    clock = compute_clock(
        accepted_on=timezone.localdate(case.accepted_at),
        limit_days=case.limit_days,
        statutory_limit_days=case.statutory_limit_days,
        extension_days=case.extension_days,
        paused_days=case.paused_days + provisional_pause,
        region=_region(case),
    )
    case.due_date = clock.due.date
    case.statutory_due_date = clock.statutory_due.date
    case.warning_date = clock.warning_date
    case.due_confirmed = clock.confirmed
    if case.paused_since is not None:
        case.alarm = Case.Alarm.PAUSED
    elif _clock_running(case):
        case.alarm = alarm_level(today=today, warning_date=case.warning_date, due_date=case.due_date)
    else:
        case.alarm = Case.Alarm.NONE


CLOCK_FIELDS = ("due_date", "statutory_due_date", "warning_date", "due_confirmed", "alarm")


def _open_step(step: CaseStep, *, at: datetime.datetime, region) -> None:
    from yichuang.core.calendar import add_workdays

    today = timezone.localdate(at)
    step.state = CaseStep.State.OPEN
    step.started_at = at
    due = add_workdays(today, step.budget_days, region)
    step.due_date = due.date
    from .clock import warning_days

    step.warning_date = add_workdays(today, max(step.budget_days - warning_days(step.budget_days), 0), region).date
    step.alarm = alarm_level(today=today, warning_date=step.warning_date, due_date=step.due_date)
    step.save()


def _finish_step(step: CaseStep, *, actor, at: datetime.datetime, opinion: str = "") -> None:
    step.state = CaseStep.State.DONE
    step.finished_at = at
    step.handled_by = staff_user(actor)
    step.opinion = opinion
    step.alarm = Case.Alarm.NONE
    step.save()


def _open_steps(case: Case) -> list[CaseStep]:
    return list(case.steps.filter(state=CaseStep.State.OPEN).order_by("order"))


def _next_waiting_step(case: Case) -> CaseStep | None:
    return case.steps.filter(state=CaseStep.State.WAITING).order_by("order").first()


def _mark_department_started(case: Case, actor, at: datetime.datetime) -> None:
    """The first thing a department does on an accepted case is national status 8 (部门开始办理)."""
    if case.status == S.ACCEPTED:
        before = case.status
        case.status = S.PROCESSING
        _save(case, "status")
        _event(case, actor, "department_start", at=at, from_status=before, code="8", summary=_("部门开始办理"))


# --- applicants --------------------------------------------------------------------------------


@transaction.atomic
def applicant_register(
    *, actor, kind: str, name: str, id_number: str = "", uscc: str = "", phone: str = "",
    address: str = "", legal_representative: str = "",
) -> Applicant:
    """Find the applicant by ID number or USCC, or register them; contact details are updated."""
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("请填写申请人姓名或单位名称。")]
    clean_id = clean_uscc = ""
    try:
        if kind == Applicant.Kind.PERSON:
            clean_id = validate_id_number(id_number)
        elif kind == Applicant.Kind.COMPANY:
            clean_uscc = validate_uscc(uscc)
        else:
            errors["kind"] = [_("申请人类型应为自然人或法人。")]
    except CaseActionError:
        raise
    except Exception as err:  # ValidationError from the validators
        errors["id_number" if kind == Applicant.Kind.PERSON else "uscc"] = list(getattr(err, "messages", [str(err)]))
    if phone:
        try:
            phone = validate_mobile(phone)
        except Exception as err:
            errors["phone"] = list(getattr(err, "messages", [str(err)]))
    if errors:
        raise CaseActionError(errors)
    if kind == Applicant.Kind.PERSON:
        applicant = Applicant.objects.filter(id_number_hash=lookup_hash(clean_id)).first()
    else:
        applicant = Applicant.objects.filter(uscc=clean_uscc).first()
    created = applicant is None
    if created:
        applicant = Applicant(kind=kind, id_number=clean_id, uscc=clean_uscc)
        applicant.id_number_hash = lookup_hash(clean_id) if clean_id else ""
        applicant.id_last4 = clean_id[-4:] if clean_id else ""
    applicant.name = name
    applicant.phone = phone or applicant.phone
    applicant.address = address or applicant.address
    applicant.legal_representative = legal_representative or applicant.legal_representative
    applicant.save()
    audit_record(
        actor=actor, action="applicant.register" if created else "applicant.update", obj=applicant,
        after={"kind": kind, "name": name, "id": applicant.masked_id},
    )
    return applicant


# --- front desk ---------------------------------------------------------------------------------


def _case_number(centre: ServiceCentre, at: datetime.datetime) -> str:
    day = timezone.localdate(at)
    seq = sequence_next(f"case:{centre.code}:{day:%Y%m%d}")
    return f"{centre.code}{day:%Y%m%d}{seq:05d}"


MaterialInput = dict[int, dict[str, Any]]


def _check_material(row: CaseMaterial, values: dict[str, Any], *, today: datetime.date) -> str | None:
    """Set one checklist row (its `requirement` loaded) from the clerk's state, note and 容缺
    promise date; the problem instead, leaving the row as it was, when the values do not fit."""
    state = values.get("state", row.state)
    if state not in CaseMaterial.State.values:
        return _("「%(m)s」的核验结果「%(s)s」无效。") % {"m": row.requirement.name, "s": state}
    promised_on = values.get("promised_on")
    if isinstance(promised_on, str) and promised_on:
        try:
            promised_on = datetime.date.fromisoformat(promised_on)
        except ValueError:
            return _("「%(m)s」的承诺补齐日期格式应为 年-月-日。") % {"m": row.requirement.name}
    if state == CaseMaterial.State.DEFERRED:
        if row.requirement.necessity != MaterialRequirement.Necessity.DEFERRABLE:
            return _("「%(m)s」不是容缺后补材料，不能容缺受理。") % {"m": row.requirement.name}
        if not promised_on or promised_on <= today:
            return _("「%(m)s」容缺后补，请填写今天以后的承诺补齐日期。") % {"m": row.requirement.name}
    row.state = state
    row.note = str(values.get("note", row.note) or "")[:300]
    row.promised_on = promised_on if state == CaseMaterial.State.DEFERRED else None
    return None


def _check_materials(rows: Iterable[CaseMaterial], materials: MaterialInput, *, today: datetime.date
                     ) -> list[CaseMaterial]:
    """Apply the checklist to the rows (in memory); the rows it changed. Refuses with every problem."""
    by_requirement = {row.requirement_id: row for row in rows}
    errors, changed = [], []
    for requirement_id, values in materials.items():
        row = by_requirement.get(int(requirement_id))
        if row is None:
            errors.append(_("材料 %(id)s 不属于本事项。") % {"id": requirement_id})
            continue
        problem = _check_material(row, values, today=today)
        if problem:
            errors.append(problem)
        else:
            changed.append(row)
    if errors:
        raise CaseActionError(errors, code="materials")
    return changed


def _apply_materials(case: Case, materials: MaterialInput, *, today: datetime.date) -> None:
    """Record the checklist: for each requirement id, its state, note and 容缺 promise date."""
    for row in _check_materials(case.materials.select_related("requirement"), materials, today=today):
        row.save()


@dataclass(frozen=True)
class ReceivedRows:
    """What `case_receive` wrote besides the case, as written (the materials and steps in the
    order the case lists them), so that its caller can answer without reading them back.
    `case_receive` leaves it on the case it returns, as `case.received_rows`."""

    materials: list[CaseMaterial]
    steps: list[CaseStep]
    event: CaseEvent
    notice: Notice


@audited_refusal("case.receive")
def case_receive(
    *, actor, item_version: ItemVersion, applicant: Applicant, centre: ServiceCentre,
    window: Window | None = None, channel: str = Case.Channel.WINDOW, materials: MaterialInput | None = None,
    form_data: dict[str, Any] | None = None, contact_phone: str = "", agent_name: str = "",
    agent_id_number: str = "", agent_power_of_attorney: bool = False, first_contact: User | None = None,
    at: datetime.datetime | None = None,
) -> Case:
    """接件: the case is registered with a number and the material checklist as the clerk ticked it."""
    at = _now(at)
    _require_role(actor, *FRONT_DESK_ROLES)
    if not getattr(actor, "is_superuser", False) and actor.centre_id != centre.pk:
        raise CasePermissionDenied(_("您只能在本人所在的中心（站点）接件。"), code="centre")
    if item_version.status != ItemVersion.Status.PUBLISHED:
        raise CaseActionError(
            _("事项「%(n)s」当前为「%(s)s」，不能接件。") % {"n": item_version.name, "s": item_version.get_status_display()},
            code="item",
        )
    if not can_accept_at(item_version, centre):
        raise CaseActionError(
            _("事项「%(n)s」不在本中心（站点）的通办范围内，请引导申请人到%(d)s办理。")
            % {"n": item_version.name, "d": item_version.department.centre or item_version.department},
            code="scope",
        )
    if agent_name and agent_id_number:
        try:
            agent_id_number = validate_id_number(agent_id_number)
        except Exception as err:
            raise CaseActionError({"agent_id_number": list(getattr(err, "messages", [str(err)]))}) from None
    if agent_name and not agent_power_of_attorney:
        raise CaseActionError(_("代理人办理须提交授权委托书，请勾选「已提交授权委托书」。"), code="agent")
    # The checklist is checked before anything is written, and written once, as the clerk ticked it.
    checklist = [CaseMaterial(requirement=r) for r in
                 sorted(item_version.materials.all(), key=lambda r: (r.order, r.pk))]
    if materials:
        _check_materials(checklist, materials, today=timezone.localdate(at))
    case = Case.objects.create(
        number=_case_number(centre, at), item_version=item_version, applicant=applicant,
        contact_phone=contact_phone or applicant.phone, agent_name=agent_name, agent_id_number=agent_id_number,
        agent_power_of_attorney=agent_power_of_attorney, centre=centre, window=window, channel=channel,
        department=item_version.department, status=S.RECEIVED, form_data=form_data or {}, received_at=at,
        limit_days=item_version.promised_limit, statutory_limit_days=item_version.statutory_limit,
        visits=1 if channel in (Case.Channel.WINDOW, Case.Channel.TOWN) else 0,
        first_contact=first_contact or (staff_user(actor)),
        received_by=staff_user(actor),
    )
    for row in checklist:
        row.case = case
    CaseMaterial.objects.bulk_create(checklist)
    # Read nothing twice: a caller that prefetched the steps (the API reads them with the item) is not queried again.
    prefetch_related_objects([item_version], "steps__department")
    steps = CaseStep.objects.bulk_create([
        CaseStep(case=case, order=s.order * 10 + i, name=s.name, role=s.role,
                 department=s.department if s.department_id else item_version.department, budget_days=s.budget_days)
        for i, s in enumerate(item_version.steps.all())
    ])
    event = _event(case, actor, "receive", at=at, from_status="", code="1", summary=_("接件"),
                   data={"channel": channel, "item": item_version.name})
    tell_applicant(case, "case_received", event_id=event.pk)
    notice = notices.notice_issue(case=case, kind=Notice.Kind.RECEIPT, actor=actor, at=at, materials=checklist)
    case.received_rows = ReceivedRows(materials=checklist, steps=steps, event=event, notice=notice)
    return case


INTAKE_ACTIONS = ("receive", "correction", "refuse", "immediate")


@audited_refusal("case.intake")
def case_intake(
    *, actor, applicant: dict[str, Any], then: str = "receive", agent_staff: User | None = None,
    refusal: dict[str, str] | None = None, collected_by: str = "", **receive: Any,
) -> Case:
    """A walk-in at the front desk in one transaction: find or register the applicant, receive the
    case, hand it to an agent if asked, then (optionally) issue the one-time correction notice,
    refuse it, or settle a 即办件 on the spot. A refusal anywhere leaves nothing but its audit entry.

    Acceptance is deliberately not one of the `then` actions: a case whose acceptance is refused
    stays received, so its page can say what is missing.
    """
    if then not in INTAKE_ACTIONS:
        raise CaseActionError(_("未知的接件动作「%(a)s」。") % {"a": then}, code="action")
    party = applicant_register(actor=actor, **applicant)
    case = case_receive(actor=actor, applicant=party, **receive)
    if agent_staff is not None:
        case = case_assign_agent(actor=actor, case=case, agent=agent_staff, expected_version=case.version)
    if then == "correction":
        case = case_request_correction(actor=actor, case=case, expected_version=case.version)
    elif then == "refuse":
        refusal = refusal or {}
        case = case_refuse(actor=actor, case=case, expected_version=case.version, reason=refusal.get("reason", ""),
                           legal_basis=refusal.get("legal_basis", ""), way_forward=refusal.get("way_forward", ""))
    elif then == "immediate":
        case = case_handle_immediately(actor=actor, case=case, expected_version=case.version,
                                       collected_by=collected_by)
    return case


def _material_problems(case: Case) -> list[str]:
    """What keeps the checklist from acceptance, material by material."""
    problems = []
    for row in case.materials.select_related("requirement"):
        necessity = row.requirement.necessity
        name = row.requirement.name
        if row.state == CaseMaterial.State.RECEIVED or necessity == MaterialRequirement.Necessity.OPTIONAL:
            continue
        if row.state == CaseMaterial.State.NOT_APPLICABLE:
            if not row.note:
                problems.append(_("「%(m)s」标为不适用，请注明理由。") % {"m": name})
            continue
        if row.state == CaseMaterial.State.DEFERRED and necessity == MaterialRequirement.Necessity.DEFERRABLE:
            continue
        problems.append(_("「%(m)s」%(s)s。") % {"m": name, "s": row.get_state_display()})
    return problems


@audited_refusal("case.accept")
def case_accept(
    *, actor, case: Case, expected_version: int | None = None, materials: MaterialInput | None = None,
    at: datetime.datetime | None = None,
) -> Case:
    """受理: complete (or 容缺) materials; the clock starts the next working day."""
    at = _now(at)
    case = _lock(case, expected_version)
    _require_front_desk(actor, case)
    if case.status == S.PREREVIEW_PASSED and case.children.exists():
        # 一件事 applied for online: the applicant's one visit accepts the bundle and starts its children.
        from .services_parallel_online import bundle_accept_visit

        return bundle_accept_visit(actor=actor, parent=case, at=at)
    # A case that passed the online pre-review (网上预审) is accepted when the applicant comes
    # once with the originals: that visit is counted (最多跑一次).
    _require_status(case, S.RECEIVED, S.PREREVIEW_PASSED, action=_("受理"))
    if case.item_version.status != ItemVersion.Status.PUBLISHED:
        raise CaseActionError(_("事项已暂停办理或废止，不能受理。"), code="item")
    if materials:
        _apply_materials(case, materials, today=timezone.localdate(at))
    problems = _material_problems(case)
    if problems:
        raise CaseActionError(
            [_("材料不齐全，不能受理。请出具一次性告知书，或对容缺后补材料登记承诺日期：")] + problems, code="materials"
        )
    before = case.status
    if before == S.PREREVIEW_PASSED:
        case.visits += 1
    case.status = S.ACCEPTED
    case.accepted_at = at
    _refresh_clock(case, timezone.localdate(at))
    _save(case, "status", "accepted_at", "visits", *CLOCK_FIELDS)
    steps = list(case.steps.order_by("order"))
    # The acceptance itself is the front desk's step of the process template.
    for step in steps:
        if step.role != "clerk":
            break
        _finish_step(step, actor=actor, at=at, opinion=_("受理"))
    following = _next_waiting_step(case)
    if following is not None:
        _open_step(following, at=at, region=_region(case))
    deferred = list(case.materials.filter(state=CaseMaterial.State.DEFERRED).values_list("requirement__name", flat=True))
    summary = _("受理，承诺办结日 %(d)s") % {"d": case.due_date}
    if deferred:
        summary += _("；容缺后补：%(m)s") % {"m": "、".join(deferred)}
    event = _event(case, actor, "accept", at=at, from_status=before, code="3", summary=summary,
                   data={"due_date": str(case.due_date), "deferred": deferred})
    if case.item_version.handling_type != ItemVersion.HandlingType.IMMEDIATE:
        tell_applicant(case, "accepted", event_id=event.pk)
    notices.notice_issue(case=case, kind=Notice.Kind.ACCEPTANCE, actor=actor, at=at)
    return case


@audited_refusal("case.correction")
def case_request_correction(
    *, actor, case: Case, expected_version: int | None = None, materials: MaterialInput | None = None,
    other_problems: Iterable[str] = (), approved_by: User | None = None, at: datetime.datetime | None = None,
) -> Case:
    """一次性告知: every missing or defective material, and why, in one written notice.

    A second notice for the same receipt would send the applicant home twice; it is refused
    unless a supervisor has approved it in the system (`case_correction_approve`), as themselves.
    `approved_by` is for writing history that happened elsewhere (the demo's generator), never
    for a clerk's request: a name a clerk picks proves nothing.
    """
    at = _now(at)
    case = _lock(case, expected_version)
    _require_front_desk(actor, case)
    _require_status(case, S.RECEIVED, action=_("出具补正告知"))
    previous = case.corrections.filter(origin="front").count()
    if previous:
        approval = second_correction_approval(case)
        if approval is not None:
            approved_by = approval.actor
        elif not (approved_by and (approved_by.is_superuser or approved_by.has_role(Role.Code.SUPERVISOR))):
            raise CaseActionError(
                _("本次接件已出具过一次性告知书。再次告知须经监察人员批准：请监察人员在本办件页面"
                  "「批准再次告知」后再出具。"), code="second_correction"
            )
    if materials:
        _apply_materials(case, materials, today=timezone.localdate(at))
    items = [
        {"material": row.requirement_id, "name": row.requirement.name, "state": row.state,
         "problem": row.note or (_("未提交") if row.state == CaseMaterial.State.MISSING else _("不符合要求"))}
        for row in case.materials.select_related("requirement")
        if row.state in (CaseMaterial.State.MISSING, CaseMaterial.State.DEFECTIVE)
        and row.requirement.necessity != MaterialRequirement.Necessity.OPTIONAL
    ]
    items += [{"material": None, "name": _("其他"), "state": "other", "problem": p.strip()}
              for p in other_problems if p and p.strip()]
    if not items:
        raise CaseActionError(_("没有缺少或不符合要求的材料，无需补正：请直接受理。"), code="nothing_to_correct")
    before = case.status
    case.status = S.CORRECTION
    case.correction_rounds += 1
    _save(case, "status", "correction_rounds")
    CorrectionRequest.objects.create(
        case=case, round=case.correction_rounds, origin="front", items=items, requested_at=at,
        requested_by=staff_user(actor), approved_by=approved_by,
    )
    event = _event(case, actor, "correction", at=at, from_status=before, code="6",
                   summary=_("一次性告知补正 %(n)d 项：%(m)s") % {"n": len(items), "m": "、".join(i["name"] for i in items)},
                   data={"items": items})
    tell_applicant(case, "correction_needed", event_id=event.pk, items="、".join(i["name"] for i in items))
    notices.notice_issue(case=case, kind=Notice.Kind.CORRECTION, actor=actor, at=at, extra={"items": items})
    return case


def second_correction_approval(case: Case) -> CaseEvent | None:
    """The supervisor's approval of the next one-time notice for this receipt, if given."""
    following = case.corrections.filter(origin="front").count() + 1
    return (case.events.filter(action="correction_approve", data__notice=following)
            .select_related("actor").order_by("-at", "-id").first())


@audited_refusal("case.correction_approve")
def case_correction_approve(*, actor, case: Case, reason: str, at: datetime.datetime | None = None) -> CaseEvent:
    """A supervisor approves a second (or later) one-time notice for the same receipt, and says why.

    It changes nothing the clerk's page shows, so it does not make that page stale: the clerk
    then issues the notice, which names the supervisor as its approver.
    """
    at = _now(at)
    case = _lock(case, None)
    _require_supervisor_over(actor, case)
    _require_status(case, S.RECEIVED, action=_("批准再次出具一次性告知书"))
    issued = case.corrections.filter(origin="front").count()
    if not issued:
        raise CaseActionError(_("本次接件尚未出具一次性告知书，第一次告知无需批准。"), code="first_correction")
    if second_correction_approval(case) is not None:
        raise CaseActionError(_("已批准再次告知，等待窗口出具。"), code="already_approved")
    if not (reason or "").strip():
        raise CaseActionError(_("请写明为何需要再次告知（如：补正材料中出现新的问题）。"), code="reason")
    return _event(case, actor, "correction_approve", at=at, from_status=case.status,
                  summary=_("批准再次出具一次性告知书（第 %(n)d 次）：%(r)s") % {"n": issued + 1, "r": reason.strip()},
                  data={"notice": issued + 1, "reason": reason.strip()})


@audited_refusal("case.correction_supplied")
def case_correction_supplied(
    *, actor, case: Case, materials: MaterialInput, expected_version: int | None = None,
    at: datetime.datetime | None = None,
) -> Case:
    """The applicant brings what was asked for. After a send-back the clock resumes."""
    at = _now(at)
    today = timezone.localdate(at)
    case = _lock(case, expected_version)
    _require_front_desk(actor, case)
    _require_status(case, S.CORRECTION, action=_("登记补正材料"))
    _apply_materials(case, materials, today=today)
    request = case.corrections.filter(resolved_at__isnull=True).order_by("-round").first()
    if request is not None:
        request.resolved_at = at
        request.save(update_fields=["resolved_at"])
    before = case.status
    fields = ["status", "visits"]
    if case.channel in (Case.Channel.WINDOW, Case.Channel.TOWN):
        case.visits += 1
    if request is not None and request.origin == "sendback":
        problems = _material_problems(case)
        if problems:
            raise CaseActionError([_("补正后材料仍不齐全：")] + problems, code="materials")
        case.paused_days += paused_workdays(case.paused_since, today, _region(case))
        case.paused_since = None
        case.status = S.PROCESSING
        _refresh_clock(case, today)
        fields += ["paused_days", "paused_since", *CLOCK_FIELDS]
        code = "7"
        summary = _("补正材料已补齐，恢复计时，承诺办结日 %(d)s") % {"d": case.due_date}
        waiting = case.steps.filter(state=CaseStep.State.WAITING, opinion="__sent_back__").order_by("order").first()
        if waiting is not None:
            waiting.opinion = ""
            _open_step(waiting, at=at, region=_region(case))
    else:
        case.status = S.RECEIVED
        code = "7"
        summary = _("补正材料已提交，待受理")
    _save(case, *fields)
    _event(case, actor, "correction_supplied", at=at, from_status=before, code=code, summary=summary)
    return case


@audited_refusal("case.refuse")
def case_refuse(
    *, actor, case: Case, reason: str, legal_basis: str, way_forward: str,
    expected_version: int | None = None, at: datetime.datetime | None = None,
) -> Case:
    """不予受理, in writing, with the reason, the basis and how the applicant could succeed (双告知)."""
    at = _now(at)
    case = _lock(case, expected_version)
    _require_front_desk(actor, case)
    _require_status(case, S.RECEIVED, S.CORRECTION, action=_("不予受理"))
    missing = [label for label, value in ((_("理由"), reason), (_("法律依据"), legal_basis),
                                          (_("如何才能办理（告知申请人的途径）"), way_forward)) if not (value or "").strip()]
    if missing:
        raise CaseActionError(_("不予受理决定书须写明：%(f)s。") % {"f": "、".join(missing)}, code="refusal_incomplete")
    before = case.status
    case.status = S.REFUSED
    case.decision_reason, case.decision_basis, case.decision_way_forward = reason.strip(), legal_basis.strip(), way_forward.strip()
    case.closed_at = at
    case.alarm = Case.Alarm.NONE
    _save(case, "status", "decision_reason", "decision_basis", "decision_way_forward", "closed_at", "alarm")
    case.steps.exclude(state=CaseStep.State.DONE).update(state=CaseStep.State.CANCELLED, alarm=Case.Alarm.NONE)
    _event(case, actor, "refuse", at=at, from_status=before, code="5", summary=_("不予受理：%(r)s") % {"r": reason})
    notices.notice_issue(case=case, kind=Notice.Kind.REFUSAL, actor=actor, at=at)
    return case


@audited_refusal("case.immediate")
def case_handle_immediately(
    *, actor, case: Case, collected_by: str, expected_version: int | None = None,
    opinion: str = "", at: datetime.datetime | None = None,
) -> Case:
    """即办件: accepted, decided and handed over in the same visit."""
    at = _now(at)
    locked = _lock(case, expected_version)
    if locked.item_version.handling_type != ItemVersion.HandlingType.IMMEDIATE:
        raise CaseActionError(_("此事项是承诺件，不能即办：请受理后转部门办理。"), code="not_immediate")
    if not (collected_by or "").strip():
        raise CaseActionError(_("请填写领取人姓名。"), code="collector")
    case = case_accept(actor=actor, case=locked, expected_version=expected_version, at=at)
    case = _decide(actor=actor, case=case, approve=True, reason=opinion or _("材料齐全，符合法定条件，当场办结。"),
                   basis=case.item_version.legal_basis, way_forward="", at=at, front_desk=True)
    return _deliver(actor=actor, case=case, method=Delivery.Method.IN_PERSON, collected_by=collected_by.strip(),
                    at=at, count_visit=False)


@audited_refusal("case.assign_agent")
def case_assign_agent(*, actor, case: Case, agent: User, expected_version: int | None = None,
                      at: datetime.datetime | None = None) -> Case:
    """帮办代办: hand the applicant to an agent, whose ledger lists the cases they carry."""
    at = _now(at)
    case = _lock(case, expected_version)
    _require_at_centre(actor, case, *FRONT_DESK_ROLES, Role.Code.AGENT)
    if not agent.has_role(Role.Code.AGENT):
        raise CaseActionError(_("「%(u)s」不是帮办代办员。") % {"u": agent}, code="agent")
    if agent.centre_id != case.centre_id:
        raise CaseActionError(_("帮办代办员「%(u)s」不在本中心（站点），请选择本中心的代办员。") % {"u": agent}, code="agent")
    case.agent_staff = agent
    _save(case, "agent_staff")
    _event(case, actor, "assign_agent", at=at, from_status=case.status, summary=_("转帮办代办员 %(u)s") % {"u": agent})
    return case


# --- back office ----------------------------------------------------------------------------------


def _department_step(case: Case, actor, *roles: str) -> CaseStep:
    _require_role(actor, *roles)
    _require_department(actor, case.department_id)
    steps = [s for s in _open_steps(case) if s.role in roles]
    if not steps:
        raise CaseActionError(_("办件没有等待您办理的环节。"), code="no_step")
    return steps[0]


@audited_refusal("case.step")
def case_step_complete(
    *, actor, case: Case, opinion: str, expected_version: int | None = None, at: datetime.datetime | None = None,
) -> Case:
    """审查: pass the open step with an opinion; the next step opens."""
    at = _now(at)
    case = _lock(case, expected_version)
    _require_status(case, S.ACCEPTED, S.PROCESSING, action=_("办理环节"))
    step = _department_step(case, actor, Role.Code.REVIEWER)
    if not (opinion or "").strip():
        raise CaseActionError(_("请填写审查意见。"), code="opinion")
    _mark_department_started(case, actor, at)
    _finish_step(step, actor=actor, at=at, opinion=opinion.strip())
    following = _next_waiting_step(case)
    if following is not None and following.role != "result_clerk":
        _open_step(following, at=at, region=_region(case))
    _save(case)
    _event(case, actor, "step_complete", at=at, from_status=case.status,
           summary=_("%(step)s：%(o)s") % {"step": step.name, "o": opinion.strip()}, data={"step": step.name})
    return case


@audited_refusal("case.send_back")
def case_send_back(
    *, actor, case: Case, problems: list[dict[str, Any]], expected_version: int | None = None,
    at: datetime.datetime | None = None,
) -> Case:
    """部门退回补正: the applicant must bring more; the clock stands still until they do."""
    at = _now(at)
    today = timezone.localdate(at)
    case = _lock(case, expected_version)
    _require_status(case, S.ACCEPTED, S.PROCESSING, action=_("退回补正"))
    step = _department_step(case, actor, Role.Code.REVIEWER, Role.Code.APPROVER)
    rows = {m.requirement_id: m for m in case.materials.select_related("requirement")}
    items = []
    for problem in problems:
        text = (problem.get("problem") or "").strip()
        if not text:
            raise CaseActionError(_("请写明每项需补正的内容和原因。"), code="problem")
        material = rows.get(int(problem["material"])) if problem.get("material") else None
        if material is not None:
            material.state = CaseMaterial.State.DEFECTIVE
            material.note = text[:300]
            material.save(update_fields=["state", "note"])
        items.append({"material": material.requirement_id if material else None,
                      "name": material.requirement.name if material else _("其他"), "state": "defective", "problem": text})
    if not items:
        raise CaseActionError(_("请列出需要申请人补正的全部内容（一次性告知）。"), code="problem")
    _mark_department_started(case, actor, at)
    before = case.status
    case.status = S.CORRECTION
    case.send_backs += 1
    case.interview_flag = case.interview_flag or case.send_backs > SEND_BACK_INTERVIEW_THRESHOLD
    case.correction_rounds += 1
    case.paused_since = today
    _refresh_clock(case, today)
    _save(case, "status", "send_backs", "interview_flag", "correction_rounds", "paused_since", *CLOCK_FIELDS)
    step.state = CaseStep.State.WAITING
    step.opinion = "__sent_back__"
    step.alarm = Case.Alarm.NONE
    step.save()
    CorrectionRequest.objects.create(
        case=case, round=case.correction_rounds, origin="sendback", items=items, requested_at=at,
        requested_by=staff_user(actor),
    )
    summary = _("部门退回补正（第 %(n)d 次）：%(m)s") % {"n": case.send_backs, "m": "；".join(i["problem"] for i in items)}
    if case.interview_flag and case.send_backs == SEND_BACK_INTERVIEW_THRESHOLD + 1:
        summary += _("。退回超过 3 次，已列入约谈名单")
    event = _event(case, actor, "send_back", at=at, from_status=before, code="6", summary=summary,
                   data={"items": items, "send_backs": case.send_backs})
    tell_applicant(case, "correction_needed", event_id=event.pk, items="、".join(i["name"] for i in items))
    notices.notice_issue(case=case, kind=Notice.Kind.CORRECTION, actor=actor, at=at, extra={"items": items})
    return case


@audited_refusal("case.special_start")
def case_special_start(
    *, actor, case: Case, procedure: str, reason: str, expected_days: int,
    expected_version: int | None = None, at: datetime.datetime | None = None,
) -> Case:
    """特别程序 (Art. 45): the clock stops; the applicant is told in writing how long it will take."""
    at = _now(at)
    today = timezone.localdate(at)
    case = _lock(case, expected_version)
    _require_role(actor, Role.Code.REVIEWER, Role.Code.APPROVER)
    _require_department(actor, case.department_id)
    _require_status(case, S.ACCEPTED, S.PROCESSING, action=_("启动特别程序"))
    allowed = {a.procedure_id: a for a in AllowedSpecialProcedure.objects.filter(version=case.item_version)
               .select_related("procedure")}
    rule = allowed.get(procedure)
    if rule is None:
        names = "、".join(a.procedure.name for a in allowed.values()) or _("无")
        raise CaseActionError(_("本事项不允许此特别程序。允许的特别程序：%(p)s。") % {"p": names}, code="procedure")
    if not (reason or "").strip():
        raise CaseActionError(_("请填写启动特别程序的事由。"), code="reason")
    if not isinstance(expected_days, int) or expected_days < 1:
        raise CaseActionError(_("请填写预计所需的工作日数（至少 1 天）。"), code="expected_days")
    if rule.max_days and expected_days > rule.max_days:
        raise CaseActionError(_("「%(p)s」最长 %(n)d 个工作日。") % {"p": rule.procedure.name, "n": rule.max_days},
                              code="expected_days")
    _mark_department_started(case, actor, at)
    before = case.status
    SpecialProcedure.objects.create(
        case=case, procedure=rule.procedure, counts_toward_limit=rule.counts_toward_limit, reason=reason.strip(),
        expected_days=expected_days, started_on=today,
        started_by=staff_user(actor),
    )
    case.status = S.SPECIAL
    if not rule.counts_toward_limit:
        case.paused_since = today
    _refresh_clock(case, today, provisional_pause=0 if rule.counts_toward_limit else expected_days)
    _save(case, "status", "paused_since", *CLOCK_FIELDS)
    event = _event(case, actor, "special_start", at=at, from_status=before, code="9",
                   summary=_("启动特别程序「%(p)s」，预计 %(n)d 个工作日：%(r)s")
                   % {"p": rule.procedure.name, "n": expected_days, "r": reason.strip()},
                   data={"procedure": procedure, "expected_days": expected_days})
    tell_applicant(case, "special_started", event_id=event.pk, procedure=rule.procedure.name, days=expected_days)
    notices.notice_issue(case=case, kind=Notice.Kind.SPECIAL, actor=actor, at=at,
                         extra={"procedure": rule.procedure.name, "expected_days": expected_days, "reason": reason.strip(),
                                "counts": rule.counts_toward_limit})
    return case


@audited_refusal("case.special_end")
def case_special_end(
    *, actor, case: Case, result: str, expected_version: int | None = None, at: datetime.datetime | None = None,
) -> Case:
    """The special procedure ends: its working days are added to the limit and the clock runs again."""
    at = _now(at)
    today = timezone.localdate(at)
    case = _lock(case, expected_version)
    _require_role(actor, Role.Code.REVIEWER, Role.Code.APPROVER)
    _require_department(actor, case.department_id)
    _require_status(case, S.SPECIAL, action=_("结束特别程序"))
    if not (result or "").strip():
        raise CaseActionError(_("请填写特别程序的结果。"), code="result")
    running = case.special_procedures.filter(ended_on__isnull=True).select_related("procedure").first()
    used = 0 if running.counts_toward_limit else paused_workdays(running.started_on, today, _region(case))
    running.ended_on = today
    running.paused_days = used
    running.result = result.strip()
    running.save()
    before = case.status
    case.paused_days += used
    case.paused_since = None
    case.status = S.PROCESSING
    _refresh_clock(case, today)
    _save(case, "status", "paused_days", "paused_since", *CLOCK_FIELDS)
    for step in _open_steps(case):
        if used:
            from yichuang.core.calendar import add_workdays

            step.due_date = add_workdays(step.due_date, used, _region(case)).date
            step.warning_date = add_workdays(step.warning_date, used, _region(case)).date
            step.save(update_fields=["due_date", "warning_date"])
    _event(case, actor, "special_end", at=at, from_status=before, code="10",
           summary=_("特别程序「%(p)s」结束，用时 %(n)d 个工作日（不计入时限），承诺办结日顺延至 %(d)s：%(r)s")
           % {"p": running.procedure.name, "n": used, "d": case.due_date, "r": result.strip()},
           data={"paused_days": used})
    return case


def extension_limit(case: Case) -> int:
    """The working days the limit of `case` may be extended by in all: the rule of the item
    version it was accepted under (行政许可法 Art. 42: the head of the body may extend by ten
    working days unless a law or regulation says otherwise; 0 for an item that allows none)."""
    return case.item_version.extension_limit


def extension_remaining(case: Case) -> int:
    """What is left of the item's extension once the granted ones are counted."""
    return max(extension_limit(case) - case.extension_days, 0)


def _check_extension_days(case: Case, days) -> None:
    allowed = extension_limit(case)
    if allowed == 0:
        raise CaseActionError(
            _("「%(item)s」依法不得延长办理期限，请在法定期限内作出决定。") % {"item": case.item_version.name},
            code="no_extension_allowed",
        )
    if not isinstance(days, int) or isinstance(days, bool) or days < 1 or case.extension_days + days > allowed:
        if case.extension_days >= allowed:
            message = _("「%(item)s」依法最多可延长 %(max)d 个工作日，已全部延长，不能再延长。")
        elif case.extension_days:
            message = _("「%(item)s」依法最多可延长 %(max)d 个工作日，已延长 %(used)d 个，"
                        "本次最多还可申请 %(left)d 个工作日。")
        else:
            message = _("「%(item)s」依法最多可延长 %(max)d 个工作日，请申请 1 至 %(max)d 个工作日。")
        raise CaseActionError(message % {"item": case.item_version.name, "max": allowed,
                                         "used": case.extension_days, "left": max(allowed - case.extension_days, 0)},
                              code="days")


@audited_refusal("case.extension_request")
def case_extension_request(
    *, actor, case: Case, days: int, reason: str, expected_version: int | None = None,
    at: datetime.datetime | None = None,
) -> Extension:
    at = _now(at)
    case = _lock(case, expected_version)
    _require_role(actor, Role.Code.REVIEWER, Role.Code.APPROVER)
    _require_department(actor, case.department_id)
    _require_status(case, S.ACCEPTED, S.PROCESSING, S.SPECIAL, action=_("申请延期"))
    if case.extensions.filter(state=Extension.State.REQUESTED).exists():
        raise CaseActionError(_("已有待批准的延期申请。"), code="pending")
    _check_extension_days(case, days)
    if not (reason or "").strip():
        raise CaseActionError(_("请写明延期理由：将书面告知申请人。"), code="reason")
    _mark_department_started(case, actor, at)
    extension = Extension.objects.create(
        case=case, days=days, reason=reason.strip(), requested_at=at,
        requested_by=staff_user(actor),
    )
    _save(case)
    _event(case, actor, "extension_request", at=at, from_status=case.status,
           summary=_("申请延长 %(n)d 个工作日：%(r)s") % {"n": days, "r": reason.strip()}, data={"days": days})
    return extension


@audited_refusal("case.extension_decide")
def case_extension_decide(
    *, actor, case: Case, approve: bool, expected_version: int | None = None, at: datetime.datetime | None = None,
) -> Case:
    """Only the approver (the head of the body) grants an extension; the applicant is told why."""
    at = _now(at)
    today = timezone.localdate(at)
    case = _lock(case, expected_version)
    _require_role(actor, Role.Code.APPROVER)
    _require_department(actor, case.department_id)
    extension = case.extensions.filter(state=Extension.State.REQUESTED).first()
    if extension is None:
        raise CaseActionError(_("没有待批准的延期申请。"), code="no_extension")
    if approve:
        _check_extension_days(case, extension.days)
    extension.state = Extension.State.GRANTED if approve else Extension.State.REJECTED
    extension.decided_by = staff_user(actor)
    extension.decided_at = at
    extension.save()
    if approve:
        case.extension_days += extension.days
        provisional = 0
        if case.paused_since is not None:
            running = case.special_procedures.filter(ended_on__isnull=True).first()
            provisional = running.expected_days if running and not running.counts_toward_limit else 0
        _refresh_clock(case, today, provisional_pause=provisional)
        _save(case, "extension_days", *CLOCK_FIELDS)
        summary = _("批准延长 %(n)d 个工作日，承诺办结日 %(d)s，法定办结日 %(s)s") % {
            "n": extension.days, "d": case.due_date, "s": case.statutory_due_date}
    else:
        _save(case)
        summary = _("未批准延期申请")
    event = _event(case, actor, "extension_decide", at=at, from_status=case.status, summary=summary,
                   data={"approved": approve, "days": extension.days})
    if approve:
        notices.notice_issue(case=case, kind=Notice.Kind.EXTENSION, actor=actor, at=at,
                             extra={"days": extension.days, "reason": extension.reason})
        # 行政许可法 Art. 42: the applicant is told why; the SMS goes once, after the commit.
        tell_applicant(case, "extension_granted", event_id=event.pk, days=extension.days,
                       reason=_short(extension.reason))
    return case


def _short(text: str, limit: int = 40) -> str:
    """A reason cut to fit a text message; the written notice carries it whole."""
    text = " ".join((text or "").split()).rstrip("。；;.")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _decide(*, actor, case: Case, approve: bool, reason: str, basis: str, way_forward: str,
            at: datetime.datetime, front_desk: bool = False) -> Case:
    if not front_desk:
        step = _department_step(case, actor, Role.Code.APPROVER)
    else:
        step = None
    _require_status(case, S.ACCEPTED, S.PROCESSING, action=_("作出决定"))
    if not approve:
        missing = [label for label, value in ((_("理由"), reason), (_("法律依据"), basis),
                                              (_("如何才能办成"), way_forward)) if not (value or "").strip()]
        if missing:
            raise CaseActionError(_("不予许可决定须写明：%(f)s。") % {"f": "、".join(missing)}, code="denial_incomplete")
    if not (reason or "").strip():
        raise CaseActionError(_("请填写决定意见。"), code="reason")
    _mark_department_started(case, actor, at)
    before = case.status
    outstanding = case.materials.filter(state=CaseMaterial.State.DEFERRED).exists()
    if approve:
        case.status = S.APPROVED_DEFERRED if outstanding else S.APPROVED
        withhold = outstanding and not case.item_version.deliver_before_supplement
        case.delivery = Case.Delivery.WITHHELD if withhold else Case.Delivery.WAITING
    else:
        case.status = S.DENIED
        case.delivery = Case.Delivery.WAITING
    if case.parent_id and case.delivery == Case.Delivery.WAITING:
        case.delivery = Case.Delivery.HELD  # 统一出件: released with the parent's
    case.decision_approved = approve
    case.decision_reason, case.decision_basis, case.decision_way_forward = (
        reason.strip(), basis.strip(), (way_forward or "").strip())
    case.decided_at = at
    case.alarm = Case.Alarm.NONE
    _save(case, "status", "delivery", "decision_approved", "decision_reason", "decision_basis",
          "decision_way_forward", "decided_at", "alarm")
    for open_step in _open_steps(case):
        _finish_step(open_step, actor=actor, at=at, opinion=reason.strip() if open_step == step else "")
    case.steps.filter(state=CaseStep.State.WAITING).exclude(role="result_clerk").update(state=CaseStep.State.CANCELLED)
    code = {S.APPROVED: "11", S.APPROVED_DEFERRED: "12", S.DENIED: "13"}[case.status]
    summary = (_("准予许可") if approve else _("不予许可")) + "：" + reason.strip()
    if case.delivery == Case.Delivery.WITHHELD:
        summary += _("（容缺材料补齐后出件）")
    event = _event(case, actor, "decide", at=at, from_status=before, code=code, summary=summary,
                   data={"approved": approve})
    if not front_desk:
        tell_applicant(case, "decided", event_id=event.pk, result=_("准予许可") if approve else _("不予许可"))
        if case.delivery == Case.Delivery.WAITING:
            tell_applicant(case, "ready_for_pickup", event_id=event.pk)
    notices.notice_issue(case=case, kind=Notice.Kind.APPROVAL if approve else Notice.Kind.DENIAL, actor=actor, at=at)
    if approve:
        _issue_licence(case, actor, at)
    if case.parent_id:
        from .services_parallel import parallel_child_decided

        parallel_child_decided(actor=actor, child=case, at=at)
    return case


def _issue_licence(case: Case, actor, at: datetime.datetime) -> None:
    """一枚印章发证照: the e-licence is issued in the decision's transaction, so there is never an
    approved case without its licence, nor a licence without its case event. If it cannot be
    issued (an expired seal, say) the decision is refused with the reason."""
    from yichuang.licences.services import licence_issue_for_case

    licence = licence_issue_for_case(actor=actor, case=case, at=at)
    if licence is not None:
        _event(case, actor, "licence_issue", at=at, from_status=case.status,
               summary=_("电子证照已签发：%(i)s") % {"i": licence.identifier}, data={"licence": licence.identifier})


@audited_refusal("case.decide")
def case_decide(
    *, actor, case: Case, approve: bool, reason: str, legal_basis: str = "", way_forward: str = "",
    expected_version: int | None = None, at: datetime.datetime | None = None,
) -> Case:
    """决定: approve, or deny with reasons, basis and how the applicant could succeed."""
    at = _now(at)
    case = _lock(case, expected_version)
    if approve and not legal_basis:
        legal_basis = case.item_version.legal_basis
    return _decide(actor=actor, case=case, approve=approve, reason=reason, basis=legal_basis,
                   way_forward=way_forward, at=at)


@audited_refusal("case.supplement")
def case_supplement_deferred(
    *, actor, case: Case, requirement_ids: Iterable[int], expected_version: int | None = None,
    at: datetime.datetime | None = None,
) -> Case:
    """容缺材料补齐: the withheld result can now be issued."""
    at = _now(at)
    case = _lock(case, expected_version)
    _require_at_centre(actor, case, *FRONT_DESK_ROLES, Role.Code.RESULT_CLERK, issuing=True)
    ids = [int(i) for i in requirement_ids]
    rows = list(case.materials.filter(requirement_id__in=ids, state=CaseMaterial.State.DEFERRED)
                .select_related("requirement"))
    if not rows:
        raise CaseActionError(_("请选择已补齐的容缺材料。"), code="materials")
    for row in rows:
        row.state = CaseMaterial.State.RECEIVED
        row.supplied_at = at
        row.save(update_fields=["state", "supplied_at"])
    fields = []
    released = False
    if case.delivery == Case.Delivery.WITHHELD and not case.materials.filter(state=CaseMaterial.State.DEFERRED).exists():
        case.delivery = Case.Delivery.WAITING
        fields.append("delivery")
        released = True
    _save(case, *fields)
    event = _event(case, actor, "supplement", at=at, from_status=case.status,
                   summary=_("容缺材料已补齐：%(m)s") % {"m": "、".join(r.requirement.name for r in rows)})
    if released:
        if case.decision_approved:
            _issue_licence(case, actor, at)
        tell_applicant(case, "ready_for_pickup", event_id=event.pk)
    return case


# --- result window --------------------------------------------------------------------------------


def _deliver(*, actor, case: Case, method: str, at: datetime.datetime, collected_by: str = "",
             collector_id_last4: str = "", address: str = "", recipient: str = "", recipient_phone: str = "",
             carrier: str = "", tracking_number: str = "", count_visit: bool = True) -> Case:
    if not getattr(case, "_bundle_release", False) and hasattr(case, "parallel"):
        # 一件事: the parent's 出件 issues every child's result with it (统一出件).
        from .services_parallel import parallel_release

        return parallel_release(actor=actor, parent=case, method=method, at=at, collected_by=collected_by,
                                collector_id_last4=collector_id_last4, address=address, recipient=recipient,
                                recipient_phone=recipient_phone, carrier=carrier, tracking_number=tracking_number)
    if case.status not in DECIDED_STATUSES:
        raise CaseActionError(_("办件尚未作出决定，不能出件。"), code="state")
    if case.delivery == Case.Delivery.WITHHELD:
        raise CaseActionError(_("容缺材料尚未补齐，结果暂不出件。请先登记补齐的材料。"), code="withheld")
    if case.delivery == Case.Delivery.HELD:
        raise CaseActionError(_("此办件属于一件事，结果统一出件：请在主办件 %(n)s 办理出件。")
                              % {"n": case.parent.number}, code="held")
    if case.delivery != Case.Delivery.WAITING:
        raise CaseActionError(_("此办件的结果已送达，不能重复出件。"), code="delivered")
    errors = {}
    if method == Delivery.Method.IN_PERSON:
        if not collected_by.strip():
            errors["collected_by"] = [_("请填写领取人姓名。")]
    elif method == Delivery.Method.POST:
        for field, value, label in (("address", address, _("邮寄地址")), ("recipient", recipient, _("收件人")),
                                    ("carrier", carrier, _("快递公司")), ("tracking_number", tracking_number, _("运单号"))):
            if not value.strip():
                errors[field] = [_("请填写%(f)s。") % {"f": label}]
        if recipient_phone:
            try:
                recipient_phone = validate_mobile(recipient_phone)
            except Exception as err:
                errors["recipient_phone"] = list(getattr(err, "messages", [str(err)]))
    elif method != Delivery.Method.ELECTRONIC:
        errors["method"] = [_("送达方式无效。")]
    if errors:
        raise CaseActionError(errors)
    Delivery.objects.create(
        case=case, method=method, collected_by=collected_by.strip(), collector_id_last4=collector_id_last4[-4:],
        address=address.strip(), recipient=recipient.strip(), recipient_phone=recipient_phone, carrier=carrier.strip(),
        tracking_number=tracking_number.strip(), delivered_at=at,
        delivered_by=staff_user(actor),
    )
    case.delivery = Case.Delivery.DELIVERED
    case.closed_at = at
    fields = ["delivery", "closed_at"]
    if method == Delivery.Method.IN_PERSON and count_visit:
        case.visits += 1
        fields.append("visits")
    _save(case, *fields)
    for step in case.steps.exclude(state__in=[CaseStep.State.DONE, CaseStep.State.CANCELLED]):
        _finish_step(step, actor=actor, at=at, opinion=_("已送达"))
    summary = {
        Delivery.Method.IN_PERSON: _("窗口领取，领取人 %(c)s") % {"c": collected_by.strip()},
        Delivery.Method.POST: _("邮寄送达：%(c)s %(t)s") % {"c": carrier.strip(), "t": tracking_number.strip()},
        Delivery.Method.ELECTRONIC: _("电子送达"),
    }[method]
    event = _event(case, actor, "deliver", at=at, from_status=case.status, summary=summary, data={"method": method})
    from yichuang.feedback.services import (
        rating_invitation_send,  # 好差评: invited once the result is delivered
    )

    rating_invitation_send(case=case, event_id=event.pk)
    if method == Delivery.Method.POST:
        tell_applicant(case, "mailed", event_id=event.pk, carrier=carrier.strip(), tracking=tracking_number.strip())
    return case


@audited_refusal("case.deliver")
def case_deliver(
    *, actor, case: Case, method: str, expected_version: int | None = None, collected_by: str = "",
    collector_id_last4: str = "", address: str = "", recipient: str = "", recipient_phone: str = "",
    carrier: str = "", tracking_number: str = "", at: datetime.datetime | None = None,
) -> Case:
    """统一出件: hand over in person (who collected it) or by post (carrier and tracking number)."""
    at = _now(at)
    case = _lock(case, expected_version)
    _require_at_centre(actor, case, Role.Code.RESULT_CLERK, *FRONT_DESK_ROLES, issuing=True)
    return _deliver(actor=actor, case=case, method=method, at=at, collected_by=collected_by,
                    collector_id_last4=collector_id_last4, address=address, recipient=recipient,
                    recipient_phone=recipient_phone, carrier=carrier, tracking_number=tracking_number)


@audited_refusal("case.visit")
def case_record_visit(
    *, actor, case: Case, purpose: str, expected_version: int | None = None, at: datetime.datetime | None = None,
) -> Case:
    """Count a visit of the applicant to the hall (最多跑一次)."""
    at = _now(at)
    case = _lock(case, expected_version)
    if not (case.agent_staff_id and case.agent_staff_id == getattr(actor, "pk", None)):
        _require_at_centre(actor, case, *FRONT_DESK_ROLES, Role.Code.RESULT_CLERK, Role.Code.AGENT, issuing=True)
    if not (purpose or "").strip():
        raise CaseActionError(_("请写明申请人此次到现场办理什么。"), code="purpose")
    case.visits += 1
    _save(case, "visits")
    _event(case, actor, "visit", at=at, from_status=case.status, summary=_("申请人到现场：%(p)s") % {"p": purpose})
    return case


# --- ending a case early ------------------------------------------------------------------------


@audited_refusal("case.withdraw")
def case_withdraw(
    *, actor, case: Case, reason: str, expected_version: int | None = None, at: datetime.datetime | None = None,
) -> Case:
    """撤回 at the applicant's request, recorded by a clerk, before the decision."""
    at = _now(at)
    case = _lock(case, expected_version)
    _require_front_desk(actor, case)
    _require_status(case, S.RECEIVED, S.CORRECTION, S.ACCEPTED, S.PROCESSING, S.SPECIAL, action=_("撤回"))
    if not (reason or "").strip():
        raise CaseActionError(_("请记录申请人撤回的原因。"), code="reason")
    before = case.status
    case.status = S.CANCELLED if case.accepted_at is None else S.WITHDRAWN
    case.closed_at = at
    case.alarm = Case.Alarm.NONE
    case.paused_since = None
    _save(case, "status", "closed_at", "alarm", "paused_since")
    case.steps.exclude(state=CaseStep.State.DONE).update(state=CaseStep.State.CANCELLED, alarm=Case.Alarm.NONE)
    _event(case, actor, "withdraw", at=at, from_status=before, code="2" if case.status == S.CANCELLED else "14",
           summary=_("申请人撤回：%(r)s") % {"r": reason.strip()})
    return case


@audited_refusal("case.revoke")
def case_revoke(
    *, actor, case: Case, reason: str, expected_version: int | None = None, at: datetime.datetime | None = None,
) -> Case:
    """撤销 by a supervisor, with a reason."""
    at = _now(at)
    case = _lock(case, expected_version)
    _require_supervisor_over(actor, case)
    if case.status in (S.REVOKED, S.WITHDRAWN, S.CANCELLED, S.REFUSED):
        raise CaseActionError(_("办件当前状态为「%(s)s」，不能撤销。") % {"s": case.get_status_display()}, code="state")
    if not (reason or "").strip():
        raise CaseActionError(_("请填写撤销理由。"), code="reason")
    before = case.status
    case.status = S.REVOKED
    case.closed_at = case.closed_at or at
    case.alarm = Case.Alarm.NONE
    case.paused_since = None
    _save(case, "status", "closed_at", "alarm", "paused_since")
    case.steps.exclude(state=CaseStep.State.DONE).update(state=CaseStep.State.CANCELLED, alarm=Case.Alarm.NONE)
    _event(case, actor, "revoke", at=at, from_status=before, code="15", summary=_("撤销：%(r)s") % {"r": reason.strip()})
    return case


# --- the alarm sweep (the supervision issue runs it from the worker) ----------------------------


@transaction.atomic
def case_alarms_refresh(*, today: datetime.date | None = None) -> int:
    """Move running cases between normal, yellow, red and overdue; return how many changed."""
    today = today or timezone.localdate()
    changed = 0
    # A special procedure that counts toward the limit leaves the clock running (no pause).
    running = Case.objects.filter(status__in=[*CLOCK_RUNNING_STATUSES, S.SPECIAL], paused_since__isnull=True,
                                  due_date__isnull=False)
    for level, condition in (
        (Case.Alarm.OVERDUE, {"due_date__lt": today}),
        (Case.Alarm.RED, {"due_date": today}),
        (Case.Alarm.YELLOW, {"due_date__gt": today, "warning_date__lte": today}),
        (Case.Alarm.NORMAL, {"due_date__gt": today, "warning_date__gt": today}),
    ):
        changed += running.filter(**condition).exclude(alarm=level).update(alarm=level)
    steps = CaseStep.objects.filter(state=CaseStep.State.OPEN, due_date__isnull=False, case__paused_since__isnull=True)
    for level, condition in (
        (Case.Alarm.OVERDUE, {"due_date__lt": today}),
        (Case.Alarm.RED, {"due_date": today}),
        (Case.Alarm.YELLOW, {"due_date__gt": today, "warning_date__lte": today}),
        (Case.Alarm.NORMAL, {"due_date__gt": today, "warning_date__gt": today}),
    ):
        steps.filter(**condition).exclude(alarm=level).update(alarm=level)
    return changed
