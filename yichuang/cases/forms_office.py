"""Forms of the back office: list filters and one small form per action on a case.

The forms only parse what was typed; the rules (who may act, in which state, which inputs are
required) live in the services, whose messages are shown beside the form that was sent.
`offered_actions` decides which forms a page shows, mirroring the services' checks so that a
user is not offered a button the service would refuse; a forged request still meets the service.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yichuang.org.models import Role

from .models import OPEN_STATUSES, Case, CaseStep, Extension
from .services import extension_remaining

S = Case.Status

ALARM_FILTER_CHOICES = [
    ("", _("全部")),
    ("overdue", _("已超期")),
    ("red", _("红牌（今日到期）")),
    ("yellow", _("黄牌预警")),
    ("normal", _("正常")),
    ("paused", _("暂停计时")),
]
INBOX_STATUS_CHOICES = [
    ("", _("全部")),
    (S.ACCEPTED, S.ACCEPTED.label),
    (S.PROCESSING, S.PROCESSING.label),
    (S.SPECIAL, S.SPECIAL.label),
]
CARRIERS = ("中国邮政EMS", "顺丰速运", "京东物流", "中通快递", "圆通速递")


class FilterForm(forms.Form):
    """A GET filter: a bad value is dropped (the list shows everything) instead of failing."""

    def values(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in (None, "", [])}


class InboxFilterForm(FilterForm):
    q = forms.CharField(label=_("办件编号或申请人"), required=False, max_length=60)
    status = forms.ChoiceField(label=_("状态"), choices=INBOX_STATUS_CHOICES, required=False)
    item = forms.TypedChoiceField(label=_("事项"), coerce=int, required=False, empty_value=None)
    alarm = forms.ChoiceField(label=_("预警"), choices=ALARM_FILTER_CHOICES, required=False)
    due_before = forms.DateField(label=_("到期不晚于"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", _("全部事项"))] + list(items)


class CaseSearchForm(FilterForm):
    q = forms.CharField(label=_("办件编号或申请人"), required=False, max_length=60)
    status = forms.ChoiceField(label=_("状态"), required=False)
    department = forms.TypedChoiceField(label=_("办理部门"), coerce=int, required=False, empty_value=None)
    item = forms.TypedChoiceField(label=_("事项"), coerce=int, required=False, empty_value=None)
    alarm = forms.ChoiceField(label=_("预警"), choices=ALARM_FILTER_CHOICES, required=False)
    received_from = forms.DateField(label=_("接件日期从"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    received_to = forms.DateField(label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, departments=(), items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部"))] + [
            (value, label) for value, label in S.choices if value not in ("draft", "prereview", "prereview_passed",
                                                                          "prereview_returned")
        ]
        self.fields["department"].choices = [("", _("全部部门"))] + list(departments)
        self.fields["item"].choices = [("", _("全部事项"))] + list(items)


class ResultsFilterForm(FilterForm):
    q = forms.CharField(label=_("办件编号或申请人"), required=False, max_length=60)
    delivery = forms.ChoiceField(
        label=_("出件状态"), required=False,
        choices=[("", _("全部")), (Case.Delivery.WAITING, Case.Delivery.WAITING.label),
                 (Case.Delivery.WITHHELD, Case.Delivery.WITHHELD.label)],
    )


# --- actions ---------------------------------------------------------------------------------


class ActionForm(forms.Form):
    """Every action carries the version of the case the page showed (optimistic locking)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    conflict = False

    @property
    def typed(self) -> list[tuple[str, str]]:
        """What the user typed, to show back when the form itself is no longer offered."""
        if not self.is_bound:
            return []
        return [(str(field.label), str(self.data.get(name, "")).strip()) for name, field in self.fields.items()
                if name != "expected_version" and not isinstance(field, forms.TypedChoiceField)
                and str(self.data.get(name, "")).strip()]

    def show_service_error(self, err: ValidationError) -> None:
        """Put a service's refusal beside the form: on the field it names, else above the form."""
        if hasattr(err, "error_dict"):
            for name, messages in err.message_dict.items():
                target = name if name in self.fields and name != "expected_version" else None
                for message in messages:
                    self.add_error(target, message)
        else:
            for message in err.messages:
                self.add_error(None, message)


def _text(label, *, rows=2, max_length=1000, **attrs):
    return forms.CharField(label=label, required=False, max_length=max_length,
                           widget=forms.Textarea(attrs={"rows": rows, **attrs}))


class StepCompleteForm(ActionForm):
    opinion = _text(_("审查意见"), placeholder=_("例如：材料齐全，符合法定条件，同意。"))


class SendBackForm(ActionForm):
    """One reason box per material (a filled box sends that material back) and one for the rest."""

    other = _text(_("其他需补正的内容"), rows=2)

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.material_rows = []
        for material in materials:
            name = f"problem_{material.requirement_id}"
            self.fields[name] = forms.CharField(label=material.requirement.name, required=False, max_length=300)
            self.material_rows.append((material, name))

    def problems(self) -> list[dict]:
        data = self.cleaned_data
        problems = [
            {"material": material.requirement_id, "problem": data.get(name, "").strip()}
            for material, name in self.material_rows if data.get(name, "").strip()
        ]
        problems += [{"material": None, "problem": line.strip()}
                     for line in data.get("other", "").splitlines() if line.strip()]
        return problems

    def bound_rows(self):
        return [(material, self[name]) for material, name in self.material_rows]


