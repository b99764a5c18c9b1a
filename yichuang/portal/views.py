"""Pages of the online service hall (网上办事大厅) for applicants and their agents.

Each view parses the request, calls one service or selector, and renders. Case rules live in
`yichuang.cases.services_online`; account rules in `portal.services`.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from yichuang.cases.models import Case
from yichuang.catalog.models import ItemVersion

from . import selectors, services
from .acting import actor_for
from .auth import (
    account_required,
    client_ip,
    current_account,
    current_principal,
    portal_sign_in,
    portal_sign_out,
    principal_required,
    safe_next,
    verified_required,
)
from .errors import PortalError
from .forms import form_data_from_post, rendered_fields, split_errors
from .models import CaseAuthorisation, CompanyAccess
from .online import (
    ONLINE_MIN_DEPTH,
    can_apply_online,
    case_page_facts,
    material_rows,
    online,
)

EDITABLE = (Case.Status.DRAFT, Case.Status.PREREVIEW_RETURNED)


def _render(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    """Render with who is signed in to the portal (for the portal's bar)."""
    principal = current_principal(request)
    context = {
        "portal_account": principal.account if principal else None,
        "portal_staff_agent": principal.staff if principal else None,
        **context,
    }
    return render(request, template, context, status=status)


def _flash_errors(request: HttpRequest, err: ValidationError) -> None:
    fields, general = split_errors(err)
    for text in general + [m for msgs in fields.values() for m in msgs]:
        messages.error(request, text)


# --- home, sign in, register ------------------------------------------------------------------


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    principal = current_principal(request)
    context = {"principal": principal, "account": current_account(request)}
    if principal is not None and principal.account is not None:
        cases = selectors.cases_for_account(principal.account)
        context.update(
            recent=list(cases.exclude(status=Case.Status.DRAFT)[:5]),
            drafts=selectors.drafts_for_account(principal.account).count(),
            companies=selectors.companies_for_account(principal.account),
        )
    elif principal is not None:
        context["agent_cases"] = list(selectors.cases_for_staff_agent(principal.staff)[:20])
    context["online_items"] = list(
        ItemVersion.objects.filter(item__current=F("pk"), status=ItemVersion.Status.PUBLISHED,
                                   online_depth__gte=ONLINE_MIN_DEPTH)
        .select_related("item", "department").order_by("visits_required", "name")[:12]
    )
    return _render(request, "portal/home.html", context)


def _login_context(request, **extra):
    return {"next": safe_next(request, ""), "mobile": request.GET.get("mobile", ""), "errors": {}, "general": [],
            **extra}


@never_cache
def login(request: HttpRequest) -> HttpResponse:
    mode = request.POST.get("mode") or request.GET.get("mode") or "code"
    if request.method == "POST":
        mobile = request.POST.get("mobile", "")
        try:
            if mode == "password":
                account = services.account_sign_in_password(
                    mobile=mobile, password=request.POST.get("password", ""), ip=client_ip(request))
                created = False
            else:
                account, created = services.account_sign_in_code(
                    mobile=mobile, code=request.POST.get("code", ""), ip=client_ip(request))
        except PortalError as err:
            fields, general = split_errors(err)
            return _render(request, "portal/login.html",
                          _login_context(request, mode=mode, mobile=mobile, errors=fields, general=general), status=400)
        portal_sign_in(request, account)
        if created:
            messages.success(request, _("注册成功。请完成实名认证后在线办理。"))
            return redirect(reverse("portal:realname") + "?" + urlencode({"next": safe_next(request, "")}))
        return redirect(safe_next(request, reverse("portal:home")))
    return _render(request, "portal/login.html", _login_context(request, mode=mode))


@never_cache
def register(request: HttpRequest) -> HttpResponse:
    """Register with the mobile number and its code; a password may be set at once (optional)."""
    context = _login_context(request, mode="register")
    if request.method == "POST":
        mobile = request.POST.get("mobile", "")
        password = request.POST.get("password", "")
        context["mobile"] = mobile
        try:
            if password:
                # Check the password before the code is spent on a registration that will not finish.
                problems = services._password_problems(password)
                if problems:
                    raise PortalError({"password": problems})
            account, created = services.account_sign_in_code(
                mobile=mobile, code=request.POST.get("code", ""), ip=client_ip(request))
            if password:
                account = services.account_password_set(account=account, password=password)
        except PortalError as err:
            context["errors"], context["general"] = split_errors(err)
            return _render(request, "portal/register.html", context, status=400)
        portal_sign_in(request, account)
        if created:
            messages.success(request, _("注册成功。请完成实名认证后在线办理。"))
        else:
            messages.info(request, _("该手机号已注册，已为您登录。"))
        return redirect(reverse("portal:realname") + "?" + urlencode({"next": safe_next(request, "")}))
    return _render(request, "portal/register.html", context)


@require_POST
def send_code(request: HttpRequest) -> HttpResponse:
    """Send a code; the page comes back with the number filled in and what happened."""
    mobile = request.POST.get("mobile", "").strip()
    back = request.POST.get("back") == "register" and "portal:register" or "portal:login"
    try:
        services.sms_code_request(mobile=mobile, ip=client_ip(request))
        messages.success(request, _("验证码已发送至 %(m)s，5 分钟内有效。") % {"m": mobile})
    except PortalError as err:
        _flash_errors(request, err)
    query = {"mobile": mobile, "sent": "1"}
    if request.POST.get("next"):
        query["next"] = request.POST["next"]
    return redirect(reverse(back) + "?" + urlencode(query))


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    portal_sign_out(request)
    messages.info(request, _("您已退出网上办事大厅。"))
    return redirect("portal:home")


# --- my account: real name, password, companies ------------------------------------------------


@account_required
def profile(request: HttpRequest) -> HttpResponse:
    account = current_account(request)
    return _render(request, "portal/profile.html", {
        "account": account, "companies": selectors.companies_for_account(account),
    })


@account_required
@never_cache
def realname(request: HttpRequest) -> HttpResponse:
    account = current_account(request)
    context = {"account": account, "errors": {}, "general": [], "next": safe_next(request, ""), "values": {}}
    if request.method == "POST" and not account.is_verified:
        context["values"] = {"name": request.POST.get("name", "")}
        try:
            services.account_verify_person(account=account, name=request.POST.get("name", ""),
                                           id_number=request.POST.get("id_number", ""))
        except PortalError as err:
            context["errors"], context["general"] = split_errors(err)
            return _render(request, "portal/realname.html", context, status=400)
        messages.success(request, _("实名认证已完成。"))
        return redirect(safe_next(request, reverse("portal:home")))
    return _render(request, "portal/realname.html", context)


@require_POST
@account_required
def password_set(request: HttpRequest) -> HttpResponse:
    account = current_account(request)
    try:
        account = services.account_password_set(account=account, password=request.POST.get("password", ""))
    except PortalError as err:
        _flash_errors(request, err)
        return redirect("portal:profile")
    portal_sign_in(request, account)  # this session stays; the others end
    messages.success(request, _("密码已设置，可用手机号和密码登录。"))
    return redirect("portal:profile")


@verified_required
@never_cache
def company_new(request: HttpRequest) -> HttpResponse:
    account = current_account(request)
    context = {"errors": {}, "general": [], "values": {}}
    if request.method == "POST":
        context["values"] = request.POST
        try:
            access = services.company_register(
                account=account, name=request.POST.get("name", ""), uscc=request.POST.get("uscc", ""),
                legal_representative=request.POST.get("legal_representative", ""))
        except PortalError as err:
            context["errors"], context["general"] = split_errors(err)
            return _render(request, "portal/company_new.html", context, status=400)
        messages.success(request, _("单位「%(n)s」已登记，您是该单位的管理人。") % {"n": access.company.name})
        return redirect("portal:company", company_id=access.company_id)
    return _render(request, "portal/company_new.html", context)


@verified_required
@never_cache
def company(request: HttpRequest, company_id: int) -> HttpResponse:
    account = current_account(request)
    applicant = selectors.managed_company(account, company_id)
    if applicant is None:
        raise Http404
    errors: dict = {}
    if request.method == "POST":
        try:
            access = services.company_operator_add(account=account, company=applicant,
                                                   mobile=request.POST.get("mobile", ""))
            messages.success(request, _("已授权 %(n)s 为本单位经办人。") % {"n": access.account.real_name})
            return redirect("portal:company", company_id=company_id)
        except PortalError as err:
            errors, general = split_errors(err)
            for text in general:
                messages.error(request, text)
    operators = selectors.company_operators(applicant)
    is_manager = any(a.account_id == account.pk and a.role == CompanyAccess.Role.MANAGER and a.active
                     for a in operators)
    return _render(request, "portal/company.html", {
        "company": applicant, "operators": operators, "is_manager": is_manager, "errors": errors,
    }, status=400 if errors else 200)


@require_POST
@verified_required
def operator_revoke(request: HttpRequest, company_id: int, access_id: int) -> HttpResponse:
    account = current_account(request)
    access = CompanyAccess.objects.filter(pk=access_id, company_id=company_id).first()
    if access is None or selectors.managed_company(account, company_id) is None:
        raise Http404
    try:
        services.company_operator_revoke(account=account, access=access)
        messages.success(request, _("已撤销该经办人的授权。"))
    except PortalError as err:
        _flash_errors(request, err)
    return redirect("portal:company", company_id=company_id)


# --- apply online ------------------------------------------------------------------------------


def _online_version(code: str) -> ItemVersion:
    version = (
        ItemVersion.objects.select_related("item", "department")
        .filter(item__implementation_code=code, item__current=F("pk")).first()
    )
    if version is None or not can_apply_online(version):
        raise Http404(_("该事项暂不支持在线办理。"))
    return version


@verified_required
@never_cache
def apply_start(request: HttpRequest, code: str) -> HttpResponse:
    """Choose in whose name to apply and the contact number; a draft is created and opened."""
    account = current_account(request)
    version = _online_version(code)
    choices = selectors.applicant_choices(account)
    context = {"version": version, "choices": choices, "errors": {}, "general": [],
               "phone": request.POST.get("contact_phone", account.mobile),
               "chosen": request.POST.get("applicant", str(choices[0].pk) if choices else "")}
    if request.method == "POST":
        applicant = next((a for a in choices if str(a.pk) == request.POST.get("applicant")), None)
        if applicant is None:
            context["errors"] = {"applicant": [_("请选择申请人。")]}
            return _render(request, "portal/apply_start.html", context, status=400)
        try:
            case = online().case_draft_create(
                acted_by=actor_for(services.Principal(account=account), applicant), applicant=applicant,
                item_version=version, contact_phone=request.POST.get("contact_phone", "").strip())
        except ValidationError as err:
            context["errors"], context["general"] = split_errors(err)
            return _render(request, "portal/apply_start.html", context, status=400)
        messages.success(request, _("已创建草稿，可随时保存，之后在「我的草稿」中继续。"))
        return redirect("portal:application", pk=case.pk)
    return _render(request, "portal/apply_start.html", context)


def _case_by_pk(request: HttpRequest, pk: int) -> Case:
    case = Case.objects.filter(pk=pk).values_list("number", flat=True).first()
    found = selectors.case_for_principal(request.principal, case) if case else None
    if found is None:
        raise Http404(_("未找到该申请。"))
    return found


def _application_context(request, case: Case, *, values=None, errors=None, general=None):
    fields = list(case.item_version.form_fields.order_by("order", "id"))
    errors = dict(errors or {})
    keys = {f.key for f in fields}
    # Messages about neither a form field nor a material row are said at the top of the page.
    general = list(general or []) + [m for key, msgs in errors.items()
                                     if key not in keys and not key.startswith("material:") for m in msgs]
    values = case.form_data if values is None else values
    principal = request.principal
    return {
        "case": case, "version": case.item_version,
        "fields": rendered_fields(fields, values or {}, errors),
        "general": general,
        "materials": material_rows(case, with_candidates=case.status in EDITABLE, errors=errors),
        "editable": case.status in EDITABLE,
        "acting_as": actor_for(principal, case.applicant).label,
        "returned": case.status == Case.Status.PREREVIEW_RETURNED,
        "facts": case_page_facts(case),
    }


@principal_required
@never_cache
def application(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft (or a returned application): the form and the material checklist, save or submit."""
    case = _case_by_pk(request, pk)
    if case.status not in EDITABLE:
        return redirect("portal:case_detail", number=case.number)
    if request.method == "POST":
        fields = list(case.item_version.form_fields.order_by("order", "id"))
        data = form_data_from_post(fields, request.POST)
        acted_by = actor_for(request.principal, case.applicant)
        try:
            case = online().case_draft_update(acted_by=acted_by, case=case, form_data=data)
            if request.POST.get("action") == "submit":
                case = online().case_submit_online(acted_by=acted_by, case=case)
                messages.success(request, _("已提交，办件编号 %(n)s。部门将在预审时限内完成预审，结果以短信告知。")
                                 % {"n": case.number})
                return redirect("portal:case_detail", number=case.number)
        except ValidationError as err:
            fields_err, general = split_errors(err)
            case.refresh_from_db()
            return _render(request, "portal/application.html",
                          _application_context(request, case, values=data, errors=fields_err, general=general),
                          status=400)
        messages.success(request, _("草稿已保存。"))
        return redirect("portal:application", pk=case.pk)
    return _render(request, "portal/application.html", _application_context(request, case))


@require_POST
@principal_required
def application_upload(request: HttpRequest, pk: int) -> HttpResponse:
    return _upload(request, _case_by_pk(request, pk))


def _upload(request: HttpRequest, case: Case) -> HttpResponse:
    upload = request.FILES.get("file")
    material_id = request.POST.get("material", "")
    if upload is None or not material_id.isdigit():
        messages.error(request, _("请选择要上传的文件。"))
    else:
        try:
            online().case_online_file_add(acted_by=actor_for(request.principal, case.applicant), case=case,
                                          material_id=int(material_id), upload=upload)
            messages.success(request, _("文件「%(n)s」已上传。") % {"n": upload.name})
        except ValidationError as err:
            _flash_errors(request, err)
    return redirect(_back_to(request, case))


@require_POST
@principal_required
def application_reuse(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_by_pk(request, pk)
    material_id = request.POST.get("material", "")
    source = request.POST.get("source", "")
    if not material_id.isdigit() or not source:
        messages.error(request, _("请选择要复用的材料。"))
    else:
        try:
            online().case_material_reuse(acted_by=actor_for(request.principal, case.applicant), case=case,
                                         material_id=int(material_id), source=source)
            messages.success(request, _("已复用材料。"))
        except ValidationError as err:
            _flash_errors(request, err)
    return redirect(_back_to(request, case))


def _back_to(request: HttpRequest, case: Case) -> str:
    if case.status in EDITABLE:
        return reverse("portal:application", kwargs={"pk": case.pk}) + "#materials"
    return reverse("portal:case_detail", kwargs={"number": case.number}) + "#supplement"


@account_required
def drafts(request: HttpRequest) -> HttpResponse:
    account = current_account(request)
    return _render(request, "portal/drafts.html", {"drafts": list(selectors.drafts_for_account(account))})


# --- my cases ----------------------------------------------------------------------------------


@principal_required
def cases(request: HttpRequest) -> HttpResponse:
    principal = request.principal
    if principal.account is not None:
        rows = selectors.cases_for_account(principal.account).exclude(status=Case.Status.DRAFT)
    else:
        rows = selectors.cases_for_staff_agent(principal.staff)
    return _render(request, "portal/cases.html", {"cases": list(rows[:200]), "principal": principal})


def _rating_url(case: Case) -> str:
    try:
        return reverse("feedback:rate_online", kwargs={"number": case.number})
    except NoReverseMatch:
        return ""


@principal_required
@never_cache
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    principal = request.principal
    case = selectors.case_for_principal(principal, number)
    if case is None:
        raise Http404(_("未找到该办件。"))
    if case.status == Case.Status.DRAFT:
        return redirect("portal:application", pk=case.pk)
    from yichuang.cases.selectors_online import case_timeline

    applicant_side = selectors.is_applicant_side(principal.account, case)
    facts = case_page_facts(case)
    return _render(request, "portal/case_detail.html", {
        "case": case, "facts": facts, "timeline": case_timeline(case),
        "notices": selectors.case_notices(case),
        "materials": material_rows(case, with_candidates=facts["can_supplement"]),
        "applicant_side": applicant_side,
        "authorisations": selectors.case_authorisations(case) if applicant_side else [],
        "acting_as": actor_for(principal, case.applicant).label,
        "rating_url": _rating_url(case) if facts["done"] else "",
    })


def _case_for_action(request: HttpRequest, number: str) -> Case:
    case = selectors.case_for_principal(request.principal, number)
    if case is None:
        raise Http404(_("未找到该办件。"))
    return case


@require_POST
@principal_required
def case_withdraw(request: HttpRequest, number: str) -> HttpResponse:
    case = _case_for_action(request, number)
    try:
        online().case_withdraw_online(acted_by=actor_for(request.principal, case.applicant), case=case,
                                      reason=request.POST.get("reason", "").strip())
        messages.success(request, _("申请已撤回。"))
    except ValidationError as err:
        _flash_errors(request, err)
    return redirect("portal:case_detail", number=case.number)


@require_POST
@principal_required
def case_supplement(request: HttpRequest, number: str) -> HttpResponse:
    case = _case_for_action(request, number)
    try:
        online().case_supplement_online(acted_by=actor_for(request.principal, case.applicant), case=case,
                                        note=request.POST.get("note", "").strip())
        messages.success(request, _("补正材料已提交，部门将继续办理。"))
    except ValidationError as err:
        _flash_errors(request, err)
    return redirect("portal:case_detail", number=case.number)


@require_POST
@principal_required
def case_upload(request: HttpRequest, number: str) -> HttpResponse:
    return _upload(request, _case_for_action(request, number))


@require_POST
@account_required
def agent_add(request: HttpRequest, number: str) -> HttpResponse:
    account = current_account(request)
    case = selectors.case_for_principal(services.Principal(account=account), number)
    if case is None:
        raise Http404
    try:
        grant = services.case_agent_authorise(
            account=account, case=case, staff_username=request.POST.get("staff_username", ""),
            agent_mobile=request.POST.get("agent_mobile", ""), note=request.POST.get("note", ""))
        messages.success(request, _("已委托 %(a)s 代办本件。") % {"a": grant.agent_label})
    except (PortalError, ValidationError) as err:
        _flash_errors(request, err)
    return redirect(reverse("portal:case_detail", kwargs={"number": case.number}) + "#agents")


@require_POST
@account_required
def agent_revoke(request: HttpRequest, number: str, grant_id: int) -> HttpResponse:
    account = current_account(request)
    case = selectors.case_for_principal(services.Principal(account=account), number)
    grant = CaseAuthorisation.objects.filter(pk=grant_id, case=case).first() if case else None
    if grant is None:
        raise Http404
    try:
        services.case_agent_revoke(account=account, authorisation=grant)
        messages.success(request, _("已撤销委托。"))
    except PortalError as err:
        _flash_errors(request, err)
    return redirect(reverse("portal:case_detail", kwargs={"number": case.number}) + "#agents")


@require_safe
@never_cache
@principal_required
def notice_pdf(request: HttpRequest, number: str, notice_id: int) -> HttpResponse:
    from yichuang.cases.notice_pdf import notice_filename, render_notice

    case = selectors.case_for_principal(request.principal, number)
    notice = case.notices.filter(pk=notice_id).first() if case is not None else None
    if notice is None:
        raise Http404(_("未找到该文书。"))
    response = HttpResponse(render_notice(notice), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=notice_filename(notice))
    return response
