"""Files of a case: checked by content, stored under random names, served only within scope.

`case_file_add` is the only way a file joins a case. It follows the services' pattern: the
actor's role and scope are checked, the case row is locked, and the `CaseFile`, a `CaseEvent`
and the audit entry are written in one transaction; a refusal leaves only its audit entry.
The bytes go to the default storage (MEDIA_ROOT, outside the web root, no URL serves it) under
`cases/<year>/<month>/<uuid4>.<ext>`; the uploaded name is kept only for display. If the
database part fails, the stored bytes are deleted again; if a caller's enclosing transaction
rolls back afterwards, the bytes stay behind unreferenced (random name, no URL), which a
storage sweep comparing files with `CaseFile` rows can remove.
"""

import datetime
import logging

from django.utils.translation import gettext as _

from yichuang.core.uploads import DEFAULT_ALLOWED, UploadRejected, check_upload, human_size
from yichuang.org.models import Role, User

from .errors import CaseActionError, CasePermissionDenied
from .models import Case, CaseFile, CaseMaterial
from .selectors import cases_visible_to
from .services import _event, _lock, _now, _require_role, audited_refusal

logger = logging.getLogger(__name__)

UPLOAD_ROLES = (
    Role.Code.CLERK, Role.Code.TOWN_CLERK, Role.Code.REVIEWER, Role.Code.APPROVER, Role.Code.AGENT,
    Role.Code.RESULT_CLERK,
)
# Once a case has ended without a result to hand over, nothing more belongs in its file.
ENDED_STATUSES = frozenset({
    Case.Status.CANCELLED, Case.Status.NOT_RECEIVED, Case.Status.REFUSED, Case.Status.WITHDRAWN, Case.Status.REVOKED,
})


def _material_of(case: Case, material: CaseMaterial | int | None) -> CaseMaterial | None:
    if material is None or material == "":
        return None
    material_id = material.pk if isinstance(material, CaseMaterial) else material
    try:
        material_id = int(material_id)
    except (TypeError, ValueError):
        raise CaseActionError(_("材料编号无效。"), code="material") from None
    found = case.materials.select_related("requirement").filter(pk=material_id).first()
    if found is None:
        raise CaseActionError(_("所选材料不属于办件 %(n)s。") % {"n": case.number}, code="material")
    return found


@audited_refusal("case.file_add")
def case_file_add(
    *, actor: User, case: Case, upload, material: CaseMaterial | int | None = None,
    allowed: tuple[str, ...] = DEFAULT_ALLOWED, at: datetime.datetime | None = None,
) -> CaseFile:
    """Attach an uploaded file to a case (optionally to one of its materials)."""
    at = _now(at)
    _require_role(actor, *UPLOAD_ROLES)
    if not getattr(actor, "is_superuser", False) and not cases_visible_to(actor).filter(pk=case.pk).exists():
        raise CasePermissionDenied(_("您无权向此办件上传材料。"), code="scope")
    # Uploading does not change the case's state, so it takes the row lock (to see a current
    # status) but does not bump the version: a clerk's open page stays valid.
    case = _lock(case, None)
    if case.status in ENDED_STATUSES or case.delivery == Case.Delivery.DELIVERED:
        raise CaseActionError(
            _("办件当前状态为「%(s)s」，不能再上传材料。") % {"s": case.get_status_display()}, code="state"
        )
    row = _material_of(case, material)
    try:
        checked = check_upload(upload, allowed=allowed)
    except UploadRejected as err:
        raise CaseActionError(err.messages, code=err.code or "upload") from None

    case_file = CaseFile(
        case=case, material=row, original_name=checked.original_name, content_type=checked.content_type,
        size=checked.size, sm3=checked.sm3, uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    upload.seek(0)
    case_file.file.save(checked.stored_name(), upload, save=False)
    stored = case_file.file.name
    try:
        case_file.save()
        label = row.requirement.name if row else _("其他材料")
        _event(
            case, actor, "file_add", at=at, from_status=case.status,
            summary=_("上传「%(m)s」：%(f)s（%(k)s，%(s)s）")
            % {"m": label, "f": checked.original_name, "k": checked.label, "s": human_size(checked.size)},
            data={"file": case_file.pk, "material": row.requirement_id if row else None, "kind": checked.kind,
                  "size": checked.size, "sm3": checked.sm3},
        )
    except BaseException:
        _discard(case_file.file.storage, stored)
        raise
    return case_file


def _discard(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.warning("could not delete the stored bytes of a refused upload: %s", name)


def case_file_for_user(user: User, case_pk: int, file_pk: int) -> CaseFile | None:
    """The file if the user may see its case; None otherwise (answer 404)."""
    case = cases_visible_to(user).filter(pk=case_pk).first()
    if case is None:
        return None
    return CaseFile.objects.filter(case=case, pk=file_pk).select_related("case").first()


def case_files(case: Case) -> list[CaseFile]:
    return list(case.files.select_related("material__requirement").order_by("uploaded_at", "id"))
