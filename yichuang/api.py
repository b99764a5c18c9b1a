"""The JSON API (django-ninja). OpenAPI documentation at /api/docs."""

import re

from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from yichuang.cases.api import router as cases_router
from yichuang.cases.api_online import router as prereview_router
from yichuang.cases.api_parallel import router as parallel_router
from yichuang.catalog.api import router as catalog_router
from yichuang.catalog.exchange_api import router as catalog_exchange_router
from yichuang.core.api import router as core_router
from yichuang.feedback.api import router as feedback_router
from yichuang.hall.api import router as hall_router
from yichuang.licences.api import router as licences_router
from yichuang.portal.api import router as portal_router
from yichuang.projects.api import router as projects_router
from yichuang.supervision.api import router as supervision_router

api = NinjaAPI(
    title="一窗 yichuang API",
    version="1",
    description="政务服务中心一窗受理平台接口。浏览器使用会话登录；其他系统使用令牌。",
    docs_url="/docs",
    urls_namespace="api",
)


# Pydantic's error types, said in the user's language.
ERROR_MESSAGES = {
    "missing": _("缺少参数 %(field)s，请填写。"),
    "int_parsing": _("应为整数。"),
    "int_type": _("应为整数。"),
    "float_parsing": _("应为数字。"),
    "decimal_parsing": _("应为数字。"),
    "bool_parsing": _("应为是或否（true/false）。"),
    "date_parsing": _("日期格式应为 年-月-日，如 2026-09-30。"),
    "date_from_datetime_parsing": _("日期格式应为 年-月-日，如 2026-09-30。"),
    "datetime_parsing": _("时间格式应为 ISO 8601，如 2026-09-30T09:30:00+08:00。"),
    "string_too_long": _("内容过长：最多 %(max_length)s 个字符，请缩短。"),
    "string_too_short": _("内容过短：至少 %(min_length)s 个字符，请补全。"),
    "greater_than_equal": _("数值过小：不能小于 %(ge)s，请修改。"),
    "less_than_equal": _("数值过大：不能大于 %(le)s，请修改。"),
    "enum": _("取值无效：可选 %(expected)s。"),
    "literal_error": _("取值无效：可选 %(expected)s。"),
    "json_invalid": _("请求内容不是有效的 JSON。"),
}


def _choices(expected: str) -> str:
    """Pydantic lists the allowed values as "'a', 'b' or 'c'"; say them as a list in the user's language."""
    values = re.findall(r"'([^']*)'", expected)
    return str(_("、")).join(values) if values else expected


@api.exception_handler(NinjaValidationError)
def validation_errors(request, exc: NinjaValidationError):
    """Speak the user's language: list each field with what is wrong."""
    problems = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", []) if part not in ("query", "body", "path", "form")]
        field = ".".join(location)
        message = ERROR_MESSAGES.get(error.get("type", ""))
        # Pydantic's ctx carries the limit or the allowed values: the message says the fix.
        values = {"field": field, **{key: str(value) for key, value in (error.get("ctx") or {}).items()}}
        if "expected" in values:
            values["expected"] = _choices(values["expected"])
        try:
            text = str(message) % values if message else str(error.get("msg", ""))
        except KeyError:
            text = str(error.get("msg", ""))
        problems.append({"field": field, "message": text})
    return api.create_response(
        request, {"detail": str(_("输入有误，请按提示修改。")), "errors": problems}, status=422
    )


@api.exception_handler(MultiPartParserError)
def malformed_upload(request, exc: MultiPartParserError):
    return api.create_response(
        request, {"detail": str(_("上传的表单格式有误（multipart 边界缺失或损坏），请检查请求的 Content-Type。"))}, status=400
    )


@api.exception_handler(HttpError)
def http_errors(request, exc: HttpError):
    detail = str(exc)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = str(_("请求内容无法解析：请发送有效的 JSON（或 multipart 表单）。"))
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


api.add_router("/v1/", core_router)
api.add_router("/v1/catalog/exchange/", catalog_exchange_router)
api.add_router("/v1/catalog/", catalog_router)
api.add_router("/v1/cases/", cases_router)
api.add_router("/v1/supervision/", supervision_router)
api.add_router("/v1/licences/", licences_router)
api.add_router("/v1/hall/", hall_router)
api.add_router("/v1/portal/", portal_router)
api.add_router("/v1/prereview/", prereview_router)
api.add_router("/v1/parallel/", parallel_router)
api.add_router("/v1/feedback/", feedback_router)
api.add_router("/v1/projects/", projects_router)
