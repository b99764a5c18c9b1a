"""The front-desk console (综合窗口): find the item, take the application, accept or tell what is missing.

Views parse the input with `forms_front`, call the case services and render. The one-page
acceptance calls several services in sequence (receive, then accept / correct / refuse / settle
on the spot), because that is what happens at the window: the case is registered, then decided on.
"""

import datetime
import functools
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from yichuang.catalog.models import FormField, ItemVersion, MaterialRequirement
from yichuang.catalog.selectors import limit_label, search_items
from yichuang.org.models import Role, ServiceCentre

from . import forms_front as ff
from . import selectors, services
from .clock import compute_clock
from .errors import CaseActionError, CaseConflict, CasePermissionDenied
from .models import Case, CaseMaterial
from .rules import can_accept_at, channel_at
from .uploads import case_file_add, case_files

FRONT_ROLES = (Role.Code.CLERK, Role.Code.TOWN_CLERK)
# The agent opens the cases of their ledger on the same page (read only).
CASE_PAGE_ROLES = (*FRONT_ROLES, Role.Code.AGENT)

# The item finder ranks at most this many candidates and shows the first acceptable ones.
SEARCH_CANDIDATES = 40
SEARCH_SHOWN = 10
FREQUENT_DAYS = 90
FREQUENT_SHOWN = 8
OPEN_PAGE_SIZE = 20
LEDGER_PAGE_SIZE = 30

S = Case.Status
ENDED_STATUSES = {S.CANCELLED, S.WITHDRAWN, S.REVOKED, S.REFUSED, S.NOT_RECEIVED}
# What the front desk can do to a case in each state (the services check it again).
ACTIONS_BY_STATUS = {
    S.RECEIVED: ("accept", "correction", "refuse", "withdraw", "assign_agent"),
    S.CORRECTION: ("supplied", "refuse", "withdraw", "assign_agent"),
    S.PREREVIEW_PASSED: ("accept",),
    S.ACCEPTED: ("withdraw", "assign_agent"),
    S.PROCESSING: ("withdraw", "assign_agent"),
    S.SPECIAL: ("withdraw", "assign_agent"),
}


# --- access --------------------------------------------------------------------------------------


def staff_page(*roles: str):
    """Login required; then one of `roles` (403 otherwise)."""

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


def _centre(request: HttpRequest) -> ServiceCentre:
    centre = request.user.centre
    if centre is None:
        raise PermissionDenied(_("您的账号没有设置所在中心（站点），不能接件。请联系中心管理员。"))
    return centre


# --- reads of the console --------------------------------------------------------------------


def _acceptable_items(query: str, centre: ServiceCentre) -> list[ItemVersion]:
    """Published items matching the query that this centre may accept, most relevant first."""
    candidates = (
        search_items(query)
        .filter(status=ItemVersion.Status.PUBLISHED)
        .select_related("department__region", "department__centre")
        .prefetch_related("accepting_centres")[:SEARCH_CANDIDATES]
    )
    return [v for v in candidates if can_accept_at(v, centre)][:SEARCH_SHOWN]


def _frequent_items(request: HttpRequest, centre: ServiceCentre) -> list[dict[str, Any]]:
    """The items this centre received most in the last months: one click to the form."""
    since = timezone.now() - datetime.timedelta(days=FREQUENT_DAYS)
    return list(
        selectors.cases_visible_to(request.user)
        .filter(centre=centre, received_at__gte=since,
                item_version__item__current__status=ItemVersion.Status.PUBLISHED)
        .values(code=F("item_version__item__implementation_code"), name=F("item_version__item__current__name"))
        .annotate(n=Count("id"))
        .order_by("-n", "name")[:FREQUENT_SHOWN]
    )


def _version_for_desk(code: str) -> ItemVersion | None:
    """The item's current version if it can be applied for, with what the form needs."""
    return (
        ItemVersion.objects.select_related("item", "department__region", "department__centre", "item_type")
        .prefetch_related(
            Prefetch("materials", queryset=MaterialRequirement.objects.order_by("order", "id")),
            Prefetch("form_fields", queryset=FormField.objects.order_by("order", "id")),
            "accepting_centres",
        )
        .filter(item__implementation_code=code, item__current=F("pk"), status=ItemVersion.Status.PUBLISHED)
        .first()
    )


