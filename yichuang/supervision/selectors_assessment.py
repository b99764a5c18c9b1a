"""Reads of the monthly window assessment: months, results with their breakdown, the public honours."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import AssessmentMetric, AssessmentMonth, AssessmentResult, AssessmentRule, AttendanceRecord
from .services_assessment import TIE_RULE, assessment_settings

# What each figure counts, shown beside the breakdown (see services_assessment's module docstring).
METRIC_NOTES = {
    AssessmentMetric.SATISFACTION_BELOW: _("满意率 =（非常满意 + 满意 + 基本满意）÷ 有效评价数；当月没有评价的不适用此项。"),
    AssessmentMetric.SATISFACTION_AT_LEAST: _("同上口径的满意率达到阈值时加（扣）分一次；当月没有评价的不适用此项。"),
    AssessmentMetric.BAD_RATINGS: _("评为“不满意”“非常不满意”的有效评价；经申诉核实、申诉成立的差评不计。"),
    AssessmentMetric.PRAISE: _("评为“非常满意”的有效评价。"),
    AssessmentMetric.OVERDUE: _("窗口：在本窗口接件、当月决定晚于承诺到期日的办件；人员：本人当月办理超过环节到期日的环节。"),
    AssessmentMetric.COMPLAINTS_UPHELD: _("当月收到、经调查属实或部分属实的投诉。"),
    AssessmentMetric.SEND_BACKS: _("当月部门退回补正的次数，计入接件窗口和接件人（窗口收取了不齐全的材料）。"),
    AssessmentMetric.AUDIT_DEFECTS: _("当月案卷评查发现的问题，计入该办件的接件窗口和接件人。"),
    AssessmentMetric.ABSENCES: _("监察人员登记的缺勤天数；窗口为其所有工作人员之和。"),
    AssessmentMetric.LATE_ARRIVALS: _("监察人员登记的迟到早退次数；窗口为其所有工作人员之和。"),
}


def parse_month(text: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(text, "%Y-%m").date()
    except (TypeError, ValueError):
        return None


def previous_month(today: datetime.date) -> datetime.date:
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def assessment_months() -> QuerySet[AssessmentMonth]:
    return AssessmentMonth.objects.select_related("computed_by", "confirmed_by").order_by("-month")


def assessment_for(month: datetime.date) -> AssessmentMonth | None:
    return assessment_months().filter(month=month.replace(day=1)).first()


@dataclass
class MonthView:
    assessment: AssessmentMonth
    windows: list[AssessmentResult]
    staff: list[AssessmentResult]

    @property
    def proposed_windows(self) -> list[AssessmentResult]:
        return [r for r in self.windows if r.proposed]

    @property
    def proposed_staff(self) -> list[AssessmentResult]:
        return [r for r in self.staff if r.proposed]


def month_view(assessment: AssessmentMonth) -> MonthView:
    results = list(assessment.results.select_related("window__centre", "staff").order_by("kind", "rank"))
    return MonthView(assessment, [r for r in results if r.kind == "window"], [r for r in results if r.kind == "staff"])


def public_honours(limit: int = 12) -> list[tuple[AssessmentMonth, list[AssessmentResult], list[AssessmentResult]]]:
    """Confirmed months, newest first, with their 红旗窗口 and 服务明星 (and the breakdown of each)."""
    honoured = AssessmentResult.objects.exclude(honour="").select_related("window__centre", "staff").order_by("rank")
    months = (AssessmentMonth.objects.filter(state=AssessmentMonth.State.CONFIRMED).order_by("-month")
              .prefetch_related(Prefetch("results", queryset=honoured, to_attr="honoured"))[:limit])
    rows = []
    for month in months:
        by_kind = defaultdict(list)
        for result in month.honoured:
            by_kind[result.honour].append(result)
        rows.append((month, by_kind[AssessmentResult.Honour.RED_FLAG], by_kind[AssessmentResult.Honour.STAR]))
    return rows


def active_rules() -> QuerySet[AssessmentRule]:
    return AssessmentRule.objects.filter(is_active=True).order_by("sort_order", "id")


def rules_context() -> dict:
    settings = assessment_settings()
    return {"settings": settings, "rules": active_rules(), "tie_rule": TIE_RULE,
            "metric_notes": {str(k): v for k, v in METRIC_NOTES.items()}}


def attendance_in(month: datetime.date) -> QuerySet[AttendanceRecord]:
    end = (month.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return (AttendanceRecord.objects.filter(day__gte=month.replace(day=1), day__lt=end)
            .select_related("staff", "recorded_by").order_by("-day", "staff__username"))
