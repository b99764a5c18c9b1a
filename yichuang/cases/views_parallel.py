"""Pages of parallel approval: bundles (admin, public guide, front desk), parent cases, joint meetings.

Views parse the request, call one service or selector, and render; the rules live in
`catalog/services_bundles.py`, `services_parallel.py` and `meetings.py`.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from yichuang.catalog.models import Bundle
from yichuang.catalog.selectors_bundles import (
    bundle_checklist,
    bundle_entries,
    bundle_form,
    bundles_published,
)
from yichuang.catalog.services_bundles import bundle_problems, bundle_publish, bundle_suspend, bundle_upsert
from yichuang.org.models import Department, Role

from . import selectors_parallel as sel
from .meetings import meeting_attendance_record, meeting_close, meeting_convene, meeting_opinion_record
from .models import Applicant, Case, CaseMaterial, JointMeeting
from .services import applicant_register
from .services_parallel import bundle_apply, parallel_deliver
from .views_office import staff_required

FRONT = (Role.Code.CLERK, Role.Code.TOWN_CLERK)
ADMIN = (Role.Code.ADMIN,)
STAFF = tuple(Role.Code.values)


def _messages_of(err: ValidationError) -> list[str]:
    if hasattr(err, "error_dict"):
        return [m for msgs in err.message_dict.values() for m in msgs]
    return list(err.messages)


# --- bundles: admin ------------------------------------------------------------------------------


@require_safe
@staff_required(*ADMIN)
def bundle_admin_list(request: HttpRequest) -> HttpResponse:
    bundles = Bundle.objects.prefetch_related("entries__item__current").order_by("code")
    return render(request, "cases/parallel/bundle_admin_list.html", {"bundles": bundles})


def _bundle_initial(bundle: Bundle | None) -> dict:
    if bundle is None:
        return {"mode": "parallel", "on_denial": "continue", "audience": "company", "promised_limit": 10,
                "items_text": "", "map_text": ""}
    return {
        "code": bundle.code, "name": bundle.name, "description": bundle.description, "mode": bundle.mode,
        "on_denial": bundle.on_denial, "audience": bundle.audience, "promised_limit": bundle.promised_limit,
        "items_text": "\n".join(f"{e.item.implementation_code} {e.stage}" for e in bundle.entries.select_related("item")),
        "map_text": "\n".join(f"{m.item.implementation_code} {m.item_field_key} {m.bundle_key}"
                              for m in bundle.field_maps.select_related("item")),
    }


def _bundle_data(post) -> dict:
    items, field_map = [], []
    for line in post.get("items_text", "").splitlines():
        parts = line.split()
        if parts:
            items.append({"item": parts[0], "stage": int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 1})
    for line in post.get("map_text", "").splitlines():
        parts = line.split()
        if len(parts) == 3:
            field_map.append({"item": parts[0], "item_field_key": parts[1], "bundle_key": parts[2]})
    return {
        "code": post.get("code", "").strip(), "name": post.get("name", "").strip(),
        "description": post.get("description", "").strip(), "mode": post.get("mode", "parallel"),
        "on_denial": post.get("on_denial", "continue"), "audience": post.get("audience", "company"),
        "promised_limit": post.get("promised_limit") or 0, "items": items, "field_map": field_map,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required(*ADMIN)
def bundle_admin_edit(request: HttpRequest, code: str = "") -> HttpResponse:
    bundle = get_object_or_404(Bundle, code=code) if code else None
    values, errors = _bundle_initial(bundle), []
    if request.method == "POST":
        values = {**request.POST.dict()}
        try:
            data = _bundle_data(request.POST)
            if bundle is not None:
                data["code"] = bundle.code
            bundle, _changed = bundle_upsert(actor=request.user, data=data, publish=False)
            messages.success(request, _("已保存为草稿；请检查预览后发布。"))
            return redirect("cases:bundle_admin_edit", code=bundle.code)
        except ValidationError as err:
            errors = _messages_of(err)
    context = {"bundle": bundle, "values": values, "errors": errors, "modes": Bundle.Mode.choices,
               "on_denials": Bundle.OnDenial.choices, "audiences": Bundle.Audience.choices}
    if bundle is not None:
        context.update(entries=bundle_entries(bundle), fields=bundle_form(bundle), checklist=bundle_checklist(bundle),
                       problems=bundle_problems(bundle))
    return render(request, "cases/parallel/bundle_admin_edit.html", context, status=400 if errors else 200)


@require_POST
@staff_required(*ADMIN)
def bundle_admin_status(request: HttpRequest, code: str) -> HttpResponse:
    bundle = get_object_or_404(Bundle, code=code)
    try:
        if request.POST.get("action") == "suspend":
            bundle_suspend(actor=request.user, bundle=bundle, reason=request.POST.get("reason", ""))
            messages.success(request, _("已暂停办理。"))
        else:
            bundle_publish(actor=request.user, bundle=bundle)
            messages.success(request, _("已发布，窗口和网上即可申请。"))
    except ValidationError as err:
        for message in _messages_of(err):
            messages.error(request, message)
    return redirect("cases:bundle_admin_edit", code=bundle.code)


# --- bundles: public guide -------------------------------------------------------------------------


@require_safe
def bundle_guide(request: HttpRequest, code: str) -> HttpResponse:
    bundle = get_object_or_404(Bundle, code=code, status__in=[Bundle.Status.PUBLISHED, Bundle.Status.SUSPENDED])
    return render(request, "cases/parallel/bundle_guide.html", {
        "bundle": bundle, "entries": bundle_entries(bundle), "fields": bundle_form(bundle),
        "checklist": bundle_checklist(bundle)})


@require_safe
def bundle_guide_list(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/parallel/bundle_guide_list.html", {"bundles": bundles_published()})


# --- front desk: apply for a bundle ------------------------------------------------------------------


@require_safe
@staff_required(*FRONT)
def bundle_desk(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/parallel/desk_list.html", {
        "bundles": bundles_published(request.user.centre), "parents": sel.parents_recent(centre=request.user.centre)})


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required(*FRONT)
def bundle_desk_apply(request: HttpRequest, code: str) -> HttpResponse:
    bundle = get_object_or_404(Bundle, code=code, status=Bundle.Status.PUBLISHED)
    fields, checklist = bundle_form(bundle), bundle_checklist(bundle)
    errors: list[str] = []
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        form_data = {f.key: request.POST.get(f"f_{f.key}", "").strip() for f in fields
                     if request.POST.get(f"f_{f.key}", "").strip()}
        materials = {m.key: {"state": request.POST.get(f"m_{m.key}", CaseMaterial.State.MISSING),
                             "note": request.POST.get(f"n_{m.key}", ""),
                             "promised_on": request.POST.get(f"p_{m.key}", "")}
                     for m in checklist if m.produced_by is None}
        kind = request.POST.get("kind", Applicant.Kind.COMPANY)
        try:
            applicant = applicant_register(
                actor=request.user, kind=kind, name=request.POST.get("name", ""),
                id_number=request.POST.get("id_number", ""), uscc=request.POST.get("uscc", ""),
                phone=request.POST.get("phone", ""), legal_representative=request.POST.get("legal_representative", ""))
            parent = bundle_apply(actor=request.user, applicant=applicant, bundle=bundle, form_data=form_data,
                                  materials=materials, centre=request.user.centre,
                                  window=request.user.windows.first())
            messages.success(request, _("一件事已受理：主办件 %(n)s，%(c)d 个事项已分送各部门。") % {
                "n": parent.number, "c": parent.children.count()})
            return redirect("cases:parallel_parent", pk=parent.pk)
        except ValidationError as err:
            errors = _messages_of(err)
    for f in fields:
        f.value = request.POST.get(f"f_{f.key}", "") if request.method == "POST" else ""
    return render(request, "cases/parallel/desk_apply.html", {
        "default_kind": Applicant.Kind.PERSON if bundle.audience == Bundle.Audience.PERSON else Applicant.Kind.COMPANY,
        "bundle": bundle, "fields": fields, "checklist": checklist, "errors": errors, "values": values,
        "states": [(s, label) for s, label in CaseMaterial.State.choices if s != CaseMaterial.State.NOT_APPLICABLE],
        "kinds": Applicant.Kind.choices}, status=400 if errors else 200)


# --- parent cases ---------------------------------------------------------------------------------------


@require_safe
@staff_required(*STAFF)
def parallel_list(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/parallel/parent_list.html", {"parents": sel.parents_recent(
        centre=request.user.centre if not request.user.is_superuser else None, limit=100)})


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required(*STAFF)
def parallel_parent(request: HttpRequest, pk: int) -> HttpResponse:
    overview = sel.parallel_overview(pk)
    if overview is None:
        raise Http404(_("未找到此一件事办件。"))
    errors: list[str] = []
    if request.method == "POST":
        try:
            parallel_deliver(actor=request.user, case=overview.parent, method=request.POST.get("method", "in_person"),
                             expected_version=int(request.POST.get("version") or 0) or None,
                             collected_by=request.POST.get("collected_by", ""),
                             collector_id_last4=request.POST.get("collector_id_last4", ""),
                             address=request.POST.get("address", ""), recipient=request.POST.get("recipient", ""),
                             carrier=request.POST.get("carrier", ""),
                             tracking_number=request.POST.get("tracking_number", ""))
            messages.success(request, _("已统一出件：全部结果一次交付。"))
            return redirect("cases:parallel_parent", pk=pk)
        except ValidationError as err:
            errors = _messages_of(err)
            overview = sel.parallel_overview(pk)
    can_deliver = request.user.is_superuser or request.user.has_role(Role.Code.RESULT_CLERK, *FRONT)
    return render(request, "cases/parallel/parent.html", {"o": overview, "errors": errors,
                                                          "can_deliver": can_deliver},
                  status=400 if errors else 200)


@require_safe
def parallel_progress(request: HttpRequest) -> HttpResponse:
    """Public: the applicant follows every part of the bundle with the number and the phone's last four digits."""
    number = request.GET.get("number", "").strip()
    phone4 = request.GET.get("phone4", "").strip()
    overview, asked = None, bool(number)
    if number and len(phone4) == 4:
        parent = Case.objects.filter(number=number, parallel__isnull=False).first()
        if parent is not None and parent.contact_phone.endswith(phone4):
            overview = sel.parallel_overview(parent.pk)
    return render(request, "cases/parallel/progress.html", {"o": overview, "asked": asked, "number": number})


