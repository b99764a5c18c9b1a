"""Online application and pre-review (网上办事大厅 · 网上预审): the case side.

The applicant (or an agent acting for them) drafts a case at home, fills in the item's form,
uploads or reuses materials, and submits. The department — or, for an item handled at the
centre's 综合窗口 (全科), the front desk — pre-reviews within a short limit (2 working days by
default) and passes, returns with one list of everything to fix (一次性告知), or refuses with
the reason and the way forward (双告知).

A passed case of a 零上门 item (visits_required == 0) is accepted online at once: its clock
starts and its visits stay 0. Any other item's case waits in 预审通过 for the applicant's one
visit with the originals; the front desk accepts it with the normal `case_accept`, which counts
that visit (最多跑一次).

Numbering: a draft has a provisional number `WS<yyyymmdd><5 digits>` (unique, never shown as a
case number on notices); the first submission gives it the centre's real number, the same
sequence as the window (`services._case_number`). Resubmitting keeps the number.

Who acted: applicant-side services take `acted_by: OnlineActor`. The event's actor FK is the
staff account if an agent of the centre acted, else empty; `actor_label` says who acted for whom.

Same pattern as `services.py`: the case row is locked, every change writes a `CaseEvent` and an
audit entry in one transaction, SMS go after the commit keyed by the event, and a refusal
leaves nothing behind but its audit entry.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.catalog.models import ItemVersion, MaterialRequirement
from yichuang.core.actors import staff_user
from yichuang.core.audit import audit_record
from yichuang.core.calendar import add_workdays
from yichuang.core.sequences import sequence_next
from yichuang.core.uploads import UploadRejected, check_upload, human_size
from yichuang.core.validators import validate_mobile
from yichuang.org.models import Role, ServiceCentre, User, Window

from . import notices
from .clock import paused_workdays
from .errors import CaseActionError, CasePermissionDenied
from .form_schema import form_normalise, form_validate
from .models import Applicant, Case, CaseEvent, CaseFile, CaseMaterial, CaseStep, CorrectionRequest, Notice
from .notifications import tell_applicant
from .rules import can_accept_at
from .services import (
    CLOCK_FIELDS,
    FRONT_DESK_ROLES,
    _case_number,
    _event,
    _finish_step,
    _lock,
    _material_problems,
    _next_waiting_step,
    _now,
    _open_step,
    _refresh_clock,
    _region,
    _require_status,
    _save,
    audited_refusal,
)

__all__ = [
    "OnlineActor", "case_draft_create", "case_draft_update", "form_validate", "case_online_file_add",
    "case_material_reuse", "case_submit_online", "case_prereview_pass", "case_prereview_return",
    "case_prereview_refuse", "case_supplement_online", "case_withdraw_online", "prereview_days",
    "can_prereview", "is_general_item",
]

S = Case.Status
DEFAULT_PREREVIEW_DAYS = 2
# A 容缺后补 material left out of an online submission is promised this many working days later.
DEFAULT_DEFER_DAYS = 5
PREREVIEW_ROLES = (Role.Code.REVIEWER, Role.Code.APPROVER)
EDITABLE_STATUSES = (S.DRAFT, S.PREREVIEW_RETURNED)
# Where the applicant may still withdraw online: anything before the decision.
WITHDRAWABLE = (S.DRAFT, S.PREREVIEW, S.PREREVIEW_PASSED, S.PREREVIEW_RETURNED, S.RECEIVED, S.CORRECTION,
                S.ACCEPTED, S.PROCESSING, S.SPECIAL)
ENDED = (S.CANCELLED, S.NOT_RECEIVED, S.REFUSED, S.WITHDRAWN, S.REVOKED)


@dataclass(frozen=True)
class OnlineActor:
    """Who acts online: `label` is what the timeline shows ("李四（代 某某公司）")."""

    label: str
    account_id: int | None
    on_behalf_of: str = ""
    staff: User | None = None

    def __str__(self) -> str:
        return self.label

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"account_id": self.account_id, "on_behalf_of": self.on_behalf_of}
        if self.staff is not None:
            data["staff_id"] = self.staff.pk
        return data


def prereview_days(item_version: ItemVersion | None = None) -> int:
    """The pre-review limit in working days: the setting CASES_PREREVIEW_DAYS, default 2."""
    return int(getattr(settings, "CASES_PREREVIEW_DAYS", DEFAULT_PREREVIEW_DAYS))


# --- plumbing ---------------------------------------------------------------------------------


def online_refusal(action: str):
    """Like `services.audited_refusal`, for services whose actor is `acted_by` (an OnlineActor)."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*, acted_by: OnlineActor, **kwargs):
            if not isinstance(acted_by, OnlineActor):
                raise TypeError("acted_by must be an OnlineActor")
            try:
                with transaction.atomic():
                    return fn(acted_by=acted_by, **kwargs)
            except CaseActionError as err:
                case = kwargs.get("case")
                audit_record(
                    actor=acted_by, action=f"{action}.refused", object_type="cases.case",
                    object_id=str(getattr(case, "pk", "") or ""), note="；".join(err.messages),
                )
                raise

        return wrapper

    return decorate


