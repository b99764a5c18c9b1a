"""What a licence says: its fields taken from the case, and its validity.

A licence type lists its fields as `{key, label, source, required}`. The source says where the
value comes from:

    form:<key>          the application form (case.form_data)
    case:<attribute>    one of CASE_ATTRIBUTES below (the applicant, the item, the case number …)
    decision:<what>     date | reason | basis — the approval decision
    const:<text>        the same text on every licence of the type

Personal ID numbers found in any value are masked: a licence's public fields are shown on the
public verification page.
"""

import calendar
import datetime
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yichuang.core.validators import is_valid_id_number, mask_id_number

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def _local_date(value: datetime.datetime | None) -> str:
    return timezone.localdate(value).isoformat() if value else ""


CASE_ATTRIBUTES: dict[str, tuple[Any, Callable[[Any], Any]]] = {
    "number": (gettext_lazy("办件编号"), lambda case: case.number),
    "holder_name": (gettext_lazy("申请人名称"), lambda case: case.applicant.name),
    "holder_code": (gettext_lazy("统一社会信用代码或身份证号码（脱敏）"), lambda case: case.applicant.masked_id),
    "legal_representative": (gettext_lazy("法定代表人"), lambda case: case.applicant.legal_representative),
    "address": (gettext_lazy("申请人地址"), lambda case: case.applicant.address),
    "item_name": (gettext_lazy("事项名称"), lambda case: case.item_version.name),
    "department": (gettext_lazy("办理部门"), lambda case: case.department.name),
    "centre": (gettext_lazy("受理中心"), lambda case: case.centre.name),
    "accepted_on": (gettext_lazy("受理日期"), lambda case: _local_date(case.accepted_at)),
}
DECISION_ATTRIBUTES: dict[str, tuple[Any, Callable[[Any], Any]]] = {
    "date": (gettext_lazy("决定日期"), lambda case: _local_date(case.decided_at)),
    "reason": (gettext_lazy("决定意见"), lambda case: case.decision_reason),
    "basis": (gettext_lazy("决定依据"), lambda case: case.decision_basis),
}


def validate_field_specs(specs: Any) -> list[dict[str, Any]]:
    """Check a licence type's field list; return it cleaned, or raise with every problem listed."""
    if specs in (None, ""):
        return []
    if not isinstance(specs, list):
        raise ValidationError(_("证照字段应为列表：[{\"key\": …, \"label\": …, \"source\": …}]。"), code="fields")
    problems: list[str] = []
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, spec in enumerate(specs, start=1):
        where = _("第 %(n)d 个字段") % {"n": number}
        if not isinstance(spec, dict):
            problems.append(_("%(w)s应为对象。") % {"w": where})
            continue
        key = str(spec.get("key", "")).strip()
        label = str(spec.get("label", "")).strip()
        source = str(spec.get("source", "")).strip()
        if not KEY_RE.match(key):
            problems.append(_("%(w)s的代码「%(k)s」无效：用小写字母开头，只含小写字母、数字和下划线。") % {"w": where, "k": key})
        elif key in seen:
            problems.append(_("%(w)s的代码「%(k)s」重复。") % {"w": where, "k": key})
        seen.add(key)
        if not label:
            problems.append(_("%(w)s缺少名称（label）。") % {"w": where})
        kind, _sep, name = source.partition(":")
        if kind == "form":
            if not KEY_RE.match(name) and not re.fullmatch(r"[A-Za-z0-9_\-]{1,60}", name):
                problems.append(_("%(w)s的来源「%(s)s」应为 form:<表单字段代码>。") % {"w": where, "s": source})
        elif kind == "case":
            if name not in CASE_ATTRIBUTES:
                problems.append(_("%(w)s的来源「%(s)s」无效，可用：%(a)s。")
                                % {"w": where, "s": source, "a": "、".join(f"case:{a}" for a in CASE_ATTRIBUTES)})
        elif kind == "decision":
            if name not in DECISION_ATTRIBUTES:
                problems.append(_("%(w)s的来源「%(s)s」无效，可用：decision:date、decision:reason、decision:basis。")
                                % {"w": where, "s": source})
        elif kind == "const":
            if not name.strip():
                problems.append(_("%(w)s的固定文字为空。") % {"w": where})
        else:
            problems.append(_("%(w)s的来源「%(s)s」应以 form:、case:、decision: 或 const: 开头。") % {"w": where, "s": source})
        cleaned.append({"key": key, "label": label, "source": source, "required": bool(spec.get("required", False))})
    if problems:
        raise ValidationError(problems, code="fields")
    return cleaned


def mask_personal_numbers(text: str) -> str:
    """Mask every valid 18-digit ID number inside a value (e.g. a form field 负责人身份证号码)."""
    def replace(match: re.Match) -> str:
        value = match.group(0)
        return mask_id_number(value.upper()) if is_valid_id_number(value) else value

    return ID_NUMBER_RE.sub(replace, text)


def display_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list | tuple):
        return "、".join(display_value(v) for v in value if v not in (None, ""))
    if isinstance(value, dict):
        return "；".join(f"{k}：{display_value(v)}" for k, v in value.items())
    return str(value).strip()


def resolve_fields(specs: list[dict[str, Any]], case) -> tuple[list[dict[str, str]], list[str]]:
    """The licence's public fields for `case`, and the labels of required fields left empty."""
    values: list[dict[str, str]] = []
    missing: list[str] = []
    form = case.form_data or {}
    for spec in specs:
        kind, _sep, name = spec["source"].partition(":")
        if kind == "form":
            raw = form.get(name)
        elif kind == "case":
            raw = CASE_ATTRIBUTES[name][1](case)
        elif kind == "decision":
            raw = DECISION_ATTRIBUTES[name][1](case)
        else:
            raw = name
        text = mask_personal_numbers(display_value(raw))
        if not text and spec.get("required"):
            missing.append(f"{spec['label']}（{spec['source']}）")
        values.append({"key": spec["key"], "label": spec["label"], "value": text})
    return values, missing


def add_period(start: datetime.date, *, years: int = 0, months: int = 0, days: int = 0) -> datetime.date:
    """start + years/months/days, with the 29th–31st clamped to the month's last day."""
    month_index = start.month - 1 + months + 12 * years
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day) + datetime.timedelta(days=days)


def validity_end(start: datetime.date, *, years: int, months: int, days: int) -> datetime.date | None:
    """The last valid day: a five-year licence from 2026-11-05 is valid to 2031-11-04; None = 长期有效."""
    if not (years or months or days):
        return None
    return add_period(start, years=years, months=months, days=days) - datetime.timedelta(days=1)
