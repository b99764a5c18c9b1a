"""Catalogue import and export endpoints (mounted at /api/v1/catalog/exchange/).

Browsers call them with their session: django-ninja's session auth checks the CSRF token on
POST itself (the `X-CSRFToken` header or the `csrfmiddlewaretoken` form field), because ninja
views are exempt from Django's CSRF middleware.
"""

from dataclasses import asdict
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.files import UploadedFile
from ninja.security import SessionAuth

from .exchange import (
    JSON_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    can_exchange_catalogue,
    catalogue_import,
    export_filename,
    export_json,
    export_xlsx,
    upload_too_large,
)


class CentreAdminSessionAuth(SessionAuth):
    """django-ninja's session auth (`django_auth`), limited to centre admins, answering in Chinese."""

    def _get_key(self, request: HttpRequest) -> str | None:
        try:
            return super()._get_key(request)
        except HttpError as exc:  # the only one raised here is the CSRF check
            raise HttpError(403, _(
                "安全校验（CSRF）未通过：请刷新页面后重试；从脚本调用时，请在请求头 X-CSRFToken 中带上 "
                "csrftoken Cookie 的值。"
            )) from exc

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated:
            raise AuthenticationError(401, _("请先登录：导入、导出事项库需要使用中心管理员账号登录。"))
        if not can_exchange_catalogue(user):
            raise AuthorizationError(403, _(
                "您没有导入、导出事项库的权限：需要「中心管理员」角色。请联系系统管理员为您的账号分配该角色。"
            ))
        return user


centre_admin_auth = CentreAdminSessionAuth()
router = Router(tags=["catalog"], auth=centre_admin_auth)


class ProblemOut(Schema):
    sheet: str
    row: int | None
    field: str
    message: str
    text: str


class ItemOutcomeOut(Schema):
    implementation_code: str
    name: str
    outcome: str
    version_no: int


class ImportOut(Schema):
    detail: str
    ok: bool
    dry_run: bool
    draft: bool
    file_name: str
    format: str
    sm3: str
    created: int
    updated: int
    unchanged: int
    problems: list[ProblemOut]
    items: list[ItemOutcomeOut]


class MessageOut(Schema):
    detail: str


@router.get(
    "/export", url_name="catalog_exchange_export", summary="导出事项库",
    response={200: None, 422: MessageOut},
    description="下载全部（或一个部门的）现行事项：format=json 为交换用的 JSON，format=xlsx 为 Excel；"
                "template=true 下载只有列名和填写说明的导入模板。",
)
def export(request, format: Literal["json", "xlsx"] = "xlsx", department: str | None = None,
           template: bool = False):
    department = (department or "").strip() or None
    try:
        if format == "json":
            content, content_type = export_json(department=department), JSON_CONTENT_TYPE
        else:
            content, content_type = export_xlsx(department=department, template=template), XLSX_CONTENT_TYPE
    except ValidationError as exc:
        return Status(422, {"detail": "".join(exc.messages)})
    response = HttpResponse(content, content_type=content_type)
    name = export_filename(fmt=format, department=department, template=template and format == "xlsx")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@router.post(
    "/import", url_name="catalog_exchange_import", summary="导入事项库",
    response={200: ImportOut, 413: MessageOut, 422: ImportOut},
    description="上传导出的 .xlsx 或 .json 文件。全部检查通过才会导入，有任何问题则不做任何改动并返回全部问题；"
                "dry_run=true 只检查不导入；draft=true 导入为草稿、不发布。",
)
def import_(request, file: UploadedFile = File(...), dry_run: bool = Form(False), draft: bool = Form(False)):
    too_large = upload_too_large(file.size or 0)
    if too_large:
        return Status(413, {"detail": too_large})
    result = catalogue_import(
        actor=request.auth, content=file.read(), file_name=file.name or "", publish=not draft, dry_run=dry_run
    )
    body = {
        "detail": result.summary, "ok": result.ok, "dry_run": result.dry_run, "draft": not result.publish,
        "file_name": result.file_name, "format": result.format, "sm3": result.sm3,
        "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
        "problems": [p.as_dict() for p in result.problems],
        "items": [asdict(item) for item in result.items],
    }
    return Status(200 if result.ok else 422, body)