def _online_event(case: Case, acted_by: OnlineActor, action: str, *, at: datetime.datetime, from_status: str,
                  code: str = "", summary: str = "", data: dict[str, Any] | None = None) -> CaseEvent:
    payload = {**acted_by.data, **(data or {})}
    event = CaseEvent.objects.create(
        case=case, at=at, actor=staff_user(acted_by.staff), actor_label=acted_by.label[:120], action=action,
        status_code=code, from_status=from_status, to_status=case.status, summary=summary[:500], data=payload,
    )
    audit_record(
        actor=acted_by, action=f"case.{action}", obj=case, before={"status": from_status},
        after={"status": case.status, "version": case.version, **payload}, note=summary,
    )
    return event


def _errors(err: ValidationError) -> list[str]:
    return [str(m) for m in getattr(err, "messages", [str(err)])]


def is_general_item(case_or_version, centre: ServiceCentre | None = None) -> bool:
    """全科: the item's department has no 部门专窗 at the centre, so the 综合窗口 handles it.

    The front desk pre-reviews such items (as it would accept them at the window); the
    department's reviewers may always pre-review their own department's cases.
    """
    if isinstance(case_or_version, Case):
        department_id, centre = case_or_version.department_id, case_or_version.centre
    else:
        department_id = case_or_version.department_id
    if centre is None:
        return False
    return not Window.objects.filter(centre=centre, department_id=department_id, is_active=True,
                                     kind=Window.Kind.DEPARTMENT).exists()


def can_prereview(user: User, case: Case) -> bool:
    try:
        _require_prereviewer(user, case)
    except CasePermissionDenied:
        return False
    return True


def _require_prereviewer(actor: User, case: Case) -> None:
    if getattr(actor, "is_superuser", False):
        return
    if not getattr(actor, "is_authenticated", False):
        raise CasePermissionDenied(_("请先登录。"), code="login")
    if actor.has_role(*PREREVIEW_ROLES):
        if actor.department_id == case.department_id:
            return
        if not actor.has_role(*FRONT_DESK_ROLES):
            raise CasePermissionDenied(_("此办件由其他部门预审，您无权操作。"), code="department")
    if actor.has_role(*FRONT_DESK_ROLES):
        if actor.centre_id != case.centre_id:
            raise CasePermissionDenied(_("此办件由其他中心（站点）预审，您无权操作。"), code="centre")
        if not is_general_item(case):
            raise CasePermissionDenied(
                _("此事项由%(d)s在部门专窗办理，网上预审请由该部门进行。") % {"d": case.department.name},
                code="department",
            )
        return
    raise CasePermissionDenied(_("网上预审需要「审查人员」「决定人员」或「综合窗口受理员」角色。"), code="role")


def _require_open_item(version: ItemVersion) -> None:
    if version.status != ItemVersion.Status.PUBLISHED:
        raise CaseActionError(
            _("事项「%(n)s」当前为「%(s)s」，不能网上申请。") % {"n": version.name, "s": version.get_status_display()},
            code="item",
        )


def _material_row(case: Case, material_id) -> CaseMaterial:
    try:
        material_id = int(material_id)
    except (TypeError, ValueError):
        raise CaseActionError({"material": [_("材料编号无效。")]}, code="material") from None
    row = case.materials.select_related("requirement").filter(pk=material_id).first()
    if row is None:
        raise CaseActionError({"material": [_("所选材料不属于办件 %(n)s。") % {"n": case.number}]}, code="material")
    return row


def _mark_received(case: Case, row: CaseMaterial, note: str, at: datetime.datetime) -> None:
    row.state = CaseMaterial.State.RECEIVED
    row.note = note[:300]
    row.promised_on = None
    if case.status == S.CORRECTION:
        row.supplied_at = at
    row.save(update_fields=["state", "note", "promised_on", "supplied_at"])


