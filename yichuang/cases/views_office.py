"""The back office (部门后台) and the result window (统一出件窗口).

Every page requires login and a staff role (403 otherwise); every case is read through the
reader's scope (`cases_visible_to`), so a case outside it answers 404. Each action posts to its
own address, calls ONE service and shows the service's refusal beside the form that was sent;
HTMX swaps the case page's body in place, a plain POST redirects back to the page.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Prefetch, Q, Value, When
from django.db.models.functions import Greatest
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from yichuang.catalog.models import Item
from yichuang.org.models import Department, Role

from . import forms_office as f
from . import selectors, services
from .deadline import days_left, explain_case_deadline
from .errors import CaseActionError, CaseConflict
from .models import Case, CaseMaterial, CaseStep, Extension
from .uploads import case_file_for_user

PAGE_SIZE = 50
R = Role.Code
ALL_STAFF_ROLES = tuple(Role.Code.values)
INBOX_ROLES = (R.REVIEWER, R.APPROVER)
RESULT_ROLES = (R.RESULT_CLERK, R.CLERK, R.TOWN_CLERK)
SEARCH_ROLES = (R.SUPERVISOR, R.ADMIN, R.REVIEWER, R.APPROVER, R.CLERK)
ALARM_RANK = {Case.Alarm.NORMAL: 1, Case.Alarm.YELLOW: 2, Case.Alarm.RED: 3, Case.Alarm.OVERDUE: 4}
# Files a browser may show in the page; anything else is downloaded.
INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png"}
SERVED_TYPES = INLINE_TYPES | {"application/ofd"}

EVENT_LABELS = {
    "receive": gettext_lazy("接件"),
    "accept": gettext_lazy("受理"),
    "correction": gettext_lazy("一次性告知补正"),
    "correction_supplied": gettext_lazy("补正材料"),
    "refuse": gettext_lazy("不予受理"),
    "assign_agent": gettext_lazy("转帮办代办"),
    "department_start": gettext_lazy("部门开始办理"),
    "step_complete": gettext_lazy("环节办理"),
    "send_back": gettext_lazy("退回补正"),
    "special_start": gettext_lazy("特别程序开始"),
    "special_end": gettext_lazy("特别程序结束"),
    "extension_request": gettext_lazy("申请延期"),
    "extension_decide": gettext_lazy("延期审批"),
    "decide": gettext_lazy("作出决定"),
    "supplement": gettext_lazy("容缺材料补齐"),
    "deliver": gettext_lazy("送达"),
    "visit": gettext_lazy("到现场"),
    "withdraw": gettext_lazy("撤回"),
    "revoke": gettext_lazy("撤销"),
    "correction_approve": gettext_lazy("批准再次告知"),
}


# --- plumbing ---------------------------------------------------------------------------------


def staff_required(*roles: str):
    """Login (redirect to the login page), then one of `roles` (403 otherwise)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            user = request.user
            if not (user.is_superuser or (hasattr(user, "has_role") and user.has_role(*roles))):
                names = "、".join(str(Role.Code(r).label) for r in roles)
                raise PermissionDenied(_("此页面需要以下角色之一：%(r)s。") % {"r": names})
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorate


def _is_fragment(request: HttpRequest) -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
        and request.headers.get("HX-Boosted") != "true"
    )


def _visible_case(user, pk: int) -> Case:
    case = selectors.case_for_user(user, pk)
    if case is None:
        raise Http404(_("未找到此办件，或您无权查看。"))
    return case


