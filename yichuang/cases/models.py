"""The case engine's tables (办件).

A case's state is changed only by the services in `services.py`, each of which writes a
`CaseEvent` and an audit entry in the same transaction. `Case.version` increases on every
change so two clerks acting on the same case cannot both win.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yichuang.core.fields import EncryptedTextField
from yichuang.core.validators import mask_id_number


class Applicant(models.Model):
    """A person (by ID number) or a company (by USCC) who applies. Not a login account."""

    class Kind(models.TextChoices):
        PERSON = "person", _("自然人")
        COMPANY = "company", _("法人或其他组织")

    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("名称/姓名"), max_length=200)
    # A person's ID number: encrypted at rest, found by its keyed hash, shown masked.
    id_number = EncryptedTextField(_("身份证号码"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_last4 = models.CharField(max_length=4, blank=True, editable=False)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=60, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("申请人")
        verbose_name_plural = _("申请人")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"], condition=~models.Q(id_number_hash=""), name="applicant_unique_person"
            ),
            models.UniqueConstraint(fields=["uscc"], condition=~models.Q(uscc=""), name="applicant_unique_company"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id(self) -> str:
        if self.kind == self.Kind.COMPANY:
            return self.uscc
        return mask_id_number(self.id_number)


class Case(models.Model):
    class Status(models.TextChoices):
        # Online states (the online hall, a later issue)
        DRAFT = "draft", _("暂存")
        PREREVIEW = "prereview", _("待预审")
        PREREVIEW_PASSED = "prereview_passed", _("预审通过")
        PREREVIEW_RETURNED = "prereview_returned", _("预审退回")
        # National exchange codes
        RECEIVED = "1", _("已接件")
        CANCELLED = "2", _("已撤件")
        ACCEPTED = "3", _("已受理")
        NOT_RECEIVED = "4", _("不受理")
        REFUSED = "5", _("不予受理")
        CORRECTION = "6", _("补正中")
        PROCESSING = "8", _("部门办理中")
        SPECIAL = "9", _("特别程序中")
        APPROVED = "11", _("办结（准予）")
        APPROVED_DEFERRED = "12", _("办结（容缺通过）")
        DENIED = "13", _("办结（不予许可）")
        WITHDRAWN = "14", _("已撤回")
        REVOKED = "15", _("已撤销")

    class Channel(models.TextChoices):
        WINDOW = "window", _("窗口")
        ONLINE = "online", _("网上办理")
        TOWN = "town", _("乡镇（村）服务点")
        SELF_SERVICE = "self_service", _("自助终端")

    class Alarm(models.TextChoices):
        NONE = "none", _("未计时")
        NORMAL = "normal", _("正常")
        YELLOW = "yellow", _("黄牌预警")
        RED = "red", _("红牌（今日到期）")
        OVERDUE = "overdue", _("已超期")
        PAUSED = "paused", _("暂停计时")

    class Delivery(models.TextChoices):
        NONE = "none", _("无")
        WAITING = "waiting", _("待出件")
        WITHHELD = "withheld", _("待补齐容缺材料")
        HELD = "held", _("待统一出件")
        DELIVERED = "delivered", _("已送达")

    number = models.CharField(_("办件编号"), max_length=40, unique=True)
    item_version = models.ForeignKey(
        "catalog.ItemVersion", verbose_name=_("事项（版本）"), on_delete=models.PROTECT, related_name="cases"
    )
    applicant = models.ForeignKey(Applicant, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="cases")
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    agent_name = models.CharField(_("代理人"), max_length=60, blank=True)
    agent_id_number = EncryptedTextField(_("代理人身份证号码"), blank=True)
    agent_power_of_attorney = models.BooleanField(_("已提交授权委托书"), default=False)
    centre = models.ForeignKey(
        "org.ServiceCentre", verbose_name=_("受理中心（站点）"), on_delete=models.PROTECT, related_name="cases"
    )
    window = models.ForeignKey(
        "org.Window", verbose_name=_("受理窗口"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("渠道"), max_length=14, choices=Channel.choices, default=Channel.WINDOW)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("办理部门"), on_delete=models.PROTECT, related_name="cases"
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    form_data = models.JSONField(_("申请表"), default=dict, blank=True)

    received_at = models.DateTimeField(_("接件时间"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结送达时间"), null=True, blank=True)

    # The clock (stored so that lists, alarms and statistics never recompute it).
    limit_days = models.PositiveSmallIntegerField(_("承诺时限（工作日）"), default=0)
    statutory_limit_days = models.PositiveSmallIntegerField(_("法定时限（工作日）"), default=0)
    extension_days = models.PositiveSmallIntegerField(_("延长（工作日）"), default=0)
    paused_days = models.PositiveSmallIntegerField(_("特别程序已用（工作日）"), default=0)
    due_date = models.DateField(_("承诺到期日"), null=True, blank=True, db_index=True)
    statutory_due_date = models.DateField(_("法定到期日"), null=True, blank=True)
    warning_date = models.DateField(_("预警日"), null=True, blank=True)
    alarm = models.CharField(_("预警"), max_length=8, choices=Alarm.choices, default=Alarm.NONE, db_index=True)
    due_confirmed = models.BooleanField(_("到期日已确认"), default=True)
    # Set while the clock stands still (a special procedure, or materials sent back for correction).
    paused_since = models.DateField(_("暂停计时起"), null=True, blank=True)

    delivery = models.CharField(_("出件"), max_length=10, choices=Delivery.choices, default=Delivery.NONE, db_index=True)
    visits = models.PositiveSmallIntegerField(_("到现场次数"), default=0)
    send_backs = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    interview_flag = models.BooleanField(_("需约谈"), default=False)
    correction_rounds = models.PositiveSmallIntegerField(_("补正告知次数"), default=0)

    first_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("首问负责人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    agent_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("帮办代办员"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="agent_cases",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接件人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    decision_approved = models.BooleanField(_("准予"), null=True, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    decision_basis = models.TextField(_("决定依据"), blank=True)
    decision_way_forward = models.TextField(_("如何才能办成"), blank=True)

    # Online application (网上办事大厅): submitted from home, pre-reviewed before acceptance.
    submitted_at = models.DateTimeField(_("网上提交时间"), null=True, blank=True)
    prereview_due_date = models.DateField(_("预审到期日"), null=True, blank=True, db_index=True)
    prereview_returns = models.PositiveSmallIntegerField(_("预审退回次数"), default=0)

    # Parallel approval (并联审批): a bundle's parent case and its children, in stages.
    parent = models.ForeignKey(
        "self", verbose_name=_("主办件"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    stage = models.PositiveSmallIntegerField(_("阶段"), default=0)

    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["department", "status", "due_date"]),
            models.Index(fields=["centre", "received_at"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED_STATUSES


OPEN_STATUSES = frozenset({
    Case.Status.RECEIVED, Case.Status.CORRECTION, Case.Status.ACCEPTED, Case.Status.PROCESSING, Case.Status.SPECIAL,
})
DECIDED_STATUSES = frozenset({Case.Status.APPROVED, Case.Status.APPROVED_DEFERRED, Case.Status.DENIED})
CLOCK_RUNNING_STATUSES = frozenset({Case.Status.ACCEPTED, Case.Status.PROCESSING})


class CaseMaterial(models.Model):
    class State(models.TextChoices):
        RECEIVED = "received", _("已收")
        MISSING = "missing", _("缺少")
        DEFECTIVE = "defective", _("不符合要求")
        DEFERRED = "deferred", _("容缺后补")
        NOT_APPLICABLE = "na", _("不适用")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    requirement = models.ForeignKey(
        "catalog.MaterialRequirement", verbose_name=_("材料要求"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("核验结果"), max_length=10, choices=State.choices, default=State.MISSING)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    promised_on = models.DateField(_("承诺补齐日期"), null=True, blank=True)
    supplied_at = models.DateTimeField(_("补齐时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        ordering = ["case", "requirement__order", "requirement_id"]
        constraints = [models.UniqueConstraint(fields=["case", "requirement"], name="case_material_unique")]

    def __str__(self) -> str:
        return f"{self.requirement.name}: {self.get_state_display()}"


class CaseFile(models.Model):
    """An uploaded file of a case, stored under a random name outside the web root."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="files")
    material = models.ForeignKey(CaseMaterial, null=True, blank=True, on_delete=models.SET_NULL, related_name="files")
    file = models.FileField(upload_to="cases/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sm3 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("办件附件")
        verbose_name_plural = _("办件附件")

    def __str__(self) -> str:
        return self.original_name


class CaseStep(models.Model):
    """One step of the item's process template, as it runs for this case."""

    class State(models.TextChoices):
        WAITING = "waiting", _("未开始")
        OPEN = "open", _("办理中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已终止")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(_("环节"), max_length=60)
    role = models.CharField(_("角色"), max_length=16)
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    budget_days = models.PositiveSmallIntegerField(_("环节时限（工作日）"), default=1)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.WAITING, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    due_date = models.DateField(_("环节到期日"), null=True, blank=True)
    warning_date = models.DateField(null=True, blank=True)
    alarm = models.CharField(max_length=8, choices=Case.Alarm.choices, default=Case.Alarm.NONE)
    finished_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opinion = models.TextField(_("意见"), blank=True)

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["case", "order"]
        indexes = [models.Index(fields=["department", "role", "state", "due_date"])]

    def __str__(self) -> str:
        return f"{self.case.number} {self.name}"


class CaseEvent(models.Model):
    """Append-only history of a case: what happened, who did it, and the status it left."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=120, blank=True)
    action = models.CharField(_("动作"), max_length=40)
    status_code = models.CharField(_("状态代码"), max_length=20, blank=True, help_text=_("国家交换规范的状态码"))
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    summary = models.CharField(_("说明"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("办件事件")
        verbose_name_plural = _("办件事件")
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class Notice(models.Model):
    """A written, dated notice or decision given to the applicant, frozen as a PDF when issued."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("收件凭证")
        ACCEPTANCE = "acceptance", _("受理通知书")
        CORRECTION = "correction", _("补正材料一次性告知书")
        REFUSAL = "refusal", _("不予受理决定书")
        SPECIAL = "special", _("特别程序告知书")
        EXTENSION = "extension", _("延长办理期限告知书")
        APPROVAL = "approval", _("准予行政许可决定书")
        DENIAL = "denial", _("不予行政许可决定书")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("文书类型"), max_length=12, choices=Kind.choices)
    number = models.CharField(_("文书编号"), max_length=60, unique=True)
    issued_at = models.DateTimeField(_("出具时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content = models.JSONField(_("内容"), default=dict)
    pdf = models.FileField(upload_to="notices/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        ordering = ["case", "issued_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class CorrectionRequest(models.Model):
    """One 一次性告知: everything the applicant must correct, listed at once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="corrections")
    round = models.PositiveSmallIntegerField(_("次序"))
    origin = models.CharField(
        _("来源"), max_length=10, default="front",
        choices=[("front", _("窗口接件")), ("sendback", _("部门退回")), ("prereview", _("网上预审退回"))],
    )
    items = models.JSONField(_("需补正内容"), default=list, help_text=_("[{material, name, problem}]"))
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("第二次及以后的补正告知须经监察人员批准。"),
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("补正告知")
        verbose_name_plural = _("补正告知")
        ordering = ["case", "round"]
        constraints = [models.UniqueConstraint(fields=["case", "round"], name="correction_round_unique")]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.round}"


class SpecialProcedure(models.Model):
    """A pause of the clock (行政许可法 Art. 45), with its written notice of expected length."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="special_procedures")
    procedure = models.ForeignKey("catalog.SpecialProcedureType", on_delete=models.PROTECT, related_name="+")
    counts_toward_limit = models.BooleanField(default=False)
    reason = models.TextField(_("事由"))
    expected_days = models.PositiveSmallIntegerField(_("预计时长（工作日）"))
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    paused_days = models.PositiveSmallIntegerField(_("实际暂停（工作日）"), default=0)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    result = models.TextField(_("结果"), blank=True)

    class Meta:
        verbose_name = _("特别程序")
        verbose_name_plural = _("特别程序")
        ordering = ["case", "started_on"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.procedure_id}"


class Extension(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", _("待批准")
        GRANTED = "granted", _("已批准")
        REJECTED = "rejected", _("未批准")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("延长（工作日）"))
    reason = models.TextField(_("理由"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("延期")
        verbose_name_plural = _("延期")
        ordering = ["case", "requested_at"]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.days}"


class Delivery(models.Model):
    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("窗口领取")
        POST = "post", _("邮寄送达")
        ELECTRONIC = "electronic", _("电子送达")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="delivery_record")
    method = models.CharField(_("送达方式"), max_length=12, choices=Method.choices)
    collected_by = models.CharField(_("领取人"), max_length=60, blank=True)
    collector_id_last4 = models.CharField(_("领取人证件后四位"), max_length=4, blank=True)
    address = models.CharField(_("邮寄地址"), max_length=300, blank=True)
    recipient = models.CharField(_("收件人"), max_length=60, blank=True)
    recipient_phone = models.CharField(_("收件人电话"), max_length=20, blank=True)
    carrier = models.CharField(_("快递公司"), max_length=40, blank=True)
    tracking_number = models.CharField(_("运单号"), max_length=40, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"))
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("送达记录")
        verbose_name_plural = _("送达记录")

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_method_display()}"


# --- parallel approval (并联审批): bundle applications and joint meetings ----------------------


class ParallelCase(models.Model):
    """The bundle side of a parent case: which bundle, which stage runs, and the one outcome."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("办理中")
        APPROVED = "approved", _("全部准予")
        DENIED = "denied", _("部分或全部不予许可")
        STOPPED = "stopped", _("已终止")

    parent = models.OneToOneField(Case, verbose_name=_("主办件"), on_delete=models.CASCADE, related_name="parallel")
    bundle = models.ForeignKey("catalog.Bundle", verbose_name=_("一件事"), on_delete=models.PROTECT, related_name="+")
    current_stage = models.PositiveSmallIntegerField(_("当前阶段"), default=1)
    stage_count = models.PositiveSmallIntegerField(_("阶段数"), default=1)
    on_denial = models.CharField(_("某一事项不予许可时"), max_length=10, default="continue")
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN, db_index=True)
    outcome_at = models.DateTimeField(_("结果时间"), null=True, blank=True)
    failed_parts = models.JSONField(_("未获准予的事项"), default=list, blank=True,
                                    help_text=_("[{case, item, reason, way_forward}]"))

    class Meta:
        verbose_name = _("并联审批主办件")
        verbose_name_plural = _("并联审批主办件")

    def __str__(self) -> str:
        return f"{self.parent_id} {self.bundle_id}"


class JointMeeting(models.Model):
    """联审 / 联合踏勘 / 联合验收 for a case or another subject (a project), with an opinion deadline."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("联合审查（联审）")
        SITE = "site", _("联合踏勘")
        ACCEPTANCE = "acceptance", _("联合验收")

    class State(models.TextChoices):
        OPEN = "open", _("征求意见中")
        CLOSED = "closed", _("已闭会")

    class Result(models.TextChoices):
        NONE = "", _("未形成")
        AGREED = "agreed", _("同意")
        CONDITIONS = "conditions", _("有条件同意")
        DISAGREED = "disagreed", _("不同意")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("议题"), max_length=200)
    case = models.ForeignKey(Case, verbose_name=_("办件"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="meetings")
    subject_type = models.CharField(_("对象类型"), max_length=40, blank=True, db_index=True)
    subject_id = models.CharField(_("对象编号"), max_length=40, blank=True, db_index=True)
    subject_label = models.CharField(_("对象名称"), max_length=200, blank=True)
    centre = models.ForeignKey("org.ServiceCentre", verbose_name=_("中心"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("牵头人"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    held_on = models.DateField(_("会议（踏勘）日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    opinion_days = models.PositiveSmallIntegerField(_("意见期限（工作日）"))
    opinion_deadline = models.DateField(_("意见截止日"), db_index=True)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.OPEN, db_index=True)
    result = models.CharField(_("会议结论"), max_length=12, choices=Result.choices, default="", blank=True)
    created_at = models.DateTimeField(_("发起时间"))
    closed_at = models.DateTimeField(_("闭会时间"), null=True, blank=True)
    minutes_pdf = models.FileField(_("会议纪要"), upload_to="meetings/%Y/%m/", blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("联审会议")
        verbose_name_plural = _("联审会议")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class MeetingInvitation(models.Model):
    """One invited department: whether it came, and its opinion (given, or deemed at the deadline)."""

    class Attendance(models.TextChoices):
        UNKNOWN = "unknown", _("未登记")
        PRESENT = "present", _("出席")
        ABSENT = "absent", _("缺席")

    class Opinion(models.TextChoices):
        NONE = "", _("未提交")
        AGREE = "agree", _("同意")
        CONDITIONS = "conditions", _("有条件同意")
        DISAGREE = "disagree", _("不同意")

    class Deemed(models.TextChoices):
        NO = "", _("本部门意见")
        SILENT = "silent", _("超时默许")
        ABSENT = "absent", _("缺席默认")

    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="invitations")
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+")
    attendance = models.CharField(_("出席"), max_length=8, choices=Attendance.choices, default=Attendance.UNKNOWN)
    attendee = models.CharField(_("出席人"), max_length=60, blank=True)
    opinion = models.CharField(_("意见"), max_length=12, choices=Opinion.choices, default="", blank=True)
    text = models.TextField(_("条件或理由"), blank=True)
    deemed = models.CharField(_("视为同意"), max_length=8, choices=Deemed.choices, default="", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("参会部门")
        verbose_name_plural = _("参会部门")
        ordering = ["meeting", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "department"], name="meeting_department_unique")]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.department_id}"


class MeetingEvent(models.Model):
    """Append-only history of a meeting."""

    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField(max_length=120, blank=True)
    action = models.CharField(_("动作"), max_length=40)
    summary = models.CharField(_("说明"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("联审事件")
        verbose_name_plural = _("联审事件")
        ordering = ["meeting", "at", "id"]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.action}"