def _require_materials_editable(case: Case) -> None:
    if case.status in EDITABLE_STATUSES or case.status == S.CORRECTION:
        return
    if case.status in ENDED:
        raise CaseActionError(
            _("办件已%(s)s，不能再上传或补正材料。") % {"s": case.get_status_display()}, code="state")
    raise CaseActionError(
        _("办件当前状态为「%(s)s」，现在不能修改材料。") % {"s": case.get_status_display()}, code="state")


# --- drafts -------------------------------------------------------------------------------------


@online_refusal("case.draft_create")
def case_draft_create(
    *, acted_by: OnlineActor, applicant: Applicant, item_version: ItemVersion, centre: ServiceCentre | None = None,
    contact_phone: str, at: datetime.datetime | None = None,
) -> Case:
    """暂存: a new online application, with the item's checklist and process, not yet submitted."""
    at = _now(at)
    _require_open_item(item_version)
    if item_version.online_depth < ItemVersion.OnlineDepth.RECEIVE:
        raise CaseActionError(
            _("事项「%(n)s」只提供网上咨询，请到%(p)s办理。") % {"n": item_version.name, "p": item_version.place},
            code="online_depth",
        )
    department = item_version.department
    centre = centre or department.centre
    if centre is None:
        raise CaseActionError(_("事项「%(n)s」的实施部门未设受理中心，暂不能网上申请。") % {"n": item_version.name},
                              code="centre")
    if not can_accept_at(item_version, centre):
        raise CaseActionError(
            _("事项「%(n)s」不在%(c)s的通办范围内，请选择%(d)s。")
            % {"n": item_version.name, "c": centre.name, "d": department.centre or department.name},
            code="scope",
        )
    try:
        phone = validate_mobile(contact_phone)
    except ValidationError as err:
        raise CaseActionError({"contact_phone": _errors(err)}) from None
    day = timezone.localdate(at)
    number = f"WS{day:%Y%m%d}{sequence_next(f'case:draft:{day:%Y%m%d}'):05d}"
    case = Case.objects.create(
        number=number, item_version=item_version, applicant=applicant, contact_phone=phone, centre=centre,
        channel=Case.Channel.ONLINE, department=department, status=S.DRAFT, form_data={}, received_at=at,
        limit_days=item_version.promised_limit, statutory_limit_days=item_version.statutory_limit, visits=0,
        agent_staff=staff_user(acted_by.staff) if acted_by.staff and acted_by.staff.has_role(Role.Code.AGENT) else None,
    )
    CaseMaterial.objects.bulk_create([CaseMaterial(case=case, requirement=r) for r in item_version.materials.all()])
    CaseStep.objects.bulk_create([
        CaseStep(case=case, order=s.order * 10 + i, name=s.name, role=s.role,
                 department_id=s.department_id or item_version.department_id, budget_days=s.budget_days)
        for i, s in enumerate(item_version.steps.all())
    ])
    _online_event(case, acted_by, "draft_create", at=at, from_status="",
                  summary=_("网上申请暂存：%(i)s") % {"i": item_version.name}, data={"item": item_version.name})
    return case


@online_refusal("case.draft_update")
def case_draft_update(*, acted_by: OnlineActor, case: Case, form_data: dict, expected_version: int | None = None,
                      at: datetime.datetime | None = None) -> Case:
    """Save the form as typed so far. Missing values are fine in a draft; wrong ones are not."""
    at = _now(at)
    case = _lock(case, expected_version)
    _require_status(case, *EDITABLE_STATUSES, action=_("修改申请表"))
    errors, clean = form_normalise(item_version=case.item_version, form_data=form_data, draft=True)
    if errors:
        raise CaseActionError(errors, code="form")
    before = case.status
    case.form_data = clean
    _save(case, "form_data")
    _online_event(case, acted_by, "form_save", at=at, from_status=before, summary=_("保存申请表"))
    return case


# --- materials ----------------------------------------------------------------------------------


