"""The public catalogue: home, item list with live search, item guides and printable checklists."""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from yichuang.core.qr import qr_svg

from . import selectors
from .checklist import render_checklist
from .models import Topic

PAGE_SIZE = 20
# Live search under the home page's search box shows a short list and a link to the rest.
COMPACT_SIZE = 8


def _is_htmx_fragment(request: HttpRequest) -> bool:
    """HTMX asks for the result list only; a history restore or a boosted link needs the whole page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
        and request.headers.get("HX-Boosted") != "true"
    )


def _list_filters(params) -> dict[str, str]:
    audience = params.get("audience", "")
    return {
        "query": params.get("q", "").strip()[:100],
        "department": params.get("department", "").strip()[:20],
        "topic": params.get("topic", "").strip()[:40],
        "audience": audience if audience in Topic.Audience.values else "",
    }


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/home.html", {"overview": selectors.home_overview()})


@require_safe
def guide_list(request: HttpRequest) -> HttpResponse:
    filters = _list_filters(request.GET)
    items = selectors.search_items(
        filters["query"], department=filters["department"] or None, topic=filters["topic"] or None,
        audience=filters["audience"] or None,
    )
    compact = request.GET.get("view") == "compact"
    page = Paginator(items, COMPACT_SIZE if compact else PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "compact": compact,
        "audiences": Topic.Audience.choices,
        "querystring": _querystring(filters),
    }
    if _is_htmx_fragment(request):
        response = render(request, "catalog/_results.html", context)
    else:
        context["departments"], context["topics"] = selectors.filter_choices()
        response = render(request, "catalog/guide_list.html", context)
    # The same address answers with a fragment or a page depending on the header.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _querystring(filters: dict[str, str]) -> str:
    qd = QueryDict(mutable=True)
    for key, value in (("q", filters["query"]), ("department", filters["department"]),
                       ("topic", filters["topic"]), ("audience", filters["audience"])):
        if value:
            qd[key] = value
    return qd.urlencode()


@require_safe
def guide(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.guide_for(code)
    if found is None:
        raise Http404(_("未找到实施编码为「%(code)s」的事项。") % {"code": code})
    return _render_guide(request, found)


def _render_guide(request: HttpRequest, found: selectors.Guide) -> HttpResponse:
    context = {"guide": found, "version": found.version}
    if found.can_print_checklist:
        context["qr"] = qr_svg(found.public_url, size=168, label=_("本办事指南的二维码：%(url)s") % {"url": found.public_url})
    return render(request, "catalog/guide.html", context)


@require_safe
def guide_version(request: HttpRequest, code: str, version_no: int) -> HttpResponse:
    found = selectors.guide_version(code, version_no)
    if found is None:
        raise Http404(_("事项「%(code)s」没有可公开查看的第 %(no)d 版。") % {"code": code, "no": version_no})
    if found.is_current:
        return redirect("catalog:guide", code=code)
    return _render_guide(request, found)


@require_safe
def checklist_pdf(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.checklist_guide(code)
    if found is None:
        raise Http404(_("未找到可打印告知单的事项「%(code)s」（不存在或已废止）。") % {"code": code})
    pdf = render_checklist(found, printed_on=timezone.localdate())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"一次性告知单-{found.version.name}.pdf"
    )
    return response


def _file_response(file, filename_stem: str) -> FileResponse:
    extension = file.name.rsplit(".", 1)[-1] if "." in file.name else ""
    filename = f"{filename_stem}.{extension}" if extension else filename_stem
    return FileResponse(file.open("rb"), as_attachment=True, filename=filename)


@require_safe
def material_file(request: HttpRequest, code: str, version_no: int, material_id: int, kind: str) -> FileResponse:
    field = {"blank-form": "blank_form", "example": "example_file"}.get(kind, "")
    file = selectors.public_material_file(code, version_no, material_id, field)
    if file is None:
        raise Http404(_("该材料没有上传此文件。"))
    label = _("空白表格") if field == "blank_form" else _("示例样表")
    return _file_response(file, f"{label}-{file.instance.name}")


@require_safe
def result_sample(request: HttpRequest, code: str, version_no: int) -> FileResponse:
    file = selectors.public_result_sample(code, version_no)
    if file is None:
        raise Http404(_("该事项没有上传审批结果样本。"))
    return _file_response(file, _("审批结果样本"))
