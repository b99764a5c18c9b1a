"""Staff pages of online pre-review (网上预审), mounted at /office/prereview/.

The list shows the online applications waiting for the reader's pre-review, soonest due first,
coloured like the department inbox. The page of one case shows the form as the applicant
filled it, the materials with previews and downloads, and three forms — pass, return with the
one-time list, refuse with the reason and the way forward. Each posts to its own address and
calls ONE service; a refusal is shown beside the form that was sent (HTMX swaps the body).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from . import services_online as online
from . import services_parallel_online as bundle_online
from .errors import CaseActionError, CaseConflict, CasePermissionDenied
from .models import Case
from .selectors_online import case_timeline, prereview_alarm, prereview_case_for_user, prereview_inbox
from .uploads import case_files
from .views_office import _applicant_label, _is_fragment, staff_required

PREREVIEW_PAGE_ROLES = ("reviewer", "approver", "clerk", "town_clerk")
ACTIONS = ("pass", "return", "refuse")


def _visible(user, pk: int) -> Case:
    case = prereview_case_for_user(user, pk)
    if case is None:
        raise Http404(_("未找到此网上申请，或不由您预审。"))
    return case


@require_safe
@staff_required(*PREREVIEW_PAGE_ROLES)
def prereview_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = []
    for case in prereview_inbox(request.user).select_related("department__region")[:300]:
        level = prereview_alarm(case, today)
        rows.append({"case": case, "alarm": level, "alarm_label": _alarm_label(level),
                     "applicant": _applicant_label(case.applicant)})
    return render(request, "cases/prereview_list.html", {"rows": rows, "today": today})


def _alarm_label(level: str) -> str:
    return {
        Case.Alarm.NORMAL: _("正常"), Case.Alarm.YELLOW: _("明日到期"), Case.Alarm.RED: _("今日到期"),
        Case.Alarm.OVERDUE: _("已超期"),
    }.get(level, "")


def _form_rows(case: Case) -> list[tuple[str, object]]:
    labels = {f.key: f.label for f in case.item_version.form_fields.all()}
    return [(labels.get(key, key), "、".join(map(str, value)) if isinstance(value, list) else value)
            for key, value in (case.form_data or {}).items()]


def _context(request, case: Case, *, acting: str = "", errors=None, data=None) -> dict:
    files = case_files(case)
    by_material: dict[int, list] = {}
    for f in files:
        by_material.setdefault(f.material_id, []).append(f)
    materials = [{"row": m, "files": by_material.get(m.pk, [])}
                 for m in case.materials.select_related("requirement").order_by("requirement__order", "requirement_id")]
    return {
        "case": case, "form_rows": _form_rows(case), "materials": materials,
        "corrections": list(case.corrections.filter(origin="prereview").order_by("round")),
        "timeline": case_timeline(case), "alarm": prereview_alarm(case), "alarm_label": _alarm_label(prereview_alarm(case)),
        "can_act": case.status == Case.Status.PREREVIEW and online.can_prereview(request.user, case),
        "acting": acting, "errors": errors or {}, "general_errors": (errors or {}).get("__all__", []),
        "field_errors": [m for k, v in (errors or {}).items() if k not in ("__all__", "reason", "way_forward") for m in v],
        "data": data or {}, "zero_visit": case.item_version.visits_required == 0,
        "form_fields": list(case.item_version.form_fields.all()),
        **_bundle_context(case),
    }


def _bundle_context(case: Case) -> dict:
    """一件事 applied for online: the page offers 通过并分送各部门 and no return."""
    if not bundle_online.is_online_bundle(case):
        return {}
    bundle = case.parallel.bundle
    from yichuang.catalog.selectors_bundles import bundle_form

    labels = {f.key: f.label for f in bundle_form(bundle)}
    rows = [(labels.get(key, key), "、".join(map(str, value)) if isinstance(value, list) else value)
            for key, value in (case.form_data or {}).items()]
    return {"bundle": bundle, "zero_visit": bundle_online.bundle_zero_visit(bundle), "form_fields": [],
            "form_rows": rows}


@require_safe
@staff_required(*PREREVIEW_PAGE_ROLES)
def prereview_case(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible(request.user, pk)
    return render(request, "cases/prereview_case.html", _context(request, case))


def _return_items(post) -> list[dict]:
    items = []
    for material, problem in zip(post.getlist("material"), post.getlist("material_problem"), strict=False):
        if problem.strip():
            items.append({"material": material, "problem": problem.strip()})
    for field, problem in zip(post.getlist("field"), post.getlist("field_problem"), strict=False):
        if problem.strip():
            items.append({"field": field, "problem": problem.strip()})
    return items


def _version(post) -> int | None:
    try:
        return int(post.get("expected_version", ""))
    except ValueError:
        return None


@require_POST
@staff_required(*PREREVIEW_PAGE_ROLES)
def prereview_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404(_("未知的操作。"))
    case = _visible(request.user, pk)
    post = request.POST
    version = _version(post)
    try:
        if action in ("pass", "return") and bundle_online.is_online_bundle(case):
            # 一件事: passing sends the children to the departments; no return for a bundle (see the service).
            if action == "return":
                raise CaseActionError(_("一件事的网上申请不能退回修改：请不予受理并告知办理途径，或请申请人到窗口办理。"))
            case = bundle_online.bundle_prereview_pass(actor=request.user, parent=case, expected_version=version,
                                                       note=post.get("note", ""))
            done = _("已预审通过并分送各部门并联办理。") if case.status == Case.Status.ACCEPTED else \
                _("预审通过，已短信通知申请人携带原件到窗口办理一次。")
        elif action == "pass":
            case = online.case_prereview_pass(actor=request.user, case=case, expected_version=version,
                                              note=post.get("note", ""))
            done = _("已网上受理（零上门），开始计时。") if case.status == Case.Status.ACCEPTED else \
                _("预审通过，已短信通知申请人携带原件到窗口办理一次。")
        elif action == "return":
            case = online.case_prereview_return(actor=request.user, case=case, expected_version=version,
                                                items=_return_items(post), note=post.get("note", ""))
            done = _("已退回，并短信一次性告知需修改的全部内容。")
        else:
            case = online.case_prereview_refuse(actor=request.user, case=case, expected_version=version,
                                                reason=post.get("reason", ""), way_forward=post.get("way_forward", ""),
                                                legal_basis=post.get("legal_basis", ""))
            done = _("已作出预审不予受理，并告知理由和办理途径。")
    except CaseActionError as err:
        status = 409 if isinstance(err, CaseConflict) else 403 if isinstance(err, CasePermissionDenied) else 400
        errors = err.message_dict if hasattr(err, "error_dict") else {"__all__": err.messages}
        fresh = _visible(request.user, pk)
        context = _context(request, fresh, acting=action, errors=errors, data=post)
        context["conflict"] = status == 409
        if _is_fragment(request):
            # htmx swaps only 2xx answers: the refusal is shown in place of the page's body.
            return render(request, "cases/prereview_body.html", context)
        return render(request, "cases/prereview_case.html", context, status=status)
    messages.success(request, done)
    if _is_fragment(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("cases:prereview_case", args=[case.pk])
        return response
    return redirect("cases:prereview_case", pk=case.pk)


__all__ = ["prereview_list", "prereview_case", "prereview_action"]
