"""Admin for the working-day calendar and a read-only view of the audit log.

Calendar saves and deletions go through the calendar services, so each one bumps the stamp
(every process drops its cached tables) and writes its audit entry.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import calendar, services
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
