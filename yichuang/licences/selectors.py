"""Reads of the licence library: verification, the holder's licences, reuse, staff lists.

Verification recomputes the canonical data from the licence's stored columns (not from the
stored canonical text), hashes it with SM3 and checks the SM2 signature with the seal's public
key. A row changed behind the services' back — a field, the holder, the validity, the
signature — no longer matches, and the licence shows as tampered.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.cases.models import Applicant, Case
from yichuang.cases.selectors import cases_visible_to
from yichuang.catalog.models import ItemVersion, MaterialRequirement
from yichuang.core.crypto import lookup_hash
from yichuang.org.models import Role, User

from .identifiers import parse_identifier
from .models import Licence, LicenceEvent, LicenceType
from .signing import canonical_bytes, digest_hex, signing_provider

TAMPERED = "tampered"
STAFF_ROLES = tuple(Role.Code.values)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def licence_payload(licence: Licence) -> dict[str, Any]:
    """The signed content of a licence: everything it asserts, nothing that changes afterwards.

    Status is not in it (it changes by design); it is protected by the event history instead.
    """
    return {
        "spec": "yichuang-licence-1",
        "identifier": licence.identifier,
        "type": licence.type.code,
        "title": licence.title,
        "serial": licence.serial,
        "version": licence.version,
        "holder": {
            "kind": licence.holder_kind,
            "name": licence.holder_name,
            "uscc": licence.holder_uscc,
            "id_masked": licence.holder_id_masked,
            "id_hash": licence.holder_id_hash,
        },
        "fields": [[row["key"], row["label"], row["value"]] for row in licence.data],
        "issuer": {"name": licence.issuer_name, "uscc": licence.issuer_uscc},
        "issued_at": _utc(licence.issued_at),
        "valid_from": licence.valid_from.isoformat(),
        "valid_to": licence.valid_to.isoformat() if licence.valid_to else None,
        "case": licence.case.number if licence.case_id else None,
        "previous": licence.previous.identifier if licence.previous_id else None,
    }


def effective_status(licence: Licence, today: datetime.date | None = None) -> str:
    """The status as of today: a valid licence past its last valid day counts as expired."""
    today = today or timezone.localdate()
    if licence.status == Licence.Status.VALID and licence.valid_to is not None and licence.valid_to < today:
        return Licence.Status.EXPIRED
    return licence.status


@dataclass
class SignatureCheck:
    digest_ok: bool
    signature_ok: bool
    history_ok: bool
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.digest_ok and self.signature_ok and self.history_ok


def licence_check_signature(licence: Licence) -> SignatureCheck:
    data = canonical_bytes(licence_payload(licence))
    problems = []
    digest_ok = digest_hex(data) == licence.digest
    if not digest_ok:
        problems.append(_("证照内容与签发时的摘要不符（内容被修改）。"))
    signature_ok = signing_provider().verify(data, licence.signature, licence.seal.public_key)
    if not signature_ok:
        problems.append(_("SM2 签名验证未通过（内容、签名或印章公钥被修改）。"))
    last = LicenceEvent.objects.filter(licence=licence).exclude(action=LicenceEvent.Action.REUSE) \
        .order_by("-at", "-id").values_list("to_status", flat=True).first()
    history_ok = last is None or last == licence.status
    if not history_ok:
        problems.append(_("证照状态与变更记录不符（状态被直接修改）。"))
    return SignatureCheck(digest_ok, signature_ok, history_ok, problems)


@dataclass
class Verification:
    """What the public verification page and API say about one identifier."""

    identifier: str
    licence: Licence | None
    status: str  # a Licence.Status value, or TAMPERED
    check: SignatureCheck | None

    @property
    def found(self) -> bool:
        return self.licence is not None

    @property
    def tampered(self) -> bool:
        return self.status == TAMPERED

    @property
    def is_valid(self) -> bool:
        return self.status == Licence.Status.VALID

    @property
    def status_label(self) -> str:
        if self.status == TAMPERED:
            return _("数据被篡改，验证不通过")
        if self.status == Licence.Status.EXPIRED and self.licence and self.licence.status == Licence.Status.VALID:
            return _("已过有效期")
        return str(Licence.Status(self.status).label)

    @property
    def tone(self) -> str:
        return "ok" if self.is_valid else "bad" if self.status in (TAMPERED, Licence.Status.REVOKED,
                                                                  Licence.Status.WITHDRAWN) else "warn"

    @property
    def newer(self) -> Licence | None:
        if self.licence is None or self.licence.status != Licence.Status.SUPERSEDED:
            return None
        return self.licence.next_versions.order_by("-version").first()


def licence_by_identifier(identifier: str) -> Licence | None:
    return (Licence.objects.select_related("type", "seal", "department__region", "case", "previous")
            .filter(identifier=identifier).first())


def licence_verify(identifier: str, *, today: datetime.date | None = None) -> Verification:
    """Check a typed or scanned identifier. Raises ValidationError for a malformed one (the
    message says what to fix); answers `found=False` for a well-formed one that is not ours."""
    normal = str(parse_identifier(identifier))
    licence = licence_by_identifier(normal)
    if licence is None:
        return Verification(normal, None, "", None)
    check = licence_check_signature(licence)
    status = effective_status(licence, today) if check.intact else TAMPERED
    return Verification(normal, licence, status, check)


# --- holders and reuse --------------------------------------------------------------------------


def _valid(queryset: QuerySet[Licence], today: datetime.date) -> QuerySet[Licence]:
    return queryset.filter(status=Licence.Status.VALID).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))


def licences_of_holder(kind: str, code: str, *, only_valid: bool = True,
                       today: datetime.date | None = None) -> QuerySet[Licence]:
    """A holder's licences by USCC (kind "company") or ID number (kind "person"), newest first."""
    code = (code or "").strip().upper()
    licences = Licence.objects.select_related("type", "department").order_by("-issued_at", "-id")
    if not code:
        return licences.none()
    if kind == Licence.HolderKind.COMPANY:
        licences = licences.filter(holder_kind=kind, holder_uscc=code)
    elif kind == Licence.HolderKind.PERSON:
        licences = licences.filter(holder_kind=kind, holder_id_hash=lookup_hash(code))
    else:
        return licences.none()
    return _valid(licences, today or timezone.localdate()) if only_valid else licences


