"""Every change to the licence library goes through a function here.

Each writes its rows, a `LicenceEvent` and an audit entry in one transaction. Issuing signs
inside that transaction and verifies the signature before anything is saved, so a licence
never exists unsigned, and when the case engine calls `licence_issue_for_case` from its
approval, the licence and the case's decision commit or roll back together.
"""

import datetime
import functools
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.cases.models import Case
from yichuang.cases.selectors import cases_visible_to
from yichuang.catalog.models import MaterialRequirement
from yichuang.core.audit import audit_record
from yichuang.core.crypto import lookup_hash
from yichuang.core.sequences import sequence_next
from yichuang.core.validators import mask_id_number, validate_uscc
from yichuang.org.models import Department, Role

from . import sm2
from .content import resolve_fields, validate_field_specs, validity_end
from .errors import LicenceError, LicencePermissionDenied
from .identifiers import build_identifier
from .models import Licence, LicenceEvent, LicenceReuse, LicenceType, Seal
from .sealimage import seal_image_png, validate_seal_png
from .selectors import (
    effective_status,
    licence_payload,
    licence_type_for_version,
    licence_types_for_requirement,
    same_holder,
)
from .signing import SigningError, canonical_bytes, digest_hex, signing_provider, validate_key_name

APPROVED_STATUSES = (Case.Status.APPROVED, Case.Status.APPROVED_DEFERRED)
FRONT_ROLES = (Role.Code.CLERK, Role.Code.TOWN_CLERK, Role.Code.RESULT_CLERK, Role.Code.REVIEWER,
               Role.Code.APPROVER, Role.Code.AGENT)


# --- plumbing -----------------------------------------------------------------------------------


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return (at or timezone.now()).replace(microsecond=0)


def _is_system(actor) -> bool:
    """`actor=None` is the platform itself (the expiry sweep, the demo seed), never a web request."""
    return actor is None


