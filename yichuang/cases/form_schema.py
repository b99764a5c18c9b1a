"""An item's application form as data: the catalogue's `FormField` rows applied to a JSON dict.

The online hall and the API store what the applicant typed as `Case.form_data` (a JSON object,
one key per field). `form_validate` checks such a dict against the item version's schema and
answers, per field, what is wrong in plain Chinese — an empty dict means the form is valid.

Values are JSON values, as the front desk's `ApplicationForm.form_data()` writes them:
text, id_number, uscc, mobile, region and date are strings (dates `2026-11-02`); integer an int
(or a string of digits); decimal a number or a numeric string; boolean true/false; choice a
string from the list; multi_choice a list of strings from the list. A key that is not a field
of the schema is refused too, so nothing the form does not ask for is ever stored.

`form_normalise` returns the dict the services store: checked codes in their canonical form
(upper-case X, no spaces), integers as ints, amounts as strings.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yichuang.catalog.models import FormField, ItemVersion
from yichuang.core.validators import validate_id_number, validate_mobile, validate_region_code, validate_uscc

T = FormField.Type
# A field with no max_length still has a bound: no JSON value of a form needs more.
DEFAULT_TEXT_MAX = 500
TEXTAREA_MAX = 5000
CODE_VALIDATORS = {
    T.ID_NUMBER: validate_id_number,
    T.USCC: validate_uscc,
    T.MOBILE: validate_mobile,
    T.REGION: validate_region_code,
}
# The key under which messages about the form as a whole (not one field) are given.
FORM_KEY = "__all__"


def schema_of(item_version: ItemVersion) -> list[FormField]:
    return list(item_version.form_fields.order_by("order", "id"))


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, (list, tuple)) and len(value) == 0)


def _messages(err: ValidationError) -> list[str]:
    return [str(m) for m in getattr(err, "messages", [str(err)])]


def _check_text(spec: FormField, value: Any, limit: int) -> tuple[list[str], Any]:
    if not isinstance(value, str):
        return [_("「%(f)s」应为文字。") % {"f": spec.label}], value
    text = value.strip()
    if len(text) > limit:
        return [_("「%(f)s」最多 %(n)d 个字（现为 %(m)d 个）。") % {"f": spec.label, "n": limit, "m": len(text)}], value
    return [], text


def _check_number(spec: FormField, value: Any, *, integer: bool) -> tuple[list[str], Any]:
    if isinstance(value, bool):
        number = None
    elif integer and isinstance(value, int):
        number = decimal.Decimal(value)
    elif not integer and isinstance(value, (int, float)):
        number = decimal.Decimal(str(value))
    elif isinstance(value, str):
        try:
            number = decimal.Decimal(value.strip())
        except decimal.InvalidOperation:
            number = None
    else:
        number = None
    if number is None or not number.is_finite() or (integer and number != number.to_integral_value()):
        if integer:
            return [_("「%(f)s」应为整数。") % {"f": spec.label}], value
        return [_("「%(f)s」应为数字，如 36.5。") % {"f": spec.label}], value
    errors = []
    if spec.min_value is not None and number < spec.min_value:
        errors.append(_("「%(f)s」不能小于 %(v)s。") % {"f": spec.label, "v": _plain(spec.min_value)})
    if spec.max_value is not None and number > spec.max_value:
        errors.append(_("「%(f)s」不能大于 %(v)s。") % {"f": spec.label, "v": _plain(spec.max_value)})
    if not integer and number.as_tuple().exponent < -2:
        errors.append(_("「%(f)s」最多保留两位小数。") % {"f": spec.label})
    if errors:
        return errors, value
    return [], int(number) if integer else format(number.normalize(), "f")


def _plain(value: decimal.Decimal) -> str:
    return format(value.normalize(), "f")


def _check_value(spec: FormField, value: Any) -> tuple[list[str], Any]:
    """(messages, normalised value) for a non-empty value of one field."""
    kind = spec.type
    if kind == T.TEXT:
        return _check_text(spec, value, spec.max_length or DEFAULT_TEXT_MAX)
    if kind == T.TEXTAREA:
        return _check_text(spec, value, spec.max_length or TEXTAREA_MAX)
    if kind == T.INTEGER:
        return _check_number(spec, value, integer=True)
    if kind == T.DECIMAL:
        return _check_number(spec, value, integer=False)
    if kind == T.DATE:
        with contextlib.suppress(ValueError, AttributeError):  # not a date: the message below says so
            return [], datetime.date.fromisoformat(value.strip()).isoformat()
        return [_("「%(f)s」应为日期，格式 年-月-日，如 2026-11-02。") % {"f": spec.label}], value
    if kind == T.BOOLEAN:
        if isinstance(value, bool):
            return [], value
        return [_("「%(f)s」请选择：是或否。") % {"f": spec.label}], value
    if kind == T.CHOICE:
        if isinstance(value, str) and value in (spec.choices or []):
            return [], value
        return [_("「%(f)s」请从列表中选择：%(c)s。") % {"f": spec.label, "c": "、".join(map(str, spec.choices or []))}], value
    if kind == T.MULTI_CHOICE:
        allowed = spec.choices or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return [_("「%(f)s」应为选项列表。") % {"f": spec.label}], value
        unknown = [v for v in value if v not in allowed]
        if unknown:
            return [_("「%(f)s」中「%(v)s」不是可选项。可选：%(c)s。")
                    % {"f": spec.label, "v": "、".join(unknown), "c": "、".join(map(str, allowed))}], value
        if len(set(value)) != len(value):
            return [_("「%(f)s」有重复的选项。") % {"f": spec.label}], value
        return [], value
    validator = CODE_VALIDATORS.get(kind)
    if validator is not None:
        if not isinstance(value, str):
            return [_("「%(f)s」应为文字。") % {"f": spec.label}], value
        try:
            return [], validator(value)
        except ValidationError as err:
            return [_("「%(f)s」：%(m)s") % {"f": spec.label, "m": m} for m in _messages(err)], value
    return [_("「%(f)s」的类型「%(t)s」无法校验，请联系管理员。") % {"f": spec.label, "t": kind}], value


def _check(fields: Iterable[FormField], form_data: Any, *, draft: bool) -> tuple[dict[str, list[str]], dict[str, Any]]:
    if not isinstance(form_data, dict):
        return {FORM_KEY: [_("申请表应为“字段代码: 值”的对象。")]}, {}
    schema = {spec.key: spec for spec in fields}
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for key in form_data:
        if key not in schema:
            errors[str(key)] = [_("「%(k)s」不是本事项申请表的字段。") % {"k": key}]
    for key, spec in schema.items():
        value = form_data.get(key)
        if is_empty(value):
            if spec.required and not draft:
                if spec.type in (T.MULTI_CHOICE,):
                    errors[key] = [_("请至少选择一项「%(f)s」。") % {"f": spec.label}]
                elif spec.type in (T.CHOICE, T.BOOLEAN, T.REGION):
                    errors[key] = [_("请选择「%(f)s」。") % {"f": spec.label}]
                else:
                    errors[key] = [_("请填写「%(f)s」。") % {"f": spec.label}]
            clean[key] = [] if spec.type == T.MULTI_CHOICE else ""
            continue
        messages, normal = _check_value(spec, value)
        if messages:
            errors[key] = messages
        clean[key] = normal
    return errors, clean


def form_validate(*, item_version: ItemVersion, form_data: dict, draft: bool = False) -> dict[str, list[str]]:
    """Per-field messages for `form_data` against the item's form; empty means valid.

    A draft (`draft=True`) may leave required fields empty, but what it does fill in must fit.
    """
    errors, _clean = _check(schema_of(item_version), form_data, draft=draft)
    return errors


def form_normalise(*, item_version: ItemVersion, form_data: dict, draft: bool = False
                   ) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """(errors, the normalised dict to store). The dict has every field of the schema."""
    return _check(schema_of(item_version), form_data, draft=draft)


def form_schema_json(item_version: ItemVersion) -> list[dict[str, Any]]:
    """The schema as the API and the mini-program see it."""
    return [
        {"key": f.key, "label": f.label, "type": f.type, "required": f.required, "choices": list(f.choices or []),
         "max_length": f.max_length, "min_value": _plain(f.min_value) if f.min_value is not None else None,
         "max_value": _plain(f.max_value) if f.max_value is not None else None, "help_text": f.help_text}
        for f in schema_of(item_version)
    ]
