"""Applicant accounts and the online service hall (网上办事大厅) in JSON, for the provincial app or a mini-program.

Sign in: `POST auth/code` sends an SMS code, `POST auth/verify` exchanges it for a bearer token
(`Authorization: Bearer ycp_…`, 30 days); `POST auth/password` does the same with a password.
Everything else runs as the token's account, through the same services as the pages: a case the
account may not see answers 404. Refusals answer `{"detail": …, "errors": {field: [messages]}}`
with 422 (429 with `retry_at` when a lock or a rate limit says "not now").
"""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.files import UploadedFile
from ninja.security import HttpBearer

from yichuang.cases.models import Case
from yichuang.catalog import selectors as catalog_selectors
from yichuang.catalog.models import ItemVersion

from . import selectors, services
from .acting import actor_for
from .auth import client_ip
from .forms import split_errors
from .models import Account
from .online import ONLINE_MIN_DEPTH, can_apply_online, case_page_facts, material_rows, online


class AccountBearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Account:
        found = services.account_token_resolve(token)
        if found is None:
            raise AuthenticationError(401, _("登录已失效或令牌无效：请重新用短信验证码或密码登录。"))
        request.portal_account = found.account
        request.portal_token = found
        return found.account


class NoToken(HttpBearer):
    """The last authentication tried: a request without any token gets a Chinese 401."""

    def __call__(self, request: HttpRequest):
        raise AuthenticationError(401, _("请先登录：在请求头中带上 Authorization: Bearer <令牌>（由 auth/verify 取得）。"))

    def authenticate(self, request, token):  # pragma: no cover - never reached
        return None


router = Router(tags=["portal"], auth=[AccountBearer(), NoToken()])


def _refusal(err: ValidationError) -> Status:
    fields, general = split_errors(err)
    messages = general + [m for msgs in fields.values() for m in msgs]
    body: dict[str, Any] = {"detail": messages[0] if messages else _("请求无法完成。"), "errors": fields}
    retry_at = getattr(err, "retry_at", None)
    if retry_at is not None:
        body["retry_at"] = retry_at.isoformat()
        return Status(429, body)
    return Status(422, body)


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}
    retry_at: str | None = None


ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


# --- sign in ----------------------------------------------------------------------------------


class CodeIn(Schema):
    mobile: str


class CodeOut(Schema):
    detail: str
    expires_in: int


class VerifyIn(Schema):
    mobile: str
    code: str


class PasswordIn(Schema):
    mobile: str
    password: str


class AccountOut(Schema):
    id: int
    mobile: str
    real_name: str
    id_number: str  # masked
    verified: bool
    companies: list[dict]


class TokenOut(Schema):
    token: str
    expires_at: datetime
    registered: bool
    account: AccountOut


def _account_out(account: Account) -> dict:
    return {
        "id": account.pk, "mobile": account.masked_mobile, "real_name": account.real_name,
        "id_number": account.masked_id, "verified": account.is_verified,
        "companies": [{"applicant_id": a.company_id, "name": a.company.name, "uscc": a.company.uscc, "role": a.role}
                      for a in selectors.companies_for_account(account)],
    }


def _token(account: Account, registered: bool) -> dict:
    token, clear = services.account_token_issue(account=account)
    return {"token": clear, "expires_at": token.expires_at, "registered": registered, "account": _account_out(account)}


@router.post("auth/code", auth=None, response={200: CodeOut, 422: ErrorOut, 429: ErrorOut},
             summary="发送短信验证码")
def auth_code(request, payload: CodeIn):
    try:
        services.sms_code_request(mobile=payload.mobile, ip=client_ip(request))
    except ValidationError as err:
        return _refusal(err)
    return Status(200, {"detail": _("验证码已发送，5 分钟内有效。"), "expires_in": services.CODE_TTL_MINUTES * 60})


@router.post("auth/verify", auth=None, response={200: TokenOut, 422: ErrorOut, 429: ErrorOut},
             summary="验证码登录（未注册的手机号自动注册）")
def auth_verify(request, payload: VerifyIn):
    try:
        account, created = services.account_sign_in_code(mobile=payload.mobile, code=payload.code,
                                                         ip=client_ip(request))
    except ValidationError as err:
        return _refusal(err)
    return Status(200, _token(account, created))


@router.post("auth/password", auth=None, response={200: TokenOut, 422: ErrorOut, 429: ErrorOut},
             summary="密码登录")
def auth_password(request, payload: PasswordIn):
    try:
        account = services.account_sign_in_password(mobile=payload.mobile, password=payload.password,
                                                     ip=client_ip(request))
    except ValidationError as err:
        return _refusal(err)
    return Status(200, _token(account, False))


@router.post("auth/logout", response={204: None, 401: ErrorOut}, summary="退出（吊销本令牌）")
def auth_logout(request):
    services.account_token_revoke(token=request.portal_token)
    return Status(204, None)