@online_refusal("case.file_add")
def case_online_file_add(*, acted_by: OnlineActor, case: Case, material_id: int, upload,
                         at: datetime.datetime | None = None) -> CaseFile:
    """Upload one file for a material (`material_id` is the case's CaseMaterial pk)."""
    at = _now(at)
    # An upload does not change the case's state: lock to see a current status, keep the version.
    case = _lock(case, None)
    _require_materials_editable(case)
    row = _material_row(case, material_id)
    try:
        checked = check_upload(upload)
    except UploadRejected as err:
        raise CaseActionError({"upload": err.messages}, code=err.code or "upload") from None
    case_file = CaseFile(
        case=case, material=row, original_name=checked.original_name, content_type=checked.content_type,
        size=checked.size, sm3=checked.sm3, uploaded_by=staff_user(acted_by.staff),
    )
    upload.seek(0)
    case_file.file.save(checked.stored_name(), upload, save=False)
    stored = case_file.file.name
    try:
        case_file.save()
        _mark_received(case, row, _("网上提交"), at)
        _online_event(
            case, acted_by, "file_add", at=at, from_status=case.status,
            summary=_("上传「%(m)s」：%(f)s（%(k)s，%(s)s）")
            % {"m": row.requirement.name, "f": checked.original_name, "k": checked.label, "s": human_size(checked.size)},
            data={"file": case_file.pk, "material": row.requirement_id, "kind": checked.kind, "size": checked.size,
                  "sm3": checked.sm3},
        )
    except BaseException:
        with contextlib.suppress(OSError):  # the row is gone anyway; a stray file is only disk
            case_file.file.storage.delete(stored)
        raise
    return case_file


@online_refusal("case.material_reuse")
def case_material_reuse(*, acted_by: OnlineActor, case: Case, material_id: int, source: str,
                        at: datetime.datetime | None = None) -> CaseMaterial:
    """材料复用: "licence:<identifier>" (an e-licence of the applicant whose type fits the material)
    or "file:<CaseFile pk>" (the same material in an earlier case of the same applicant).

    Returns the material row, now received. A reused file is a new CaseFile pointing at the
    same stored bytes (files are never deleted, so sharing them is safe)."""
    at = _now(at)
    case = _lock(case, None)
    _require_materials_editable(case)
    row = _material_row(case, material_id)
    kind, _sep, ref = (source or "").partition(":")
    if kind == "file":
        summary, data = _reuse_file(case, row, ref, acted_by)
    elif kind == "licence":
        summary, data = _reuse_licence(case, row, ref.strip(), acted_by, at)
    else:
        raise CaseActionError({"source": [_("复用来源应为「licence:证照标识」或「file:材料编号」。")]}, code="source")
    _mark_received(case, row, summary, at)
    _online_event(case, acted_by, "material_reuse", at=at, from_status=case.status,
                  summary=_("「%(m)s」%(s)s") % {"m": row.requirement.name, "s": summary},
                  data={"material": row.requirement_id, **data})
    return row


def _reuse_file(case: Case, row: CaseMaterial, ref: str, acted_by: OnlineActor) -> tuple[str, dict]:
    from .selectors_online import reusable_case_files

    try:
        file_pk = int(ref)
    except ValueError:
        raise CaseActionError({"source": [_("材料编号无效。")]}, code="source") from None
    source = next((f for f in reusable_case_files(applicant=case.applicant, requirement=row.requirement,
                                                  exclude_case=case) if f.pk == file_pk), None)
    if source is None:
        raise CaseActionError(
            {"source": [_("没有找到可复用的材料：只能复用本申请人以前办件中的同一材料。")]}, code="source")
    copy = CaseFile.objects.create(
        case=case, material=row, file=source.file.name, original_name=source.original_name,
        content_type=source.content_type, size=source.size, sm3=source.sm3, uploaded_by=staff_user(acted_by.staff),
    )
    return (_("复用办件 %(n)s 的材料：%(f)s") % {"n": source.case.number, "f": source.original_name},
            {"file": copy.pk, "reused_from": source.pk, "reused_case": source.case.number})


def _reuse_licence(case: Case, row: CaseMaterial, identifier: str, acted_by: OnlineActor,
                   at: datetime.datetime) -> tuple[str, dict]:
    from yichuang.licences.models import Licence
    from yichuang.licences.services import licence_reuse

    licence = Licence.objects.filter(identifier=identifier).first()
    if licence is None:
        raise CaseActionError({"source": [_("没有找到电子证照 %(i)s。") % {"i": identifier}]}, code="source")
    # The licence library records the reuse; the platform itself (None) acts for an applicant,
    # a centre's agent acts as themself. It checks the holder, the type, validity and signature.
    actor = acted_by.staff if acted_by.staff is not None else None
    licence_reuse(actor=actor, case=case, requirement=row.requirement, licence=licence, at=at)
    return (_("复用电子证照 %(t)s（%(i)s），免提交") % {"t": licence.title, "i": licence.identifier},
            {"licence": licence.identifier})


