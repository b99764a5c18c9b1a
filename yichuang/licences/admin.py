"""Admin: seals and licence types are kept here (saved through the services); licences, their
events and reuses are read-only — they change only through the services and the staff pages."""

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from yichuang.catalog.models import Item

from . import services
from .content import validate_field_specs
from .models import Licence, LicenceEvent, LicenceReuse, LicenceType, Seal
from .sealimage import validate_seal_png


def _seal_preview(seal: Seal | None) -> str:
    if seal is None or not seal.pk or not seal.image_png:
        return "—"
    return format_html('<img src="{}" alt="" width="120" height="120">', reverse("licences:seal_image", args=[seal.pk]))


class SealForm(forms.ModelForm):
    image_file = forms.FileField(label=_("印模图像（PNG）"), required=False,
                                 help_text=_("留空则按用章机构名称自动绘制圆形印模。"))
    purpose = forms.CharField(label=_("印章用途文字"), required=False, initial="行政审批专用章",
                              help_text=_("自动绘制时印在五角星下方，如：行政审批专用章"))

    class Meta:
        model = Seal
        fields = ["name", "owner_name", "owner_uscc", "scope", "department", "key_ref", "public_key", "certificate",
                  "valid_from", "valid_to", "status"]
        widgets = {"public_key": forms.Textarea(attrs={"rows": 2, "cols": 70}),
                   "certificate": forms.Textarea(attrs={"rows": 4, "cols": 70})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "public_key" in self.fields:
            self.fields["public_key"].required = False
            self.fields["public_key"].help_text = _("留空则从签名密钥读取。")

    def clean_image_file(self):
        upload = self.cleaned_data.get("image_file")
        if not upload:
            return b""
        return validate_seal_png(upload.read())

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and not self.errors:
            problems = services.seal_problems(
                name=data.get("name", ""), owner_name=data.get("owner_name", ""), owner_uscc=data.get("owner_uscc", ""),
                key_ref=data.get("key_ref", ""), valid_from=data.get("valid_from"), valid_to=data.get("valid_to"),
                scope=data.get("scope", ""), department=data.get("department"), image_png=data.get("image_file") or b"",
                public_key=data.get("public_key", ""),
            )
            for field, messages in problems.items():
                self.add_error(field if field in self.fields else "image_file" if field == "image_png" else None,
                               messages)
        elif self.instance.pk and data.get("valid_to") and data["valid_to"] < self.instance.valid_from:
            self.add_error("valid_to", _("有效期至不能早于启用日期。"))
        return data


@admin.register(Seal)
class SealAdmin(admin.ModelAdmin):
    form = SealForm
    list_display = ["name", "owner_name", "scope", "key_ref", "valid_from", "valid_to", "status", "preview"]
    list_filter = ["status", "scope"]
    search_fields = ["name", "owner_name", "owner_uscc", "key_ref"]
    readonly_fields = ["preview", "fingerprint"]

    @admin.display(description=_("印模"))
    def preview(self, obj: Seal) -> str:
        return _seal_preview(obj)

    @admin.display(description=_("公钥指纹"))
    def fingerprint(self, obj: Seal) -> str:
        from . import sm2

        return sm2.key_fingerprint(sm2.public_key_from_hex(obj.public_key)) if obj.public_key else "—"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "owner_name", "owner_uscc", "scope", "department", "key_ref", "public_key", "certificate",
                    "valid_from", "valid_to", "purpose", "image_file"]
        return ["name", "owner_name", "owner_uscc", "scope", "department", "key_ref", "fingerprint", "public_key",
                "valid_from", "valid_to", "status", "preview", "image_file"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["preview", "fingerprint"]
        # The key and the identity a seal signs with never change: licences signed with it must keep verifying.
        return ["owner_name", "owner_uscc", "scope", "department", "key_ref", "public_key", "valid_from",
                "preview", "fingerprint"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            seal = services.seal_update(
                actor=request.user, seal=obj, name=data.get("name"), valid_to=data.get("valid_to"),
                status=data.get("status"), image_png=data.get("image_file") or None, reason=_("管理后台修改"),
            )
        else:
            seal = services.seal_create(
                actor=request.user, name=data["name"], owner_name=data["owner_name"], owner_uscc=data["owner_uscc"],
                key_ref=data["key_ref"], valid_from=data["valid_from"], valid_to=data["valid_to"], scope=data["scope"],
                department=data.get("department"), image_png=data.get("image_file") or b"",
                purpose=data.get("purpose", ""), public_key=data.get("public_key", ""),
                certificate=data.get("certificate", ""),
            )
        obj.pk = seal.pk
        obj.refresh_from_db()

    def has_delete_permission(self, request, obj=None):
        return False  # a seal that signed licences must stay to verify them; suspend or revoke it instead


class JSONListField(forms.CharField):
    """A JSON list typed in a textarea; a list of names may also be one name per line."""

    def __init__(self, *args, lines: bool = False, **kwargs):
        self.lines = lines
        super().__init__(*args, widget=forms.Textarea(attrs={"rows": 8, "cols": 90}), **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            if self.lines and all(isinstance(v, str) for v in value):
                return "\n".join(value)
            return json.dumps(value, ensure_ascii=False, indent=1)
        return value

    def to_python(self, value):
        text = (value or "").strip()
        if not text:
            return []
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except json.JSONDecodeError as err:
                raise ValidationError(_("不是有效的 JSON：第 %(l)d 行第 %(c)d 列附近有误。") % {"l": err.lineno, "c": err.colno}) from None
            if not isinstance(parsed, list):
                raise ValidationError(_("应为列表。"))
            return parsed
        if self.lines:
            return [line.strip() for line in text.splitlines() if line.strip()]
        raise ValidationError(_("应为 JSON 列表，以 [ 开头。"))


class LicenceTypeForm(forms.ModelForm):
    fields = JSONListField(label=_("证照字段"), required=False, help_text=LicenceType._meta.get_field("fields").help_text)
    satisfies_materials = JSONListField(label=_("可替代的申请材料"), required=False, lines=True,
                                        help_text=_("每行一个材料名称或材料代码。"))

    class Meta:
        model = LicenceType
        fields = ["code", "name", "title", "items", "fields", "validity_years", "validity_months", "validity_days",
                  "template", "seal", "auto_issue", "satisfies_materials", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An item is named by its current version: fetch them together.
        self.fields["items"].queryset = Item.objects.select_related("current").order_by("implementation_code")

    def clean_fields(self):
        return validate_field_specs(self.cleaned_data.get("fields"))

    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").strip().upper()
        if not code.isascii() or not code.isalnum():
            raise ValidationError(_("证照类型代码只能由数字和大写字母组成。"))
        return code


@admin.register(LicenceType)
class LicenceTypeAdmin(admin.ModelAdmin):
    form = LicenceTypeForm
    list_display = ["code", "name", "template", "validity", "seal", "auto_issue", "is_active"]
    list_filter = ["is_active", "auto_issue", "template"]
    search_fields = ["code", "name"]
    filter_horizontal = ["items"]
    list_select_related = ["seal"]

    @admin.display(description=_("有效期"))
    def validity(self, obj: LicenceType) -> str:
        if not obj.has_expiry:
            return str(_("长期"))
        parts = [(obj.validity_years, "年"), (obj.validity_months, "个月"), (obj.validity_days, "日")]
        return "".join(f"{n}{unit}" for n, unit in parts if n)

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []  # identifiers already issued carry the code

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.licence_type_save(
            actor=request.user, code=data.get("code") or obj.code, name=data["name"], title=data.get("title", ""),
            fields=data.get("fields"), items=data.get("items"), validity_years=data.get("validity_years") or 0,
            validity_months=data.get("validity_months") or 0, validity_days=data.get("validity_days") or 0,
            template=data.get("template", ""), seal=data.get("seal"), auto_issue=data.get("auto_issue", False),
            satisfies_materials=data.get("satisfies_materials"), is_active=data.get("is_active", False),
        )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        pass  # the service has set the items

    def has_delete_permission(self, request, obj=None):
        return False  # licences refer to it; set it inactive instead


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = LicenceEvent
    fields = ["at", "actor_label", "action", "from_status", "to_status", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = ["identifier", "title", "holder_name", "status", "valid_to", "issued_at"]
    list_filter = ["status", "type", "department"]
    search_fields = ["identifier", "holder_name", "holder_uscc", "case__number"]
    list_select_related = ["type"]
    date_hierarchy = "issued_at"
    inlines = [EventInline]
    # The clear ID number is never shown; the masked one is.
    exclude = ["holder_id_number", "holder_id_hash"]


@admin.register(LicenceReuse)
class LicenceReuseAdmin(ReadOnlyAdmin):
    list_display = ["at", "licence", "case", "requirement", "trust_level", "by"]
    list_select_related = ["licence", "case", "requirement", "by"]
    search_fields = ["licence__identifier", "case__number"]