def mask_name(name: str) -> str:
    """王*明: a person's name in a list; the case page shows it in full to those handling it."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _applicant_label(applicant) -> str:
    return applicant.name if applicant.kind == applicant.Kind.COMPANY else mask_name(applicant.name)


def _querystring(values: dict[str, Any]) -> str:
    qd = QueryDict(mutable=True)
    for key, value in values.items():
        qd[key] = value.isoformat() if isinstance(value, datetime.date) else str(value)
    return qd.urlencode()


def _calendar_region(user):
    if user.department_id:
        return Department.objects.select_related("region").get(pk=user.department_id).region
    return None


def _list_response(request, page_template: str, fragment_template: str, context: dict) -> HttpResponse:
    template = fragment_template if _is_fragment(request) else page_template
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- the department inbox ---------------------------------------------------------------------


@dataclass
class InboxRow:
    step: CaseStep
    case: Case
    alarm: str
    alarm_label: str
    left: Any
    applicant: str
    applicant_id: str


def _rank(field: str) -> SqlCase:
    return SqlCase(*[When(**{field: level}, then=Value(rank)) for level, rank in ALARM_RANK.items()],
                   default=Value(0), output_field=IntegerField())


def _row_alarm(step: CaseStep, case: Case) -> str:
    """The more urgent of the step's and the case's alarm; a paused case says so instead."""
    if case.alarm == Case.Alarm.PAUSED or case.paused_since is not None:
        return Case.Alarm.PAUSED
    return max((step.alarm, case.alarm), key=lambda a: ALARM_RANK.get(a, 0))


@require_safe
@staff_required(*INBOX_ROLES)
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    steps = selectors.inbox_steps(user)
    items = {}
    for item_id, name in steps.order_by().values_list("case__item_version__item_id", "case__item_version__name").distinct():
        items.setdefault(item_id, name)
    form = f.InboxFilterForm(request.GET or None, items=sorted(items.items(), key=lambda kv: kv[1]))
    values = form.values()
    if values.get("q"):
        q = values["q"]
        steps = steps.filter(Q(case__number__icontains=q) | Q(case__applicant__name__icontains=q))
    if values.get("status"):
        steps = steps.filter(case__status=values["status"])
    if values.get("item"):
        steps = steps.filter(case__item_version__item_id=values["item"])
    if values.get("due_before"):
        steps = steps.filter(Q(due_date__lte=values["due_before"]) | Q(case__due_date__lte=values["due_before"]))
    alarm = values.get("alarm")
    if alarm == Case.Alarm.PAUSED:
        steps = steps.filter(case__paused_since__isnull=False)
    elif alarm:
        steps = (steps.filter(case__paused_since__isnull=True)
                 .annotate(urgency=Greatest(_rank("alarm"), _rank("case__alarm")))
                 .filter(urgency=ALARM_RANK[alarm]))
    page = Paginator(steps, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    region = _calendar_region(user)
    rows = []
    for step in page.object_list:
        case = step.case
        level = _row_alarm(step, case)
        dues = [d for d in (step.due_date, case.due_date) if d is not None]
        rows.append(InboxRow(
            step=step, case=case, alarm=level, alarm_label=Case.Alarm(level).label if level else "",
            left=None if level == Case.Alarm.PAUSED or not dues else days_left(min(dues), today, region),
            applicant=_applicant_label(case.applicant), applicant_id=case.applicant.masked_id,
        ))
    context = {"form": form, "page": page, "rows": rows, "querystring": _querystring(values), "today": today}
    if not _is_fragment(request):
        # 网上预审 has its own list and clock; the inbox shows what waits there, soonest due first.
        from .selectors_online import prereview_alarm, prereview_inbox

        waiting = list(prereview_inbox(user)[:6])
        context["prereview"] = [(c, prereview_alarm(c, today)) for c in waiting[:5]]
        context["prereview_more"] = len(waiting) > 5
    return _list_response(request, "cases/office/inbox.html", "cases/office/_inbox_table.html", context)


# --- the case page ----------------------------------------------------------------------------


# Which `Offered` flag shows each form.
ACTION_OFFER = {
    "step": "step", "send_back": "send_back", "special_start": "special_start", "special_end": "special_end",
    "extension_request": "extension_request", "extension_decide": "extension_decide", "approve": "decide",
    "deny": "decide", "revoke": "revoke", "withdraw": "withdraw", "approve_correction": "approve_correction",
}

ACTION_FORMS = {
    "step": f.StepCompleteForm,
    "send_back": f.SendBackForm,
    "special_start": f.SpecialStartForm,
    "special_end": f.SpecialEndForm,
    "extension_request": f.ExtensionRequestForm,
    "extension_decide": f.ExtensionDecideForm,
    "approve": f.ApproveForm,
    "deny": f.DenyForm,
    "revoke": f.RevokeForm,
    "withdraw": f.WithdrawForm,
    "approve_correction": f.ApproveCorrectionForm,
}


def _load_case_page(case: Case) -> Case:
    """Everything the case page shows, in a fixed number of queries whatever the case's size."""
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(
        [case],
        "department__region", "window", "received_by", "first_contact", "agent_staff", "delivery_record",
        Prefetch("materials", queryset=CaseMaterial.objects.select_related("requirement")),
        "files",
        Prefetch("steps", queryset=CaseStep.objects.select_related("handled_by", "department")),
        "events", "notices", "special_procedures__procedure", "corrections", "extensions",
        "item_version__allowed_procedures__procedure",
    )
    return case