# --- submission ---------------------------------------------------------------------------------


def _submission_problems(case: Case, today: datetime.date, deferred: dict) -> dict[str, list[str]]:
    """What keeps the case from being submitted: per form field, and per material."""
    errors = form_validate(item_version=case.item_version, form_data=case.form_data)
    for row in case.materials.select_related("requirement"):
        req = row.requirement
        key = f"material:{row.pk}"
        if row.state == CaseMaterial.State.RECEIVED or req.necessity == MaterialRequirement.Necessity.OPTIONAL:
            continue
        if row.state == CaseMaterial.State.DEFECTIVE:
            errors[key] = [_("「%(m)s」预审时要求修改：%(p)s。请重新上传。") % {"m": req.name, "p": row.note}]
            continue
        if req.necessity == MaterialRequirement.Necessity.DEFERRABLE:
            promised = deferred.get(row.pk) or deferred.get(str(row.pk))
            if isinstance(promised, str):
                try:
                    promised = datetime.date.fromisoformat(promised)
                except ValueError:
                    errors[key] = [_("「%(m)s」的承诺补齐日期格式应为 年-月-日。") % {"m": req.name}]
                    continue
            if promised is not None and promised <= today:
                errors[key] = [_("「%(m)s」容缺后补，请填写今天以后的承诺补齐日期。") % {"m": req.name}]
            continue
        errors[key] = [_("请上传「%(m)s」，或从证照库、以前的办件中复用。") % {"m": req.name}]
    return errors


@online_refusal("case.submit_online")
def case_submit_online(*, acted_by: OnlineActor, case: Case, deferred: dict | None = None,
                       expected_version: int | None = None, at: datetime.datetime | None = None) -> Case:
    """提交: DRAFT or 预审退回 → 待预审, with a fresh pre-review limit.

    Refused with per-field messages (form keys, and `material:<CaseMaterial pk>`) while the form
    or a required material is missing or wrong. A 容缺后补 material left out is deferred, to be
    supplied by the date in `deferred` ({CaseMaterial pk: date}) or within 5 working days."""
    at = _now(at)
    today = timezone.localdate(at)
    case = _lock(case, expected_version)
    _require_status(case, *EDITABLE_STATUSES, action=_("提交"))
    _require_open_item(case.item_version)
    deferred = deferred or {}
    errors = _submission_problems(case, today, deferred)
    if not case.contact_phone:
        errors["contact_phone"] = [_("请填写联系电话，预审结果将以短信告知。")]
    if errors:
        raise CaseActionError(errors, code="submit")
    region = _region(case)
    for row in case.materials.select_related("requirement").filter(
            requirement__necessity=MaterialRequirement.Necessity.DEFERRABLE).exclude(state=CaseMaterial.State.RECEIVED):
        promised = deferred.get(row.pk) or deferred.get(str(row.pk))
        if isinstance(promised, str):
            promised = datetime.date.fromisoformat(promised)
        row.state = CaseMaterial.State.DEFERRED
        row.promised_on = promised or add_workdays(today, DEFAULT_DEFER_DAYS, region).date
        row.note = _("申请人承诺容缺后补")
        row.save(update_fields=["state", "promised_on", "note"])
    before = case.status
    first = before == S.DRAFT
    days = prereview_days(case.item_version)
    due = add_workdays(today, days, region)
    case.status = S.PREREVIEW
    case.submitted_at = at
    case.prereview_due_date = due.date
    fields = ["status", "submitted_at", "prereview_due_date"]
    if first:
        case.number = _case_number(case.centre, at)
        case.received_at = at
        fields += ["number", "received_at"]
    else:
        open_return = case.corrections.filter(origin="prereview", resolved_at__isnull=True).first()
        if open_return is not None:
            open_return.resolved_at = at
            open_return.save(update_fields=["resolved_at"])
    _save(case, *fields)
    if first:
        summary = _("网上提交申请，待预审（预审期限 %(n)d 个工作日，至 %(d)s）") % {"n": days, "d": case.prereview_due_date}
        event = _online_event(case, acted_by, "submit_online", at=at, from_status=before, code="1", summary=summary,
                              data={"prereview_due_date": str(case.prereview_due_date)})
        tell_applicant(case, "case_received", event_id=event.pk)
        notices.notice_issue(case=case, kind=Notice.Kind.RECEIPT, actor=None, at=at)
    else:
        summary = _("修改后重新提交，待预审（第 %(r)d 次退回后；预审期限至 %(d)s）") % {
            "r": case.prereview_returns, "d": case.prereview_due_date}
        _online_event(case, acted_by, "resubmit_online", at=at, from_status=before, summary=summary,
                      data={"prereview_due_date": str(case.prereview_due_date)})
    return case


