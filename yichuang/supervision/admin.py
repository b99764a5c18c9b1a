"""Settings of electronic supervision are edited here; its records are read here (they change only
through the services and the supervision pages)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError

from .models import (
    AlarmEvent,
    AlarmRule,
    AssessmentMonth,
    AssessmentResult,
    AssessmentRule,
    AssessmentSettings,
    AttendanceRecord,
    AuditDefect,
    AuditRound,
    AuditSetting,
    FollowUp,
    Interview,
    Notification,
    SupervisionSettings,
)
from .services import alarm_rule_set
from .services_assessment import assessment_rule_save, assessment_settings_save


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


# --- window assessment: rules and settings are edited here (through the services); the rest is read ---


class ThroughService(admin.ModelAdmin):
    service = None

    def save_model(self, request, obj, form, change):
        try:
            type(self).service(actor=request.user, **{self.argument: obj})
        except ValidationError as err:
            raise PermissionDenied("；".join(err.messages)) from err

    def has_delete_permission(self, request, obj=None):
        return False  # switch a rule off instead: past months show the rules they used


@admin.register(AssessmentRule)
class AssessmentRuleAdmin(ThroughService):
    service, argument = assessment_rule_save, "rule"
    list_display = ("__str__", "metric", "applies_to", "points", "threshold", "cap", "is_active", "sort_order")
    list_editable = ()
    list_filter = ("is_active", "applies_to")
    fields = ("metric", "label", "applies_to", "points", "threshold", "cap", "is_active", "sort_order")


@admin.register(AssessmentSettings)
class AssessmentSettingsAdmin(ThroughService):
    service, argument = assessment_settings_save, "settings"
    list_display = ("__str__", "base_score", "red_flag_count", "star_count", "min_ratings", "complaint_veto")

    def has_add_permission(self, request):
        return not AssessmentSettings.objects.exists() and super().has_add_permission(request)


@admin.register(AttendanceRecord)
class AttendanceRecordAdmin(ReadOnly):
    list_display = ("day", "staff", "kind", "note", "recorded_by", "recorded_at")
    list_filter = ("kind",)
    list_select_related = ("staff", "recorded_by")
    date_hierarchy = "day"


class AssessmentResultInline(admin.TabularInline):
    model = AssessmentResult
    fields = ("kind", "rank", "label", "score", "eligible", "proposed", "honour")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AssessmentMonth)
class AssessmentMonthAdmin(ReadOnly):
    list_display = ("month", "state", "computed_at", "confirmed_by", "confirmed_at")
    inlines = [AssessmentResultInline]