def _form_kwargs(name: str, case: Case) -> dict:
    if name == "send_back":
        return {"materials": list(case.materials.all())}
    if name == "special_start":
        return {"allowed": list(case.item_version.allowed_procedures.all())}
    return {}


def _case_context(request: HttpRequest, case: Case, bound: dict[str, f.ActionForm] | None = None) -> dict:
    case = _load_case_page(case)
    steps = list(case.steps.all())
    open_steps = [s for s in steps if s.state == CaseStep.State.OPEN]
    extensions = list(case.extensions.all())
    pending = next((e for e in extensions if e.state == Extension.State.REQUESTED), None)
    allowed = list(case.item_version.allowed_procedures.all())
    front_notices = sum(1 for c in case.corrections.all() if c.origin == "front")
    approved = {e.data.get("notice") for e in case.events.all() if e.action == "correction_approve"}
    offered = f.offered_actions(request.user, case, open_steps=open_steps, allowed_procedures=allowed,
                                pending_extension=pending,
                                second_correction_waiting=bool(front_notices) and front_notices + 1 not in approved)
    bound = bound or {}
    action_forms = {}
    for name, form_class in ACTION_FORMS.items():
        if name in bound:
            action_forms[name] = bound[name]
        else:
            action_forms[name] = form_class(initial={"expected_version": case.version}, auto_id=f"id_{name}_%s",
                                            **_form_kwargs(name, case))
    files = list(case.files.all())
    materials = [(m, [x for x in files if x.material_id == m.pk]) for m in case.materials.all()]
    loose_files = [x for x in files if x.material_id is None]
    try:
        delivery = case.delivery_record
    except Case.delivery_record.RelatedObjectDoesNotExist:
        delivery = None
    from .selectors_online import ACTION_TEXT

    # The office's own short labels first; any other action (online, parallel, uploads) reads as
    # the applicant's timeline does, and only an unknown one shows its code.
    events = [(e, EVENT_LABELS.get(e.action) or ACTION_TEXT.get(e.action) or e.action) for e in case.events.all()]
    role_labels = dict(Role.Code.choices)
    # A refusal of an action this page does not offer (a forged or outdated request) is shown
    # above the actions, since its form is not on the page.
    refused = [form for name, form in bound.items() if not getattr(offered, ACTION_OFFER[name])]
    today = timezone.localdate()
    return {
        "case": case,
        "materials": materials,
        "loose_files": loose_files,
        "steps": [(s, role_labels.get(s.role, s.role)) for s in steps],
        "refused": refused,
        "refresh_url": reverse("cases:office_case", kwargs={"pk": case.pk}),
        "events": events,
        "notices": list(case.notices.all()),
        "special_procedures": list(case.special_procedures.all()),
        "extensions": extensions,
        "pending_extension": pending,
        "delivery": delivery,
        "deadline": explain_case_deadline(case, today=today),
        "left": days_left(case.due_date, today, case.department.region) if case.alarm != Case.Alarm.PAUSED else None,
        "offered": offered,
        "forms": action_forms,
        "open_action": next(iter(bound), ""),
        "is_fragment": _is_fragment(request),
    }


@require_safe
@staff_required(*ALL_STAFF_ROLES)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request.user, pk)
    return render(request, "cases/office/case.html", _case_context(request, case))