# --- the console home and the item finder ------------------------------------------------------


def _ticket_carried(request: HttpRequest) -> dict[str, str]:
    """The hall ticket a window console sent the clerk here with (?ticket=&number=), kept on every link to an
    item so the form opens with the called person's details."""
    ticket, number = request.GET.get("ticket", ""), request.GET.get("number", "")
    if not ticket.isdigit():
        return {}
    carried = {"ticket": ticket}
    if number.isalnum() and len(number) <= 12:
        carried["number"] = number
    return carried


@require_safe
@staff_page(*FRONT_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    centre = _centre(request)
    query = " ".join(request.GET.get("q", "").split())[:100]
    results = _acceptable_items(query, centre) if query else []
    carried = _ticket_carried(request)
    ticket_query = urlencode(carried)
    if request.GET.get("go") and results:
        # Enter in the finder opens the top result.
        url = reverse("cases:front_new", kwargs={"code": results[0].item.implementation_code})
        return redirect(f"{url}?{ticket_query}" if ticket_query else url)
    open_cases = Paginator(selectors.front_desk_open(request.user), OPEN_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/front/home.html", {
        "centre": centre, "query": query, "results": results, "open_cases": open_cases,
        "frequent": _frequent_items(request, centre), "carried": carried, "ticket_query": ticket_query,
    })


@require_safe
@staff_page(*FRONT_ROLES)
def item_results(request: HttpRequest) -> HttpResponse:
    centre = _centre(request)
    query = " ".join(request.GET.get("q", "").split())[:100]
    return render(request, "cases/front/_item_results.html", {
        "query": query, "results": _acceptable_items(query, centre) if query else [],
        "ticket_query": urlencode(_ticket_carried(request)),
    })


@require_safe
@staff_page(*FRONT_ROLES)
def applicant_lookup(request: HttpRequest) -> HttpResponse:
    """HTMX: the applicant block again, filled in when the ID number or USCC is known."""
    form = ff.ApplicantForm(request.GET)
    lookup = ff.lookup_number(form, selectors.applicant_find)
    if lookup.applicant is not None:
        initial = ff.ApplicantForm.initial_from(lookup.applicant)
        form = ff.ApplicantForm(initial=initial)
    return render(request, "cases/front/_applicant.html", {"applicant_form": form, "lookup": lookup})


# --- the one-page acceptance ---------------------------------------------------------------------


def _ticket_handoff(request: HttpRequest):
    """The person a hall ticket called to this clerk's window brings (取号叫号 → 综合受理)."""
    from django.apps import apps

    ticket_id = request.GET.get("ticket", "")
    if not ticket_id.isdigit() or not apps.is_installed("yichuang.hall"):
        return None
    from yichuang.hall.selectors import ticket_handoff

    return ticket_handoff(request.user, int(ticket_id))


