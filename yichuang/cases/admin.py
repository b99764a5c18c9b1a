"""Cases are changed only through the services (and the staff pages built on them); the admin reads."""

from django.contrib import admin

from .models import Applicant, Case, CaseEvent, CaseMaterial, CaseStep, Notice


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("at", "actor_label", "action", "status_code", "to_status", "summary")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class MaterialInline(EventInline):
    model = CaseMaterial
    fields = ("requirement", "state", "note", "promised_on", "supplied_at")
    readonly_fields = fields


class StepInline(EventInline):
    model = CaseStep
    fields = ("order", "name", "role", "department", "state", "due_date", "alarm", "handled_by", "opinion")
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("number", "item_version", "applicant", "department", "status", "due_date", "alarm", "received_at")
    list_filter = ("status", "alarm", "channel", "department", "centre", "delivery", "interview_flag")
    search_fields = ("number",)
    list_select_related = ("item_version", "applicant", "department")
    date_hierarchy = "received_at"
    inlines = [MaterialInline, StepInline, EventInline]
    exclude = ("agent_id_number",)


@admin.register(Applicant)
class ApplicantAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "masked_id", "phone")
    list_filter = ("kind",)
    search_fields = ("name", "uscc", "phone")
    # The clear ID number is never shown in a list or a form.
    exclude = ("id_number",)


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "case", "issued_at")
    list_filter = ("kind",)
    search_fields = ("number", "case__number")