def _render_case(request: HttpRequest, case: Case, bound: dict | None = None, *, scroll_to: str = "") -> HttpResponse:
    context = _case_context(request, case, bound)
    if context["is_fragment"]:
        response = render(request, "cases/office/_case_body.html", context)
        response["HX-Reswap"] = f"outerHTML show:{scroll_to}:top" if scroll_to else "outerHTML show:window:top"
        return response
    return render(request, "cases/office/case.html", context)


def _run_action(request: HttpRequest, pk: int, name: str, call, success: str) -> HttpResponse:
    """Parse the action's form, call its one service, and answer with the page or the refusal."""
    case = _visible_case(request.user, pk)
    form = ACTION_FORMS[name](request.POST, auto_id=f"id_{name}_%s", **_form_kwargs(name, case))
    if form.is_valid():
        try:
            call(case, form.cleaned_data, form)
        except CaseConflict as err:
            form.conflict = True
            form.add_error(None, _("已被他人处理，请刷新。"))
            form.show_service_error(err)
        except CaseActionError as err:
            form.show_service_error(err)
        else:
            messages.success(request, success)
            if _is_fragment(request):
                return _render_case(request, _visible_case(request.user, pk))
            return redirect("cases:office_case", pk=pk)
    # Refused: the page as it is now, with the sent form and its message kept where it was.
    return _render_case(request, _visible_case(request.user, pk), {name: form}, scroll_to=f"#action-{name}")


def _action(name: str, success: str):
    """A POST-only view for one action, open to any staff role that can see the case: the
    service decides whether this user may do it, so a forged request meets its refusal."""

    def decorate(call):
        @require_POST
        @staff_required(*ALL_STAFF_ROLES)
        @functools.wraps(call)
        def view(request: HttpRequest, pk: int) -> HttpResponse:
            return _run_action(request, pk, name, lambda case, data, form: call(request, case, data, form), success)

        return view

    return decorate


@_action("step", _("已办结本环节，转下一环节。"))
def case_step(request, case, data, form):
    services.case_step_complete(actor=request.user, case=case, opinion=data["opinion"],
                                expected_version=data["expected_version"])


@_action("send_back", _("已退回补正，并出具补正材料一次性告知书；补正期间暂停计时。"))
def case_send_back(request, case, data, form):
    services.case_send_back(actor=request.user, case=case, problems=form.problems(),
                            expected_version=data["expected_version"])


@_action("special_start", _("特别程序已启动，暂停计时，并出具特别程序告知书。"))
def case_special_start(request, case, data, form):
    services.case_special_start(actor=request.user, case=case, procedure=data["procedure"], reason=data["reason"],
                                expected_days=data["expected_days"] or 0, expected_version=data["expected_version"])


@_action("special_end", _("特别程序已结束，恢复计时。"))
def case_special_end(request, case, data, form):
    services.case_special_end(actor=request.user, case=case, result=data["result"],
                              expected_version=data["expected_version"])


@_action("extension_request", _("延期申请已提交，待决定人员批准。"))
def case_extension_request(request, case, data, form):
    services.case_extension_request(actor=request.user, case=case, days=data["days"] or 0, reason=data["reason"],
                                    expected_version=data["expected_version"])


@_action("extension_decide", _("延期申请已处理。"))
def case_extension_decide(request, case, data, form):
    services.case_extension_decide(actor=request.user, case=case, approve=data["approve"],
                                   expected_version=data["expected_version"])


@_action("approve", _("已作出准予许可决定，结果转统一出件窗口。"))
def case_approve(request, case, data, form):
    services.case_decide(actor=request.user, case=case, approve=True, reason=data["reason"],
                         expected_version=data["expected_version"])


@_action("deny", _("已作出不予许可决定，结果转统一出件窗口。"))
def case_deny(request, case, data, form):
    services.case_decide(actor=request.user, case=case, approve=False, reason=data["reason"],
                         legal_basis=data["legal_basis"], way_forward=data["way_forward"],
                         expected_version=data["expected_version"])


