"""一件事 online (网上办事大厅): one form, one checklist with uploads → a parent case in 待预审.

The applicant (or an agent) applies for a bundle at home: `bundle_submit_online` checks the one
form (`bundle_form_errors`) and the merged checklist (every required material uploaded; a
容缺后补 material left out is promised within 5 working days), checks every file by its content,
and creates ONLY the parent case — in 待预审, channel online, with the form, one `CaseMaterial` row
per merged material and the files. No child exists yet: nothing reaches a department before the
front desk has looked at the application.

The front desk of the centre (全科) pre-reviews it. `bundle_prereview_pass` creates the children
exactly as the window does (`services_parallel._bundle_receive_children`), channel online, each
with the files of its own materials. When every item of the bundle needs no visit
(visits_required == 0) the bundle is accepted online at once (0 visits, the clocks start);
otherwise the parent waits in 预审通过, its children received, and the applicant is told to bring
the originals once: the front desk then accepts it with `bundle_accept_visit` (one visit).

Refusal (不予受理) reuses H4b's `case_prereview_refuse` on the parent (no child exists yet).
A return for changes (退回修改) is NOT offered for a bundle: the portal's editor edits one item's
application, not a bundle's; the applicant is refused with the way forward, or comes to the window.
"""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yichuang.catalog.models import Bundle, ItemVersion, MaterialRequirement
from yichuang.catalog.selectors_bundles import bundle_checklist, bundle_entries, bundle_form_errors
from yichuang.core.calendar import add_workdays
from yichuang.core.notify import TEMPLATES
from yichuang.core.uploads import UploadRejected, check_upload, human_size
from yichuang.core.validators import validate_mobile
from yichuang.org.models import User

from . import notices
from .errors import CaseActionError, CasePermissionDenied
from .models import Applicant, Case, CaseFile, CaseMaterial, Notice, ParallelCase
from .rules import can_accept_at
from .services import (
    FRONT_DESK_ROLES,
    _case_number,
    _event,
    _lock,
    _now,
    _region,
    _require_status,
    _save,
    audited_refusal,
    case_accept,
)
from .services_online import DEFAULT_DEFER_DAYS, OnlineActor, _online_event, online_refusal, prereview_days
from .services_parallel import (
    _bundle_accept,
    _bundle_receive_children,
    _child_checklists,
    _date,
    _quiet,
    _require_bundle_open,
    _tell,
)

S = Case.Status

__all__ = ["bundle_submit_online", "bundle_prereview_pass", "bundle_accept_visit", "is_online_bundle",
           "bundle_zero_visit"]

TEMPLATES.setdefault("bundle_submitted", gettext_lazy(
    "【%(sign)s】您在网上申请的一件事「%(bundle)s」（%(number)s）已提交，将在 %(due)s 前完成预审，结果以短信告知。"))
TEMPLATES.setdefault("bundle_prereview_passed", gettext_lazy(
    "【%(sign)s】您在网上申请的一件事「%(bundle)s」（%(number)s）已通过预审，请携带原件到%(place)s办理（只需跑一次）。"))


def is_online_bundle(case: Case) -> bool:
    """A parent of a bundle applied for online (has a ParallelCase row, came online)."""
    return case.channel == Case.Channel.ONLINE and ParallelCase.objects.filter(parent_id=case.pk).exists()


def bundle_zero_visit(bundle: Bundle) -> bool:
    """零上门: every item of the bundle needs no visit."""
    return all(e.version.visits_required == 0 for e in bundle_entries(bundle))


def _files(value) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [f for f in value if f]
    return [value]


