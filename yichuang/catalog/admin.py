"""Catalogue admin for the centre admin.

A published version is never edited in place (a case keeps the version it was accepted
under, and the public guide must not change silently): it opens read-only with a button that
starts a new draft version. Drafts are edited with inlines and then published.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yichuang.core.admin_audit import AuditedAdminMixin
from yichuang.core.audit import audit_record

from . import services
from .models import (
    AllowedSpecialProcedure,
    Fee,
    FormField,
    Item,
    ItemType,
    ItemVersion,
    MaterialRequirement,
    ProcessStep,
    SpecialProcedureType,
    Topic,
)
from .serialization import ELEMENT_FIELDS, version_to_dict


@admin.register(ItemType)
class ItemTypeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "sort_order")


@admin.register(Topic)
class TopicAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code", "audience", "sort_order")
    list_filter = ("audience",)


@admin.register(SpecialProcedureType)
class SpecialProcedureTypeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name")


class DraftOnlyInline:
    """Inlines are editable only while their version is a draft."""

    extra = 0

    def _editable(self, obj) -> bool:
        return obj is None or obj.status == ItemVersion.Status.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class MaterialInline(DraftOnlyInline, admin.StackedInline):
    model = MaterialRequirement
    fields = (
        ("order", "code", "name"),
        ("form", "kind", "necessity", "paper_copies"),
        ("source", "source_note"),
        "acceptance_standard",
        "legal_basis",
        ("blank_form", "example_file"),
        "notes",
    )


class FeeInline(DraftOnlyInline, admin.TabularInline):
    model = Fee
    fields = ("order", "name", "standard", "basis", "exemption")


class StepInline(DraftOnlyInline, admin.TabularInline):
    model = ProcessStep
    fields = ("order", "name", "role", "department", "budget_days")


class FormFieldInline(DraftOnlyInline, admin.TabularInline):
    model = FormField
    fields = ("order", "key", "label", "type", "required", "choices", "max_length", "min_value", "max_value", "help_text")


class ProcedureInline(DraftOnlyInline, admin.TabularInline):
    model = AllowedSpecialProcedure
    fields = ("procedure", "counts_toward_limit", "max_days", "note")


class ItemVersionForm(forms.ModelForm):
    implementation_code = forms.CharField(
        label=gettext_lazy("实施编码"), max_length=64,
        help_text=gettext_lazy("新建事项时填写；同一事项的各版本共用一个实施编码。"),
    )

    class Meta:
        model = ItemVersion
        fields = [*ELEMENT_FIELDS, "item_type", "department", "topics", "accepting_centres", "change_note", "result_sample"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["implementation_code"].initial = self.instance.item.implementation_code
            self.fields["implementation_code"].disabled = True

    def clean_implementation_code(self):
        code = self.cleaned_data["implementation_code"].strip()
        if not self.instance.pk and Item.objects.filter(implementation_code=code).exists():
            raise ValidationError(_("实施编码「%(code)s」已存在：请打开该事项并「修订」生成新版本。") % {"code": code})
        return code


@admin.register(ItemVersion)
class ItemVersionAdmin(admin.ModelAdmin):
    form = ItemVersionForm
    list_display = ("name", "code", "version_no", "status_badge", "department", "item_type", "promised_limit", "updated_at")
    list_filter = ("status", "department", "item_type", "handling_type", "tongban_scope")
    search_fields = ("name", "item__implementation_code", "basic_code", "pinyin_initials")
    list_select_related = ("item", "department", "item_type")
    autocomplete_fields = ("department",)
    filter_horizontal = ("topics", "accepting_centres")
    inlines = [MaterialInline, FeeInline, StepInline, ProcedureInline, FormFieldInline]
    change_form_template = "admin/catalog/itemversion/change_form.html"
    change_list_template = "admin/catalog/itemversion/change_list.html"
    fieldsets = (
        (gettext_lazy("基本信息"), {"fields": (
            "implementation_code", ("name", "basic_code"), ("item_type", "level"), "department",
            ("for_persons", "for_companies"), "topics", "change_note",
        )}),
        (gettext_lazy("设定依据与条件"), {"fields": ("legal_basis", "conditions", "refusal_grounds")}),
        (gettext_lazy("办理时限（工作日）"), {"fields": (
            ("statutory_limit", "statutory_limit_note"), ("promised_limit", "promised_limit_note"), "extension_limit",
            "handling_type",
        )}),
        (gettext_lazy("办理方式"), {"fields": (
            "handling_forms", ("visits_required", "online_depth"), "place", "hours",
            "consult_channel", "complaint_channel", "fee_free",
        )}),
        (gettext_lazy("审批结果"), {"fields": (("result_type", "result_name"), "result_sample", "intermediary_services")}),
        (gettext_lazy("便民服务"), {"fields": (
            ("appointment_supported", "post_delivery_supported", "online_payment_supported"),
            "deliver_before_supplement",
        )}),
        (gettext_lazy("通办范围"), {"fields": ("tongban_scope", "accepting_centres")}),
    )

    @admin.display(description=gettext_lazy("实施编码"), ordering="item__implementation_code")
    def code(self, obj):
        return obj.item.implementation_code

    @admin.display(description=gettext_lazy("状态"), ordering="status")
    def status_badge(self, obj):
        colour = {"published": "#1e7b4f", "draft": "#1d4f91", "suspended": "#b7791f"}.get(obj.status, "#777")
        return format_html('<b style="color:{}">{}</b>', colour, obj.get_status_display())

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != ItemVersion.Status.DRAFT:
            return [f for fs in self.fieldsets for row in fs[1]["fields"]
                    for f in (row if isinstance(row, tuple) else (row,)) if f != "implementation_code"]
        return ()

    def has_delete_permission(self, request, obj=None):
        # Only an unpublished draft may be thrown away; public versions are history.
        return (obj is None or obj.status == ItemVersion.Status.DRAFT) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if obj.pk and obj.status != ItemVersion.Status.DRAFT:
            raise ValidationError(_("已发布的版本不能直接修改，请先「修订」生成新版本。"))
        if not change:
            item, _created = Item.objects.get_or_create(implementation_code=form.cleaned_data["implementation_code"])
            obj.item = item
            obj.version_no = 1 + (item.versions.order_by("-version_no").values_list("version_no", flat=True).first() or 0)
        obj.pinyin_initials = services.pinyin_initials(obj.name)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        audit_record(
            actor=request.user, action="catalog.version.edit" if change else "catalog.item.create",
            obj=form.instance, after=version_to_dict(form.instance),
        )

    def get_urls(self):
        own = [
            path("<int:pk>/revise/", self.admin_site.admin_view(self.revise_view), name="catalog_itemversion_revise"),
            path("<int:pk>/publish/", self.admin_site.admin_view(self.publish_view), name="catalog_itemversion_publish"),
            path("<int:pk>/status/", self.admin_site.admin_view(self.status_view), name="catalog_itemversion_status"),
        ]
        return own + super().get_urls()

    def _change_url(self, version):
        return reverse("admin:catalog_itemversion_change", args=[version.pk])

    def revise_view(self, request, pk):
        version = get_object_or_404(ItemVersion, pk=pk)
        if request.method != "POST" or not self.has_change_permission(request):
            return redirect(self._change_url(version))
        draft = services.item_version_revise(actor=request.user, version=version,
                                             change_note=request.POST.get("change_note", ""))
        messages.success(request, _("已生成第 %(n)d 版草稿，修改后点击「发布」生效；原版本保持不变。") % {"n": draft.version_no})
        return redirect(self._change_url(draft))

    def publish_view(self, request, pk):
        version = get_object_or_404(ItemVersion, pk=pk)
        if request.method != "POST" or not self.has_change_permission(request):
            return redirect(self._change_url(version))
        try:
            services.item_version_publish(actor=request.user, version=version)
        except ValidationError as err:
            for message in err.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("第 %(n)d 版已发布，办事指南已更新。") % {"n": version.version_no})
        return redirect(self._change_url(version))

    def status_view(self, request, pk):
        version = get_object_or_404(ItemVersion, pk=pk)
        if request.method != "POST" or not self.has_change_permission(request):
            return redirect(self._change_url(version))
        try:
            with transaction.atomic():
                services.item_version_set_status(
                    actor=request.user, version=version, status=request.POST.get("status", ""),
                    reason=request.POST.get("reason", ""),
                )
        except ValidationError as err:
            for message in err.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("状态已更新。"))
        return redirect(self._change_url(version))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        version = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if version is not None and version.status != ItemVersion.Status.DRAFT:
            if request.method == "POST":
                # The page offers no save button for a public version; a stale tab or a replayed
                # form still gets words, not a server error.
                messages.error(request, _("已发布的版本不能直接修改，请点击「修订（生成新版本）」，在新版本草稿中修改后发布。"))
                return redirect(self._change_url(version))
            extra_context.update({
                "show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False,
            })
        if version is not None:
            extra_context.update({
                "version": version,
                "other_versions": version.item.versions.exclude(pk=version.pk).order_by("-version_no"),
                "has_draft": version.item.versions.filter(status=ItemVersion.Status.DRAFT).exclude(pk=version.pk).first(),
                "publish_problems": services.item_version_problems(version)
                if version.status == ItemVersion.Status.DRAFT else [],
            })
        return super().change_view(request, object_id, form_url, extra_context)
