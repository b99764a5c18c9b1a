"""Forms of the front desk (综合窗口): they parse what the clerk typed and say what is wrong.

The application form of an item (`application_form`) is built from the item version's
`FormField` rows and is meant to be reused by every channel that takes an application (the
online hall renders it with `cases/front/_application_form.html` too). The other forms only
parse input: the rules (whether a case may be accepted, what a notice must say) stay in the
services, whose refusals are put next to the right field by `apply_service_error`.
"""

import datetime
import decimal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yichuang.catalog.models import FormField, MaterialRequirement
from yichuang.core.validators import validate_id_number, validate_mobile, validate_region_code, validate_uscc
from yichuang.org.models import Region, Role, ServiceCentre, User

from .models import Applicant, CaseMaterial

# --- the item's application form ------------------------------------------------------------

# A short yes/no list renders as radio buttons, a longer one as a drop-down.
RADIO_MAX_CHOICES = 4
YES, NO = "yes", "no"


def _required_message(label: str) -> str:
    return _("请填写「%(f)s」。") % {"f": label}


def _checked(validator):
    """A Django field validator from one of core's validators (which also normalise the value)."""

    def run(value):
        if value not in (None, ""):
            validator(value)

    return run


class ApplicationForm(forms.Form):
    """The fields an item asks for; `form_data()` gives what is stored on the case as JSON."""

    def __init__(self, *args, form_fields: Iterable[FormField], region_choices: list[tuple[str, str]] | None = None,
                 sources: Mapping[str, str] | None = None, **kwargs):
        kwargs.setdefault("prefix", "f")
        super().__init__(*args, **kwargs)
        self.schema = list(form_fields)
        self.wide: set[str] = set()
        for spec in self.schema:
            self.fields[spec.key] = self._field(spec, region_choices)
            if spec.type in (FormField.Type.TEXTAREA, FormField.Type.MULTI_CHOICE):
                self.wide.add(spec.key)
            source = (sources or {}).get(spec.key)
            if source:
                # The console copies the applicant's details into the form while they are typed.
                self.fields[spec.key].widget.attrs["data-from"] = source

    def _field(self, spec: FormField, region_choices) -> forms.Field:
        messages = {"required": _required_message(spec.label)}
        common: dict[str, Any] = {
            "label": spec.label, "required": spec.required, "help_text": spec.help_text,
            "error_messages": messages,
        }
        kind = spec.type
        low = spec.min_value
        high = spec.max_value
        if kind == FormField.Type.TEXTAREA:
            return forms.CharField(max_length=spec.max_length, widget=forms.Textarea(attrs={"rows": 2}), **common)
        if kind == FormField.Type.INTEGER:
            messages["invalid"] = _("「%(f)s」应为整数。") % {"f": spec.label}
            return forms.IntegerField(
                min_value=int(low) if low is not None else None, max_value=int(high) if high is not None else None,
                **common,
            )
        if kind == FormField.Type.DECIMAL:
            messages["invalid"] = _("「%(f)s」应为数字，如 36.5。") % {"f": spec.label}
            return forms.DecimalField(
                min_value=low, max_value=high, max_digits=18, decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}), **common,
            )
        if kind == FormField.Type.DATE:
            messages["invalid"] = _("「%(f)s」应为日期，格式 年-月-日。") % {"f": spec.label}
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common)
        if kind == FormField.Type.CHOICE:
            choices = [(c, c) for c in spec.choices]
            messages["invalid_choice"] = _("「%(f)s」请从列表中选择。") % {"f": spec.label}
            if len(choices) <= RADIO_MAX_CHOICES:
                return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
            return forms.ChoiceField(choices=[("", _("请选择"))] + choices, **common)
        if kind == FormField.Type.MULTI_CHOICE:
            messages["required"] = _("请至少选择一项「%(f)s」。") % {"f": spec.label}
            messages["invalid_choice"] = _("「%(f)s」请从列表中选择。") % {"f": spec.label}
            return forms.MultipleChoiceField(
                choices=[(c, c) for c in spec.choices], widget=forms.CheckboxSelectMultiple, **common
            )
        if kind == FormField.Type.BOOLEAN:
            messages["required"] = _("请选择「%(f)s」：是或否。") % {"f": spec.label}
            return forms.TypedChoiceField(
                choices=[(YES, _("是")), (NO, _("否"))], coerce=lambda v: v == YES, empty_value=None,
                widget=forms.RadioSelect, **common,
            )
        if kind == FormField.Type.REGION and region_choices:
            messages["invalid_choice"] = _("「%(f)s」请从列表中选择。") % {"f": spec.label}
            return forms.ChoiceField(choices=[("", _("请选择"))] + list(region_choices), **common)
        validator = {
            FormField.Type.ID_NUMBER: validate_id_number,
            FormField.Type.USCC: validate_uscc,
            FormField.Type.MOBILE: validate_mobile,
            FormField.Type.REGION: validate_region_code,
        }.get(kind)
        # Checked codes allow for the spaces people type between groups of digits.
        max_length = 24 if validator is not None else (spec.max_length or 500)
        text = forms.CharField(max_length=max_length, **common)
        if validator is not None:
            text.validators.append(_checked(validator))
            text.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
            if kind == FormField.Type.MOBILE:
                text.widget.input_type = "tel"
        return text

    def clean(self):
        cleaned = super().clean()
        # Store the normalised form of checked codes (upper-case X, no spaces, no +86).
        for spec in self.schema:
            value = cleaned.get(spec.key)
            if value and spec.type == FormField.Type.ID_NUMBER:
                cleaned[spec.key] = validate_id_number(value)
            elif value and spec.type == FormField.Type.USCC:
                cleaned[spec.key] = validate_uscc(value)
            elif value and spec.type == FormField.Type.MOBILE:
                cleaned[spec.key] = validate_mobile(value)
        return cleaned

    def form_data(self) -> dict[str, Any]:
        """The cleaned answers as JSON values: dates as 2026-11-02, amounts as strings."""
        data: dict[str, Any] = {}
        for spec in self.schema:
            value = self.cleaned_data.get(spec.key)
            if isinstance(value, datetime.date):
                value = value.isoformat()
            elif isinstance(value, decimal.Decimal):
                value = format(value.normalize(), "f")
            elif value is None:
                value = ""
            data[spec.key] = value
        return data

    def rows(self):
        """Bound fields with a flag for those that take a whole row of the grid."""
        return [(self[spec.key], spec.key in self.wide) for spec in self.schema]