# --- joint meetings -----------------------------------------------------------------------------------


@require_safe
@staff_required(*STAFF)
def meeting_list(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/parallel/meeting_list.html", {"meetings": sel.meetings_for_user(request.user)})


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required(Role.Code.ADMIN, Role.Code.CLERK, Role.Code.APPROVER)
def meeting_new(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    case = None
    case_pk = request.POST.get("case") or request.GET.get("case")
    if case_pk:
        case = Case.objects.filter(pk=case_pk).select_related("item_version").first()
    departments = Department.objects.filter(is_active=True).order_by("sort_order", "code")
    values = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        try:
            held_on = datetime.date.fromisoformat(request.POST.get("held_on", ""))
        except ValueError:
            held_on = None
        try:
            days = int(request.POST.get("opinion_days") or 0)
        except ValueError:
            days = 0
        try:
            meeting = meeting_convene(
                actor=request.user, kind=request.POST.get("kind", ""), title=request.POST.get("title", ""),
                departments=list(departments.filter(pk__in=request.POST.getlist("departments"))), held_on=held_on,
                opinion_days=days, place=request.POST.get("place", ""), case=case,
                subject_type=request.POST.get("subject_type", ""), subject_id=request.POST.get("subject_id", ""),
                subject_label=request.POST.get("subject_label", ""))
            messages.success(request, _("已发起，意见截止 %(d)s。") % {"d": meeting.opinion_deadline})
            return redirect("cases:meeting_detail", pk=meeting.pk)
        except ValidationError as err:
            errors = _messages_of(err)
    return render(request, "cases/parallel/meeting_new.html", {
        "case": case, "departments": departments, "kinds": JointMeeting.Kind.choices, "errors": errors,
        "values": values, "chosen": [int(x) for x in values.getlist("departments")] if hasattr(values, "getlist") else [],
        "today": timezone.localdate()}, status=400 if errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required(*STAFF)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(JointMeeting.objects.select_related("case", "coordinator", "centre"), pk=pk)
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "opinion":
                meeting_opinion_record(actor=request.user, meeting=meeting, opinion=request.POST.get("opinion", ""),
                                       text=request.POST.get("text", ""))
                messages.success(request, _("意见已提交。"))
            elif action == "attendance":
                department = get_object_or_404(Department, pk=request.POST.get("department"))
                meeting_attendance_record(actor=request.user, meeting=meeting, department=department,
                                          present=request.POST.get("present") == "1",
                                          attendee=request.POST.get("attendee", ""))
                messages.success(request, _("出席情况已登记。"))
            elif action == "close":
                meeting_close(meeting=meeting, actor=request.user)
                messages.success(request, _("已闭会，会议纪要已生成。"))
            else:
                raise PermissionDenied
            return redirect("cases:meeting_detail", pk=pk)
        except ValidationError as err:
            errors = _messages_of(err)
    invitations = list(meeting.invitations.select_related("department", "recorded_by").order_by("id"))
    mine = next((i for i in invitations if i.department_id == request.user.department_id), None)
    return render(request, "cases/parallel/meeting.html", {
        "m": meeting, "invitations": invitations, "mine": mine, "errors": errors,
        "events": meeting.events.order_by("at", "id"),
        "is_coordinator": request.user.is_superuser or meeting.coordinator_id == request.user.pk,
        "past_deadline": timezone.localdate() > meeting.opinion_deadline}, status=400 if errors else 200)


@require_safe
@staff_required(*STAFF)
def meeting_minutes(request: HttpRequest, pk: int) -> FileResponse:
    meeting = get_object_or_404(JointMeeting, pk=pk)
    if not meeting.minutes_pdf:
        raise Http404(_("会议尚未闭会，还没有会议纪要。"))
    return FileResponse(meeting.minutes_pdf.open("rb"), content_type="application/pdf",
                        filename=f"meeting-{meeting.pk}.pdf")
