"""The one dictionary shape of an item version, shared by export, import, the API and the audit trail."""

from decimal import Decimal
from typing import Any

from .models import ItemVersion

ELEMENT_FIELDS = [
    "name", "basic_code", "level", "for_persons", "for_companies", "legal_basis", "conditions",
    "refusal_grounds", "statutory_limit", "statutory_limit_note", "promised_limit", "promised_limit_note",
    "extension_limit",
    "handling_type", "handling_forms", "visits_required", "online_depth", "place", "hours",
    "consult_channel", "complaint_channel", "fee_free", "result_type", "result_name",
    "intermediary_services", "appointment_supported", "post_delivery_supported",
    "online_payment_supported", "deliver_before_supplement", "tongban_scope",
]
MATERIAL_FIELDS = [
    "code", "name", "form", "kind", "necessity", "source", "source_note", "paper_copies",
    "acceptance_standard", "legal_basis", "notes",
]
FEE_FIELDS = ["name", "standard", "basis", "exemption"]
STEP_FIELDS = ["name", "role", "budget_days"]
FORM_FIELD_FIELDS = ["key", "label", "type", "required", "choices", "max_length", "min_value", "max_value", "help_text"]
PROCEDURE_FIELDS = ["counts_toward_limit", "max_days", "note"]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        # format(..., "f") keeps 10000 as "10000" where str(normalize()) would give "1E+4".
        return format(value.normalize(), "f")
    return value


def version_to_dict(version: ItemVersion) -> dict[str, Any]:
    data: dict[str, Any] = {
        "implementation_code": version.item.implementation_code,
        "item_type": version.item_type_id,
        "department": version.department.code,
    }
    for field in ELEMENT_FIELDS:
        data[field] = _plain(getattr(version, field))
    data["topics"] = sorted(version.topics.values_list("code", flat=True))
    data["accepting_centres"] = sorted(version.accepting_centres.values_list("code", flat=True))
    data["special_procedures"] = [
        {"procedure": p.procedure_id, **{f: getattr(p, f) for f in PROCEDURE_FIELDS}}
        for p in version.allowed_procedures.order_by("procedure_id")
    ]
    data["materials"] = [{f: getattr(m, f) for f in MATERIAL_FIELDS} for m in version.materials.all()]
    data["fees"] = [{f: getattr(fee, f) for f in FEE_FIELDS} for fee in version.fees.all()]
    data["steps"] = [
        {**{f: getattr(s, f) for f in STEP_FIELDS}, "department": s.department.code if s.department_id else None}
        for s in version.steps.select_related("department")
    ]
    data["form_fields"] = [
        {f: _plain(getattr(ff, f)) for f in FORM_FIELD_FIELDS} for ff in version.form_fields.all()
    ]
    return data
