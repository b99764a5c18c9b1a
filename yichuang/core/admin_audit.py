"""Audit for edits made in the Django admin.

The admin writes reference data (regions, departments, windows, staff) directly; this mixin
gives those writes the same audit entry a service writes, in the admin's own transaction.
"""

from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict

from .audit import audit_record

SECRET_FIELDS = {"password"}


def _snapshot(obj) -> dict:
    data = model_to_dict(obj)
    for field in SECRET_FIELDS & data.keys():
        data[field] = "***"
    return {key: _plain(value) for key, value in data.items()}


def _plain(value):
    if isinstance(value, list | tuple):  # many-to-many: model instances
        return [getattr(v, "pk", v) for v in value]
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


class AuditedAdminMixin:
    def save_model(self, request, obj, form, change):
        before = _snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        label = obj._meta.label_lower
        audit_record(
            actor=request.user, action=f"admin.{label}.{'change' if change else 'add'}", obj=obj,
            before=before, after=_snapshot(obj),
        )

    def delete_model(self, request, obj):
        before = _snapshot(obj)
        label, pk = obj._meta.label_lower, obj.pk
        super().delete_model(request, obj)
        audit_record(actor=request.user, action=f"admin.{label}.delete", object_type=label,
                     object_id=str(pk), before=before)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
