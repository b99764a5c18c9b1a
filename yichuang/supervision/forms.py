"""Input of the supervision pages, checked field by field with messages in Chinese."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AlarmLevel, AuditSample, DefectCategory, Interview
from .selectors import FILTERS, SLICES

PRESETS = {
    "this_month": _("本月"),
    "last_month": _("上月"),
    "last_30": _("近 30 天"),
    "this_year": _("本年"),
    "last_year": _("上年"),
}
MAX_SPAN_DAYS = 366 * 5


def preset_range(name: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    if name == "last_month":
        end = today.replace(day=1) - datetime.timedelta(days=1)
        return end.replace(day=1), end
    if name == "last_30":
        return today - datetime.timedelta(days=29), today
    if name == "this_year":
        return today.replace(month=1, day=1), today
    if name == "last_year":
        return datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)
    return today.replace(day=1), today


class StatisticsForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), required=False,
                            error_messages={"invalid": _("开始日期格式应为 年-月-日，如 2026-11-01。")})
    end = forms.DateField(label=_("结束日期"), required=False,
                          error_messages={"invalid": _("结束日期格式应为 年-月-日，如 2026-11-30。")})
    preset = forms.ChoiceField(label=_("快捷选择"), required=False, choices=[("", "—"), *PRESETS.items()])
    slice = forms.ChoiceField(label=_("分组"), required=False, choices=list(SLICES.items()))
    department = forms.IntegerField(required=False, min_value=1)
    centre = forms.IntegerField(required=False, min_value=1)
    point = forms.IntegerField(required=False, min_value=1)
    window = forms.IntegerField(required=False, min_value=1)
    staff = forms.IntegerField(required=False, min_value=1)
    item = forms.IntegerField(required=False, min_value=1)
    channel = forms.CharField(required=False, max_length=14)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        start, end = data.get("start"), data.get("end")
        if data.get("preset") or (start is None and end is None and not self.errors):
            start, end = preset_range(data.get("preset") or "this_month", today)
        start = start or (end or today).replace(day=1)
        end = end or today
        if end < start:
            self.add_error("end", _("结束日期早于开始日期，请调换或重新选择。"))
        elif (end - start).days > MAX_SPAN_DAYS:
            self.add_error("end", _("统计期最长 5 年，请缩短统计期。"))
        data["start"], data["end"] = start, end
        return data

    def filters(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in FILTERS if self.cleaned_data.get(name) not in (None, "")}


class AlarmFilterForm(forms.Form):
    department = forms.IntegerField(required=False, min_value=1)
    level = forms.ChoiceField(required=False, choices=[("", "—"), *[(v, label) for v, label in AlarmLevel.choices
                                                                    if v in ("yellow", "red", "overdue")],
                                                       ("step", _("仅环节预警"))])


class FollowUpForm(forms.Form):
    instruction = forms.CharField(label=_("督办意见"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                                  error_messages={"required": _("请填写督办意见：要求部门做什么、何时反馈。")})
    deadline_days = forms.IntegerField(label=_("反馈期限（工作日）"), required=False, min_value=1, max_value=30,
                                       error_messages={"min_value": _("反馈期限应为 1 至 30 个工作日。"),
                                                       "max_value": _("反馈期限应为 1 至 30 个工作日。"),
                                                       "invalid": _("反馈期限应为整数。")})


class FollowUpCloseForm(forms.Form):
    outcome = forms.CharField(label=_("督办结果"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"required": _("请填写督办结果：部门的说明和处理情况。")})


class AuditDrawForm(forms.Form):
    month = forms.DateField(label=_("月份"), input_formats=["%Y-%m"],
                            error_messages={"required": _("请选择月份。"), "invalid": _("月份格式应为 年-月，如 2026-10。")})
    department = forms.IntegerField(label=_("部门"), required=False, min_value=1)
    size = forms.IntegerField(label=_("抽查件数"), required=False, min_value=1, max_value=200,
                              error_messages={"min_value": _("抽查件数应为 1 至 200。"),
                                              "max_value": _("抽查件数应为 1 至 200。")})


class FindingForm(forms.Form):
    finding = forms.ChoiceField(label=_("评查结论"), choices=[(v, label) for v, label in AuditSample.Finding.choices
                                                         if v != "pending"],
                                error_messages={"required": _("请选择评查结论。")})
    note = forms.CharField(label=_("评查意见"), required=False, max_length=2000)

    def defects(self, data) -> list[dict]:
        categories = data.getlist("category")
        descriptions = data.getlist("description")
        return [{"category": c, "description": d} for c, d in zip(categories, descriptions, strict=False)
                if c or (d or "").strip()]


class DefectRespondForm(forms.Form):
    response = forms.CharField(label=_("整改情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                               error_messages={"required": _("请写明整改情况：补了什么材料、改了哪份文书。")})


class DefectReviewForm(forms.Form):
    accept = forms.ChoiceField(choices=[("yes", _("通过")), ("no", _("退回整改"))])
    note = forms.CharField(label=_("复核意见"), required=False, max_length=2000)


class InterviewForm(forms.Form):
    kind = forms.ChoiceField(choices=Interview.Kind.choices)
    case = forms.IntegerField(required=False, min_value=1)
    staff = forms.IntegerField(required=False, min_value=1)
    department = forms.IntegerField(required=False, min_value=1)
    held_on = forms.DateField(label=_("约谈日期"), error_messages={
        "required": _("请填写约谈日期。"), "invalid": _("约谈日期格式应为 年-月-日。")})
    attendees = forms.CharField(label=_("参加人员"), max_length=300,
                                error_messages={"required": _("请填写参加人员。")})
    summary = forms.CharField(label=_("约谈情况"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": _("请填写约谈情况。")})
    measures = forms.CharField(label=_("整改措施"), required=False, max_length=4000,
                               widget=forms.Textarea(attrs={"rows": 2}))


DEFECT_CHOICES = DefectCategory.choices
