"""Admin for the organisation, in Chinese.

Its forms apply the rules of `services` (a region's level and parent come from its code, a
town point sits in a town under a centre that covers it, a department window belongs to a
department, a reviewer to a department …), so a bad entry is refused on the form with the
field named, never stored half-right. Regions are written through the services themselves.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from yichuang.core.admin_audit import AuditedAdminMixin

from . import (
    admin_tokens,  # noqa: F401  (registers the API token admin)
    services,
)
from .models import Department, Region, Role, ServiceCentre, User, Window


def _fields_present(data: dict, *names: str) -> bool:
    # A field that failed its own validation is missing here; its error is already shown.
    return all(name in data for name in names)


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name"]

    def clean_code(self):
        try:
            code, self._level, self._parent = services.region_placement(self.cleaned_data["code"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["code"]) from None
        return code


@admin.register(Region)
class RegionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = RegionForm
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")

    def get_fields(self, request, obj=None):
        return ["code", "name", "level", "parent"] if obj else ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        # The code is the region's identity (cases, items and calendars refer to it); the level
        # and the parent follow from it.
        return ["code", "level", "parent"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            services.region_update(actor=request.user, region=obj, name=form.cleaned_data["name"])
        else:
            created = services.region_create(actor=request.user, code=obj.code, name=form.cleaned_data["name"])
            obj.pk, obj.level, obj.parent = created.pk, created.level, created.parent


class WindowForm(forms.ModelForm):
    class Meta:
        model = Window
        fields = ["centre", "number", "name", "kind", "department", "is_active"]

    def clean(self):
        data = super().clean()
        problems = {}
        if "number" in data:
            try:
                data["number"] = services.clean_window_number(data["number"])
            except ValidationError as exc:
                problems.update(exc.message_dict)
        if _fields_present(data, "name", "kind"):
            try:
                data.update(services.clean_window(centre=data.get("centre"), name=data["name"], kind=data["kind"],
                                                  department=data.get("department")))
            except ValidationError as exc:
                problems.update(exc.message_dict)
        if problems:
            raise ValidationError(problems)
        return data


class WindowInline(admin.TabularInline):
    model = Window
    form = WindowForm
    extra = 0
    fields = ("number", "name", "kind", "department", "is_active")
    autocomplete_fields = ("department",)


class ServiceCentreForm(forms.ModelForm):
    class Meta:
        model = ServiceCentre
        fields = ["code", "name", "kind", "region", "parent", "address", "phone", "hours", "is_active"]

    def clean(self):
        data = super().clean()
        problems = {}
        if not self.instance.pk and "code" in data:
            try:
                data["code"] = services.clean_centre_code(data["code"])
            except ValidationError as exc:
                problems.update(exc.message_dict)
        if _fields_present(data, "name", "kind", "region"):
            try:
                data.update(services.clean_centre(
                    centre=self.instance if self.instance.pk else None, name=data["name"], kind=data["kind"],
                    region=data["region"], parent=data.get("parent"), address=data.get("address", ""),
                    phone=data.get("phone", ""), hours=data.get("hours", ""),
                ))
            except ValidationError as exc:
                problems.update(exc.message_dict)
        if problems:
            raise ValidationError(problems)
        return data


@admin.register(ServiceCentre)
class ServiceCentreAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = ServiceCentreForm
    list_display = ("name", "code", "kind", "region", "parent", "phone", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code", "region__name")
    autocomplete_fields = ("region", "parent")
    inlines = [WindowInline]

    def get_readonly_fields(self, request, obj=None):
        # The code prefixes every case number the centre has issued.
        return ["code"] if obj else []


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["code", "name", "short_name", "uscc", "region", "centre", "phone", "complaint_phone",
                  "sort_order", "is_active"]

    def clean(self):
        data = super().clean()
        problems = {}
        if not self.instance.pk and "code" in data:
            try:
                data["code"] = services.clean_department_code(data["code"])
            except ValidationError as exc:
                problems.update(exc.message_dict)
        if _fields_present(data, "name", "region", "sort_order"):
            try:
                data.update(services.clean_department(
                    department=self.instance if self.instance.pk else None, name=data["name"],
                    short_name=data.get("short_name", ""), uscc=data.get("uscc", ""), region=data["region"],
                    centre=data.get("centre"), phone=data.get("phone", ""),
                    complaint_phone=data.get("complaint_phone", ""), sort_order=data["sort_order"],
                ))
            except ValidationError as exc:
                problems.update(exc.message_dict)
        if problems:
            raise ValidationError(problems)
        return data


@admin.register(Department)
class DepartmentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = DepartmentForm
    list_display = ("name", "short_name", "code", "uscc", "region", "centre", "phone", "is_active")
    list_filter = ("is_active", "centre")
    search_fields = ("name", "short_name", "code", "uscc")
    autocomplete_fields = ("region", "centre")

    def get_readonly_fields(self, request, obj=None):
        # Items and their exports refer to a department by its code.
        return ["code"] if obj else []


@admin.register(Window)
class WindowAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = WindowForm
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


class StaffChangeForm(UserChangeForm):
    def clean(self):
        data = super().clean()
        problems = {}
        if data.get("phone"):
            try:
                data["phone"] = services.clean_staff_phone(data["phone"])
            except ValidationError as exc:
                problems.update(exc.message_dict)
        if "roles" in data and "windows" in data:
            try:
                services.check_staff_placement(
                    roles=list(data["roles"]), region=data.get("region"), centre=data.get("centre"),
                    department=data.get("department"), windows=list(data["windows"]),
                )
            except ValidationError as exc:
                problems.update(exc.message_dict)
        if problems:
            raise ValidationError(problems)
        return data


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    form = StaffChangeForm
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