def _new_forms(request: HttpRequest, version: ItemVersion, centre: ServiceCentre, data=None,
               handoff=None) -> dict[str, Any]:
    materials = list(version.materials.all())
    person_only = version.for_persons and not version.for_companies
    applicant_initial = {"kind": "person" if person_only else "company"}
    if handoff is not None:
        if handoff.id_number:
            applicant_initial.update({"kind": "person", "id_number": handoff.id_number})
        if handoff.phone:
            applicant_initial["phone"] = handoff.phone
        if handoff.appointment_name:
            applicant_initial["name"] = handoff.appointment_name
    return {
        "applicant_form": ff.ApplicantForm(data, initial=applicant_initial),
        "desk_form": ff.NewCaseForm(data, centre=centre, clerk=request.user),
        "application_form": ff.application_form(
            version.form_fields.all(), data, region_choices=ff.region_choices_below(centre.region),
            sources=ff.APPLICANT_SOURCES,
        ),
        "checklist": ff.Checklist(materials, data),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@staff_page(*FRONT_ROLES)
def new_case(request: HttpRequest, code: str) -> HttpResponse:
    centre = _centre(request)
    version = _version_for_desk(code)
    if version is None:
        raise Http404(_("未找到可接件的事项「%(code)s」（不存在、未发布或已暂停办理）。") % {"code": code})
    if not can_accept_at(version, centre):
        return render(request, "cases/front/out_of_scope.html", {"version": version, "centre": centre}, status=403)
    handoff = _ticket_handoff(request) if request.method != "POST" else None
    forms = _new_forms(request, version, centre, request.POST if request.method == "POST" else None, handoff)
    context = {"version": version, "centre": centre, "general_errors": [], "lookup": None, "handoff": handoff,
               "promised_label": limit_label(version.promised_limit),
               "is_immediate": version.handling_type == ItemVersion.HandlingType.IMMEDIATE, **forms}
    if request.method == "POST":
        response = _submit_new_case(request, version, centre, context)
        if response is not None:
            return response
        context["error_summary"] = _error_summary(context)
        return render(request, "cases/front/new.html", context, status=400)
    return render(request, "cases/front/new.html", context)


def _error_summary(context: dict[str, Any]) -> list[str]:
    """Every message of the page, once, for the box at its top (the long form hides some of them)."""
    summary: list[str] = []
    messages_ = list(context["general_errors"])
    for name in ("applicant_form", "desk_form", "application_form"):
        for field_name, errors in context[name].errors.items():
            if field_name != "__all__":
                messages_.extend(errors)
    checklist = context["checklist"]
    messages_.extend(checklist.errors)
    for row in checklist.rows:
        messages_.extend(row.errors)
    for message in messages_:
        if message not in summary:
            summary.append(message)
    return summary


def _submit_new_case(request: HttpRequest, version: ItemVersion, centre: ServiceCentre,
                     context: dict[str, Any]) -> HttpResponse | None:
    """Register and decide on the case; None when the page must be shown again with the errors."""
    applicant_form: ff.ApplicantForm = context["applicant_form"]
    desk: ff.NewCaseForm = context["desk_form"]
    application: ff.ApplicationForm = context["application_form"]
    checklist: ff.Checklist = context["checklist"]
    general: list[str] = context["general_errors"]
    valid = [applicant_form.is_valid(), desk.is_valid(), application.is_valid(), checklist.is_valid()]
    general.extend(desk.non_field_errors())
    if not all(valid):
        return None
    action = desk.cleaned_data["action"]
    fields = {**{n: applicant_form for n in applicant_form.fields}, **{n: desk for n in desk.fields}}
    codes = {"agent": "agent_power_of_attorney", "collector": "collected_by",
             "refusal_incomplete": "reason", "agent_id_number": "agent_id_number"}

    def show(err: CaseActionError) -> None:
        ff.apply_service_error(err, forms_by_field=fields, checklist=checklist, codes=codes, general=general)

    receive = {
        "actor": request.user, "applicant": applicant_form.service_kwargs(), "item_version": version,
        "centre": centre, "window": request.user.windows.filter(centre=centre).first(),
        "channel": channel_at(centre), "materials": checklist.materials_input(), "form_data": application.form_data(),
        "agent_name": desk.cleaned_data["agent_name"].strip(),
        "agent_id_number": desk.cleaned_data["agent_id_number"].strip(),
        "agent_power_of_attorney": desk.cleaned_data["agent_power_of_attorney"],
        "first_contact": desk.cleaned_data["first_contact"],
        "agent_staff": desk.cleaned_data.get("agent_staff"),
    }
    if action == ff.ACTION_ACCEPT:
        # Receiving stands on its own: if acceptance is refused, the case stays received and its
        # page says what is missing and offers the one-time correction notice.
        try:
            case = services.case_intake(then="receive", **receive)
        except CaseActionError as err:
            show(err)
            return None
        try:
            case = services.case_accept(actor=request.user, case=case, expected_version=case.version)
        except CaseActionError as err:
            messages.warning(request, _("已接件，办件编号 %(n)s，但尚未受理。") % {"n": case.number})
            for message in err.messages:
                messages.error(request, message)
            return redirect("cases:front_case", pk=case.pk)
        messages.success(request, _("已受理，办件编号 %(n)s，承诺办结日 %(d)s。受理通知书已出具。")
                         % {"n": case.number, "d": _date(case.due_date)})
        return redirect("cases:front_case", pk=case.pk)
    # The other actions are one transaction with the receipt: refused, they leave only the audit
    # entry of the refusal, and the clerk corrects the page.
    then, done = {
        ff.ACTION_CORRECTION: ("correction", _("已出具补正材料一次性告知书（办件编号 %(n)s），请交申请人。")),
        ff.ACTION_REFUSE: ("refuse", _("已出具不予受理决定书（办件编号 %(n)s），请交申请人。")),
    }.get(action, ("immediate", _("即办件已当场办结并交付（办件编号 %(n)s）。")))
    try:
        case = services.case_intake(
            then=then, collected_by=desk.cleaned_data.get("collected_by", ""),
            refusal={key: desk.cleaned_data.get(key, "") for key in ("reason", "legal_basis", "way_forward")},
            **receive,
        )
    except CaseActionError as err:
        show(err)
        return None
    messages.success(request, done % {"n": case.number})
    return redirect("cases:front_case", pk=case.pk)


def _date(value: datetime.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


# --- the front-desk page of one case ---------------------------------------------------------------


def _case_or_404(request: HttpRequest, pk: int) -> Case:
    case = (
        selectors.cases_visible_to(request.user)
        .select_related("department__region", "first_contact", "agent_staff", "received_by", "window")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404(_("没有找到这个办件，或您无权查看。"))
    return case


def _case_context(request: HttpRequest, case: Case, *, acting: str = "", data=None,
                  errors: list[str] | None = None) -> dict[str, Any]:
    """Everything the case page shows; `acting` names the panel whose input `data` is redisplayed."""
    rows = list(case.materials.select_related("requirement").order_by("requirement__order", "requirement_id"))
    by_requirement = {row.requirement_id: row for row in rows}
    corrections = list(case.corrections.all())
    front_rounds = sum(1 for c in corrections if c.origin == "front")
    is_front = request.user.is_superuser or request.user.has_role(*FRONT_ROLES)
    actions = set(ACTIONS_BY_STATUS.get(case.status, ())) if is_front else set()
    deferred = [row for row in rows if row.state == CaseMaterial.State.DEFERRED]
    if is_front and deferred and case.status not in ENDED_STATUSES:
        actions.add("supplement")
    # Scanned materials travel online to the deciding department (数据网络流转), e.g. from a town point.
    if is_front and case.status not in ENDED_STATUSES and case.delivery != Case.Delivery.DELIVERED:
        actions.add("upload")

    def bound(name):
        return data if acting == name else None

    centre = case.centre
    version_initial = {"expected_version": case.version}
    checklist_data = data if acting in ("accept", "correction") else None
    context = {
        "case": case, "materials": rows, "notices": list(case.notices.all()), "corrections": corrections,
        "events": list(case.events.order_by("-at", "-id")), "actions": actions, "acting": acting,
        "action_errors": errors or [], "second_correction": front_rounds > 0,
        "deferred": deferred, "files": case_files(case),
        "to_supply": [row for row in rows if row.state in (CaseMaterial.State.MISSING, CaseMaterial.State.DEFECTIVE)],
        "supplied_ids": ff.checked_ids(data, "supplied", by_requirement) if acting == "supplied" else [],
        "supplemented_ids": ff.checked_ids(data, "supplemented", by_requirement) if acting == "supplement" else [],
    }
    if "accept" in actions or "correction" in actions:
        context["checklist"] = ff.Checklist([row.requirement for row in rows], checklist_data, current=by_requirement)
        context["correction_form"] = ff.CorrectionForm(data if acting == "correction" else None, initial=version_initial)
        if front_rounds:
            context["correction_approval"] = services.second_correction_approval(case)
    if "refuse" in actions:
        context["refuse_form"] = ff.RefuseForm(bound("refuse"), initial=version_initial)
    if "withdraw" in actions:
        context["withdraw_form"] = ff.WithdrawForm(bound("withdraw"), initial=version_initial)
    if "assign_agent" in actions:
        context["agent_form"] = ff.AssignAgentForm(bound("assign_agent"), centre=centre, initial=version_initial)
    if case.accepted_at and case.limit_days:
        clock = compute_clock(
            accepted_on=timezone.localdate(case.accepted_at), limit_days=case.limit_days,
            statutory_limit_days=case.statutory_limit_days, extension_days=case.extension_days,
            paused_days=case.paused_days, region=case.department.region,
        )
        context["due_explanation"] = clock.due.explain_lines()
    return context


@require_safe
@staff_page(*CASE_PAGE_ROLES)
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    return render(request, "cases/front/case.html", _case_context(request, case))


CASE_ACTIONS = ("accept", "correction", "supplied", "refuse", "withdraw", "assign_agent", "supplement", "upload")


@require_POST
@staff_page(*FRONT_ROLES)
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in CASE_ACTIONS:
        raise Http404(_("没有这个操作。"))
    case = _case_or_404(request, pk)
    data = request.POST
    errors: list[str] = []
    handler = ACTION_HANDLERS[action]
    try:
        done = handler(request, case, data, errors)
    except CaseConflict as err:
        errors[:] = [_("此办件已被他人处理，请刷新页面后再操作。")] + [m for m in err.messages]
        return _render_case(request, pk, action, data, errors, status=409)
    except CasePermissionDenied as err:
        return _render_case(request, pk, action, data, err.messages, status=403)
    except CaseActionError as err:
        return _render_case(request, pk, action, data, errors + err.messages, status=400)
    if done is None:
        return _render_case(request, pk, action, data, errors, status=400)
    messages.success(request, done)
    return redirect("cases:front_case", pk=case.pk)


def _render_case(request, pk, action, data, errors, *, status) -> HttpResponse:
    # The case as it is now (another clerk may have changed it), with the clerk's input kept.
    case = _case_or_404(request, pk)
    if status in (403, 409):
        # The panel the clerk used may be gone (the case moved on): say it at the top.
        context = _case_context(request, case, acting=action, data=data)
        context["top_errors"] = errors
        return render(request, "cases/front/case.html", context, status=status)
    context = _case_context(request, case, acting=action, data=data, errors=errors)
    if action in ("accept", "correction") and "checklist" in context:
        checklist = context["checklist"]
        checklist.is_valid()
        remaining = []
        for message in errors:
            before = len(checklist.errors)
            checklist.add_messages([message])
            if len(checklist.errors) > before:
                checklist.errors.pop()
                remaining.append(message)
        context["action_errors"] = remaining
    return render(request, "cases/front/case.html", context, status=status)


def _expected_version(data, errors: list[str]) -> int | None:
    form = ff.VersionForm(data)
    if not form.is_valid():
        errors.extend(form.errors.get("expected_version", []))
        return None
    return form.cleaned_data["expected_version"]


def _form_errors(form, errors: list[str]) -> None:
    for field_errors in form.errors.values():
        errors.extend(field_errors)


def _checklist_for(case: Case, data) -> ff.Checklist:
    rows = list(case.materials.select_related("requirement").order_by("requirement__order", "requirement_id"))
    return ff.Checklist([row.requirement for row in rows], data, current={r.requirement_id: r for r in rows})


def _do_accept(request, case, data, errors):
    version = _expected_version(data, errors)
    checklist = _checklist_for(case, data)
    if version is None or not checklist.is_valid():
        return None
    case = services.case_accept(actor=request.user, case=case, expected_version=version,
                                materials=checklist.materials_input())
    return _("已受理，承诺办结日 %(d)s。受理通知书已出具。") % {"d": _date(case.due_date)}


def _do_correction(request, case, data, errors):
    form = ff.CorrectionForm(data)
    checklist = _checklist_for(case, data)
    if not form.is_valid() or not checklist.is_valid():
        _form_errors(form, errors)
        return None
    services.case_request_correction(
        actor=request.user, case=case, expected_version=form.cleaned_data["expected_version"],
        materials=checklist.materials_input(), other_problems=form.problems(),
    )
    return _("已出具补正材料一次性告知书，请交申请人。")


def _do_supplied(request, case, data, errors):
    version = _expected_version(data, errors)
    waiting = case.materials.filter(state__in=[CaseMaterial.State.MISSING, CaseMaterial.State.DEFECTIVE])
    ids = ff.checked_ids(data, "supplied", waiting.values_list("requirement_id", flat=True))
    if not ids:
        errors.append(_("请勾选申请人这次补交的材料。"))
    if version is None or not ids:
        return None
    case = services.case_correction_supplied(
        actor=request.user, case=case, expected_version=version,
        materials={i: {"state": CaseMaterial.State.RECEIVED, "note": ""} for i in ids},
    )
    if case.status == S.RECEIVED:
        return _("补正材料已登记，请核对后受理。")
    return _("补正材料已登记，已恢复计时，承诺办结日 %(d)s。") % {"d": _date(case.due_date)}


def _do_refuse(request, case, data, errors):
    form = ff.RefuseForm(data)
    if not form.is_valid():
        return None
    services.case_refuse(actor=request.user, case=case, expected_version=form.cleaned_data["expected_version"],
                         reason=form.cleaned_data["reason"], legal_basis=form.cleaned_data["legal_basis"],
                         way_forward=form.cleaned_data["way_forward"])
    return _("已出具不予受理决定书，请交申请人。")


def _do_withdraw(request, case, data, errors):
    form = ff.WithdrawForm(data)
    if not form.is_valid():
        return None
    services.case_withdraw(actor=request.user, case=case, expected_version=form.cleaned_data["expected_version"],
                           reason=form.cleaned_data["reason"])
    return _("已登记申请人撤回。")


def _do_assign_agent(request, case, data, errors):
    form = ff.AssignAgentForm(data, centre=case.centre)
    if not form.is_valid():
        return None
    agent = form.cleaned_data["agent"]
    services.case_assign_agent(actor=request.user, case=case, agent=agent,
                               expected_version=form.cleaned_data["expected_version"])
    return _("已转帮办代办员 %(u)s，该办件已列入其台账。") % {"u": agent}


def _do_supplement(request, case, data, errors):
    version = _expected_version(data, errors)
    deferred = case.materials.filter(state=CaseMaterial.State.DEFERRED).values_list("requirement_id", flat=True)
    ids = ff.checked_ids(data, "supplemented", deferred)
    if not ids:
        errors.append(_("请勾选已补齐的容缺材料。"))
    if version is None or not ids:
        return None
    case = services.case_supplement_deferred(actor=request.user, case=case, requirement_ids=ids,
                                             expected_version=version)
    if case.delivery == Case.Delivery.WAITING:
        return _("容缺材料已补齐，结果可以出件。")
    return _("容缺材料补齐已登记。")


def _do_upload(request, case, data, errors):
    upload = request.FILES.get("file")
    if upload is None:
        errors.append(_("请选择要上传的材料扫描件。"))
        return None
    stored = case_file_add(actor=request.user, case=case, upload=upload, material=data.get("material") or None)
    return _("已上传「%(f)s」，办理部门可在线查看。") % {"f": stored.original_name}


ACTION_HANDLERS = {
    "upload": _do_upload,
    "accept": _do_accept, "correction": _do_correction, "supplied": _do_supplied, "refuse": _do_refuse,
    "withdraw": _do_withdraw, "assign_agent": _do_assign_agent, "supplement": _do_supplement,
}


# --- the agent's ledger ------------------------------------------------------------------------------


@require_safe
@staff_page(Role.Code.AGENT)
def agent_ledger(request: HttpRequest) -> HttpResponse:
    cases = Paginator(selectors.agent_ledger(request.user), LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/front/agent_ledger.html", {"cases": cases})