def licences_of_applicant(applicant: Applicant, *, only_valid: bool = True,
                          today: datetime.date | None = None) -> QuerySet[Licence]:
    if applicant.kind == Applicant.Kind.COMPANY:
        return licences_of_holder(applicant.kind, applicant.uscc, only_valid=only_valid, today=today)
    licences = Licence.objects.select_related("type", "department").filter(
        holder_kind=Licence.HolderKind.PERSON, holder_id_hash=applicant.id_number_hash or "-"
    ).order_by("-issued_at", "-id")
    return _valid(licences, today or timezone.localdate()) if only_valid else licences


def same_holder(licence: Licence, applicant: Applicant) -> bool:
    if licence.holder_kind != applicant.kind:
        return False
    if applicant.kind == Applicant.Kind.COMPANY:
        return bool(applicant.uscc) and licence.holder_uscc == applicant.uscc
    return bool(applicant.id_number_hash) and licence.holder_id_hash == applicant.id_number_hash


def _matches(licence_type: LicenceType, requirement: MaterialRequirement) -> bool:
    names = {str(m).strip() for m in licence_type.satisfies_materials or []}
    return (
        requirement.name == licence_type.name
        or requirement.name in names
        or (bool(requirement.code) and requirement.code in names)
    )


def licence_types_for_requirement(requirement: MaterialRequirement) -> list[LicenceType]:
    """The licence types that may stand in for a material issued by a government department."""
    if requirement.source != MaterialRequirement.Source.GOVERNMENT:
        return []
    return [t for t in LicenceType.objects.all() if _matches(t, requirement)]


