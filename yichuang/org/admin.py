from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from yichuang.core.admin_audit import AuditedAdminMixin

from . import admin_tokens  # noqa: F401  (registers the API token admin)
from .models import Department, Region, Role, ServiceCentre, User, Window


@admin.register(Region)
class RegionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0
    fields = ("number", "name", "kind", "department", "is_active")
    autocomplete_fields = ("department",)


@admin.register(ServiceCentre)
class ServiceCentreAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code", "kind", "region", "parent", "phone", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code", "region__name")
    autocomplete_fields = ("region", "parent")
    inlines = [WindowInline]


@admin.register(Department)
class DepartmentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "short_name", "code", "uscc", "region", "centre", "phone", "is_active")
    list_filter = ("is_active", "centre")
    search_fields = ("name", "short_name", "code", "uscc")
    autocomplete_fields = ("region", "centre")


@admin.register(Window)
class WindowAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("number", "name", "kind", "centre", "department", "is_active")
    list_filter = ("kind", "centre", "is_active")
    search_fields = ("number", "name")
    autocomplete_fields = ("centre", "department")


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "description")

    def has_add_permission(self, request):
        # Role codes are checked by the code; new ones would do nothing.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    list_display = ("username", "display_name", "department", "centre", "role_names", "is_active")
    list_filter = ("roles", "department", "centre", "is_active", "is_staff")
    search_fields = ("username", "display_name", "phone")
    filter_horizontal = ("roles", "windows", "groups", "user_permissions")
    autocomplete_fields = ("region", "centre", "department")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("display_name", "phone", "email")}),
        (_("岗位"), {"fields": ("roles", "region", "centre", "department", "windows")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "display_name", "password1", "password2")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department", "centre").prefetch_related("roles")

    @admin.display(description=_("角色"))
    def role_names(self, obj):
        return "、".join(role.name for role in obj.roles.all())