class SpecialStartForm(ActionForm):
    procedure = forms.ChoiceField(label=_("特别程序"), required=False)
    reason = _text(_("事由（将书面告知申请人）"))
    expected_days = forms.IntegerField(label=_("预计时长（工作日）"), required=False,
                                       widget=forms.NumberInput(attrs={"min": 1}))

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [
            (a.procedure_id, a.procedure.name
             + (gettext("（最长 %(n)d 个工作日）") % {"n": a.max_days} if a.max_days else "")
             + (gettext("（计入时限）") if a.counts_toward_limit else ""))
            for a in allowed
        ]


class SpecialEndForm(ActionForm):
    result = _text(_("特别程序结果"))


class ExtensionRequestForm(ActionForm):
    days = forms.IntegerField(label=_("延长（工作日）"), required=False,
                              widget=forms.NumberInput(attrs={"min": 1}))
    reason = _text(_("延期理由（将书面告知申请人）"))


class ExtensionDecideForm(ActionForm):
    approve = forms.TypedChoiceField(
        label=_("决定"), choices=[("1", _("批准")), ("0", _("不批准"))], coerce=lambda v: v == "1",
    )


class ApproveForm(ActionForm):
    reason = _text(_("决定意见"), placeholder=_("例如：经审查，申请人符合法定条件，准予许可。"))


class DenyForm(ActionForm):
    reason = _text(_("不予许可的理由"))
    legal_basis = _text(_("法律依据"), rows=2)
    way_forward = _text(_("申请人如何才能办成"), rows=2)


class RevokeForm(ActionForm):
    reason = _text(_("撤销理由"))


class ApproveCorrectionForm(ActionForm):
    reason = _text(_("再次告知的理由"), placeholder=_("例如：补正后的材料与原件核对不一致，需再次补正"))


class WithdrawForm(ActionForm):
    reason = _text(_("申请人撤回的原因"))


class DeliverInPersonForm(ActionForm):
    collected_by = forms.CharField(label=_("领取人姓名"), required=False, max_length=60)
    collector_id_last4 = forms.CharField(label=_("领取人证件号后四位"), required=False, max_length=4, min_length=4,
                                         widget=forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off"}))


class DeliverPostForm(ActionForm):
    recipient = forms.CharField(label=_("收件人"), required=False, max_length=60)
    recipient_phone = forms.CharField(label=_("收件人电话"), required=False, max_length=20)
    address = forms.CharField(label=_("邮寄地址"), required=False, max_length=300)
    carrier = forms.CharField(label=_("快递公司"), required=False, max_length=40,
                              widget=forms.TextInput(attrs={"list": "carriers"}))
    tracking_number = forms.CharField(label=_("运单号"), required=False, max_length=40,
                                      widget=forms.TextInput(attrs={"autocomplete": "off"}))


class SupplementForm(ActionForm):
    requirement_ids = forms.TypedMultipleChoiceField(label=_("已补齐的容缺材料"), coerce=int, required=False,
                                                     widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, deferred=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement_ids"].choices = [(m.requirement_id, m.requirement.name) for m in deferred]


# --- which actions a page offers ---------------------------------------------------------------


@dataclass(frozen=True)
class Offered:
    step: bool = False
    send_back: bool = False
    special_start: bool = False
    special_end: bool = False
    extension_request: bool = False
    extension_decide: bool = False
    decide: bool = False
    revoke: bool = False
    withdraw: bool = False
    deliver: bool = False
    supplement: bool = False
    approve_correction: bool = False

    @property
    def any(self) -> bool:
        return any(getattr(self, f) for f in self.__dataclass_fields__)


def offered_actions(user, case: Case, *, open_steps: list[CaseStep], allowed_procedures: list,
                    pending_extension: Extension | None, second_correction_waiting: bool = False) -> Offered:
    """`second_correction_waiting`: the receipt had its one-time notice, and another one has not
    been approved yet."""
    everything = user.is_superuser

    def role(*codes):
        return everything or user.has_role(*codes)

    in_department = everything or user.department_id == case.department_id
    front_desk = role(Role.Code.CLERK, Role.Code.TOWN_CLERK) and (everything or user.centre_id == case.centre_id)
    in_process = case.status in (S.ACCEPTED, S.PROCESSING)
    step_roles = {s.role for s in open_steps}
    my_step_roles = {r for r in step_roles if r in (Role.Code.REVIEWER, Role.Code.APPROVER) and role(r)}
    department_staff = in_department and role(Role.Code.REVIEWER, Role.Code.APPROVER)
    return Offered(
        step=in_department and in_process and role(Role.Code.REVIEWER) and Role.Code.REVIEWER in step_roles,
        send_back=in_department and in_process and bool(my_step_roles),
        special_start=department_staff and in_process and bool(allowed_procedures),
        special_end=department_staff and case.status == S.SPECIAL,
        extension_request=(department_staff and case.status in (S.ACCEPTED, S.PROCESSING, S.SPECIAL)
                           and pending_extension is None and extension_remaining(case) > 0),
        extension_decide=in_department and role(Role.Code.APPROVER) and pending_extension is not None,
        decide=in_department and in_process and role(Role.Code.APPROVER) and Role.Code.APPROVER in step_roles,
        revoke=role(Role.Code.SUPERVISOR) and case.status not in (S.REVOKED, S.WITHDRAWN, S.CANCELLED, S.REFUSED),
        withdraw=front_desk and case.status in OPEN_STATUSES,
        deliver=(role(Role.Code.RESULT_CLERK, Role.Code.CLERK, Role.Code.TOWN_CLERK)
                 and case.delivery == Case.Delivery.WAITING),
        supplement=(role(Role.Code.RESULT_CLERK, Role.Code.CLERK, Role.Code.TOWN_CLERK)
                    and case.delivery == Case.Delivery.WITHHELD),
        approve_correction=role(Role.Code.SUPERVISOR) and case.status == S.RECEIVED and second_correction_waiting,
    )