def application_form(form_fields: Iterable[FormField], data=None, *, initial: Mapping[str, Any] | None = None,
                     region_choices: list[tuple[str, str]] | None = None,
                     sources: Mapping[str, str] | None = None) -> ApplicationForm:
    return ApplicationForm(data, initial=initial, form_fields=form_fields, region_choices=region_choices,
                           sources=sources)


def region_choices_below(region: Region, level: int = Region.Level.TOWN) -> list[tuple[str, str]]:
    """The towns (by default) under a region, for a 行政区划 field."""
    return list(
        Region.objects.filter(code__startswith=region.prefix, level=level).order_by("code").values_list("code", "name")
    )


# Which application-form keys the console fills from the applicant block (一表制 keys of the catalogue).
APPLICANT_SOURCES = {
    "entity_name": "a-name",
    "applicant_name": "a-name",
    "uscc": "a-uscc",
    "applicant_id": "a-id_number",
    "legal_rep": "a-legal_representative",
    "contact_mobile": "a-phone",
}


# --- the applicant --------------------------------------------------------------------------


class ApplicantForm(forms.Form):
    """Who applies. The service validates the numbers and finds or registers the applicant."""

    kind = forms.ChoiceField(label=gettext_lazy("申请人类型"), choices=[
        (Applicant.Kind.COMPANY, gettext_lazy("法人")), (Applicant.Kind.PERSON, gettext_lazy("自然人")),
    ], widget=forms.RadioSelect)
    id_number = forms.CharField(label=gettext_lazy("身份证号码"), required=False, max_length=24)
    uscc = forms.CharField(label=gettext_lazy("统一社会信用代码"), required=False, max_length=24)
    name = forms.CharField(label=gettext_lazy("姓名/单位名称"), required=False, max_length=200)
    phone = forms.CharField(label=gettext_lazy("联系电话"), required=False, max_length=20)
    address = forms.CharField(label=gettext_lazy("地址"), required=False, max_length=300)
    legal_representative = forms.CharField(label=gettext_lazy("法定代表人"), required=False, max_length=60)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "a")
        super().__init__(*args, **kwargs)
        for name in ("id_number", "uscc"):
            self.fields[name].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["phone"].widget.input_type = "tel"

    @property
    def kind_value(self) -> str:
        value = self.data.get(self.add_prefix("kind")) if self.is_bound else None
        value = value or self.initial.get("kind") or self.fields["kind"].initial
        return value if value in Applicant.Kind.values else Applicant.Kind.COMPANY

    @property
    def is_company(self) -> bool:
        return self.kind_value == Applicant.Kind.COMPANY

    def code_value(self) -> str:
        """The ID number or USCC as typed (what the lookup searches for)."""
        name = "uscc" if self.is_company else "id_number"
        if not self.is_bound:
            return str(self.initial.get(name, ""))
        return str(self.data.get(self.add_prefix(name), "")).strip().replace(" ", "").upper()

    def service_kwargs(self) -> dict[str, str]:
        data = self.cleaned_data
        company = data["kind"] == Applicant.Kind.COMPANY
        return {
            "kind": data["kind"], "name": data["name"],
            "id_number": "" if company else data["id_number"], "uscc": data["uscc"] if company else "",
            "phone": data["phone"], "address": data["address"],
            "legal_representative": data["legal_representative"] if company else "",
        }

    @staticmethod
    def initial_from(applicant: Applicant) -> dict[str, str]:
        return {
            "kind": applicant.kind, "name": applicant.name, "phone": applicant.phone, "address": applicant.address,
            "legal_representative": applicant.legal_representative, "uscc": applicant.uscc,
            "id_number": applicant.id_number,
        }