@online_refusal("case.bundle_submit_online")
def bundle_submit_online(
    *, acted_by: OnlineActor, applicant: Applicant, bundle: Bundle, form_data: dict[str, Any],
    uploads: dict[str, Any], contact_phone: str, deferred: dict[str, Any] | None = None,
    at: datetime.datetime | None = None,
) -> Case:
    """提交一件事: the parent case in 待预审 with the form and the files; no child yet.

    `uploads` is keyed by `BundleMaterial.key` of `bundle_checklist(bundle)` (a file or a list of
    files). Refused with per-field messages (bundle form keys, `material:<key>`, `contact_phone`)
    and nothing created while anything is missing or wrong."""
    at = _now(at)
    today = timezone.localdate(at)
    bundle = Bundle.objects.get(pk=bundle.pk)
    _require_bundle_open(bundle)
    entries = bundle_entries(bundle)
    lead = entries[0].version
    centre = bundle.centre or lead.department.centre
    for entry in entries:
        version = entry.version
        if version.online_depth < ItemVersion.OnlineDepth.RECEIVE:
            raise CaseActionError(_("一件事中的「%(n)s」只提供网上咨询，请到%(p)s窗口申请此一件事。")
                                  % {"n": version.name, "p": centre or version.place}, code="online_depth")
        if centre is None or not can_accept_at(version, centre):
            raise CaseActionError(_("一件事中的「%(n)s」暂不能在网上申请，请到窗口办理。") % {"n": version.name},
                                  code="scope")
    errors: dict[str, list[str]] = dict(bundle_form_errors(bundle, dict(form_data or {})))
    try:
        phone = validate_mobile(contact_phone)
    except ValidationError as err:
        errors["contact_phone"] = list(err.messages)
        phone = ""
    deferred = deferred or {}
    uploads = uploads or {}
    checked: dict[str, list[tuple[Any, Any]]] = {}
    answers: dict[str, dict[str, Any]] = {}
    missing = []
    for merged in bundle_checklist(bundle):
        if merged.produced_by is not None:
            continue
        files = _files(uploads.get(merged.key))
        good = []
        for upload in files:
            try:
                good.append((upload, check_upload(upload)))
            except UploadRejected as err:
                errors.setdefault(f"material:{merged.key}", []).extend(
                    _("「%(m)s」%(f)s：%(e)s") % {"m": merged.name, "f": getattr(upload, "name", ""), "e": e}
                    for e in err.messages)
        if good:
            checked[merged.key] = good
            answers[merged.key] = {"state": CaseMaterial.State.RECEIVED, "note": _("网上提交")}
        elif merged.necessity == MaterialRequirement.Necessity.DEFERRABLE:
            promised = deferred.get(merged.key)
            if isinstance(promised, str) and promised:
                promised = datetime.date.fromisoformat(promised)
            answers[merged.key] = {"state": CaseMaterial.State.DEFERRED, "note": _("申请人承诺容缺后补"),
                                   "promised_on": promised or add_workdays(today, DEFAULT_DEFER_DAYS).date}
        elif merged.necessity == MaterialRequirement.Necessity.OPTIONAL:
            answers[merged.key] = {"state": CaseMaterial.State.NOT_APPLICABLE, "note": ""}
        elif f"material:{merged.key}" not in errors:
            missing.append(merged.name)
            errors[f"material:{merged.key}"] = [_("请上传「%(m)s」。") % {"m": merged.name}]
    if errors:
        if missing:
            errors.setdefault("__all__", []).append(
                _("以下必要材料未上传：%(m)s") % {"m": "、".join(missing)})
        raise CaseActionError(errors, code="submit")
    parent = Case.objects.create(
        number=_case_number(centre, at), item_version=lead, applicant=applicant, contact_phone=phone, centre=centre,
        channel=Case.Channel.ONLINE, department=lead.department, status=S.DRAFT, form_data=dict(form_data),
        received_at=at, limit_days=bundle.promised_limit, statutory_limit_days=bundle.statutory_limit, visits=0,
    )
    stages = sorted({e.stage for e in entries})
    ParallelCase.objects.create(parent=parent, bundle=bundle, current_stage=stages[0], stage_count=len(stages),
                                on_denial=bundle.on_denial)
    stored: list[str] = []
    try:
        for merged in bundle_checklist(bundle):
            if merged.produced_by is not None:
                continue
            answer = answers[merged.key]
            row = CaseMaterial.objects.create(case=parent, requirement=merged.requirements[0], state=answer["state"],
                                              note=answer["note"][:300], promised_on=answer.get("promised_on"))
            for upload, info in checked.get(merged.key, []):
                case_file = CaseFile(case=parent, material=row, original_name=info.original_name,
                                     content_type=info.content_type, size=info.size, sm3=info.sm3,
                                     uploaded_by=None)
                upload.seek(0)
                case_file.file.save(info.stored_name(), upload, save=False)
                stored.append(case_file.file.name)
                case_file.save()
        region = _region(parent)
        days = prereview_days(lead)
        parent.status = S.PREREVIEW
        parent.submitted_at = at
        parent.prereview_due_date = add_workdays(today, days, region).date
        _save(parent, "status", "submitted_at", "prereview_due_date")
        n_files = sum(len(v) for v in checked.values())
        event = _online_event(
            parent, acted_by, "bundle_submit_online", at=at, from_status="", code="1",
            summary=_("网上申请一件事「%(b)s」（%(n)d 个事项，一表 %(f)d 个文件），待预审（至 %(d)s）") % {
                "b": bundle.name, "n": len(entries), "f": n_files, "d": parent.prereview_due_date},
            data={"bundle": bundle.code, "items": [e.version.name for e in entries],
                  "files": {k: [human_size(i.size) for _u, i in v] for k, v in checked.items()},
                  "prereview_due_date": str(parent.prereview_due_date)})
    except BaseException:
        for name in stored:
            with contextlib.suppress(OSError):  # nothing was created; a stray file is only disk
                CaseFile.file.field.storage.delete(name)
        raise
    notices.notice_issue(case=parent, kind=Notice.Kind.RECEIPT, actor=None, at=at)
    _tell(parent, "bundle_submitted", key=f"submitted:{event.pk}", due=_date(parent.prereview_due_date))
    return parent


