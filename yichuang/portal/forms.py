"""Reading the item's form (rendered from its schema) back out of a POST, and errors for templates."""

from typing import Any

from django.core.exceptions import ValidationError

from yichuang.catalog.models import FormField

T = FormField.Type


def form_data_from_post(fields: list[FormField], post) -> dict[str, Any]:
    """The JSON values the case stores, one key per field of the schema (nothing else is read)."""
    data: dict[str, Any] = {}
    for spec in fields:
        name = f"f_{spec.key}"
        if spec.type == T.MULTI_CHOICE:
            data[spec.key] = [v for v in post.getlist(name) if v]
        elif spec.type == T.BOOLEAN:
            raw = post.get(name, "")
            data[spec.key] = True if raw == "yes" else False if raw == "no" else ""
        else:
            data[spec.key] = post.get(name, "").strip()
    return data


def split_errors(err: ValidationError) -> tuple[dict[str, list[str]], list[str]]:
    """(per-field messages, messages about the whole request) of a service's refusal."""
    if hasattr(err, "error_dict"):
        fields = {key: [str(m) for m in ValidationError(value).messages] for key, value in err.error_dict.items()}
        general = fields.pop("__all__", []) + fields.pop("form", [])
        return fields, general
    return {}, [str(m) for m in err.messages]


def rendered_fields(fields: list[FormField], values: dict[str, Any], errors: dict[str, list[str]]) -> list[dict]:
    """What the template needs for each field: the spec, its current value and its messages."""
    out = []
    for spec in fields:
        value = values.get(spec.key, "")
        if spec.type == T.BOOLEAN:
            value = "yes" if value is True else "no" if value is False else ""
        elif spec.type == T.MULTI_CHOICE and not isinstance(value, list):
            value = []
        out.append({"spec": spec, "name": f"f_{spec.key}", "value": value, "errors": errors.get(spec.key, [])})
    return out