@dataclass
class ApplicantLookup:
    """What the lookup found for the number typed: an applicant, a new one, or a bad number."""

    code: str
    applicant: Applicant | None = None
    error: str = ""

    @property
    def complete(self) -> bool:
        return len(self.code) >= 18


def lookup_number(form: ApplicantForm, find) -> ApplicantLookup:
    """Check the number once 18 characters are typed, then look the applicant up with `find`."""
    code = form.code_value()
    result = ApplicantLookup(code=code)
    if not result.complete:
        return result
    try:
        if form.is_company:
            clean = validate_uscc(code)
            result.applicant = find(uscc=clean)
        else:
            clean = validate_id_number(code)
            result.applicant = find(id_number=clean)
    except ValidationError as err:
        result.error = err.messages[0]
    return result


# --- staff choices of the centre --------------------------------------------------------------


def _staff_of(centre: ServiceCentre, *roles: str):
    return (
        User.objects.filter(is_active=True, roles__code__in=roles, centre=centre)
        .distinct().order_by("display_name", "username")
    )


def front_desk_staff(centre: ServiceCentre):
    return _staff_of(centre, Role.Code.CLERK, Role.Code.TOWN_CLERK)


def agents_of(centre: ServiceCentre):
    return _staff_of(centre, Role.Code.AGENT)


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return str(obj)


# --- the rest of the one-page acceptance ------------------------------------------------------

ACTION_ACCEPT, ACTION_CORRECTION, ACTION_REFUSE, ACTION_IMMEDIATE = "accept", "correction", "refuse", "immediate"
NEW_CASE_ACTIONS = (ACTION_ACCEPT, ACTION_CORRECTION, ACTION_REFUSE, ACTION_IMMEDIATE)