# --- pre-review (staff) ---------------------------------------------------------------------------


def _accept_online(case: Case, actor: User, at: datetime.datetime) -> CaseEvent:
    """网上受理 of a 零上门 item: what `case_accept` does at the window, without a visit."""
    before = case.status
    case.status = S.ACCEPTED
    case.accepted_at = at
    _refresh_clock(case, timezone.localdate(at))
    _save(case, "status", "accepted_at", *CLOCK_FIELDS)
    for step in case.steps.order_by("order"):
        if step.role != "clerk":
            break
        _finish_step(step, actor=actor, at=at, opinion=_("网上受理"))
    following = _next_waiting_step(case)
    if following is not None:
        _open_step(following, at=at, region=_region(case))
    deferred = list(case.materials.filter(state=CaseMaterial.State.DEFERRED).values_list("requirement__name", flat=True))
    summary = _("网上受理（零上门），承诺办结日 %(d)s") % {"d": case.due_date}
    if deferred:
        summary += _("；容缺后补：%(m)s") % {"m": "、".join(deferred)}
    event = _event(case, actor, "accept", at=at, from_status=before, code="3", summary=summary,
                   data={"due_date": str(case.due_date), "deferred": deferred, "online": True})
    tell_applicant(case, "accepted", event_id=event.pk)
    notices.notice_issue(case=case, kind=Notice.Kind.ACCEPTANCE, actor=actor, at=at)
    return event


@audited_refusal("case.prereview_pass")
def case_prereview_pass(*, actor: User, case: Case, expected_version: int | None = None, note: str = "",
                        at: datetime.datetime | None = None) -> Case:
    """预审通过: 零上门 items are accepted online now; others wait for one visit with the originals."""
    at = _now(at)
    case = _lock(case, expected_version)
    _require_prereviewer(actor, case)
    _require_status(case, S.PREREVIEW, action=_("预审通过"))
    if case.item_version.status != ItemVersion.Status.PUBLISHED:
        raise CaseActionError(_("事项已暂停办理或废止，不能受理。"), code="item")
    problems = _material_problems(case)
    if problems:
        raise CaseActionError([_("材料不齐全，不能预审通过。请退回并一次性告知需补正的内容：")] + problems,
                              code="materials")
    before = case.status
    zero_visit = case.item_version.visits_required == 0
    case.status = S.PREREVIEW_PASSED
    _save(case, "status")
    summary = _("网上预审通过") + (("：" + note.strip()) if (note or "").strip() else "")
    if not zero_visit:
        summary += _("。请申请人携带原件到%(p)s办理（只需跑一次）") % {"p": case.centre.name}
    event = _event(case, actor, "prereview_pass", at=at, from_status=before, summary=summary,
                   data={"zero_visit": zero_visit, "note": (note or "").strip()})
    if zero_visit:
        _accept_online(case, actor, at)
    else:
        tell_applicant(case, "prereview_passed", event_id=event.pk, place=case.centre.name)
    return case


def _return_items(case: Case, items: list[dict]) -> list[dict]:
    rows = {m.requirement_id: m for m in case.materials.select_related("requirement")}
    fields = {f.key: f for f in case.item_version.form_fields.all()}
    out = []
    errors = []
    for item in items or []:
        if not isinstance(item, dict):
            errors.append(_("退回清单的每一项应写明材料或字段，以及问题。"))
            continue
        text = str(item.get("problem") or "").strip()
        if not text:
            continue
        material = item.get("material")
        field = item.get("field")
        if material not in (None, ""):
            try:
                row = rows.get(int(material))
            except (TypeError, ValueError):
                row = None
            if row is None:
                errors.append(_("材料 %(id)s 不属于本事项。") % {"id": material})
                continue
            row.state = CaseMaterial.State.DEFECTIVE
            row.note = text[:300]
            row.save(update_fields=["state", "note"])
            out.append({"material": row.requirement_id, "name": row.requirement.name, "state": "defective",
                        "problem": text})
        elif field:
            spec = fields.get(str(field))
            if spec is None:
                errors.append(_("「%(k)s」不是本事项申请表的字段。") % {"k": field})
                continue
            out.append({"material": None, "field": spec.key, "name": _("申请表：%(f)s") % {"f": spec.label},
                        "state": "form", "problem": text})
        else:
            out.append({"material": None, "name": _("其他"), "state": "other", "problem": text})
    if errors:
        raise CaseActionError(errors, code="items")
    return out


