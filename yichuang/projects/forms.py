"""Forms of the project pages: they parse input; the services judge it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yichuang.cases.models import JointMeeting
from yichuang.org.models import Department, Region

from .models import INDUSTRIES, Commitment, Project

EMPTY = [("", _("全部"))]


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label=_("项目代码、名称或单位"), required=False, max_length=100)
    investment_kind = forms.ChoiceField(label=_("投资类型"), required=False, choices=EMPTY + Project.Investment.choices)
    industry = forms.ChoiceField(label=_("行业"), required=False, choices=EMPTY + INDUSTRIES)
    stage = forms.TypedChoiceField(label=_("已申报至"), required=False, coerce=int, empty_value=None,
                                   choices=EMPTY + [(str(n), _("第 %(n)d 阶段") % {"n": n}) for n in (0, 1, 2, 3, 4)])
    status = forms.ChoiceField(label=_("状态"), required=False, choices=EMPTY + [
        ("registered", _("已赋码，待申报")), ("running", _("审批中")), ("between", _("待申报下一阶段")),
        ("failed", _("阶段未获准予")), ("completed", _("已竣工验收")), ("over", _("超过目标时限"))])

    def values(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


def region_choices() -> list[tuple[str, str]]:
    return [(r.code, f"{'　' * max(r.level - 3, 0)}{r.name}（{r.code}）")
            for r in Region.objects.filter(level__gte=Region.Level.COUNTY).order_by("code")]


class ProjectRegisterForm(forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=200)
    owner_name = forms.CharField(label=_("项目单位"), max_length=200)
    owner_uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=60, required=False)
    owner_contact = forms.CharField(label=_("项目联系人"), max_length=60, required=False)
    owner_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    region_code = forms.ChoiceField(label=_("建设地点"), choices=())
    address = forms.CharField(label=_("详细地址"), max_length=300, required=False)
    total_investment = forms.CharField(label=_("总投资（万元）"), max_length=20)
    industry = forms.ChoiceField(label=_("国民经济行业"), choices=[("", "—")] + INDUSTRIES)
    investment_kind = forms.ChoiceField(label=_("投资类型"), choices=Project.Investment.choices,
                                        widget=forms.RadioSelect)
    approval_type = forms.ChoiceField(label=_("管理类型"), required=False, choices=[("", _("按投资类型（政府投资审批、企业投资备案）"))]
                                      + Project.ApprovalType.choices)
    scale = forms.CharField(label=_("建设规模及内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = region_choices()

    def add_service_errors(self, err) -> list[str]:
        """Put the service's per-field messages beside their fields; return the rest."""
        rest = []
        if hasattr(err, "error_dict"):
            for key, messages in err.message_dict.items():
                if key in self.fields:
                    for message in messages:
                        self.add_error(key, message)
                else:
                    rest.extend(messages)
        else:
            rest.extend(err.messages)
        return rest


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=JointMeeting.Kind.choices)
    title = forms.CharField(label=_("议题"), max_length=200)
    departments = forms.ModelMultipleChoiceField(label=_("邀请部门"), queryset=Department.objects.none(),
                                                 widget=forms.CheckboxSelectMultiple)
    held_on = forms.DateField(label=_("会议（踏勘）日期"), widget=forms.DateInput(attrs={"type": "date"}))
    opinion_days = forms.IntegerField(label=_("意见期限（工作日）"), min_value=1, max_value=30, initial=3)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    stage_number = forms.TypedChoiceField(label=_("所属阶段"), coerce=int, required=False, empty_value=None,
                                          choices=())

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.filter(is_active=True).order_by("sort_order", "code")
        self.fields["stage_number"].choices = [("", "—")] + [(str(s.number), s.name) for s in stages]


class CommitmentForm(forms.Form):
    text = forms.CharField(label=_("书面承诺内容"), widget=forms.Textarea(attrs={"rows": 4}))
    signed_by = forms.CharField(label=_("承诺人"), max_length=60)
    signed_on = forms.DateField(label=_("承诺日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    check_days = forms.IntegerField(label=_("核查期限（工作日）"), min_value=1, max_value=120, initial=40)
    reason = forms.CharField(label=_("决定意见"), required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CheckForm(forms.Form):
    passed = forms.TypedChoiceField(label=_("核查结果"), coerce=lambda v: v == "1", widget=forms.RadioSelect,
                                    choices=[("1", _("与承诺一致，核查通过")), ("0", _("与承诺不符"))])
    note = forms.CharField(label=_("核查情况"), widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.ChoiceField(label=_("后续处置"), required=False, choices=[("", "—")] + Commitment.FollowUp.choices)
    follow_up_note = forms.CharField(label=_("处置要求"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    follow_up_days = forms.IntegerField(label=_("处置期限（工作日）"), min_value=1, max_value=120, initial=20)