def reusable_licence_for(holder: Applicant, requirement: MaterialRequirement, *,
                         today: datetime.date | None = None) -> Licence | None:
    """The holder's newest valid licence that may replace `requirement`, or None."""
    types = licence_types_for_requirement(requirement)
    if not types:
        return None
    return licences_of_applicant(holder, today=today).filter(type__in=types).first()


def reusable_licences_for_case(case: Case, *, today: datetime.date | None = None) -> dict[int, Licence]:
    """For each material of the case that a licence of the applicant can replace: that licence.

    Three queries whatever the number of materials (requirements, types, the holder's licences).
    """
    requirements = list(MaterialRequirement.objects.filter(
        version_id=case.item_version_id, source=MaterialRequirement.Source.GOVERNMENT))
    if not requirements:
        return {}
    types = list(LicenceType.objects.all())
    licences = list(licences_of_applicant(case.applicant, today=today))
    offers: dict[int, Licence] = {}
    for requirement in requirements:
        fitting = {t.pk for t in types if _matches(t, requirement)}
        for licence in licences:
            if licence.type_id in fitting:
                offers[requirement.pk] = licence
                break
    return offers


# --- the catalogue link -------------------------------------------------------------------------


def licence_type_for_version(version: ItemVersion) -> LicenceType | None:
    """The licence type an item's result becomes: one linked to the item, else (for items whose
    result type is 证照) the active type named like the result."""
    types = LicenceType.objects.filter(is_active=True).select_related("seal")
    found = types.filter(items=version.item_id).first()
    if found is None and version.result_type == ItemVersion.ResultType.LICENCE and version.result_name:
        found = types.filter(name=version.result_name).first()
    return found


# --- staff --------------------------------------------------------------------------------------


def _county_prefix(user: User) -> str | None:
    for region in (getattr(user, "region", None),
                   getattr(getattr(user, "centre", None), "region", None),
                   getattr(getattr(user, "department", None), "region", None)):
        if region is not None:
            return region.code[:6] if region.level >= 3 else region.prefix
    return None


def is_licence_staff(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (user.is_superuser or user.has_role(*STAFF_ROLES))


def licences_visible_to(user: User) -> QuerySet[Licence]:
    """The library a staff member may read: the licences issued in their county (or region).

    The library is shared across departments on purpose — a front-desk clerk must find the
    licence another department issued — but not beyond the staff member's own area.
    """
    licences = Licence.objects.select_related("type", "department", "seal")
    if not is_licence_staff(user):
        return licences.none()
    if user.is_superuser:
        return licences
    prefix = _county_prefix(user)
    if prefix is None:
        return licences.none()
    return licences.filter(department__region__code__startswith=prefix)


def licence_for_staff(user: User, identifier: str) -> Licence | None:
    return licences_visible_to(user).select_related("case", "previous", "department__region", "applicant") \
        .filter(identifier=identifier).first()


def licences_for_case(case: Case) -> QuerySet[Licence]:
    return Licence.objects.filter(case=case).select_related("type").order_by("-version")


def cases_awaiting_licence(user: User) -> list[Case]:
    """Approved cases the user can see whose licence the result window still has to issue."""
    manual_types = list(LicenceType.objects.filter(is_active=True, auto_issue=False).prefetch_related("items"))
    if not manual_types:
        return []
    item_ids = {item.pk for t in manual_types for item in t.items.all()}
    names = [t.name for t in manual_types]
    candidates = (
        cases_visible_to(user)
        .filter(status__in=[Case.Status.APPROVED, Case.Status.APPROVED_DEFERRED])
        .filter(Q(item_version__item_id__in=item_ids)
                | Q(item_version__result_type=ItemVersion.ResultType.LICENCE, item_version__result_name__in=names))
        .exclude(licences__isnull=False)
        .exclude(delivery=Case.Delivery.WITHHELD)
        .order_by("decided_at")
    )
    return list(candidates[:100])