@audited_refusal("case.prereview_return")
def case_prereview_return(*, actor: User, case: Case, items: list[dict], note: str = "",
                          expected_version: int | None = None, at: datetime.datetime | None = None) -> Case:
    """预审退回 with the one-time list (一次性告知) of everything to fix; each return is counted.

    `items`: [{"material": requirement id, "problem": …} | {"field": form key, "problem": …} |
    {"problem": …}]. The listed materials are marked 不符合要求 until the applicant re-uploads."""
    at = _now(at)
    case = _lock(case, expected_version)
    _require_prereviewer(actor, case)
    _require_status(case, S.PREREVIEW, action=_("预审退回"))
    listed = _return_items(case, items)
    if (note or "").strip():
        listed.append({"material": None, "name": _("其他"), "state": "other", "problem": note.strip()})
    if not listed:
        raise CaseActionError(_("请列出需要申请人修改的全部内容（一次性告知），每项写明问题。"), code="items")
    before = case.status
    case.status = S.PREREVIEW_RETURNED
    case.prereview_returns += 1
    case.correction_rounds += 1
    case.prereview_due_date = None
    _save(case, "status", "prereview_returns", "correction_rounds", "prereview_due_date")
    CorrectionRequest.objects.create(case=case, round=case.correction_rounds, origin="prereview", items=listed,
                                     requested_at=at, requested_by=staff_user(actor))
    summary = _("预审退回（第 %(n)d 次），需修改 %(k)d 项：%(m)s") % {
        "n": case.prereview_returns, "k": len(listed), "m": "；".join(f"{i['name']}：{i['problem']}" for i in listed)}
    event = _event(case, actor, "prereview_return", at=at, from_status=before, code="6", summary=summary,
                   data={"items": listed, "prereview_returns": case.prereview_returns})
    tell_applicant(case, "correction_needed", event_id=event.pk,
                   items="；".join(f"{i['name']}（{i['problem']}）" for i in listed))
    notices.notice_issue(case=case, kind=Notice.Kind.CORRECTION, actor=actor, at=at, extra={"items": listed})
    return case


@audited_refusal("case.prereview_refuse")
def case_prereview_refuse(*, actor: User, case: Case, reason: str, way_forward: str, legal_basis: str = "",
                          expected_version: int | None = None, at: datetime.datetime | None = None) -> Case:
    """预审不予受理 (national status 4 不受理), in writing, with why and how it could be done (双告知)."""
    at = _now(at)
    case = _lock(case, expected_version)
    _require_prereviewer(actor, case)
    _require_status(case, S.PREREVIEW, action=_("预审不予受理"))
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = [_("请写明不予受理的理由。")]
    if not (way_forward or "").strip():
        errors["way_forward"] = [_("请告知申请人如何才能办理（向哪个部门、需具备什么条件）。")]
    if errors:
        raise CaseActionError(errors, code="refusal_incomplete")
    before = case.status
    case.status = S.NOT_RECEIVED
    case.decision_reason = reason.strip()
    case.decision_basis = (legal_basis or "").strip() or case.item_version.legal_basis
    case.decision_way_forward = way_forward.strip()
    case.closed_at = at
    case.prereview_due_date = None
    _save(case, "status", "decision_reason", "decision_basis", "decision_way_forward", "closed_at",
          "prereview_due_date")
    case.steps.exclude(state=CaseStep.State.DONE).update(state=CaseStep.State.CANCELLED)
    event = _event(case, actor, "prereview_refuse", at=at, from_status=before, code="4",
                   summary=_("预审不予受理：%(r)s；办理途径：%(w)s") % {"r": case.decision_reason, "w": case.decision_way_forward},
                   data={"reason": case.decision_reason, "way_forward": case.decision_way_forward})
    tell_applicant(case, "prereview_refused", event_id=event.pk, reason=case.decision_reason,
                   way_forward=case.decision_way_forward)
    notices.notice_issue(case=case, kind=Notice.Kind.REFUSAL, actor=actor, at=at)
    return case


