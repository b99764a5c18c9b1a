"""Admin: the centre admin keeps the hall settings, areas and lines (with their windows).

Tickets, appointments and texts change only through the services; the admin reads them, and
never shows an ID number or a full mobile number.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from yichuang.catalog.models import Item
from yichuang.core.admin_audit import AuditedAdminMixin

from .models import (
    Appointment,
    HallArea,
    HallSettings,
    LineWindow,
    ServiceLine,
    SmsMessage,
    Ticket,
    WindowState,
)


@admin.register(HallSettings)
class HallSettingsAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("centre", "is_enabled", "opens_at", "closes_at", "open_every_day", "recalls_before_skip", "appointment_ahead")
    autocomplete_fields = ("centre",)
    fieldsets = (
        (None, {"fields": ("centre", "is_enabled")}),
        (_("时间"), {"fields": ("opens_at", "closes_at", "last_ticket_minutes", "open_every_day", "lunch_starts", "lunch_ends")}),
        (_("叫号"), {"fields": ("recalls_before_skip", "near_ahead", "elderly_age", "sms_enabled", "chime")}),
        (_("预约"), {"fields": (
            "slots_from", "slots_until", "appointment_ahead", "checkin_early_minutes", "booking_days_ahead", "no_show_limit", "no_show_window_days",
            "booking_block_days",
        )}),
    )


@admin.register(HallArea)
class HallAreaAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code", "centre", "sort_order")
    list_filter = ("centre",)
    autocomplete_fields = ("centre",)
    search_fields = ("name", "code")


class LineWindowInline(admin.TabularInline):
    model = LineWindow
    extra = 1
    autocomplete_fields = ("window",)


@admin.register(ServiceLine)
class ServiceLineAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("prefix", "name", "centre", "area", "window_numbers", "default_service_minutes", "appointments_enabled", "is_active")
    list_filter = ("centre", "is_active", "appointments_enabled")
    search_fields = ("name", "code", "prefix")
    autocomplete_fields = ("centre", "area")
    filter_horizontal = ("items", "departments")
    inlines = [LineWindowInline]
    fieldsets = (
        (None, {"fields": ("centre", "area", "code", "name", "prefix", "description", "sort_order", "is_active")}),
        (_("办理的事项"), {"fields": ("departments", "items")}),
        (_("等候估算与预约"), {"fields": ("default_service_minutes", "appointments_enabled", "slot_minutes", "slot_capacity")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("centre", "area").prefetch_related("line_windows__window")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "items":
            # The item's label is its current version's name.
            kwargs["queryset"] = Item.objects.select_related("current").order_by("current__name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("窗口（优先级）"))
    def window_numbers(self, obj):
        return "、".join(f"{lw.window.number}（{lw.priority}）" for lw in obj.line_windows.all())


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("number", "day", "line", "category", "source", "status", "window", "clerk", "wait_minutes", "service_seconds")
    list_filter = ("day", "status", "category", "source", "centre")
    search_fields = ("number",)
    date_hierarchy = "day"
    fields = (
        "centre", "line", "day", "number", "category", "source", "status", "rank", "issued_at", "queued_at",
        "first_called_at", "called_at", "started_at", "finished_at", "window", "clerk", "target_window", "recalls",
        "transfer_note", "item", "appointment", "wait_seconds", "service_seconds",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("line", "window", "clerk")


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ("day", "starts_at", "line", "name", "masked_id", "status", "code")
    list_filter = ("day", "status", "centre")
    search_fields = ("code", "name")
    date_hierarchy = "day"
    fields = ("centre", "line", "day", "starts_at", "ends_at", "status", "name", "masked_id", "item", "code",
              "created_at", "checked_in_at", "cancelled_at")
    readonly_fields = ("masked_id",)

    @admin.display(description=_("身份证号码"))
    def masked_id(self, obj):
        return obj.masked_id

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("line")


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "masked_phone", "text", "status", "sent_at")
    list_filter = ("status",)
    fields = ("created_at", "masked_phone", "text", "status", "backend", "error", "sent_at", "ticket", "appointment")
    readonly_fields = ("masked_phone",)

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return f"*******{obj.phone_last4}"


@admin.register(WindowState)
class WindowStateAdmin(ReadOnlyAdmin):
    list_display = ("window", "state", "reason", "clerk", "since")
    list_filter = ("state",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("window", "clerk")