class RefusalFields(forms.Form):
    """不予受理 must say why, on what legal basis and how the applicant could succeed (双告知)."""

    reason = forms.CharField(label=gettext_lazy("不予受理的理由"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.CharField(label=gettext_lazy("法律依据"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    way_forward = forms.CharField(label=gettext_lazy("如何才能办理（告知申请人的途径）"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    MESSAGES = {
        "reason": gettext_lazy("请写明不予受理的理由。"),
        "legal_basis": gettext_lazy("请写明法律依据。"),
        "way_forward": gettext_lazy("请告知申请人如何才能办理（向哪个机关申请，或需要具备什么条件）。"),
    }

    def require_all(self) -> None:
        for name, message in self.MESSAGES.items():
            if not (self.cleaned_data.get(name) or "").strip():
                self.add_error(name, str(message))


class NewCaseForm(RefusalFields):
    """The agent, first-contact responsibility, hand-over, and the inputs of the chosen action."""

    action = forms.ChoiceField(choices=[(a, a) for a in NEW_CASE_ACTIONS], required=False)
    agent_name = forms.CharField(label=gettext_lazy("代理人姓名"), required=False, max_length=60)
    agent_id_number = forms.CharField(label=gettext_lazy("代理人身份证号码"), required=False, max_length=24)
    agent_power_of_attorney = forms.BooleanField(label=gettext_lazy("已提交授权委托书"), required=False)
    first_contact = StaffChoiceField(label=gettext_lazy("首问负责人"), queryset=User.objects.none(),
                                     empty_label=None,
                                     error_messages={"invalid_choice": gettext_lazy("请选择本中心的受理人员。")})
    agent_staff = StaffChoiceField(label=gettext_lazy("转帮办代办员"), queryset=User.objects.none(), required=False,
                                   empty_label=gettext_lazy("不转代办"),
                                   error_messages={"invalid_choice": gettext_lazy("请选择本中心的帮办代办员。")})
    collected_by = forms.CharField(label=gettext_lazy("领取人"), required=False, max_length=60)

    def __init__(self, *args, centre: ServiceCentre, clerk: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_contact"].queryset = front_desk_staff(centre)
        self.fields["first_contact"].initial = clerk.pk
        self.fields["agent_staff"].queryset = agents_of(centre)
        self.fields["agent_id_number"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if not action:
            raise ValidationError(_("请选择要办理的操作：受理、出具一次性告知书、不予受理或即办。"))
        if action == ACTION_REFUSE:
            self.require_all()
        if action == ACTION_IMMEDIATE and not (cleaned.get("collected_by") or "").strip():
            self.add_error("collected_by", _("请填写当场领取结果的人的姓名。"))
        if (cleaned.get("agent_id_number") or "").strip() and not (cleaned.get("agent_name") or "").strip():
            self.add_error("agent_name", _("填写了代理人身份证号码，请同时填写代理人姓名。"))
        return cleaned


# --- the material checklist -------------------------------------------------------------------

S = CaseMaterial.State
N = MaterialRequirement.Necessity
STATE_SHORT = {
    S.RECEIVED: gettext_lazy("已收"), S.MISSING: gettext_lazy("缺少"), S.DEFECTIVE: gettext_lazy("不符合"),
    S.DEFERRED: gettext_lazy("容缺"), S.NOT_APPLICABLE: gettext_lazy("不适用"),
}


def offered_states(requirement: MaterialRequirement) -> list[str]:
    """容缺 only for a material the item marks 容缺后补; 不适用 only for an optional one."""
    states = [S.RECEIVED, S.MISSING, S.DEFECTIVE]
    if requirement.necessity == N.DEFERRABLE:
        states.append(S.DEFERRED)
    if requirement.necessity == N.OPTIONAL:
        states.append(S.NOT_APPLICABLE)
    return states


def default_state(requirement: MaterialRequirement) -> str:
    return S.NOT_APPLICABLE if requirement.necessity == N.OPTIONAL else S.MISSING


@dataclass
class ChecklistRow:
    requirement: MaterialRequirement
    state: str
    note: str = ""
    promised_on: str = ""
    current: CaseMaterial | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"m{self.requirement.pk}"

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(s, str(STATE_SHORT[s])) for s in offered_states(self.requirement)]

    @property
    def deferrable(self) -> bool:
        return self.requirement.necessity == N.DEFERRABLE

    @property
    def optional(self) -> bool:
        return self.requirement.necessity == N.OPTIONAL

    @property
    def needs_correction(self) -> bool:
        return self.state in (S.MISSING, S.DEFECTIVE) and not self.optional


class Checklist:
    """The material checklist as ticked: for each requirement a state, a reason, a 容缺 promise date.

    Field names: ``m<requirement id>-state``, ``-note``, ``-promised_on``.
    """

    def __init__(self, requirements: Iterable[MaterialRequirement], data: Mapping[str, Any] | None = None,
                 current: Mapping[int, CaseMaterial] | None = None):
        self.data = data
        self.errors: list[str] = []
        self.rows: list[ChecklistRow] = []
        current = current or {}
        for requirement in requirements:
            row = ChecklistRow(requirement=requirement, state=default_state(requirement),
                               current=current.get(requirement.pk))
            if row.current is not None:
                row.state, row.note = row.current.state, row.current.note
                row.promised_on = row.current.promised_on.isoformat() if row.current.promised_on else ""
            if data is not None:
                row.state = str(data.get(f"{row.key}-state", "")).strip()
                row.note = str(data.get(f"{row.key}-note", "")).strip()[:300]
                row.promised_on = str(data.get(f"{row.key}-promised_on", "")).strip()
            self.rows.append(row)

    def is_valid(self) -> bool:
        for row in self.rows:
            name = row.requirement.name
            if row.state not in offered_states(row.requirement):
                row.errors.append(_("请选择「%(m)s」的核验结果。") % {"m": name})
            elif row.state == S.DEFECTIVE and not row.note:
                row.errors.append(_("请写明「%(m)s」哪里不符合要求（将写入一次性告知书）。") % {"m": name})
            elif row.state == S.DEFERRED:
                if not row.promised_on:
                    row.errors.append(_("「%(m)s」容缺后补，请填写承诺补齐日期。") % {"m": name})
                else:
                    try:
                        datetime.date.fromisoformat(row.promised_on)
                    except ValueError:
                        row.errors.append(_("「%(m)s」的承诺补齐日期格式应为 年-月-日。") % {"m": name})
        return not self.has_errors

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(row.errors for row in self.rows)

    def materials_input(self) -> dict[int, dict[str, Any]]:
        return {
            row.requirement.pk: {
                "state": row.state,
                "note": row.note if row.state in (S.MISSING, S.DEFECTIVE, S.NOT_APPLICABLE, S.DEFERRED) else "",
                "promised_on": row.promised_on if row.state == S.DEFERRED else None,
            }
            for row in self.rows
        }

    def add_messages(self, messages: Iterable[str]) -> None:
        """Put each of the service's messages next to the material it names (「name」), else on top."""
        for message in messages:
            for row in self.rows:
                if f"「{row.requirement.name}」" in message:
                    row.errors.append(message)
                    break
            else:
                self.errors.append(message)

    @property
    def correction_count(self) -> int:
        return sum(1 for row in self.rows if row.needs_correction)


def checked_ids(data: Mapping[str, Any], name: str, allowed: Iterable[int]) -> list[int]:
    """The ids ticked in a list of checkboxes, limited to those offered."""
    allowed = set(allowed)
    values = data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])
    picked = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if number in allowed and number not in picked:
            picked.append(number)
    return picked


# --- actions on an existing case ----------------------------------------------------------------


class VersionForm(forms.Form):
    """Every action on a case carries the version of the page the clerk saw."""

    expected_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput, error_messages={
        "required": gettext_lazy("页面已过期，请刷新后再操作。"),
        "invalid": gettext_lazy("页面已过期，请刷新后再操作。"),
    })


class WithdrawForm(VersionForm):
    reason = forms.CharField(label=gettext_lazy("撤回原因"), max_length=500,
                             error_messages={"required": gettext_lazy("请记录申请人撤回的原因。")})


class RefuseForm(VersionForm, RefusalFields):
    def clean(self):
        cleaned = super().clean()
        self.require_all()
        return cleaned


class AssignAgentForm(VersionForm):
    agent = StaffChoiceField(label=gettext_lazy("帮办代办员"), queryset=User.objects.none(), empty_label=gettext_lazy("请选择"),
                             error_messages={"required": gettext_lazy("请选择帮办代办员。"),
                                             "invalid_choice": gettext_lazy("请选择本中心的帮办代办员。")})

    def __init__(self, *args, centre: ServiceCentre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents_of(centre)


class ImmediateForm(VersionForm):
    collected_by = forms.CharField(label=gettext_lazy("领取人"), max_length=60,
                                   error_messages={"required": gettext_lazy("请填写当场领取结果的人的姓名。")})


class CorrectionForm(VersionForm):
    """A correction notice; from the second one on, a supervisor approves it first, as themselves
    (`case_correction_approve`), so the clerk picks nobody here."""

    other_problems = forms.CharField(label=gettext_lazy("其他需补正的内容"), required=False, max_length=1000,
                                     widget=forms.Textarea(attrs={"rows": 2}),
                                     help_text=gettext_lazy("每行一项，如：申请书缺少法定代表人签字"))

    def problems(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("other_problems", "").splitlines() if line.strip()]


def today() -> datetime.date:
    return timezone.localdate()


def apply_service_error(err: ValidationError, *, forms_by_field: Mapping[str, forms.Form],
                        checklist: Checklist | None = None, codes: Mapping[str, str] | None = None,
                        general: list[str]) -> None:
    """Show a service's refusal next to the field it is about.

    A message keyed by field goes to the form that has that field; a message whose code is in
    `codes` goes to that field; a message naming a material goes to its checklist row; the rest
    is shown above the actions.
    """
    if hasattr(err, "error_dict"):
        for name, errors in err.error_dict.items():
            form = forms_by_field.get(name)
            for message in ValidationError(errors).messages:
                if form is not None:
                    form.add_error(name, message)
                else:
                    general.append(message)
        return
    code = getattr(err, "code", None)
    target = (codes or {}).get(code or "")
    if target and target in forms_by_field:
        for message in err.messages:
            forms_by_field[target].add_error(target, message)
        return
    if checklist is not None:
        before = len(checklist.errors)
        checklist.add_messages(err.messages)
        # What names no material is said above the actions, where the clerk is looking.
        general.extend(checklist.errors[before:])
        del checklist.errors[before:]
        return
    general.extend(err.messages)