# --- after acceptance ----------------------------------------------------------------------------


@online_refusal("case.supplement_online")
def case_supplement_online(*, acted_by: OnlineActor, case: Case, note: str = "", expected_version: int | None = None,
                           at: datetime.datetime | None = None) -> Case:
    """网上补正: the files asked for were uploaded (`case_online_file_add`); the clock resumes."""
    at = _now(at)
    today = timezone.localdate(at)
    case = _lock(case, expected_version)
    if case.status in ENDED:
        raise CaseActionError(_("办件已%(s)s，不能再补正材料。") % {"s": case.get_status_display()}, code="state")
    _require_status(case, S.CORRECTION, action=_("补正材料"))
    request = case.corrections.filter(resolved_at__isnull=True).order_by("-round").first()
    missing = []
    for item in (request.items if request else []):
        if item.get("material"):
            row = case.materials.select_related("requirement").filter(requirement_id=item["material"]).first()
            if row is not None and row.state != CaseMaterial.State.RECEIVED:
                missing.append(row.requirement.name)
    if missing:
        raise CaseActionError(
            {"materials": [_("请先上传需补正的材料：%(m)s。") % {"m": "、".join(missing)}]}, code="materials")
    if request is not None:
        request.resolved_at = at
        request.save(update_fields=["resolved_at"])
    before = case.status
    fields = ["status"]
    if request is not None and request.origin == "sendback":
        problems = _material_problems(case)
        if problems:
            raise CaseActionError([_("补正后材料仍不齐全：")] + problems, code="materials")
        case.paused_days += paused_workdays(case.paused_since, today, _region(case))
        case.paused_since = None
        case.status = S.PROCESSING
        _refresh_clock(case, today)
        fields += ["paused_days", "paused_since", *CLOCK_FIELDS]
        summary = _("网上补正材料已提交，恢复计时，承诺办结日 %(d)s") % {"d": case.due_date}
        waiting = case.steps.filter(state=CaseStep.State.WAITING, opinion="__sent_back__").order_by("order").first()
        if waiting is not None:
            waiting.opinion = ""
            _open_step(waiting, at=at, region=_region(case))
    else:
        case.status = S.RECEIVED
        summary = _("网上补正材料已提交，待受理")
    if (note or "").strip():
        summary += "：" + note.strip()
    _save(case, *fields)
    _online_event(case, acted_by, "correction_supplied", at=at, from_status=before, code="7", summary=summary)
    return case


@online_refusal("case.withdraw_online")
def case_withdraw_online(*, acted_by: OnlineActor, case: Case, reason: str, expected_version: int | None = None,
                         at: datetime.datetime | None = None) -> Case:
    """撤回 by the applicant online, any time before the decision."""
    at = _now(at)
    case = _lock(case, expected_version)
    if case.status in (S.WITHDRAWN, S.CANCELLED):
        raise CaseActionError(_("办件已撤回，不能重复撤回。"), code="state")
    if case.status not in WITHDRAWABLE:
        raise CaseActionError(
            _("办件当前状态为「%(s)s」，已不能撤回。") % {"s": case.get_status_display()}, code="state")
    # A bundle (一件事) runs as one application: once its parts are with the departments, withdrawing
    # the parent alone would leave them running, and withdrawing one part would break the bundle.
    if case.parent_id is not None:
        raise CaseActionError(_("这是一件事中的一项，不能单独撤回；如需撤回，请撤回整个一件事申请。"), code="state")
    if case.children.exists():
        raise CaseActionError(
            _("一件事已分送各部门办理，网上不能再撤回；请联系综合受理窗口，由窗口撤回各项办件。"), code="state")
    if not (reason or "").strip():
        raise CaseActionError({"reason": [_("请填写撤回的原因。")]}, code="reason")
    before = case.status
    case.status = S.CANCELLED if case.accepted_at is None else S.WITHDRAWN
    case.closed_at = at
    case.alarm = Case.Alarm.NONE
    case.paused_since = None
    case.prereview_due_date = None
    _save(case, "status", "closed_at", "alarm", "paused_since", "prereview_due_date")
    case.steps.exclude(state=CaseStep.State.DONE).update(state=CaseStep.State.CANCELLED, alarm=Case.Alarm.NONE)
    _online_event(case, acted_by, "withdraw", at=at, from_status=before,
                  code="2" if case.status == S.CANCELLED else "14",
                  summary=_("申请人网上撤回：%(r)s") % {"r": reason.strip()})
    return case
