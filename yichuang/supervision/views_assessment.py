"""Pages of the monthly window assessment: the supervisor's months, a month's scores and breakdown,
confirming the honours, attendance, and the public page of 红旗窗口 and 服务明星."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from yichuang.org.models import User

from . import selectors_assessment as sel
from . import services_assessment as services
from .export import rows_workbook
from .models import AttendanceRecord
from .views import _xlsx, supervisor_only


def _errors(err: ValidationError) -> str:
    return "；".join(err.messages)


def _month_or_404(text: str) -> datetime.date:
    month = sel.parse_month(text)
    if month is None:
        raise Http404(_("月份格式应为 年-月，如 2026-10。"))
    return month


@require_safe
@supervisor_only
def assessments(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(request, "supervision/assessments.html", {
        "months": sel.assessment_months()[:36], "default_month": f"{sel.previous_month(today):%Y-%m}",
        "active": "assessment", **sel.rules_context(),
    })


@require_POST
@supervisor_only
def assessment_compute(request: HttpRequest) -> HttpResponse:
    month = sel.parse_month(request.POST.get("month", ""))
    if month is None:
        messages.error(request, _("请选择要考核的月份（年-月）。"))
        return redirect("supervision:assessments")
    try:
        services.assessment_compute(actor=request.user, month=month)
    except ValidationError as err:
        messages.error(request, _errors(err))
        return redirect("supervision:assessments")
    messages.success(request, _("%(m)s 的考核已计算，请核对得分明细后确认红旗窗口和服务明星。") % {"m": f"{month:%Y-%m}"})
    return redirect("supervision:assessment_month", month=f"{month:%Y-%m}")


@require_safe
@supervisor_only
def assessment_month(request: HttpRequest, month: str) -> HttpResponse:
    assessment = sel.assessment_for(_month_or_404(month))
    if assessment is None:
        raise Http404(_("%(m)s 的考核尚未计算。") % {"m": month})
    view = sel.month_view(assessment)
    if request.GET.get("format") == "xlsx":
        rows = [[r.get_kind_display(), r.rank, r.label, float(r.score), r.figures.get("ratings"),
                 r.figures.get("satisfaction_rate"),
                 "；".join(f"{line['label']} {line['value']} → {line['points']}" for line in r.lines),
                 r.get_proposed_display() if r.proposed else "", r.get_honour_display() if r.honour else "",
                 r.ineligible_reason] for r in [*view.windows, *view.staff]]
        return _xlsx(rows_workbook(title=_("窗口考核"), headers=[
            _("对象"), _("名次"), _("名称"), _("得分"), _("有效评价"), _("满意率（%）"), _("得分明细"), _("建议"), _("确认"),
            _("不参评原因")], rows=rows), f"窗口考核-{month}.xlsx")
    return render(request, "supervision/assessment_month.html", {
        "view": view, "assessment": assessment, "active": "assessment", **sel.rules_context(),
    })


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


@require_POST
@supervisor_only
def assessment_confirm(request: HttpRequest, month: str) -> HttpResponse:
    month_day = _month_or_404(month)
    try:
        services.assessment_confirm(actor=request.user, month=month_day,
                                    red_flag_window_ids=_ids(request.POST.getlist("red_flag")),
                                    star_staff_ids=_ids(request.POST.getlist("star")),
                                    note=request.POST.get("note", ""))
    except ValidationError as err:
        messages.error(request, _errors(err))
    else:
        messages.success(request, _("%(m)s 的红旗窗口和服务明星已确认并公示，考核结果已锁定。") % {"m": month})
    return redirect("supervision:assessment_month", month=month)


@require_safe
@supervisor_only
def attendance(request: HttpRequest) -> HttpResponse:
    month = sel.parse_month(request.GET.get("month", "")) or timezone.localdate().replace(day=1)
    people = User.objects.filter(is_active=True, windows__isnull=False).distinct().order_by("username")
    return render(request, "supervision/attendance.html", {
        "records": sel.attendance_in(month), "month": month, "people": people, "kinds": AttendanceRecord.Kind.choices,
        "today": timezone.localdate(), "active": "attendance",
        "frozen": services._frozen(month),
    })


@require_POST
@supervisor_only
def attendance_record(request: HttpRequest) -> HttpResponse:
    staff = User.objects.filter(pk=request.POST.get("staff") or 0, is_active=True).first()
    try:
        day = datetime.date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        day = None
    if staff is None or day is None:
        messages.error(request, _("请选择工作人员并填写日期（年-月-日）。"))
        return redirect("supervision:attendance")
    try:
        services.attendance_record(actor=request.user, staff=staff, day=day, kind=request.POST.get("kind", ""),
                                   note=request.POST.get("note", ""))
    except ValidationError as err:
        messages.error(request, _errors(err))
    else:
        messages.success(request, _("已登记 %(s)s %(d)s 的考勤。") % {"s": staff, "d": day})
    return redirect(f"{redirect('supervision:attendance').url}?month={day:%Y-%m}")


@require_POST
@supervisor_only
def attendance_remove(request: HttpRequest, pk: int) -> HttpResponse:
    record = AttendanceRecord.objects.filter(pk=pk).first()
    if record is None:
        raise Http404(_("找不到此考勤记录。"))
    month = f"{record.day:%Y-%m}"
    try:
        services.attendance_remove(actor=request.user, record=record, reason=request.POST.get("reason", ""))
    except ValidationError as err:
        messages.error(request, _errors(err))
    else:
        messages.success(request, _("考勤记录已撤销。"))
    return redirect(f"{redirect('supervision:attendance').url}?month={month}")


@require_safe
def assessment_public(request: HttpRequest) -> HttpResponse:
    return render(request, "supervision/assessment_public.html", {
        "months": sel.public_honours(), **sel.rules_context(),
    })