def _staff(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _label(actor) -> str:
    return str(actor) if actor is not None else _("系统")


def audited_refusal(action: str):
    """Run the service in its own transaction; if it refuses, record the refusal and re-raise."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*, actor, **kwargs):
            try:
                with transaction.atomic():
                    return fn(actor=actor, **kwargs)
            except LicenceError as err:
                target = kwargs.get("licence") or kwargs.get("case") or kwargs.get("seal")
                audit_record(
                    actor=actor, action=f"{action}.refused",
                    object_type=target._meta.label_lower if target is not None else "",
                    object_id=str(getattr(target, "pk", "") or ""), note="；".join(err.messages),
                )
                raise

        return wrapper

    return decorate


def _event(licence: Licence, actor, action: str, *, at: datetime.datetime, from_status: str = "",
           reason: str = "", data: dict[str, Any] | None = None) -> LicenceEvent:
    event = LicenceEvent.objects.create(
        licence=licence, at=at, actor=_staff(actor), actor_label=_label(actor)[:120], action=action,
        from_status=from_status, to_status=licence.status, reason=reason[:500], data=data or {},
    )
    audit_record(
        actor=actor, action=f"licence.{action}", obj=licence,
        before={"status": from_status} if from_status else None,
        after={"identifier": licence.identifier, "status": licence.status, **(data or {})},
        note=reason[:500],
    )
    return event


def _require_admin(actor) -> None:
    if _is_system(actor) or getattr(actor, "is_superuser", False):
        return
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(Role.Code.ADMIN):
        raise LicencePermissionDenied(_("管理印章和证照类型需要「中心管理员」角色。"), code="role")


def _reason(reason: str, what: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise LicenceError(_("请填写%(w)s的原因。") % {"w": what}, code="reason")
    return text


# --- seals --------------------------------------------------------------------------------------


def _check_key(public_key: str, key_ref: str) -> str:
    """The seal's public key, checked against the provider: a test signature must verify with it."""
    provider = signing_provider()
    try:
        if not public_key:
            public_key = provider.public_key(key_ref)
        point = sm2.public_key_from_hex(public_key)
        probe = b"yichuang seal key check"
        if not provider.verify(probe, provider.sign(probe, key_ref), sm2.public_key_hex(point)):
            raise LicenceError(
                _("印章公钥与签名密钥「%(k)s」不匹配：请核对公钥，或留空由系统从密钥读取。") % {"k": key_ref},
                code="key_mismatch",
            )
    except SigningError as err:
        raise LicenceError(str(err), code="key") from None
    except sm2.SM2Error as err:
        raise LicenceError(_("印章公钥无效：%(e)s") % {"e": err}, code="public_key") from None
    return sm2.public_key_hex(point)


def seal_problems(
    *, name: str, owner_name: str, owner_uscc: str, key_ref: str, valid_from: datetime.date | None,
    valid_to: datetime.date | None, scope: str, department: Department | None, image_png: bytes = b"",
    public_key: str = "",
) -> dict[str, list[str]]:
    """Everything wrong with a new seal, by field; empty when it can be created.

    The key is tried for real: the provider signs a probe that must verify with the public key.
    """
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = [_("请填写印章名称，如：示例县行政审批局行政审批专用章。")]
    if not (owner_name or "").strip():
        errors["owner_name"] = [_("请填写用章机构名称。")]
    try:
        validate_uscc(owner_uscc)
    except ValidationError as err:
        errors["owner_uscc"] = err.messages
    try:
        validate_key_name(key_ref)
    except SigningError as err:
        errors["key_ref"] = [str(err)]
    if valid_from is None or valid_to is None:
        errors["valid_to"] = [_("请填写启用日期和有效期至。")]
    elif valid_to < valid_from:
        errors["valid_to"] = [_("有效期至不能早于启用日期。")]
    if scope not in Seal.Scope.values:
        errors["scope"] = [_("适用范围无效。")]
    elif scope == Seal.Scope.DEPARTMENT and department is None:
        errors["department"] = [_("部门专用章请选择所属部门。")]
    if image_png:
        try:
            validate_seal_png(image_png)
        except ValidationError as err:
            errors["image_png"] = err.messages
    if "key_ref" not in errors:
        try:
            _check_key(public_key, key_ref.strip())
        except LicenceError as err:
            errors["public_key" if public_key else "key_ref"] = err.messages
    return errors


@audited_refusal("seal.create")
def seal_create(
    *, actor, name: str, owner_name: str, owner_uscc: str, key_ref: str, valid_from: datetime.date,
    valid_to: datetime.date, scope: str = Seal.Scope.BUREAU, department: Department | None = None,
    image_png: bytes = b"", purpose: str = "", public_key: str = "", certificate: str = "",
) -> Seal:
    """A new e-seal. Without an image, a round red seal is drawn from the owner's name and `purpose`."""
    _require_admin(actor)
    errors = seal_problems(name=name, owner_name=owner_name, owner_uscc=owner_uscc, key_ref=key_ref,
                           valid_from=valid_from, valid_to=valid_to, scope=scope, department=department,
                           image_png=image_png, public_key=public_key)
    if errors:
        raise LicenceError(errors)
    name, owner_name = name.strip(), owner_name.strip()
    owner_uscc, key_ref = validate_uscc(owner_uscc), key_ref.strip()
    public_key = _check_key(public_key, key_ref)
    seal = Seal.objects.create(
        name=name, owner_name=owner_name, owner_uscc=owner_uscc, scope=scope,
        department=department if scope == Seal.Scope.DEPARTMENT else None,
        image_png=image_png or seal_image_png(owner_name, purpose or name.replace(owner_name, "")),
        public_key=public_key, key_ref=key_ref, certificate=(certificate or "").strip(),
        valid_from=valid_from, valid_to=valid_to,
    )
    audit_record(actor=actor, action="seal.create", obj=seal, after={
        "name": name, "owner": owner_name, "owner_uscc": owner_uscc, "key_ref": key_ref,
        "key_fingerprint": sm2.key_fingerprint(sm2.public_key_from_hex(public_key)),
        "valid_from": valid_from.isoformat(), "valid_to": valid_to.isoformat(),
    })
    return seal


@audited_refusal("seal.update")
def seal_update(
    *, actor, seal: Seal, name: str | None = None, valid_to: datetime.date | None = None,
    status: str | None = None, image_png: bytes | None = None, reason: str = "",
) -> Seal:
    """Rename, extend, suspend or revoke a seal, or replace its image. The key is never changed:
    licences already signed must keep verifying; a new key is a new seal."""
    _require_admin(actor)
    seal = Seal.objects.select_for_update(of=("self",)).get(pk=seal.pk)
    before = {"name": seal.name, "valid_to": seal.valid_to.isoformat(), "status": seal.status}
    changed: list[str] = []
    if name is not None and name.strip() and name.strip() != seal.name:
        seal.name = name.strip()
        changed.append("name")
    if valid_to is not None and valid_to != seal.valid_to:
        if valid_to < seal.valid_from:
            raise LicenceError({"valid_to": [_("有效期至不能早于启用日期。")]})
        seal.valid_to = valid_to
        changed.append("valid_to")
    if status is not None and status != seal.status:
        if status not in Seal.Status.values:
            raise LicenceError({"status": [_("状态无效。")]})
        if seal.status == Seal.Status.REVOKED:
            raise LicenceError(_("印章已作废，不能再启用：请新建印章。"), code="revoked")
        seal.status = status
        changed.append("status")
    if image_png is not None and image_png != bytes(seal.image_png or b""):
        try:
            seal.image_png = validate_seal_png(image_png)
        except ValidationError as err:
            raise LicenceError({"image_png": err.messages}) from None
        changed.append("image_png")
    if not changed:
        return seal
    seal.save(update_fields=[*changed, "updated_at"])
    audit_record(actor=actor, action="seal.update", obj=seal, before=before, after={
        "name": seal.name, "valid_to": seal.valid_to.isoformat(), "status": seal.status,
        "image_changed": "image_png" in changed,
    }, note=reason)
    return seal


# --- licence types ------------------------------------------------------------------------------


@audited_refusal("licence_type.save")
def licence_type_save(
    *, actor, code: str, name: str, fields: Any = None, title: str = "", items: Iterable | None = None,
    validity_years: int = 0, validity_months: int = 0, validity_days: int = 0, template: str = "",
    seal: Seal | None = None, auto_issue: bool = True, satisfies_materials: Iterable[str] | None = None,
    is_active: bool = True,
) -> LicenceType:
    """Create the licence type with this code, or bring it in line with the values given."""
    _require_admin(actor)
    errors: dict[str, list[str]] = {}
    code = (code or "").strip().upper()
    if not code or not code.isalnum() or not code.isascii():
        errors["code"] = [_("证照类型代码只能由数字和大写字母组成，如 11100000MB0143028K001。")]
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写证照名称。")]
    try:
        specs = validate_field_specs(fields)
    except ValidationError as err:
        errors["fields"] = err.messages
        specs = []
    if template and template not in LicenceType.Template.values:
        errors["template"] = [_("版式无效。")]
    if any(v < 0 for v in (validity_years, validity_months, validity_days)):
        errors["validity_years"] = [_("有效期不能为负数。")]
    materials = [str(m).strip() for m in (satisfies_materials or []) if str(m).strip()]
    if errors:
        raise LicenceError(errors)
    values = {
        "name": name, "title": (title or "").strip(), "fields": specs, "validity_years": validity_years,
        "validity_months": validity_months, "validity_days": validity_days, "template": template or "",
        "seal": seal, "auto_issue": auto_issue, "satisfies_materials": materials, "is_active": is_active,
    }
    licence_type = LicenceType.objects.select_for_update(of=("self",)).filter(code=code).first()
    created = licence_type is None
    changed = created
    if created:
        licence_type = LicenceType.objects.create(code=code, **values)
    else:
        for field, value in values.items():
            if getattr(licence_type, field) != value:
                setattr(licence_type, field, value)
                changed = True
        if changed:
            licence_type.save()
    if items is not None:
        wanted = {getattr(item, "pk", item) for item in items}
        current = set(licence_type.items.values_list("pk", flat=True))
        if wanted != current:
            licence_type.items.set(wanted)
            changed = True
    if changed:
        audit_record(actor=actor, action="licence_type.create" if created else "licence_type.update",
                     obj=licence_type, after={
                         "code": code, "name": name, "template": template, "auto_issue": auto_issue,
                         "seal": seal.pk if seal else None, "fields": [f["key"] for f in specs],
                         "validity": [validity_years, validity_months, validity_days],
                     })
    return licence_type


# --- issuing ------------------------------------------------------------------------------------


def _check_issuable(licence_type: LicenceType, department: Department, today: datetime.date) -> Seal:
    name = licence_type.name
    if not licence_type.template:
        raise LicenceError(
            _("证照类型「%(t)s」没有设置打印版式，不能签发：请中心管理员在「证照类型」中选择版式。") % {"t": name},
            code="no_template",
        )
    seal = licence_type.seal
    if seal is None:
        raise LicenceError(
            _("证照类型「%(t)s」没有指定签章，不能签发：请中心管理员为它选择印章。") % {"t": name}, code="no_seal"
        )
    if seal.status != Seal.Status.ACTIVE:
        raise LicenceError(
            _("印章「%(s)s」%(state)s，不能签发电子证照：请中心管理员启用或更换印章。")
            % {"s": seal.name, "state": seal.get_status_display()}, code="seal_inactive",
        )
    if today > seal.valid_to:
        raise LicenceError(
            _("印章「%(s)s」的有效期至 %(d)s，已过期，不能签发电子证照：请中心管理员延长印章有效期或更换印章。")
            % {"s": seal.name, "d": seal.valid_to.isoformat()}, code="seal_expired",
        )
    if today < seal.valid_from:
        raise LicenceError(
            _("印章「%(s)s」自 %(d)s 起启用，现在还不能使用。") % {"s": seal.name, "d": seal.valid_from.isoformat()},
            code="seal_not_yet_valid",
        )
    if seal.scope == Seal.Scope.DEPARTMENT and seal.department_id != department.pk:
        raise LicenceError(
            _("印章「%(s)s」是其他部门的专用章，不能为「%(d)s」的证照盖章。") % {"s": seal.name, "d": department.name},
            code="seal_department",
        )
    return seal


def _sign(licence: Licence) -> None:
    """Fill canonical, digest and signature; refuse if the fresh signature does not verify."""
    data = canonical_bytes(licence_payload(licence))
    provider = signing_provider()
    try:
        signature = provider.sign(data, licence.seal.key_ref)
    except SigningError as err:
        raise LicenceError(str(err), code="signing") from None
    if not provider.verify(data, signature, licence.seal.public_key):
        raise LicenceError(
            _("签名完成后验证未通过：印章「%(s)s」登记的公钥与签名密钥「%(k)s」不一致。证照未签发；"
              "请中心管理员核对印章的公钥和密钥配置。") % {"s": licence.seal.name, "k": licence.seal.key_ref},
            code="signature_unverified",
        )
    licence.canonical = data.decode("utf-8")
    licence.digest = digest_hex(data)
    licence.signature = signature


def _serial(licence_type: LicenceType, issuer_uscc: str, at: datetime.datetime) -> str:
    year = timezone.localdate(at).year
    return f"{year}{sequence_next(f'licence:{licence_type.code}:{issuer_uscc}:{year}'):06d}"


def _holder_from_applicant(licence: Licence, applicant) -> None:
    licence.applicant = applicant
    licence.holder_kind = applicant.kind
    licence.holder_name = applicant.name
    if applicant.kind == Licence.HolderKind.COMPANY:
        if not applicant.uscc:
            raise LicenceError(_("申请人「%(n)s」没有统一社会信用代码，不能签发证照。") % {"n": applicant.name}, code="holder")
        licence.holder_uscc = applicant.uscc
    else:
        if not applicant.id_number:
            raise LicenceError(_("申请人「%(n)s」没有身份证号码，不能签发证照。") % {"n": applicant.name}, code="holder")
        licence.holder_id_number = applicant.id_number
        licence.holder_id_hash = lookup_hash(applicant.id_number)
        licence.holder_id_masked = mask_id_number(applicant.id_number)


def _issue_for(*, actor, case: Case, licence_type: LicenceType, at: datetime.datetime) -> Licence:
    # The case row is locked so that two calls for one case cannot both issue.
    case = (Case.objects.select_for_update(of=("self",))
            .select_related("item_version", "applicant", "department", "centre").get(pk=case.pk))
    if case.status not in APPROVED_STATUSES:
        raise LicenceError(
            _("办件 %(n)s 当前状态为「%(s)s」，只有准予许可的办件才能签发证照。")
            % {"n": case.number, "s": case.get_status_display()}, code="case_state",
        )
    if case.delivery == Case.Delivery.WITHHELD:
        raise LicenceError(
            _("办件 %(n)s 为容缺通过，容缺材料补齐前结果暂不出具，证照待补齐后签发。") % {"n": case.number},
            code="withheld",
        )
    existing = Licence.objects.filter(case=case, type=licence_type).order_by("-version").first()
    if existing is not None:
        raise LicenceError(
            _("办件 %(n)s 已签发电子证照 %(i)s，不能重复签发。") % {"n": case.number, "i": existing.identifier},
            code="already_issued",
        )
    today = timezone.localdate(at)
    seal = _check_issuable(licence_type, case.department, today)
    data, missing = resolve_fields(licence_type.fields, case)
    if missing:
        raise LicenceError(
            _("证照字段没有取值，不能签发：%(f)s。请核对申请表，或请中心管理员调整证照类型的字段来源。")
            % {"f": "、".join(missing)}, code="missing_fields",
        )
    licence = Licence(
        type=licence_type, version=1, title=licence_type.print_title, issuer_name=seal.owner_name,
        issuer_uscc=seal.owner_uscc, department=case.department, case=case, data=data, seal=seal,
        issued_at=at, valid_from=today, issued_by=_staff(actor),
        valid_to=validity_end(today, years=licence_type.validity_years, months=licence_type.validity_months,
                              days=licence_type.validity_days),
    )
    _holder_from_applicant(licence, case.applicant)
    licence.serial = _serial(licence_type, seal.owner_uscc, at)
    licence.identifier = build_identifier(type_code=licence_type.code, issuer_code=seal.owner_uscc,
                                          serial=licence.serial, version=1)
    _sign(licence)
    try:
        with transaction.atomic():
            licence.save()
    except IntegrityError:
        raise LicenceError(_("此办件的证照刚刚已由他人签发，请刷新页面。"), code="conflict") from None
    _event(licence, actor, LicenceEvent.Action.ISSUE, at=at, data={"case": case.number, "type": licence_type.code})
    return licence


def licence_issue_for_case(*, actor, case: Case, at: datetime.datetime | None = None) -> Licence | None:
    """The case engine's hook when a case is approved: sign and store its e-licence.

    Returns None, doing nothing, when the item's result has no licence type, when its type is not
    issued automatically (the result clerk issues it with `licence_issue`), and while the result
    is withheld for 容缺 materials (call it again when they are supplied). Returns the licence
    already issued for the case if there is one, so that calling twice is harmless. Raises
    `LicenceError` (a `CaseActionError`) when the licence cannot be issued — expired or inactive
    seal, missing template, a signature that does not verify — so that the approval it belongs to
    rolls back with it and the approver reads why.
    """
    licence_type = licence_type_for_version(case.item_version)
    if licence_type is None or not licence_type.auto_issue:
        return None
    existing = Licence.objects.filter(case=case, type=licence_type).order_by("-version").first()
    if existing is not None:
        return existing
    if case.delivery == Case.Delivery.WITHHELD:
        return None  # 容缺: the result waits for the missing materials; call again when they arrive
    try:
        with transaction.atomic():
            return _issue_for(actor=actor, case=case, licence_type=licence_type, at=_now(at))
    except LicenceError as err:
        audit_record(actor=actor, action="licence.issue.refused", object_type="cases.case",
                     object_id=str(case.pk), note="；".join(err.messages))
        raise


def _require_issuer(actor, case: Case) -> None:
    if _is_system(actor) or getattr(actor, "is_superuser", False):
        return
    if not getattr(actor, "is_authenticated", False):
        raise LicencePermissionDenied(_("请先登录。"), code="login")
    if actor.has_role(Role.Code.APPROVER) and actor.department_id == case.department_id:
        return
    if actor.has_role(Role.Code.RESULT_CLERK) and cases_visible_to(actor).filter(pk=case.pk).exists():
        return
    raise LicencePermissionDenied(
        _("签发证照需要办理部门的「决定人员」或本中心的「出件窗口人员」角色。"), code="role"
    )


@audited_refusal("licence.issue")
def licence_issue(*, actor, case: Case, at: datetime.datetime | None = None) -> Licence:
    """出证 by the result window (or the deciding department) for an approved case."""
    _require_issuer(actor, case)
    licence_type = licence_type_for_version(case.item_version)
    if licence_type is None:
        raise LicenceError(
            _("事项「%(i)s」的审批结果「%(r)s」没有对应的电子证照类型：请中心管理员先登记证照类型。")
            % {"i": case.item_version.name, "r": case.item_version.result_name}, code="no_type",
        )
    return _issue_for(actor=actor, case=case, licence_type=licence_type, at=_now(at))


# --- status changes -----------------------------------------------------------------------------

STATUS_ACTIONS = {
    LicenceEvent.Action.CANCEL: Licence.Status.CANCELLED,
    LicenceEvent.Action.REVOKE: Licence.Status.REVOKED,
    LicenceEvent.Action.WITHDRAW: Licence.Status.WITHDRAWN,
    LicenceEvent.Action.EXPIRE: Licence.Status.EXPIRED,
}
# 撤销 and 吊销 are also a supervisor's: they correct an unlawful grant or punish a holder.
SUPERVISOR_ACTIONS = frozenset({LicenceEvent.Action.REVOKE, LicenceEvent.Action.WITHDRAW})


def may_act(actor, licence: Licence, action: str) -> bool:
    """Whether `actor` may take `action` on the licence (the page shows only what it may)."""
    if _is_system(actor) or getattr(actor, "is_superuser", False):
        return True
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.has_role(Role.Code.APPROVER) and actor.department_id == licence.department_id:
        return True
    if action in SUPERVISOR_ACTIONS and actor.has_role(Role.Code.SUPERVISOR) and actor.region_id:
        return licence.department.region.code.startswith(actor.region.prefix)
    return False


def _require_may(actor, licence: Licence, action: str) -> None:
    if not may_act(actor, licence, action):
        if action in SUPERVISOR_ACTIONS:
            message = _("%(a)s证照需要发证部门的「决定人员」或本地区的「电子监察人员」角色。")
        else:
            message = _("%(a)s证照需要发证部门的「决定人员」角色。")
        raise LicencePermissionDenied(message % {"a": LicenceEvent.Action(action).label}, code="role")


def _lock_valid(licence: Licence, action: str) -> Licence:
    locked = (Licence.objects.select_for_update(of=("self",))
              .select_related("type", "seal", "department__region", "case", "applicant").get(pk=licence.pk))
    if locked.status != Licence.Status.VALID:
        raise LicenceError(
            _("证照当前状态为「%(s)s」，不能%(a)s。") % {"s": locked.get_status_display(), "a": LicenceEvent.Action(action).label},
            code="state",
        )
    return locked


def _set_status(*, actor, licence: Licence, action: str, reason: str, at: datetime.datetime | None) -> Licence:
    at = _now(at)
    licence = _lock_valid(licence, action)
    _require_may(actor, licence, action)
    reason = _reason(reason, LicenceEvent.Action(action).label)
    before = licence.status
    licence.status = STATUS_ACTIONS[action]
    licence.status_reason = reason[:500]
    licence.status_changed_at = at
    licence.save(update_fields=["status", "status_reason", "status_changed_at"])
    _event(licence, actor, action, at=at, from_status=before, reason=reason)
    return licence


@audited_refusal("licence.cancel")
def licence_cancel(*, actor, licence: Licence, reason: str, at: datetime.datetime | None = None) -> Licence:
    """注销: the holder gave it up, closed down, or the activity ended."""
    return _set_status(actor=actor, licence=licence, action=LicenceEvent.Action.CANCEL, reason=reason, at=at)


@audited_refusal("licence.revoke")
def licence_revoke(*, actor, licence: Licence, reason: str, at: datetime.datetime | None = None) -> Licence:
    """撤销: the grant itself was unlawful (行政许可法 Art. 69)."""
    return _set_status(actor=actor, licence=licence, action=LicenceEvent.Action.REVOKE, reason=reason, at=at)


@audited_refusal("licence.withdraw")
def licence_withdraw(*, actor, licence: Licence, reason: str, at: datetime.datetime | None = None) -> Licence:
    """吊销: an administrative penalty on the holder."""
    return _set_status(actor=actor, licence=licence, action=LicenceEvent.Action.WITHDRAW, reason=reason, at=at)


@audited_refusal("licence.expire")
def licence_expire(*, actor, licence: Licence, reason: str, at: datetime.datetime | None = None) -> Licence:
    """失效: declared no longer in force (e.g. the law it rests on was repealed)."""
    return _set_status(actor=actor, licence=licence, action=LicenceEvent.Action.EXPIRE, reason=reason, at=at)


@transaction.atomic
def licence_expire_due(*, today: datetime.date | None = None) -> int:
    """The daily sweep: valid licences whose last valid day has passed become 失效. Returns how many."""
    today = today or timezone.localdate()
    at = _now(None)
    count = 0
    due = Licence.objects.select_for_update(of=("self",)).filter(status=Licence.Status.VALID, valid_to__lt=today)
    for licence in due:
        licence.status = Licence.Status.EXPIRED
        licence.status_reason = _("有效期届满（%(d)s）") % {"d": licence.valid_to.isoformat()}
        licence.status_changed_at = at
        licence.save(update_fields=["status", "status_reason", "status_changed_at"])
        _event(licence, None, LicenceEvent.Action.EXPIRE, at=at, from_status=Licence.Status.VALID,
               reason=licence.status_reason)
        count += 1
    return count


def _reissue(*, actor, old: Licence, action: str, reason: str, at: datetime.datetime, data: list[dict[str, str]],
             holder_name: str, valid_from: datetime.date, valid_to: datetime.date | None,
             case: Case | None) -> Licence:
    """A new version of `old` (变更 or 延续): same serial, version + 1, signed anew; the old one is superseded."""
    if old.version >= 999:
        raise LicenceError(_("证照版本号已达 999，不能再变更。"), code="version")
    seal = _check_issuable(old.type, old.department, timezone.localdate(at))
    new = Licence(
        type=old.type, serial=old.serial, version=old.version + 1, title=old.type.print_title,
        holder_kind=old.holder_kind, holder_name=holder_name, holder_uscc=old.holder_uscc,
        holder_id_number=old.holder_id_number, holder_id_hash=old.holder_id_hash,
        holder_id_masked=old.holder_id_masked, applicant=old.applicant, issuer_name=seal.owner_name,
        issuer_uscc=old.issuer_uscc, department=old.department, case=case or old.case, data=data, seal=seal,
        issued_at=at, valid_from=valid_from, valid_to=valid_to, previous=old, issued_by=_staff(actor),
    )
    new.identifier = build_identifier(type_code=old.type.code, issuer_code=old.issuer_uscc, serial=old.serial,
                                      version=new.version)
    _sign(new)
    new.save()
    before = old.status
    old.status = Licence.Status.SUPERSEDED
    old.status_reason = _("%(a)s为新版本 %(i)s：%(r)s") % {"a": LicenceEvent.Action(action).label, "i": new.identifier, "r": reason}
    old.status_reason = old.status_reason[:500]
    old.status_changed_at = at
    old.save(update_fields=["status", "status_reason", "status_changed_at"])
    _event(old, actor, LicenceEvent.Action.SUPERSEDE, at=at, from_status=before, reason=reason,
           data={"next": new.identifier})
    _event(new, actor, action, at=at, reason=reason, data={"previous": old.identifier})
    return new


@audited_refusal("licence.change")
def licence_change(
    *, actor, licence: Licence, changes: dict[str, str], reason: str, case: Case | None = None,
    at: datetime.datetime | None = None,
) -> Licence:
    """变更: a new version with the changed fields (and, with key "holder_name", the holder's new name)."""
    at = _now(at)
    old = _lock_valid(licence, LicenceEvent.Action.CHANGE)
    _require_may(actor, old, LicenceEvent.Action.CHANGE)
    reason = _reason(reason, _("变更"))
    known = {row["key"]: row for row in old.data}
    unknown = [key for key in changes if key not in known and key != "holder_name"]
    if unknown:
        raise LicenceError(_("证照没有这些字段：%(k)s。") % {"k": "、".join(unknown)}, code="unknown_fields")
    holder_name = str(changes.get("holder_name", old.holder_name) or "").strip() or old.holder_name
    data = [dict(row) for row in old.data]
    changed = []
    for row in data:
        value = str(changes.get(row["key"], row["value"]) or "").strip()
        if value == row["value"] and row["value"] == old.holder_name:
            value = holder_name  # a field that states the holder's name follows the new name
        if value != row["value"]:
            row["value"] = value
            changed.append(row["label"])
    if holder_name != old.holder_name:
        changed.append(_("持证主体名称"))
    if not changed:
        raise LicenceError(_("没有变更任何内容：请修改需要变更的字段。"), code="unchanged")
    return _reissue(actor=actor, old=old, action=LicenceEvent.Action.CHANGE, reason=reason, at=at, data=data,
                    holder_name=holder_name, valid_from=old.valid_from, valid_to=old.valid_to, case=case)


@audited_refusal("licence.renew")
def licence_renew(
    *, actor, licence: Licence, reason: str, valid_to: datetime.date | None = None, case: Case | None = None,
    at: datetime.datetime | None = None,
) -> Licence:
    """延续: a new version valid from the day after the old one ends, for the type's period (or to `valid_to`)."""
    at = _now(at)
    old = _lock_valid(licence, LicenceEvent.Action.RENEW)
    _require_may(actor, old, LicenceEvent.Action.RENEW)
    reason = _reason(reason, _("延续"))
    today = timezone.localdate(at)
    if old.valid_to is None:
        raise LicenceError(_("此证照长期有效，无需延续。"), code="no_expiry")
    if old.valid_to < today:
        raise LicenceError(
            _("证照已于 %(d)s 到期，不能延续：请重新申请。") % {"d": old.valid_to.isoformat()}, code="expired"
        )
    valid_from = old.valid_to + datetime.timedelta(days=1)
    if valid_to is None:
        valid_to = validity_end(valid_from, years=old.type.validity_years, months=old.type.validity_months,
                                days=old.type.validity_days)
    elif valid_to <= old.valid_to:
        raise LicenceError({"valid_to": [_("延续后的有效期应晚于原有效期 %(d)s。") % {"d": old.valid_to.isoformat()}]})
    return _reissue(actor=actor, old=old, action=LicenceEvent.Action.RENEW, reason=reason, at=at,
                    data=[dict(row) for row in old.data], holder_name=old.holder_name, valid_from=valid_from,
                    valid_to=valid_to, case=case)


# --- reuse ----------------------------------------------------------------------------------------


@audited_refusal("licence.reuse")
def licence_reuse(
    *, actor, case: Case, requirement: MaterialRequirement, licence: Licence, at: datetime.datetime | None = None,
) -> LicenceReuse:
    """Use a licence from the library in place of a material of a later case (A 级可信，免提交)."""
    at = _now(at)
    if not (_is_system(actor) or getattr(actor, "is_superuser", False)):
        if not getattr(actor, "is_authenticated", False) or not actor.has_role(*FRONT_ROLES):
            raise LicencePermissionDenied(_("复用电子证照需要受理或审批人员的角色。"), code="role")
        if not cases_visible_to(actor).filter(pk=case.pk).exists():
            raise LicencePermissionDenied(_("此办件不在您的办理范围内。"), code="scope")
    case = Case.objects.select_related("applicant", "item_version").get(pk=case.pk)
    licence = Licence.objects.select_for_update(of=("self",)).select_related("type", "seal").get(pk=licence.pk)
    if requirement.version_id != case.item_version_id:
        raise LicenceError(_("材料「%(m)s」不属于本办件的事项。") % {"m": requirement.name}, code="requirement")
    if requirement.source != MaterialRequirement.Source.GOVERNMENT:
        raise LicenceError(
            _("材料「%(m)s」的来源不是「政府部门核发」，不能用电子证照代替。") % {"m": requirement.name}, code="source"
        )
    if licence.type not in licence_types_for_requirement(requirement):
        raise LicenceError(
            _("「%(l)s」不能代替材料「%(m)s」。") % {"l": licence.title, "m": requirement.name}, code="type"
        )
    if not same_holder(licence, case.applicant):
        raise LicenceError(
            _("证照「%(l)s」的持证主体不是本办件的申请人「%(a)s」，不能复用。") % {"l": licence.title, "a": case.applicant.name},
            code="holder",
        )
    status = effective_status(licence, timezone.localdate(at))
    if status != Licence.Status.VALID:
        label = Licence.Status(status).label if status in Licence.Status.values else status
        raise LicenceError(
            _("证照 %(i)s %(s)s，不能复用：请申请人提交材料原件，或先办理证照。") % {"i": licence.identifier, "s": label},
            code="not_valid",
        )
    from .selectors import licence_check_signature

    if not licence_check_signature(licence).intact:
        raise LicenceError(_("证照 %(i)s 数据校验未通过，不能复用。") % {"i": licence.identifier}, code="tampered")
    if LicenceReuse.objects.filter(case=case, requirement=requirement).exists():
        raise LicenceError(_("材料「%(m)s」已复用电子证照。") % {"m": requirement.name}, code="duplicate")
    reuse = LicenceReuse.objects.create(licence=licence, case=case, requirement=requirement, at=at, by=_staff(actor))
    _event(licence, actor, LicenceEvent.Action.REUSE, at=at, from_status=licence.status,
           data={"case": case.number, "material": requirement.name, "trust": "A"})
    return reuse

