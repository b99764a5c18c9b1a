"""Settings of electronic supervision are edited here; its records are read here (they change only
through the services and the supervision pages)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError

from .models import (
    AlarmEvent,
    AlarmRule,
    AuditDefect,
    AuditRound,
    AuditSetting,
    FollowUp,
    Interview,
    Notification,
    SupervisionSettings,
)
from .services import alarm_rule_set


@admin.register(AlarmRule)
class AlarmRuleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "item", "warning_days", "note", "updated_at")
    raw_id_fields = ("item",)
    fields = ("item", "warning_days", "note")

    def save_model(self, request, obj, form, change):
        # Through the service: checked, audited.
        try:
            saved = alarm_rule_set(actor=request.user, item=obj.item, warning_days=obj.warning_days, note=obj.note)
        except (PermissionDenied, ValidationError) as err:
            raise PermissionDenied(str(err)) from err
        obj.pk = saved.pk


@admin.register(AuditSetting)
class AuditSettingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "department", "sample_size", "rectify_days", "auto_draw")


@admin.register(SupervisionSettings)
class SupervisionSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "overdue_steps_threshold", "lookback_days", "on_time_rate_threshold", "min_closed")

    def has_add_permission(self, request):
        return not SupervisionSettings.objects.exists() and super().has_add_permission(request)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AlarmEvent)
class AlarmEventAdmin(ReadOnly):
    list_display = ("at", "case", "step", "department", "from_level", "to_level", "due_date")
    list_filter = ("to_level", "department")
    list_select_related = ("case", "step", "department")
    search_fields = ("case__number",)
    date_hierarchy = "at"


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    list_display = ("created_at", "recipient", "kind", "level", "text", "read_at")
    list_filter = ("kind", "level")
    list_select_related = ("recipient",)


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnly):
    list_display = ("created_at", "case", "department", "level", "state", "created_by")
    list_filter = ("state", "department")
    list_select_related = ("case", "department", "created_by")


@admin.register(AuditRound)
class AuditRoundAdmin(ReadOnly):
    list_display = ("month", "department", "sample_size", "population", "seed", "drawn_at", "drawn_by")
    list_filter = ("department",)


@admin.register(AuditDefect)
class AuditDefectAdmin(ReadOnly):
    list_display = ("sample", "department", "category", "deadline", "state")
    list_filter = ("state", "category", "department")


@admin.register(Interview)
class InterviewAdmin(ReadOnly):
    list_display = ("held_on", "kind", "department", "case", "staff", "recorded_by")
    list_filter = ("kind", "department")
