"""Staff pages of investment projects: the list, registration, the project's whole path, stage
applications, joint meetings, and the 告知承诺 approvals and follow-up checks.

Each view parses its input, calls one service or selector, and renders; a service's refusal is
shown beside the form it came from.
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from yichuang.cases.selectors import case_for_user
from yichuang.catalog.models import MaterialRequirement
from yichuang.catalog.selectors_bundles import bundle_checklist, bundle_form
from yichuang.org.models import Role

from . import forms as f
from . import selectors, services
from .models import Commitment

R = Role.Code
ALL_STAFF = tuple(Role.Code.values)
MEETING_ROLES = (R.ADMIN, R.CLERK, R.APPROVER)
APPLY_ROLES = (R.CLERK, R.TOWN_CLERK)
CHECK_ROLES = (R.REVIEWER, R.APPROVER, R.SUPERVISOR, R.ADMIN)


def staff_page(*roles: str):
    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            user = request.user
            if not (user.is_superuser or user.has_role(*roles)):
                names = "、".join(str(Role.Code(r).label) for r in roles)
                raise PermissionDenied(_("此页面仅供「%(roles)s」使用。") % {"roles": names})
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorate


def _project_or_404(request: HttpRequest, code: str):
    project = selectors.project_for_user(request.user, code)
    if project is None:
        raise Http404(_("没有找到这个项目，或您无权查看。"))
    return project


def _can(user, *roles) -> bool:
    return user.is_superuser or user.has_role(*roles)


@require_safe
@staff_page(*ALL_STAFF)
def project_list(request: HttpRequest) -> HttpResponse:
    form = f.ProjectFilterForm(request.GET or None)
    values = form.values()
    projects = selectors.projects_visible_to(request.user)
    if values.get("q"):
        q = values["q"]
        projects = projects.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(owner__name__icontains=q))
    for key in ("investment_kind", "industry"):
        if values.get(key):
            projects = projects.filter(**{key: values[key]})
    if values.get("stage") is not None:
        projects = projects.filter(current_stage=values["stage"])
    rows = selectors.project_rows(projects, status=values.get("status", ""))
    return render(request, "projects/list.html", {
        "form": form, "rows": rows, "can_register": _can(request.user, *services.REGISTER_ROLES),
        "can_check": _can(request.user, *CHECK_ROLES)})


@require_http_methods(["GET", "POST"])
@staff_page(*services.REGISTER_ROLES)
def project_new(request: HttpRequest) -> HttpResponse:
    form = f.ProjectRegisterForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_register(actor=request.user, **form.cleaned_data)
        except ValidationError as err:
            errors = form.add_service_errors(err)
        else:
            messages.success(request, _("项目已赋码：%(c)s。") % {"c": project.code})
            return redirect("projects:detail", code=project.code)
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/new.html", {"form": form, "errors": errors}, status=status)


@require_safe
@staff_page(*ALL_STAFF)
def project_detail(request: HttpRequest, code: str) -> HttpResponse:
    project = _project_or_404(request, code)
    overview = selectors.project_overview(project)
    user = request.user
    next_stage = next((s for s in overview.stages if s.state in ("waiting", "failed")), None)
    previous_ok = next_stage is not None and all(
        s.state == "approved" for s in overview.stages if s.number < next_stage.number)
    return render(request, "projects/detail.html", {
        "project": project, "o": overview, "events": list(project.events.order_by("-at", "-id")[:30]),
        "next_stage": next_stage if previous_ok else None,
        "can_apply": _can(user, *APPLY_ROLES), "can_meet": _can(user, *MEETING_ROLES),
        "approver_department": user.department_id if _can(user, R.APPROVER) else None,
    })


@require_http_methods(["GET", "POST"])
@staff_page(*APPLY_ROLES)
def stage_apply(request: HttpRequest, code: str, number: int) -> HttpResponse:
    project = _project_or_404(request, code)
    stage = project.stages.filter(number=number).first()
    if stage is None:
        raise Http404(_("项目没有这个阶段。"))
    bundle = services.stage_bundle(project, number)
    fields = bundle_form(bundle) if bundle else []
    checklist = [row for row in bundle_checklist(bundle) if row.produced_by is None] if bundle else []
    errors: list[str] = []
    values = {field.key: request.POST.get(field.key, "") for field in fields} if request.method == "POST" else {
        field.key: project.code if field.key == "project_code" else "" for field in fields}
    received = set(request.POST.getlist("received")) if request.method == "POST" else set()
    if request.method == "POST":
        materials = {row.key: {"state": "received" if row.key in received else "missing"} for row in checklist}
        try:
            services.project_stage_apply(actor=request.user, project=project, number=number,
                                         form_data={k: v for k, v in values.items() if v != ""}, materials=materials)
        except ValidationError as err:
            errors = [m for key, ms in err.message_dict.items() for m in ms] if hasattr(err, "error_dict") \
                else list(err.messages)
        else:
            messages.success(request, _("「%(s)s」已申报，各部门同时办理。") % {"s": stage.name})
            return redirect("projects:detail", code=project.code)
    return render(request, "projects/stage_apply.html", {
        "project": project, "stage": stage, "bundle": bundle,
        "field_rows": [(field, values.get(field.key, "")) for field in fields],
        "checklist_rows": [(row, MaterialRequirement.Necessity(row.necessity).label) for row in checklist],
        "received": received, "errors": errors,
    }, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
@staff_page(*MEETING_ROLES)
def meeting_new(request: HttpRequest, code: str) -> HttpResponse:
    project = _project_or_404(request, code)
    stages = list(project.stages.order_by("number"))
    running = next((s.number for s in stages if s.parent_case_id), None)
    form = f.MeetingForm(request.POST or None, stages=stages, initial={"stage_number": running})
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.project_meeting_convene(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as err:
            errors = [m for ms in err.message_dict.values() for m in ms] if hasattr(err, "error_dict") \
                else list(err.messages)
        else:
            messages.success(request, _("已发起%(k)s，意见截止 %(d)s。") % {
                "k": meeting.get_kind_display(), "d": meeting.opinion_deadline})
            return redirect("projects:detail", code=project.code)
    return render(request, "projects/meeting_new.html", {"project": project, "form": form, "errors": errors},
                  status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@staff_page(R.APPROVER)
def commitment_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for_user(request.user, pk)
    stage = selectors.stage_for_parent(case.parent) if case is not None and case.parent_id else None
    if case is None or stage is None:
        raise Http404(_("没有找到这个项目审批事项，或您无权查看。"))
    form = f.CommitmentForm(request.POST or None, initial={"expected_version": case.version,
                                                          "signed_by": stage.project.owner.legal_representative})
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            commitment = services.commitment_approve(actor=request.user, case=case, **data)
        except ValidationError as err:
            errors = [m for ms in err.message_dict.values() for m in ms] if hasattr(err, "error_dict") \
                else list(err.messages)
        else:
            messages.success(request, _("已按告知承诺制准予，核查期限 %(d)s。") % {"d": commitment.check_due})
            return redirect("projects:detail", code=stage.project.code)
    return render(request, "projects/commitment_new.html", {
        "case": case, "project": stage.project, "form": form, "errors": errors,
    }, status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@staff_page(*CHECK_ROLES)
def checks(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", Commitment.State.PENDING)
    if state not in Commitment.State.values and state != "all":
        state = Commitment.State.PENDING
    rows = list(selectors.commitment_checks_for(request.user, state="" if state == "all" else state))
    forms_by_pk: dict[int, f.CheckForm] = {}
    errors_by_pk: dict[int, list[str]] = {}
    if request.method == "POST":
        commitment = selectors.commitment_checks_for(request.user, state="").filter(
            pk=request.POST.get("commitment")).first()
        if commitment is None:
            raise Http404(_("没有找到这个核查任务，或您无权办理。"))
        form = f.CheckForm(request.POST, auto_id=f"c{commitment.pk}_%s")
        forms_by_pk[commitment.pk] = form
        if form.is_valid():
            try:
                services.commitment_check_record(actor=request.user, commitment=commitment, **form.cleaned_data)
            except ValidationError as err:
                errors_by_pk[commitment.pk] = [m for ms in err.message_dict.values() for m in ms] \
                    if hasattr(err, "error_dict") else list(err.messages)
            else:
                messages.success(request, _("已登记「%(i)s」的核查结果。") % {"i": commitment.item_name})
                return redirect("projects:checks")
    items = [(c, forms_by_pk.get(c.pk) or f.CheckForm(auto_id=f"c{c.pk}_%s"), errors_by_pk.get(c.pk, []))
             for c in rows]
    return render(request, "projects/checks.html", {"items": items, "state": state,
                                                    "today": timezone.localdate()},
                  status=400 if errors_by_pk or any(not fm.is_valid() for fm in forms_by_pk.values()) else 200)

