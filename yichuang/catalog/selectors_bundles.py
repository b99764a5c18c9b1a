"""Reads of bundles (一件事): the one form (一表制) and the one merged checklist.

A field several items ask for is asked once: item fields are grouped by their bundle key, which
is the explicit `BundleFieldMap` row if there is one, else the item field's own key. A material
several items need (the same material name) is asked once and its answer goes to every item that
needs it. A material that is the result of another item in the bundle (营业执照 from 企业设立登记)
is not asked at all: that item's result provides it.
"""

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from .models import Bundle, BundleItem, FormField, ItemVersion, MaterialRequirement

NECESSITY_RANK = {
    MaterialRequirement.Necessity.REQUIRED: 3,
    MaterialRequirement.Necessity.DEFERRABLE: 2,
    MaterialRequirement.Necessity.OPTIONAL: 1,
}


@dataclass
class BundleEntry:
    entry: BundleItem
    version: ItemVersion | None  # the item's public version today (None: never published)

    @property
    def stage(self) -> int:
        return self.entry.stage


@dataclass
class BundleFormField:
    key: str
    label: str
    type: str
    required: bool
    choices: list
    help_text: str
    max_length: int | None
    targets: list[tuple[ItemVersion, FormField]] = field(default_factory=list)

    @property
    def shared(self) -> bool:
        return len({v.pk for v, _f in self.targets}) > 1

    @property
    def item_names(self) -> list[str]:
        return [v.name for v, _f in self.targets]


@dataclass
class BundleMaterial:
    key: str
    name: str
    necessity: str
    requirements: list[MaterialRequirement] = field(default_factory=list)
    produced_by: ItemVersion | None = None

    @property
    def shared(self) -> bool:
        return len({r.version_id for r in self.requirements}) > 1

    @property
    def item_names(self) -> list[str]:
        names = {r.version_id: r.version.name for r in self.requirements}
        return list(names.values())

    @property
    def necessity_label(self) -> str:
        return str(MaterialRequirement.Necessity(self.necessity).label)

    @property
    def first(self) -> MaterialRequirement:
        return self.requirements[0]


def bundles_published(centre=None) -> QuerySet[Bundle]:
    qs = Bundle.objects.filter(status=Bundle.Status.PUBLISHED).prefetch_related("entries__item__current")
    if centre is not None:
        from django.db.models import Q

        qs = qs.filter(Q(centre__isnull=True) | Q(centre=centre))
    return qs.order_by("code")


def bundle_entries(bundle: Bundle) -> list[BundleEntry]:
    entries = (
        bundle.entries.select_related("item__current__department", "item__current__item_type")
        .order_by("stage", "order", "id")
    )
    return [BundleEntry(entry=e, version=e.item.current) for e in entries]


def bundle_stages(bundle: Bundle) -> list[int]:
    return sorted(set(bundle.entries.values_list("stage", flat=True)))


def _field_map(bundle: Bundle) -> dict[tuple[int, str], str]:
    return {(m.item_id, m.item_field_key): m.bundle_key for m in bundle.field_maps.all()}


def bundle_form(bundle: Bundle) -> list[BundleFormField]:
    """The one form: one field per bundle key, in the order the items first ask for them."""
    mapping = _field_map(bundle)
    fields: dict[str, BundleFormField] = {}
    for entry in bundle_entries(bundle):
        if entry.version is None:
            continue
        for item_field in entry.version.form_fields.order_by("order", "id"):
            key = mapping.get((entry.entry.item_id, item_field.key), item_field.key)
            merged = fields.get(key)
            if merged is None:
                merged = fields[key] = BundleFormField(
                    key=key, label=item_field.label, type=item_field.type, required=item_field.required,
                    choices=list(item_field.choices or []), help_text=item_field.help_text,
                    max_length=item_field.max_length,
                )
            else:
                merged.required = merged.required or item_field.required
                if merged.max_length and item_field.max_length:
                    merged.max_length = min(merged.max_length, item_field.max_length)
            merged.targets.append((entry.version, item_field))
    return list(fields.values())


def material_key(name: str) -> str:
    """A stable key for a merged material: the same name gives the same key in every bundle."""
    return "m" + hashlib.sha1(name.strip().encode()).hexdigest()[:10]


def bundle_checklist(bundle: Bundle) -> list[BundleMaterial]:
    """One checklist: a material several items need is listed once, with the strictest necessity."""
    entries = [e for e in bundle_entries(bundle) if e.version is not None]
    results = {e.version.result_name.strip(): e for e in entries}
    merged: dict[str, BundleMaterial] = {}
    for entry in entries:
        for requirement in entry.version.materials.select_related("version").order_by("order", "id"):
            name = requirement.name.strip()
            key = material_key(name)
            row = merged.get(key)
            if row is None:
                row = merged[key] = BundleMaterial(key=key, name=name, necessity=requirement.necessity)
                producer = results.get(name)
                if producer is not None and producer.version.pk != entry.version.pk and producer.stage <= entry.stage:
                    row.produced_by = producer.version
            elif NECESSITY_RANK[requirement.necessity] > NECESSITY_RANK[row.necessity]:
                row.necessity = requirement.necessity
            row.requirements.append(requirement)
    return list(merged.values())


def bundle_split_form(bundle: Bundle, form_data: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Each item version's own form data, filled from the one form (一表制)."""
    out: dict[int, dict[str, Any]] = {}
    for merged in bundle_form(bundle):
        for version, item_field in merged.targets:
            values = out.setdefault(version.pk, {})
            if merged.key in form_data and form_data[merged.key] not in (None, ""):
                values[item_field.key] = form_data[merged.key]
    for entry in bundle_entries(bundle):
        if entry.version is not None:
            out.setdefault(entry.version.pk, {})
    return out


def bundle_form_errors(bundle: Bundle, form_data: dict[str, Any]) -> dict[str, list[str]]:
    """Missing required answers and unknown choices, per bundle field, in words for the applicant."""
    from django.utils.translation import gettext as _

    errors: dict[str, list[str]] = {}
    known = set()
    for merged in bundle_form(bundle):
        known.add(merged.key)
        value = form_data.get(merged.key)
        if merged.required and value in (None, "", []):
            errors[merged.key] = [_("请填写「%(f)s」。") % {"f": merged.label}]
            continue
        if value in (None, "", []):
            continue
        if merged.choices and merged.type == FormField.Type.CHOICE and value not in merged.choices:
            errors[merged.key] = [_("「%(f)s」请从选项中选择。") % {"f": merged.label}]
        if merged.max_length and isinstance(value, str) and len(value) > merged.max_length:
            errors[merged.key] = [_("「%(f)s」不能超过 %(n)d 个字。") % {"f": merged.label, "n": merged.max_length}]
    for key in form_data:
        if key not in known:
            errors.setdefault(key, []).append(_("表单中没有「%(k)s」这一项。") % {"k": key})
    return errors