@router.get("me", response={200: AccountOut, 401: ErrorOut}, summary="我的账号")
def me(request):
    return Status(200, _account_out(request.portal_account))


class RealNameIn(Schema):
    name: str
    id_number: str


@router.post("me/realname", response={200: AccountOut, **ERRORS}, summary="实名认证")
def me_realname(request, payload: RealNameIn):
    try:
        account = services.account_verify_person(account=request.portal_account, name=payload.name,
                                                 id_number=payload.id_number)
    except ValidationError as err:
        return _refusal(err)
    return Status(200, _account_out(account))


# --- items --------------------------------------------------------------------------------------


class ItemOut(Schema):
    code: str
    name: str
    department: str
    visits_required: int
    online_depth: int
    can_apply_online: bool
    promised_limit: int
    statutory_limit: int


def _item_out(version: ItemVersion) -> dict:
    return {
        "code": version.item.implementation_code, "name": version.name, "department": version.department.name,
        "visits_required": version.visits_required, "online_depth": version.online_depth,
        "can_apply_online": can_apply_online(version), "promised_limit": version.promised_limit,
        "statutory_limit": version.statutory_limit,
    }


@router.get("items", auth=None, response=list[ItemOut], summary="可在线办理的事项")
def items(request, q: str = "", online_only: bool = True):
    found = catalog_selectors.search_items(q[:100])
    if online_only:
        found = found.filter(status=ItemVersion.Status.PUBLISHED, online_depth__gte=ONLINE_MIN_DEPTH)
    return [_item_out(v) for v in found[:100]]


class GuideOut(ItemOut):
    conditions: str
    legal_basis: str
    place: str
    hours: str
    materials: list[dict]


def _current(code: str) -> ItemVersion | None:
    return (ItemVersion.objects.select_related("item", "department")
            .filter(item__implementation_code=code, item__current=F("pk"),
                    status__in=catalog_selectors.LISTED_STATUSES).first())


@router.get("items/{code}", auth=None, response={200: GuideOut, 404: ErrorOut}, summary="办事指南")
def item_guide(request, code: str):
    guide = catalog_selectors.guide_for(code)
    if guide is None or guide.abolished:
        return Status(404, {"detail": _("未找到该事项。")})
    version = guide.version
    return Status(200, {
        **_item_out(version), "conditions": version.conditions, "legal_basis": version.legal_basis,
        "place": version.place, "hours": version.hours,
        "materials": [{"id": m.pk, "code": m.code, "name": m.name, "necessity": m.necessity, "form": m.form,
                       "notes": m.notes} for m in guide.materials],
    })


@router.get("items/{code}/form", auth=None, response={200: list[dict], 404: ErrorOut}, summary="申请表结构")
def item_form(request, code: str):
    from yichuang.cases.form_schema import form_schema_json

    version = _current(code)
    if version is None:
        return Status(404, {"detail": _("未找到该事项。")})
    return Status(200, form_schema_json(version))


# --- cases ------------------------------------------------------------------------------------


class CaseRowOut(Schema):
    number: str
    item: str
    item_code: str
    applicant: str
    applicant_id_number: str  # masked
    status: str
    status_label: str
    submitted_at: datetime | None
    prereview_due_date: date | None
    due_date: date | None
    visits: int


class CaseOut(CaseRowOut):
    form_data: dict
    current_step: str
    step_due: date | None
    can_withdraw: bool
    can_supplement: bool
    correction: list[dict]
    materials: list[dict]
    notices: list[dict]
    decision_approved: bool | None
    decision_reason: str
    acting_as: str


def _row(case: Case) -> dict:
    return {
        "number": case.number, "item": case.item_version.name, "item_code": case.item_version.item.implementation_code,
        "applicant": case.applicant.name, "applicant_id_number": case.applicant.masked_id, "status": case.status,
        "status_label": case.get_status_display(), "submitted_at": case.submitted_at,
        "prereview_due_date": case.prereview_due_date, "due_date": case.due_date, "visits": case.visits,
    }


def _principal(request) -> services.Principal:
    return services.Principal(account=request.portal_account)


