"""Investment projects (投资项目) and their construction-approval stages.

A project gets its national project code (项目代码) when it is registered and keeps it for
life. It goes through the four stages of construction approval; each stage is applied for as
a bundle (一件事) of the cases engine, whose parent case is linked to the stage — the stage's
state and dates are read from that parent case, never copied, so they cannot disagree.
Items approved on the owner's written commitment (告知承诺制) get a `Commitment` with a
follow-up check on the responsible department's list.

State changes go through `services.py`; every one writes a `ProjectEvent` and an audit entry.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# 国民经济行业分类 (GB/T 4754-2017) divisions (大类) that investment projects commonly fall in;
# the two digits are the third part of the project code.
INDUSTRIES = [
    ("01", _("农业")), ("02", _("林业")), ("03", _("畜牧业")), ("04", _("渔业")),
    ("13", _("农副食品加工业")), ("14", _("食品制造业")), ("15", _("酒、饮料和精制茶制造业")),
    ("17", _("纺织业")), ("22", _("造纸和纸制品业")), ("26", _("化学原料和化学制品制造业")), ("27", _("医药制造业")),
    ("29", _("橡胶和塑料制品业")), ("30", _("非金属矿物制品业")), ("33", _("金属制品业")), ("34", _("通用设备制造业")),
    ("35", _("专用设备制造业")), ("36", _("汽车制造业")), ("38", _("电气机械和器材制造业")),
    ("39", _("计算机、通信和其他电子设备制造业")), ("44", _("电力、热力生产和供应业")), ("45", _("燃气生产和供应业")),
    ("46", _("水的生产和供应业")), ("47", _("房屋建筑业")), ("48", _("土木工程建筑业")), ("51", _("批发业")),
    ("52", _("零售业")), ("54", _("道路运输业")), ("59", _("装卸搬运和仓储业")), ("61", _("住宿业")),
    ("62", _("餐饮业")), ("65", _("软件和信息技术服务业")), ("70", _("房地产业")), ("72", _("商务服务业")),
    ("73", _("研究和试验发展")), ("76", _("水利管理业")), ("77", _("生态保护和环境治理业")), ("78", _("公共设施管理业")),
    ("83", _("教育")), ("84", _("卫生")), ("85", _("社会工作")), ("88", _("文化艺术业")), ("89", _("体育")),
]


class StageDefinition(models.Model):
    """One of the four stages of construction approval, as the centre configures it."""

    number = models.PositiveSmallIntegerField(
        _("阶段序号"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    name = models.CharField(_("阶段名称"), max_length=40)
    target_days = models.PositiveSmallIntegerField(_("目标时限（工作日）"))
    counts_toward_target = models.BooleanField(
        _("计入总目标"), default=True, help_text=_("如「从取得用地到施工许可 50 个工作日」只计前三个阶段。")
    )
    description = models.CharField(_("说明"), max_length=300, blank=True)
    government_bundle = models.ForeignKey(
        "catalog.Bundle", verbose_name=_("政府投资项目的一件事"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("本阶段需要办理的事项组成的一件事（并联审批）。"),
    )
    private_bundle = models.ForeignKey(
        "catalog.Bundle", verbose_name=_("企业投资项目的一件事"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("留空则与政府投资项目相同。"),
    )

    class Meta:
        verbose_name = _("审批阶段")
        verbose_name_plural = _("审批阶段")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Project(models.Model):
    class Investment(models.TextChoices):
        GOVERNMENT = "government", _("政府投资")
        PRIVATE = "private", _("企业投资")

    class ApprovalType(models.TextChoices):
        # The fourth part of the project code (项目类型代码).
        APPROVAL = "01", _("审批")
        VERIFICATION = "02", _("核准")
        FILING = "03", _("备案")

    code = models.CharField(_("项目代码"), max_length=24, unique=True)
    name = models.CharField(_("项目名称"), max_length=200, db_index=True)
    owner = models.ForeignKey(
        "cases.Applicant", verbose_name=_("项目单位"), on_delete=models.PROTECT, related_name="projects"
    )
    owner_contact = models.CharField(_("项目联系人"), max_length=60, blank=True)
    owner_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    region = models.ForeignKey(
        "org.Region", verbose_name=_("建设地点（行政区划）"), on_delete=models.PROTECT, related_name="projects"
    )
    address = models.CharField(_("详细地址"), max_length=300, blank=True)
    total_investment = models.DecimalField(_("总投资（万元）"), max_digits=14, decimal_places=2)
    industry = models.CharField(_("国民经济行业"), max_length=2, choices=INDUSTRIES)
    investment_kind = models.CharField(_("投资类型"), max_length=10, choices=Investment.choices)
    approval_type = models.CharField(_("管理类型"), max_length=2, choices=ApprovalType.choices)
    scale = models.TextField(_("建设规模及内容"), blank=True)
    centre = models.ForeignKey(
        "org.ServiceCentre", verbose_name=_("服务中心"), on_delete=models.PROTECT, related_name="projects"
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("帮办代办员（项目专员）"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="coordinated_projects",
    )
    target_days = models.PositiveSmallIntegerField(
        _("审批总目标（工作日）"), help_text=_("计入总目标的各阶段审批用时之和的上限。")
    )
    # The last stage applied for (0: none yet). Whether it is done is read from its parent case.
    current_stage = models.PositiveSmallIntegerField(_("已申报至阶段"), default=0, db_index=True)
    registered_at = models.DateTimeField(_("赋码时间"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("赋码人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("投资项目")
        verbose_name_plural = _("投资项目")
        ordering = ["-registered_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class ProjectStage(models.Model):
    """A stage of one project: the bundle application (its parent case) that carries it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stages")
    number = models.PositiveSmallIntegerField(_("阶段序号"))
    name = models.CharField(_("阶段名称"), max_length=40)
    target_days = models.PositiveSmallIntegerField(_("目标时限（工作日）"))
    counts_toward_target = models.BooleanField(_("计入总目标"), default=True)
    parent_case = models.OneToOneField(
        "cases.Case", verbose_name=_("并联审批主办件"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="project_stage",
    )
    applied_at = models.DateTimeField(_("申报时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目审批阶段")
        verbose_name_plural = _("项目审批阶段")
        ordering = ["project", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="project_stage_unique")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.number} {self.name}"


class ProjectEvent(models.Model):
    """Append-only history of a project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=120, blank=True)
    action = models.CharField(_("动作"), max_length=40)
    summary = models.CharField(_("说明"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("项目事件")
        verbose_name_plural = _("项目事件")
        ordering = ["project", "at", "id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.action}"


class Commitment(models.Model):
    """告知承诺: an item approved on the owner's written commitment, and its follow-up check."""

    class State(models.TextChoices):
        PENDING = "pending", _("待核查")
        PASSED = "passed", _("核查通过")
        FAILED = "failed", _("核查不通过")

    class FollowUp(models.TextChoices):
        RECTIFY = "rectify", _("责令限期整改")
        REVOKE = "revoke", _("依法撤销审批决定")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="commitments")
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="commitment"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("核查部门"), on_delete=models.PROTECT, related_name="commitment_checks"
    )
    item_name = models.CharField(_("事项"), max_length=200)
    text = models.TextField(_("承诺内容"))
    signed_by = models.CharField(_("承诺人"), max_length=60)
    signed_on = models.DateField(_("承诺日期"))
    check_due = models.DateField(_("核查期限"), db_index=True)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.PENDING, db_index=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("核查人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    check_note = models.TextField(_("核查情况"), blank=True)
    follow_up = models.CharField(_("后续处置"), max_length=8, choices=FollowUp.choices, blank=True)
    follow_up_due = models.DateField(_("处置期限"), null=True, blank=True)
    follow_up_note = models.TextField(_("处置说明"), blank=True)

    class Meta:
        verbose_name = _("告知承诺")
        verbose_name_plural = _("告知承诺")
        ordering = ["check_due", "id"]
        indexes = [models.Index(fields=["department", "state", "check_due"])]

    def __str__(self) -> str:
        return f"{self.project.code} {self.item_name}"
