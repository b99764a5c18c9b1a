"""Admin for the working-day calendar and a read-only view of the audit log.

Calendar saves and deletions go through the calendar services, so each one bumps the stamp
(every process drops its cached tables) and writes its audit entry.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yichuang.org.models import Region

from . import calendar, services
from .management.commands.calendar import NOTICE_FORMAT_HELP, parse_notice_json, parse_notice_text
from .models import AuditEntry, CalendarDay, CalendarYear


class RegionScopeFilter(admin.SimpleListFilter):
    """全国 or one region: the default filter for a nullable key labels the national rows “空”."""

    title = _("地区")
    parameter_name = "scope"
    NATIONAL = "national"

    def lookups(self, request, model_admin):
        model = model_admin.model
        regions = (
            model.objects.filter(region__isnull=False)
            .values_list("region__code", "region__name").distinct().order_by("region__code")
        )
        return [(self.NATIONAL, _("全国"))] + [(code, f"{name}（{code}）") for code, name in regions]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.NATIONAL:
            return queryset.filter(region__isnull=True)
        if value:
            return queryset.filter(region__code=value)
        return queryset


class DayYearFilter(admin.SimpleListFilter):
    title = _("年份")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(day.year), _("%(y)d年") % {"y": day.year}) for day in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(date__year=int(self.value()))
        return queryset


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "region", "kind", "name"]

    def clean(self):
        data = super().clean()
        if all(data.get(name) is not None for name in ("date", "kind")):
            problems = calendar.day_override_problems(data["date"], data["kind"], data.get("name") or "")
            if problems:
                raise ValidationError(problems)
        return data


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    form = CalendarDayForm
    list_display = ["date", "weekday", "kind", "name", "scope"]
    list_filter = [DayYearFilter, RegionScopeFilter, "kind"]
    search_fields = ["name", "region__name", "region__code"]
    date_hierarchy = "date"
    raw_id_fields = ["region"]
    list_select_related = ["region"]
    ordering = ["-date"]

    @admin.display(description=_("星期"))
    def weekday(self, obj: CalendarDay) -> str:
        return calendar.weekday_name(obj.date)

    @admin.display(description=_("适用范围"), ordering="region__code")
    def scope(self, obj: CalendarDay) -> str:
        return f"{obj.region.name}（{obj.region.code}）" if obj.region_id else str(_("全国"))

    def get_readonly_fields(self, request, obj=None):
        # A day is identified by its date and region; moving it is a removal plus a new day.
        return ["date", "region"] if obj else []

    def save_model(self, request, obj, form, change):
        row = services.calendar_set_day(
            actor=request.user, date=obj.date, kind=obj.kind, name=obj.name, region=obj.region
        )
        obj.pk = row.pk

    def delete_model(self, request, obj):
        services.calendar_remove_day(actor=request.user, date=obj.date, region=obj.region)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("region"):
            self.delete_model(request, obj)


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ["year", "region", "source", "notice"]

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not services.FIRST_YEAR <= year <= services.LAST_YEAR:
            raise ValidationError(
                _("年份应在 %(a)d 至 %(b)d 之间，如 2027。") % {"a": services.FIRST_YEAR, "b": services.LAST_YEAR}
            )
        return year


NOTICE_EXAMPLE = """年份 2027
通知 国办发明电〔2026〕7号
放假 2027-01-01 2027-01-03 元旦
上班 2027-02-07 春节
"""

NOTICE_UPLOAD_LIMIT = 256 * 1024


class NoticeImportForm(forms.Form):
    """A year's notice, pasted or uploaded in the format `yichuang calendar import` reads."""

    region = forms.CharField(
        label=_("适用地区（区划代码）"), required=False, max_length=12,
        help_text=_("留空为全国安排（国务院办公厅通知）；填写 12 位区划代码则只对该地区及其下级生效。"),
    )
    year = forms.IntegerField(
        label=_("年份"), required=False, help_text=_("通知内容中已写“年份 2027”时可不填；两处都填须一致。"),
    )
    text = forms.CharField(
        label=_("通知内容"), required=False, widget=forms.Textarea(attrs={"rows": 14, "cols": 80}),
        help_text=_("每行一项：“放假 开始日期 [结束日期] 节日名称”或“上班 日期 节日名称”。"),
    )
    upload = forms.FileField(label=_("或上传通知文件"), required=False, help_text=_("UTF-8 文本或 JSON 文件。"))

    def clean_region(self):
        code = self.cleaned_data["region"].strip()
        if code and not Region.objects.filter(code=code).exists():
            raise ValidationError(str(calendar.UnknownRegionError(code)))
        return code

    def clean(self):
        data = super().clean()
        text, upload = data.get("text", "").strip(), data.get("upload")
        if upload is not None and text:
            raise ValidationError({"upload": gettext("请只用一种方式：粘贴通知内容，或上传通知文件。")})
        if upload is not None:
            if upload.size > NOTICE_UPLOAD_LIMIT:
                raise ValidationError({"upload": gettext("文件过大：通知文件不应超过 256 KB，请核对是否选错了文件。")})
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError({"upload": gettext("文件不是 UTF-8 编码，请另存为 UTF-8 后再上传。")}) from None
        if not text.strip():
            raise ValidationError({"text": gettext("请粘贴通知内容，或上传通知文件。")})
        source_field = "upload" if upload is not None else "text"
        try:
            parsed = parse_notice_json(text) if text.lstrip().startswith("{") else parse_notice_text(text)
        except CommandError as error:
            raise ValidationError({source_field: str(error).splitlines()}) from None
        wanted = data.get("year")
        if wanted and parsed["year"] and wanted != parsed["year"]:
            raise ValidationError({"year": gettext("年份 %(a)d 与通知内容中的年份 %(b)d 不一致，请核对。")
                                   % {"a": wanted, "b": parsed["year"]}})
        parsed["year"] = wanted or parsed["year"]
        if not parsed["year"]:
            raise ValidationError({"year": gettext("请填写年份，如 2027，或在通知内容中写一行“年份 2027”。")})
        data["notice"] = parsed
        return data


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    form = CalendarYearForm
    list_display = ["year", "scope", "source", "notice", "imported_at"]
    list_filter = ["year", RegionScopeFilter, "source"]
    search_fields = ["notice", "region__name", "region__code"]
    raw_id_fields = ["region"]
    list_select_related = ["region"]
    ordering = ["-year"]

    @admin.display(description=_("适用范围"), ordering="region__code")
    def scope(self, obj: CalendarYear) -> str:
        return f"{obj.region.name}（{obj.region.code}）" if obj.region_id else str(_("全国"))

    def get_readonly_fields(self, request, obj=None):
        return ["year", "region", "imported_at"] if obj else ["imported_at"]

    def get_urls(self):
        own = [path("import/", self.admin_site.admin_view(self.import_view), name="core_calendaryear_import")]
        return own + super().get_urls()

    def import_view(self, request):
        """导入节假日安排通知: the whole year at once, all or nothing, through the calendar service."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = NoticeImportForm(request.POST or None, request.FILES or None,
                                initial={"text": NOTICE_EXAMPLE} if request.method != "POST" else None)
        if request.method == "POST" and form.is_valid():
            notice = form.cleaned_data["notice"]
            try:
                row = services.calendar_import_notice(
                    actor=request.user, year=notice["year"], holidays=notice["holidays"],
                    makeup_days=notice["makeup_days"], region=form.cleaned_data["region"] or None,
                    notice=notice["notice"],
                )
            except ValidationError as error:
                for problem in error.messages:
                    form.add_error(None, problem)
            else:
                off = sum((end - start).days + 1 for start, end, _n in notice["holidays"])
                messages.success(request, gettext("已导入%(y)d年节假日安排（%(r)s）：放假 %(off)d 天，调休上班 %(on)d 天。")
                                 % {"y": row.year, "r": row.region or gettext("全国"), "off": off,
                                    "on": len(notice["makeup_days"])})
                return redirect(reverse("admin:core_calendaryear_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("导入节假日安排通知"),
            "form": form,
            "format_help": NOTICE_FORMAT_HELP,
        }
        return TemplateResponse(request, "admin/core/calendaryear/import.html", context)

    def save_model(self, request, obj, form, change):
        row = services.calendar_year_set(
            actor=request.user, year=obj.year, region=obj.region, source=obj.source, notice=obj.notice
        )
        obj.pk = row.pk

    def delete_model(self, request, obj):
        services.calendar_year_remove(actor=request.user, year=obj.year, region=obj.region)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("region"):
            self.delete_model(request, obj)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit chain is append-only: the admin shows it and never edits it."""

    list_display = ["seq", "at", "actor_label", "action", "object_type", "object_id", "note"]
    list_filter = ["action", "object_type"]
    search_fields = ["action", "object_type", "object_id", "actor_label", "note"]
    date_hierarchy = "at"
    ordering = ["-seq"]
    readonly_fields = [
        "seq", "at", "actor", "actor_label", "action", "object_type", "object_id",
        "before", "after", "ip", "note", "prev_hash", "entry_hash",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
