"""The admin page for importing the catalogue from a file, with links to export it.

Wired by the project's URLs next to the admin site; it checks staff status and the
centre-admin role itself, so it is safe wherever it is mounted.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from yichuang.org.models import Department

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

TEMPLATE = "catalog/admin/import.html"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("事项库文件"),
        help_text=gettext_lazy("从本系统导出的 Excel（.xlsx）或 JSON 文件，或按导入模板填写的 .xlsx 文件。"),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("只检查，不导入"), required=False,
        help_text=gettext_lazy("列出全部问题和将新增、更新的事项，但不做任何改动。"),
    )
    draft = forms.BooleanField(
        label=gettext_lazy("导入为草稿"), required=False,
        help_text=gettext_lazy("新增和修改的内容保存为草稿，在事项管理中核对后再发布。"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        too_large = upload_too_large(upload.size or 0)
        if too_large:
            raise ValidationError(too_large)
        return upload


def _export(kind: str, department: str | None) -> HttpResponse:
    if kind == "json":
        response = HttpResponse(export_json(department=department), content_type=JSON_CONTENT_TYPE)
        name = export_filename(fmt="json", department=department)
    else:
        template = kind == "template"
        response = HttpResponse(
            export_xlsx(department=department, template=template), content_type=XLSX_CONTENT_TYPE
        )
        name = export_filename(fmt="xlsx", department=department, template=template)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@staff_member_required
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    context = {
        **admin.site.each_context(request),
        "title": _("导入、导出事项库"),
        "departments": Department.objects.order_by("sort_order", "code").values("code", "name"),
    }
    if not can_exchange_catalogue(request.user):
        context["forbidden"] = _(
            "您没有导入、导出事项库的权限：需要「中心管理员」角色。请联系系统管理员为您的账号分配该角色。"
        )
        return render(request, TEMPLATE, context, status=403)

    kind = request.GET.get("export")
    if request.method == "GET" and kind in ("json", "xlsx", "template"):
        department = (request.GET.get("department") or "").strip() or None
        try:
            return _export(kind, department)
        except ValidationError as exc:
            context["export_error"] = "".join(exc.messages)
            context["form"] = ImportForm()
            return render(request, TEMPLATE, context, status=422)

    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = catalogue_import(
                actor=request.user, content=upload.read(), file_name=upload.name or "",
                publish=not form.cleaned_data["draft"], dry_run=form.cleaned_data["dry_run"],
            )
            if result.applied:
                # A fresh form after a successful import, so a reload cannot submit the file twice
                # by accident (and a second submit would change nothing anyway).
                form = ImportForm()
    else:
        form = ImportForm()
    context.update(form=form, result=result)
    return render(request, TEMPLATE, context)