@_action("revoke", _("办件已撤销。"))
def case_revoke(request, case, data, form):
    services.case_revoke(actor=request.user, case=case, reason=data["reason"],
                         expected_version=data["expected_version"])


@_action("approve_correction", _("已批准再次出具一次性告知书，请通知窗口出具。"))
def case_approve_correction(request, case, data, form):
    services.case_correction_approve(actor=request.user, case=case, reason=data["reason"])


@_action("withdraw", _("已登记申请人撤回。"))
def case_withdraw(request, case, data, form):
    services.case_withdraw(actor=request.user, case=case, reason=data["reason"],
                           expected_version=data["expected_version"])


@require_safe
@staff_required(*ALL_STAFF_ROLES)
def case_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    stored = case_file_for_user(request.user, pk, file_pk)
    if stored is None:
        raise Http404(_("未找到此附件。"))
    try:
        handle = stored.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(_("附件文件已不存在，请联系管理员。")) from None
    content_type = stored.content_type if stored.content_type in SERVED_TYPES else "application/octet-stream"
    response = FileResponse(handle, content_type=content_type, as_attachment=content_type not in INLINE_TYPES,
                            filename=stored.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the result window ------------------------------------------------------------------------


def _delivered_today(user):
    start = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
    return (selectors.cases_visible_to(user).filter(delivery=Case.Delivery.DELIVERED, closed_at__gte=start)
            .select_related("delivery_record").order_by("-closed_at")[:20])


@require_safe
@staff_required(*RESULT_ROLES)
def results(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = f.ResultsFilterForm(request.GET or None)
    values = form.values()
    waiting = selectors.results_waiting(user).prefetch_related(Prefetch(
        "materials", to_attr="deferred_materials",
        queryset=CaseMaterial.objects.filter(state=CaseMaterial.State.DEFERRED).select_related("requirement"),
    ))
    if values.get("q"):
        q = values["q"]
        waiting = waiting.filter(Q(number__icontains=q) | Q(applicant__name__icontains=q))
    if values.get("delivery"):
        waiting = waiting.filter(delivery=values["delivery"])
    page = Paginator(waiting, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "querystring": _querystring(values)}
    if not _is_fragment(request):
        context["delivered"] = list(_delivered_today(user))
    return _list_response(request, "cases/office/results.html", "cases/office/_results_table.html", context)


def _deliver_context(case: Case, **forms) -> dict:
    deferred = [m for m in case.materials.select_related("requirement") if m.state == CaseMaterial.State.DEFERRED]
    applicant = case.applicant
    initial = {"expected_version": case.version}
    return {
        "case": case,
        "refresh_url": reverse("cases:office_deliver", kwargs={"pk": case.pk}),
        "deferred": deferred,
        "notices": list(case.notices.all()),
        "carriers": f.CARRIERS,
        "in_person": forms.get("in_person") or f.DeliverInPersonForm(initial=initial, auto_id="id_in_person_%s"),
        "post": forms.get("post") or f.DeliverPostForm(auto_id="id_post_%s", initial={
            **initial, "recipient": applicant.legal_representative or applicant.name,
            "recipient_phone": case.contact_phone or applicant.phone, "address": applicant.address,
        }),
        "supplement": forms.get("supplement") or f.SupplementForm(initial=initial, deferred=deferred,
                                                                  auto_id="id_supplement_%s"),
        "method": forms.get("method", ""),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required(*RESULT_ROLES)
def deliver(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the hand-over forms; POST: record the delivery through `case_deliver`."""
    case = _visible_case(request.user, pk)
    if request.method != "POST":
        return render(request, "cases/office/deliver.html", _deliver_context(case))
    method = request.POST.get("method", "")
    key = "post" if method == "post" else "in_person"
    form_class = f.DeliverPostForm if method == "post" else f.DeliverInPersonForm
    form = form_class(request.POST, auto_id=f"id_{key}_%s")
    if form.is_valid():
        data = form.cleaned_data
        fields = {k: v or "" for k, v in data.items() if k != "expected_version"}
        try:
            services.case_deliver(actor=request.user, case=case, method=key,
                                  expected_version=data["expected_version"], **fields)
        except CaseConflict as err:
            form.conflict = True
            form.add_error(None, _("已被他人处理，请刷新。"))
            form.show_service_error(err)
        except CaseActionError as err:
            form.show_service_error(err)
        else:
            if method == "post":
                note = _("邮寄送达：%(c)s %(t)s") % {"c": data["carrier"], "t": data["tracking_number"]}
            else:
                note = _("窗口领取：%(c)s") % {"c": data["collected_by"]}
            messages.success(request, _("办件 %(n)s 已送达（%(w)s）。") % {"n": case.number, "w": note})
            return redirect("cases:office_results")
    return render(request, "cases/office/deliver.html",
                  _deliver_context(_visible_case(request.user, pk), **{key: form, "method": key}))


@require_POST
@staff_required(*RESULT_ROLES)
def supplement(request: HttpRequest, pk: int) -> HttpResponse:
    """容缺材料补齐 at the result window: the withheld result can then be handed over."""
    case = _visible_case(request.user, pk)
    deferred = [m for m in case.materials.select_related("requirement") if m.state == CaseMaterial.State.DEFERRED]
    form = f.SupplementForm(request.POST, deferred=deferred, auto_id="id_supplement_%s")
    if form.is_valid():
        try:
            services.case_supplement_deferred(actor=request.user, case=case,
                                              requirement_ids=form.cleaned_data["requirement_ids"],
                                              expected_version=form.cleaned_data["expected_version"])
        except CaseConflict as err:
            form.conflict = True
            form.add_error(None, _("已被他人处理，请刷新。"))
            form.show_service_error(err)
        except CaseActionError as err:
            form.show_service_error(err)
        else:
            messages.success(request, _("已登记补齐的容缺材料。"))
            return redirect("cases:office_deliver", pk=pk)
    return render(request, "cases/office/deliver.html",
                  _deliver_context(_visible_case(request.user, pk), supplement=form))


# --- case search ------------------------------------------------------------------------------


def _departments_in_scope(user):
    departments = Department.objects.filter(is_active=True)
    if user.is_superuser:
        return departments
    condition = Q(pk__in=[])
    if user.region_id and user.has_role(R.SUPERVISOR, R.ADMIN):
        condition |= Q(region__code__startswith=user.region.prefix)
    if user.department_id:
        condition |= Q(pk=user.department_id)
    if user.centre_id and user.has_role(R.CLERK, R.TOWN_CLERK):
        condition |= Q(region__code__startswith=user.centre.region.code[:6])
    return departments.filter(condition)


@require_safe
@staff_required(*SEARCH_ROLES)
def case_search(request: HttpRequest) -> HttpResponse:
    user = request.user
    departments = list(_departments_in_scope(user).values_list("pk", "name"))
    items = list(Item.objects.filter(current__department_id__in=[d[0] for d in departments])
                 .order_by("current__name").values_list("pk", "current__name"))
    form = f.CaseSearchForm(request.GET or None, departments=departments, items=items)
    values = form.values()
    cases = selectors.cases_visible_to(user)
    if values.get("q"):
        q = values["q"]
        cases = cases.filter(Q(number__icontains=q) | Q(applicant__name__icontains=q))
    for key, lookup in (("status", "status"), ("department", "department_id"), ("item", "item_version__item_id"),
                        ("alarm", "alarm")):
        if values.get(key):
            cases = cases.filter(**{lookup: values[key]})
    if values.get("received_from"):
        cases = cases.filter(received_at__gte=timezone.make_aware(
            datetime.datetime.combine(values["received_from"], datetime.time.min)))
    if values.get("received_to"):
        cases = cases.filter(received_at__lt=timezone.make_aware(
            datetime.datetime.combine(values["received_to"] + datetime.timedelta(days=1), datetime.time.min)))
    page = Paginator(cases.order_by("-received_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(case, _applicant_label(case.applicant)) for case in page.object_list]
    context = {"form": form, "page": page, "rows": rows, "querystring": _querystring(values)}
    return _list_response(request, "cases/office/search.html", "cases/office/_search_table.html", context)
