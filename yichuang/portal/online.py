"""What the portal's pages need from the online case services (H4b's `cases.services_online`).

The services are imported when first used, so the portal keeps working while they are built.
"""

from django.utils.translation import gettext as _

from yichuang.cases.models import DECIDED_STATUSES, Case, CaseStep, CorrectionRequest
from yichuang.catalog.models import ItemVersion

from .services import FINISHED_STATUSES

# 网办深度 2 (收件) and deeper: the item takes applications online.
ONLINE_MIN_DEPTH = ItemVersion.OnlineDepth.RECEIVE
S = Case.Status


def online():
    from yichuang.cases import services_online

    return services_online


def can_apply_online(version: ItemVersion) -> bool:
    """The guide shows 在线办理 only for a published current version deep enough online."""
    return (
        version.status == ItemVersion.Status.PUBLISHED
        and version.online_depth >= ONLINE_MIN_DEPTH
        and version.item.current_id == version.pk
    )


def reuse_candidates(case: Case, requirement) -> list:
    from yichuang.cases.selectors_online import reusable_materials

    try:
        return list(reusable_materials(applicant=case.applicant, material=requirement, exclude_case=case))
    except Exception:  # a reuse source that is down must not take the page with it
        return []


def material_rows(case: Case, *, with_candidates: bool, errors: dict | None = None) -> list[dict]:
    """The checklist: each material, its row on the case, its files, what could be reused, its messages.

    Upload and reuse name the case's material row (`CaseMaterial` pk), as the services expect.
    """
    errors = errors or {}
    states = {m.requirement_id: m for m in case.materials.all()}
    files = list(case.files.select_related("material").order_by("uploaded_at", "pk"))
    rows = []
    for requirement in case.item_version.materials.all():
        material = states.get(requirement.pk)
        rows.append({
            "requirement": requirement,
            "material": material,
            "files": [f for f in files if f.material is not None and f.material.requirement_id == requirement.pk],
            "candidates": reuse_candidates(case, material or requirement) if with_candidates and material else [],
            "errors": errors.get(f"material:{material.pk}", []) if material else [],
        })
    return rows


def open_correction(case: Case) -> CorrectionRequest | None:
    return case.corrections.filter(resolved_at__isnull=True).order_by("-round").first()


def case_page_facts(case: Case) -> dict:
    step = case.steps.filter(state=CaseStep.State.OPEN).order_by("order").first()
    correction = open_correction(case)
    prereview = case.status in (S.PREREVIEW, S.PREREVIEW_RETURNED)
    if prereview:
        current, due = _("网上预审"), case.prereview_due_date
    elif step is not None:
        current, due = step.name, step.due_date
    else:
        current, due = case.get_status_display(), None
    return {
        "current_step": current,
        "step_due": due,
        "due_date": case.due_date,
        "prereview_due": case.prereview_due_date if prereview else None,
        "correction": correction,
        "can_supplement": case.status == S.CORRECTION,
        "can_withdraw": (case.status not in FINISHED_STATUSES and case.status != S.DRAFT
                         and case.parent_id is None and not case.children.exists()),
        "done": case.status in DECIDED_STATUSES,
        "finished": case.status in FINISHED_STATUSES,
        "returned": case.status == S.PREREVIEW_RETURNED,
        "visits": case.visits,
    }