def _detail(request, case: Case) -> dict:
    case.refresh_from_db()
    facts = case_page_facts(case)
    rows = material_rows(case, with_candidates=case.status in (Case.Status.DRAFT, Case.Status.PREREVIEW_RETURNED,
                                                                Case.Status.CORRECTION))
    return {
        **_row(case), "form_data": case.form_data, "current_step": str(facts["current_step"]),
        "step_due": facts["step_due"], "can_withdraw": facts["can_withdraw"],
        "can_supplement": facts["can_supplement"],
        "correction": facts["correction"].items if facts["correction"] else [],
        "materials": [{
            "material": r["material"].pk if r["material"] else None, "requirement": r["requirement"].pk,
            "name": r["requirement"].name, "necessity": r["requirement"].necessity,
            "state": r["material"].state if r["material"] else "", "note": r["material"].note if r["material"] else "",
            "files": [{"name": f.original_name, "size": f.size, "uploaded_at": f.uploaded_at.isoformat()}
                      for f in r["files"]],
            "reuse": [{"source": c.source, "label": c.label} for c in r["candidates"]],
        } for r in rows],
        "notices": [{"kind": n.kind, "label": n.get_kind_display(), "number": n.number,
                     "issued_at": n.issued_at.isoformat()} for n in selectors.case_notices(case)],
        "decision_approved": case.decision_approved, "decision_reason": case.decision_reason,
        "acting_as": actor_for(_principal(request), case.applicant).label,
    }


def _case(request, number: str) -> Case | None:
    return selectors.case_for_principal(_principal(request), number)


def _not_found():
    return Status(404, {"detail": _("未找到该办件。")})


@router.get("cases", response={200: list[CaseRowOut], 401: ErrorOut}, summary="我的办件（含草稿）")
def my_cases(request, status: str = ""):
    cases = selectors.cases_for_account(request.portal_account)
    if status:
        cases = cases.filter(status=status)
    return Status(200, [_row(c) for c in cases[:200]])


class DraftIn(Schema):
    item_code: str
    applicant_id: int | None = None
    contact_phone: str = ""


@router.post("cases", response={201: CaseOut, **ERRORS}, summary="新建网上申请（草稿）")
def draft_create(request, payload: DraftIn):
    account = request.portal_account
    if not account.is_verified:
        return Status(422, {"detail": _("请先完成实名认证（姓名和身份证号码）。"), "errors": {}})
    version = _current(payload.item_code)
    if version is None or not can_apply_online(version):
        return Status(404, {"detail": _("该事项暂不支持在线办理。")})
    choices = selectors.applicant_choices(account)
    applicant = next((a for a in choices if a.pk == (payload.applicant_id or account.applicant_id)), None)
    if applicant is None:
        return Status(422, {"detail": _("请选择申请人。"), "errors": {"applicant_id": [_("您不能以该申请人的名义申请。")]}})
    try:
        case = online().case_draft_create(acted_by=actor_for(_principal(request), applicant), applicant=applicant,
                                          item_version=version, contact_phone=payload.contact_phone or account.mobile)
    except ValidationError as err:
        return _refusal(err)
    return Status(201, _detail(request, case))


@router.get("cases/{number}", response={200: CaseOut, 401: ErrorOut, 404: ErrorOut}, summary="办件详情")
def case_get(request, number: str):
    case = _case(request, number)
    if case is None:
        return _not_found()
    return Status(200, _detail(request, case))


class TimelineOut(Schema):
    at: datetime
    text: str
    detail: str
    actor: str
    action: str


@router.get("cases/{number}/events", response={200: list[TimelineOut], 401: ErrorOut, 404: ErrorOut},
            summary="办件进度")
def case_events(request, number: str):
    from yichuang.cases.selectors_online import case_timeline

    case = _case(request, number)
    if case is None:
        return _not_found()
    return Status(200, [{"at": e.at, "text": e.text, "detail": e.detail, "actor": e.actor_label, "action": e.action}
                 for e in case_timeline(case)])


class FormIn(Schema):
    form_data: dict


def _act(request, number: str, call):
    case = _case(request, number)
    if case is None:
        return _not_found()
    try:
        case = call(case, actor_for(_principal(request), case.applicant)) or case
    except ValidationError as err:
        return _refusal(err)
    return Status(200, _detail(request, case))


@router.put("cases/{number}/form", response={200: CaseOut, **ERRORS}, summary="保存申请表（草稿）")
def case_form(request, number: str, payload: FormIn):
    return _act(request, number, lambda case, actor: online().case_draft_update(
        acted_by=actor, case=case, form_data=payload.form_data))


@router.post("cases/{number}/files", response={200: CaseOut, **ERRORS}, summary="上传材料（multipart：material, file）")
def case_file(request, number: str, material: Form[int], file: File[UploadedFile]):
    def call(case, actor):
        online().case_online_file_add(acted_by=actor, case=case, material_id=material, upload=file)

    return _act(request, number, call)


class ReuseIn(Schema):
    material: int
    source: str


@router.post("cases/{number}/reuse", response={200: CaseOut, **ERRORS}, summary="复用证照或以前的材料")
def case_reuse(request, number: str, payload: ReuseIn):
    def call(case, actor):
        online().case_material_reuse(acted_by=actor, case=case, material_id=payload.material, source=payload.source)

    return _act(request, number, call)


