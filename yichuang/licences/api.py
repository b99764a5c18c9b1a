"""The e-licence API (电子证照接口), mounted at /api/v1/licences/.

- `GET /verify/{identifier}` is public (rate-limited per address): status, public fields and
  the result of the signature check, the same as the verification page.
- Everything else needs a staff account: the browser's session (CSRF checked on writes) or a
  token (`Authorization: Bearer <token>`, see `yichuang apitoken`). A department's own approval
  system issues with `POST /issue` and a case number, queries a holder's licences, and changes
  a licence's status.

Errors answer `{"detail": ..., "errors": [{"field", "message", "code"}]}`: 403 for a role that may
not act, 404 for a licence or case that is not there (or not in the caller's area), 422 for bad
input or a refusal (an expired seal, a revoked licence …), 429 when verifying too fast.
"""

import datetime
import functools
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.security import SessionAuth

from yichuang.cases.selectors import case_by_number_for_user
from yichuang.core.middleware import client_ip
from yichuang.core.ratelimit import rate_hit
from yichuang.org.tokens import TokenAuth

from . import selectors, services
from .errors import LicencePermissionDenied
from .models import Licence
from .pdf import render_licence_pdf, verify_url
from .views import VERIFY_LIMIT


class LicencesStaffSessionAuth(SessionAuth):
    """The browser's login session (CSRF checked on writes), for staff accounts only."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            raise AuthenticationError(401, _(
                "请先登录：浏览器使用工作人员账号登录；其他系统在请求头中带上接口令牌 Authorization: Bearer <令牌>。"
            ))
        try:
            self._get_key(request)  # the CSRF check for unsafe methods
        except HttpError as exc:
            raise HttpError(403, _(
                "安全校验（CSRF）未通过：请刷新页面后重试；从脚本调用时，请在请求头 X-CSRFToken 中带上 csrftoken Cookie 的值，"
                "或改用接口令牌。"
            )) from exc
        return request.user


router = Router(tags=["licences"], auth=[TokenAuth(), LicencesStaffSessionAuth()])


class ProblemOut(Schema):
    field: str
    message: str
    code: str


class ErrorOut(Schema):
    detail: str
    errors: list[ProblemOut] = []


class FieldOut(Schema):
    key: str
    label: str
    value: str


class LicenceOut(Schema):
    identifier: str
    title: str
    type_code: str
    version: int
    status: str = Field(description="valid / cancelled / revoked / withdrawn / expired / superseded")
    status_label: str
    effective_status: str = Field(description="今天的状态：有效期已过的为 expired")
    status_reason: str
    holder_kind: str
    holder_name: str
    holder_code: str = Field(description="统一社会信用代码，或脱敏的身份证号码")
    issuer_name: str
    issuer_uscc: str
    department: str
    case_number: str | None
    previous: str | None
    issued_at: datetime.datetime
    valid_from: datetime.date
    valid_to: datetime.date | None
    fields: list[FieldOut]
    verify_url: str


class VerifyOut(Schema):
    identifier: str
    status: str = Field(description="valid / expired / cancelled / revoked / withdrawn / superseded / tampered")
    status_label: str
    valid: bool
    tampered: bool
    digest_valid: bool
    signature_valid: bool
    history_valid: bool
    problems: list[str]
    title: str | None = None
    holder_name: str | None = None
    holder_code: str | None = None
    issuer_name: str | None = None
    issued_on: datetime.date | None = None
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    fields: list[FieldOut] = []
    newer: str | None = Field(None, description="已变更时，新版本的证照标识")


class IssueIn(Schema):
    case_number: str = Field(..., max_length=40, description="准予许可的办件编号")


class StatusIn(Schema):
    action: Literal["change", "renew", "cancel", "revoke", "withdraw", "expire"] = Field(
        ..., description="change 变更 / renew 延续 / cancel 注销 / revoke 撤销 / withdraw 吊销 / expire 失效")
    reason: str = Field(..., max_length=500)
    changes: dict[str, str] = Field(default_factory=dict, description="变更的字段：{字段代码: 新值}，持证主体名称用 holder_name")
    valid_to: datetime.date | None = Field(None, description="延续后的有效期至；不填按证照类型的期限计算")


class HolderQuery(Schema):
    holder_uscc: str | None = Field(None, max_length=18, description="持证主体的统一社会信用代码")
    holder_id_number: str | None = Field(None, max_length=18, description="持证人的身份证号码（只用于查询，不返回）")
    all: bool = Field(False, description="true：含已注销、撤销、吊销、失效和已变更的证照")


class NotFound(Exception):
    """No licence by that identifier (answered 404)."""


def error_body(err: ValidationError) -> dict:
    problems = []
    if hasattr(err, "error_dict"):
        for field, errors in err.error_dict.items():
            for sub in errors:
                for message in sub.messages:
                    problems.append({"field": "" if field == "__all__" else field, "message": message,
                                     "code": sub.code or ""})
    else:
        for sub in err.error_list:
            for message in sub.messages:
                problems.append({"field": "", "message": message, "code": sub.code or ""})
    return {"detail": "；".join(p["message"] for p in problems) or _("输入有误，请按提示修改。"), "errors": problems}


def licence_errors(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return Status(404, {"detail": str(exc), "errors": []})
        except LicencePermissionDenied as err:
            return Status(403, error_body(err))
        except ValidationError as err:
            return Status(422, error_body(err))

    return wrapper


def _require_staff(request) -> None:
    if not selectors.is_licence_staff(request.user):
        raise LicencePermissionDenied(_("电子证照接口仅对工作人员开放。"), code="role")


def _fields(licence: Licence) -> list[dict[str, str]]:
    return [{"key": row["key"], "label": row["label"], "value": row["value"]} for row in licence.data]


def licence_out(licence: Licence) -> dict[str, Any]:
    status = selectors.effective_status(licence)
    return {
        "identifier": licence.identifier, "title": licence.title, "type_code": licence.type.code,
        "version": licence.version, "status": licence.status, "status_label": licence.get_status_display(),
        "effective_status": status, "status_reason": licence.status_reason, "holder_kind": licence.holder_kind,
        "holder_name": licence.holder_name, "holder_code": licence.holder_code, "issuer_name": licence.issuer_name,
        "issuer_uscc": licence.issuer_uscc, "department": licence.department.name,
        "case_number": licence.case.number if licence.case_id else None,
        "previous": licence.previous.identifier if licence.previous_id else None,
        "issued_at": licence.issued_at, "valid_from": licence.valid_from, "valid_to": licence.valid_to,
        "fields": _fields(licence), "verify_url": verify_url(licence),
    }


def _licence(request, identifier: str) -> Licence:
    licence = selectors.licence_for_staff(request.user, identifier.strip().upper())
    if licence is None:
        raise NotFound(_("未找到电子证照 %(i)s，或它不在您的查看范围内。") % {"i": identifier})
    return licence


@router.get("/verify/{identifier}", auth=None, url_name="licences_verify", summary="核验电子证照",
            response={200: VerifyOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut})
def verify(request, identifier: str):
    verdict = rate_hit(VERIFY_LIMIT, client_ip(request) or "unknown")
    if not verdict.allowed:
        return Status(429, {"detail": _("查询过于频繁，请 %(s)d 秒后再试。") % {"s": verdict.retry_after}})
    try:
        result = selectors.licence_verify(identifier)
    except ValidationError as err:
        return Status(422, error_body(err))
    if not result.found:
        return Status(404, {"detail": _("未找到标识为 %(i)s 的电子证照。") % {"i": result.identifier}})
    licence = result.licence
    body = {
        "identifier": result.identifier, "status": result.status, "status_label": result.status_label,
        "valid": result.is_valid, "tampered": result.tampered, "digest_valid": result.check.digest_ok,
        "signature_valid": result.check.signature_ok, "history_valid": result.check.history_ok,
        "problems": result.check.problems, "newer": result.newer.identifier if result.newer else None,
    }
    if not result.tampered:  # a tampered record's content is not to be relied on: none is shown
        body.update({
            "title": licence.title, "holder_name": licence.holder_name, "holder_code": licence.holder_code,
            "issuer_name": licence.issuer_name, "issued_on": timezone.localdate(licence.issued_at),
            "valid_from": licence.valid_from, "valid_to": licence.valid_to, "fields": _fields(licence),
        })
    return body


@router.get("", url_name="licences_by_holder", summary="按持证主体查询电子证照",
            response={200: list[LicenceOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut})
@licence_errors
def by_holder(request, query: Query[HolderQuery]):
    _require_staff(request)
    if bool(query.holder_uscc) == bool(query.holder_id_number):
        raise ValidationError({"holder_uscc": [_("请填写 holder_uscc（统一社会信用代码）或 holder_id_number（身份证号码）之一。")]})
    kind, code = (("company", query.holder_uscc) if query.holder_uscc else ("person", query.holder_id_number))
    holder = selectors.licences_of_holder(kind, code or "", only_valid=not query.all)
    licences = selectors.licences_visible_to(request.user).filter(pk__in=holder.values("pk")) \
        .select_related("case", "previous").order_by("-issued_at", "-id")[:500]
    return [licence_out(licence) for licence in licences]


@router.post("/issue", url_name="licences_issue", summary="为准予许可的办件签发电子证照",
             response={201: LicenceOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
@licence_errors
def issue(request, payload: IssueIn):
    _require_staff(request)
    case = case_by_number_for_user(request.user, payload.case_number.strip())
    if case is None:
        raise NotFound(_("未找到办件 %(n)s，或您无权查看：请核对办件编号。") % {"n": payload.case_number})
    licence = services.licence_issue(actor=request.user, case=case)
    return Status(201, licence_out(licence))


@router.get("/{identifier}", url_name="licences_detail", summary="电子证照详情",
            response={200: LicenceOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
@licence_errors
def detail(request, identifier: str):
    _require_staff(request)
    return licence_out(_licence(request, identifier))


@router.get("/{identifier}/pdf", url_name="licences_pdf", summary="下载电子证照（PDF）",
            response={200: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
@licence_errors
def pdf(request, identifier: str):
    _require_staff(request)
    licence = _licence(request, identifier)
    response = HttpResponse(render_licence_pdf(licence), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"{licence.serial}-{licence.version:03d}.pdf")
    return response


@router.post("/{identifier}/status", url_name="licences_status", summary="变更、延续、注销、撤销、吊销或宣布失效",
             response={200: LicenceOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
@licence_errors
def change_status(request, identifier: str, payload: StatusIn):
    _require_staff(request)
    licence = _licence(request, identifier)
    actor, action = request.user, payload.action
    if action == "change":
        result = services.licence_change(actor=actor, licence=licence, changes=payload.changes, reason=payload.reason)
    elif action == "renew":
        result = services.licence_renew(actor=actor, licence=licence, reason=payload.reason, valid_to=payload.valid_to)
    else:
        service = {"cancel": services.licence_cancel, "revoke": services.licence_revoke,
                   "withdraw": services.licence_withdraw, "expire": services.licence_expire}[action]
        result = service(actor=actor, licence=licence, reason=payload.reason)
    return licence_out(Licence.objects.select_related("type", "department", "case", "previous").get(pk=result.pk))