def _require_front_desk(actor: User, parent: Case) -> None:
    if getattr(actor, "is_superuser", False):
        return
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*FRONT_DESK_ROLES):
        raise CasePermissionDenied(_("一件事的网上预审由中心综合窗口（全科）进行。"), code="role")
    if actor.centre_id != parent.centre_id:
        raise CasePermissionDenied(_("此一件事由其他中心（站点）预审，您无权操作。"), code="centre")


def _parent_answers(parent: Case, bundle: Bundle) -> tuple[dict[str, dict], dict[str, list[CaseFile]]]:
    """The parent's checklist rows as `bundle_apply` answers, and its files, by merged material key."""
    rows = {m.requirement_id: m for m in parent.materials.all()}
    files: dict[int, list[CaseFile]] = {}
    for f in parent.files.all():
        files.setdefault(f.material_id, []).append(f)
    answers, by_key = {}, {}
    for merged in bundle_checklist(bundle):
        if merged.produced_by is not None:
            continue
        row = next((rows[r.pk] for r in merged.requirements if r.pk in rows), None)
        if row is None:
            continue
        answers[merged.key] = {"state": row.state, "note": row.note,
                               "promised_on": row.promised_on.isoformat() if row.promised_on else None}
        by_key[merged.key] = files.get(row.pk, [])
    return answers, by_key


def _copy_files(children: list[Case], bundle: Bundle, by_key: dict[str, list[CaseFile]]) -> None:
    """材料网上流转: each child gets (a reference to) the files of its own materials."""
    owner = {}
    for merged in bundle_checklist(bundle):
        for requirement in merged.requirements:
            owner[requirement.pk] = merged.key
    for child in children:
        for row in child.materials.all():
            for f in by_key.get(owner.get(row.requirement_id, ""), []):
                CaseFile.objects.create(case=child, material=row, file=f.file.name, original_name=f.original_name,
                                        content_type=f.content_type, size=f.size, sm3=f.sm3, uploaded_by=None)


@audited_refusal("case.bundle_prereview_pass")
def bundle_prereview_pass(*, actor: User, parent: Case, expected_version: int | None = None, note: str = "",
                          at: datetime.datetime | None = None) -> Case:
    """预审通过 of a bundle: the children are created in their departments' inboxes (channel online).

    零上门 bundle (every item visits_required == 0) → accepted online now, 0 visits; otherwise the
    parent waits in 预审通过 and the applicant brings the originals once (`bundle_accept_visit`)."""
    at = _now(at)
    parent = _lock(parent, expected_version)
    _require_front_desk(actor, parent)
    _require_status(parent, S.PREREVIEW, action=_("预审通过"))
    record = ParallelCase.objects.select_related("bundle").get(parent=parent)
    bundle = record.bundle
    _require_bundle_open(bundle)
    answers, by_key = _parent_answers(parent, bundle)
    checklists, missing = _child_checklists(bundle, answers)
    if missing:
        raise CaseActionError([_("材料不齐全，不能预审通过：")] + missing, code="materials")
    zero_visit = bundle_zero_visit(bundle)
    before = parent.status
    parent.status = S.PREREVIEW_PASSED
    parent.prereview_due_date = None
    _save(parent, "status", "prereview_due_date")
    summary = _("一件事网上预审通过，分送各部门") + (("：" + note.strip()) if (note or "").strip() else "")
    if not zero_visit:
        summary += _("。请申请人携带原件到%(p)s办理（只需跑一次）") % {"p": parent.centre.name}
    _event(parent, actor, "prereview_pass", at=at, from_status=before, summary=summary,
           data={"zero_visit": zero_visit, "note": (note or "").strip(), "bundle": bundle.code})
    children = _bundle_receive_children(actor=actor, parent=parent, bundle=bundle, checklists=checklists,
                                        window=None, channel=Case.Channel.ONLINE, at=at, accept=zero_visit)
    _copy_files(children, bundle, by_key)
    if zero_visit:
        return _bundle_accept(actor=actor, parent=parent, children=children, at=at)
    _quiet(children)
    _tell(parent, "bundle_prereview_passed", key="prereview_passed", place=parent.centre.name)
    return parent


@audited_refusal("case.bundle_accept_visit")
def bundle_accept_visit(*, actor: User, parent: Case, expected_version: int | None = None,
                        at: datetime.datetime | None = None) -> Case:
    """The applicant of a pre-reviewed online bundle came once with the originals: the front desk
    accepts it (one visit) and the first stage's children start."""
    at = _now(at)
    parent = _lock(parent, expected_version)
    _require_front_desk(actor, parent)
    _require_status(parent, S.PREREVIEW_PASSED, action=_("核验原件并受理"))
    if not ParallelCase.objects.filter(parent=parent).exists():
        raise CaseActionError(_("此办件不是一件事。"), code="bundle")
    parent.visits += 1
    _save(parent, "visits")
    children = list(parent.children.order_by("stage", "pk"))
    first = min(c.stage for c in children)
    accepted = [case_accept(actor=actor, case=c, at=at) if c.stage == first and c.status == S.RECEIVED else c
                for c in children]
    return _bundle_accept(actor=actor, parent=parent, children=accepted, at=at)