@router.post("cases/{number}/submit", response={200: CaseOut, **ERRORS}, summary="提交（待预审）")
def case_submit(request, number: str):
    return _act(request, number, lambda case, actor: online().case_submit_online(acted_by=actor, case=case))


class NoteIn(Schema):
    note: str = ""


@router.post("cases/{number}/supplement", response={200: CaseOut, **ERRORS}, summary="提交补正")
def case_supplement(request, number: str, payload: NoteIn):
    return _act(request, number, lambda case, actor: online().case_supplement_online(
        acted_by=actor, case=case, note=payload.note))


class ReasonIn(Schema):
    reason: str


@router.post("cases/{number}/withdraw", response={200: CaseOut, **ERRORS}, summary="撤回申请")
def case_withdraw(request, number: str, payload: ReasonIn):
    return _act(request, number, lambda case, actor: online().case_withdraw_online(
        acted_by=actor, case=case, reason=payload.reason))


# --- 我的证照 ----------------------------------------------------------------------------------


class LicenceOut(Schema):
    identifier: str
    title: str
    holder_name: str
    holder_code: str
    issuer_name: str
    valid_from: date
    valid_to: date | None
    status: str
    status_label: str
    case_number: str
    pdf_url: str
    verify_url: str


def _licence_out(licence) -> dict:
    from django.urls import reverse

    return {
        "identifier": licence.identifier, "title": licence.title, "holder_name": licence.holder_name,
        "holder_code": licence.holder_code, "issuer_name": licence.issuer_name, "valid_from": licence.valid_from,
        "valid_to": licence.valid_to, "status": licence.shown_status, "status_label": licence.shown_status_label,
        "case_number": licence.case.number if licence.case_id else "",
        "pdf_url": f"/api/v1/portal/licences/{licence.identifier}/pdf",
        "verify_url": reverse("licences:verify_result", args=[licence.identifier]),
    }


@router.get("licences", response={200: list[LicenceOut], 401: ErrorOut}, summary="我的证照")
def my_licences(request):
    return [_licence_out(licence) for licence in selectors.licences_for_account(request.portal_account)]


@router.get("licences/{identifier}/pdf", response={200: None, 401: ErrorOut, 404: ErrorOut},
            summary="下载电子证照（PDF，带电子印章与核验二维码）")
def my_licence_pdf(request, identifier: str):
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    from yichuang.licences.pdf import render_licence_pdf

    licence = selectors.licence_for_account(request.portal_account, identifier)
    if licence is None:
        return Status(404, {"detail": _("未找到该电子证照。")})
    response = HttpResponse(render_licence_pdf(licence), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"{licence.title}-{licence.serial}-{licence.version:03d}.pdf")
    return response


# --- 一件事 online -------------------------------------------------------------------------------


@router.post("bundles/{code}/apply", response={201: CaseOut, **ERRORS},
             summary="在线申请一件事（multipart：applicant_id, contact_phone, form=JSON, m_<材料键>=文件，可多个）")
def bundle_apply(request, code: str):
    """One form (`form`, a JSON object keyed by the bundle's form keys) and the merged checklist's files
    (`m_<BundleMaterial.key>`); the parent case is created in 待预审 (H6c)."""
    import json

    from yichuang.cases.services_parallel_online import bundle_submit_online
    from yichuang.catalog.models import Bundle
    from yichuang.catalog.selectors_bundles import bundle_checklist

    account = request.portal_account
    if not account.is_verified:
        return Status(422, {"detail": _("请先完成实名认证（姓名和身份证号码）。"), "errors": {}})
    bundle = Bundle.objects.filter(code=code, status=Bundle.Status.PUBLISHED).first()
    if bundle is None:
        return Status(404, {"detail": _("未找到该一件事，或暂停办理。")})
    try:
        form_data = json.loads(request.POST.get("form") or "{}")
        if not isinstance(form_data, dict):
            raise ValueError
        wanted = int(request.POST.get("applicant_id") or account.applicant_id or 0)
    except ValueError:
        return Status(422, {"detail": _("form 应为 JSON 对象，applicant_id 应为整数。"), "errors": {}})
    applicant = next((a for a in selectors.applicant_choices(account) if a.pk == wanted), None)
    if applicant is None:
        return Status(422, {"detail": _("请选择申请人。"), "errors": {"applicant_id": [_("您不能以该申请人的名义申请。")]}})
    uploads = {m.key: request.FILES.getlist(f"m_{m.key}") for m in bundle_checklist(bundle)}
    try:
        parent = bundle_submit_online(acted_by=actor_for(_principal(request), applicant), applicant=applicant,
                                      bundle=bundle, form_data=form_data, uploads=uploads,
                                      contact_phone=request.POST.get("contact_phone") or account.mobile)
    except ValidationError as err:
        return _refusal(err)
    return Status(201, _detail(request, parent))
