"""Ratings (好差评), their rectification and appeals, weekly callbacks (第三方回访), complaints (投诉).

State changes only through `services.py` / `services_complaints.py`; every change writes an
append-only event row (`RatingEvent`, `ComplaintEvent`) and an audit entry in one transaction.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yichuang.core.fields import EncryptedTextField


class Alarm(models.TextChoices):
    NONE = "none", _("未计时")
    NORMAL = "normal", _("正常")
    YELLOW = "yellow", _("黄牌预警")
    RED = "red", _("红牌（今日到期）")
    OVERDUE = "overdue", _("已超期")


class FeedbackSettings(models.Model):
    """Per centre: the working-day budgets of rectification and complaints, and the callback sample."""

    centre = models.OneToOneField(
        "org.ServiceCentre", verbose_name=_("服务中心"), on_delete=models.CASCADE, related_name="feedback_settings"
    )
    verify_days = models.PositiveSmallIntegerField(_("核实（工作日）"), default=2)
    rectify_days = models.PositiveSmallIntegerField(_("整改（工作日）"), default=8)
    reply_days = models.PositiveSmallIntegerField(_("反馈（工作日）"), default=2)
    callback_days = models.PositiveSmallIntegerField(_("回访（工作日）"), default=2)
    review_days = models.PositiveSmallIntegerField(_("复核（工作日）"), default=1)
    complaint_accept_days = models.PositiveSmallIntegerField(_("投诉受理时限（工作日）"), default=1)
    complaint_investigate_days = models.PositiveSmallIntegerField(_("投诉调查（受理后，工作日）"), default=3)
    complaint_handle_days = models.PositiveSmallIntegerField(_("投诉处置（受理后累计，工作日）"), default=4)
    complaint_answer_days = models.PositiveSmallIntegerField(_("投诉答复时限（受理后累计，工作日）"), default=5)
    complaint_archive_days = models.PositiveSmallIntegerField(_("投诉归档（反馈后，工作日）"), default=2)
    callback_sample_size = models.PositiveSmallIntegerField(_("每周回访抽样件数"), default=20)
    sms_link_days = models.PositiveSmallIntegerField(_("短信评价链接有效期（天）"), default=30)

    class Meta:
        verbose_name = _("好差评与投诉设置")
        verbose_name_plural = _("好差评与投诉设置")

    def __str__(self) -> str:
        return str(self.centre)

    @property
    def rectification_total_days(self) -> int:
        return self.verify_days + self.rectify_days + self.reply_days + self.callback_days + self.review_days


class Rating(models.Model):
    class Level(models.IntegerChoices):
        VERY_SATISFIED = 5, _("非常满意")
        SATISFIED = 4, _("满意")
        BASIC = 3, _("基本满意")
        DISSATISFIED = 2, _("不满意")
        VERY_DISSATISFIED = 1, _("非常不满意")

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上评价（一事一评）")
        PAD = "pad", _("窗口评价器（一次一评）")
        SMS = "sms", _("短信评价")
        HOTLINE = "hotline", _("热线代评")
        CALLBACK = "callback", _("回访代评")
        PLATFORM = "platform", _("省好差评平台")

    class State(models.TextChoices):
        VALID = "valid", _("有效")
        APPEALED = "appealed", _("申诉中")
        EXCLUDED = "excluded", _("申诉成立，不计入")

    centre = models.ForeignKey("org.ServiceCentre", verbose_name=_("服务中心"), on_delete=models.PROTECT,
                               related_name="+")
    channel = models.CharField(_("评价渠道"), max_length=10, choices=Channel.choices)
    case = models.ForeignKey("cases.Case", verbose_name=_("办件"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="ratings")
    ticket = models.ForeignKey("hall.Ticket", verbose_name=_("叫号"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    item = models.ForeignKey("catalog.Item", verbose_name=_("事项"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    window = models.ForeignKey("org.Window", verbose_name=_("窗口"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("服务人员"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="ratings_received")
    level = models.PositiveSmallIntegerField(_("总体评价"), choices=Level.choices)
    indicators = models.JSONField(_("分项评价"), default=dict, blank=True)
    comment = models.TextField(_("评价内容"), blank=True)
    real_name = models.BooleanField(_("实名评价"), default=False)
    rater_name = models.CharField(_("评价人"), max_length=60, blank=True)
    rater_phone = EncryptedTextField(_("评价人电话"), blank=True)
    rated_at = models.DateTimeField(_("评价时间"), db_index=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("代录人员"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    external_ref = models.CharField(_("外部平台编号"), max_length=64, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.VALID, db_index=True)
    token = models.CharField(max_length=32, unique=True, editable=False)

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["-rated_at", "-id"]
        constraints = [
            # 一事一评 per channel; the pad rates each service (一次一评), so it is unique per ticket instead.
            models.UniqueConstraint(fields=["case", "channel"],
                                    condition=models.Q(case__isnull=False) & ~models.Q(channel="pad"),
                                    name="rating_one_per_case_channel"),
            models.UniqueConstraint(fields=["ticket"], condition=models.Q(ticket__isnull=False),
                                    name="rating_one_per_ticket"),
        ]
        indexes = [models.Index(fields=["centre", "rated_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level <= self.Level.DISSATISFIED


class RatingEvent(models.Model):
    """Append-only history of a rating, its rectification and its appeal."""

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField(max_length=120, blank=True)
    action = models.CharField(_("动作"), max_length=40)
    summary = models.CharField(_("说明"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("评价事件")
        verbose_name_plural = _("评价事件")
        ordering = ["rating", "at", "id"]

    def __str__(self) -> str:
        return f"{self.rating_id} {self.action}"


class Rectification(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("整改中")
        DONE = "done", _("已复核办结")
        WITHDRAWN = "withdrawn", _("申诉成立，已撤销")

    rating = models.OneToOneField(Rating, verbose_name=_("差评"), on_delete=models.CASCADE,
                                  related_name="rectification")
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    opened_on = models.DateField(_("启动日期"))
    total_days = models.PositiveSmallIntegerField(_("总时限（工作日）"))
    due_date = models.DateField(_("整改到期日"), db_index=True)
    alarm = models.CharField(_("预警"), max_length=8, choices=Alarm.choices, default=Alarm.NORMAL)
    answer = models.TextField(_("给评价人的答复"), blank=True)
    finished_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    finished_late = models.BooleanField(_("超期办结"), default=False)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return f"{self.rating_id} {self.get_state_display()}"


class RectificationStep(models.Model):
    class Kind(models.TextChoices):
        VERIFY = "verify", _("核实")
        RECTIFY = "rectify", _("整改")
        REPLY = "reply", _("反馈")
        CALLBACK = "callback", _("回访")
        REVIEW = "review", _("复核")

    class State(models.TextChoices):
        WAITING = "waiting", _("未开始")
        OPEN = "open", _("办理中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已撤销")

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(_("环节"), max_length=10, choices=Kind.choices)
    budget_days = models.PositiveSmallIntegerField(_("时限（工作日）"))
    due_date = models.DateField(_("到期日"))
    warning_date = models.DateField(_("预警日"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.WAITING)
    alarm = models.CharField(_("预警"), max_length=8, choices=Alarm.choices, default=Alarm.NONE)
    finished_at = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办理人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("情况说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("整改环节")
        verbose_name_plural = _("整改环节")
        ordering = ["rectification", "order"]
        constraints = [models.UniqueConstraint(fields=["rectification", "order"], name="rectification_step_order")]

    def __str__(self) -> str:
        return f"{self.rectification_id} {self.get_kind_display()}"


class Appeal(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待裁定")
        UPHELD = "upheld", _("申诉成立")
        REJECTED = "rejected", _("申诉驳回")

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="appeals")
    reason = models.TextField(_("申诉理由"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("裁定理由"), blank=True)

    class Meta:
        verbose_name = _("差评申诉")
        verbose_name_plural = _("差评申诉")
        ordering = ["-requested_at"]
        constraints = [models.UniqueConstraint(fields=["rating"], condition=models.Q(state="pending"),
                                               name="appeal_one_pending_per_rating")]

    def __str__(self) -> str:
        return f"{self.rating_id} {self.get_state_display()}"


class PadInvitation(models.Model):
    """The window clerk finished a service: the window's rating pad asks the person to rate it."""

    class State(models.TextChoices):
        PENDING = "pending", _("待评价")
        RATED = "rated", _("已评价")
        SKIPPED = "skipped", _("未评价")

    window = models.ForeignKey("org.Window", on_delete=models.CASCADE, related_name="+")
    ticket = models.OneToOneField("hall.Ticket", on_delete=models.CASCADE, related_name="+")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)

    class Meta:
        verbose_name = _("评价器邀请")
        verbose_name_plural = _("评价器邀请")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.window_id} {self.ticket_id} {self.state}"


class CallbackSample(models.Model):
    """One week's random draw of closed cases for phone callbacks, reproducible from its seed."""

    centre = models.ForeignKey("org.ServiceCentre", on_delete=models.CASCADE, related_name="+")
    iso_year = models.PositiveSmallIntegerField()
    iso_week = models.PositiveSmallIntegerField()
    seed = models.CharField(_("随机种子"), max_length=60)
    population = models.PositiveIntegerField(_("总体（上周办结件数）"))
    size = models.PositiveIntegerField(_("抽样件数"))
    drawn_at = models.DateTimeField()
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    class Meta:
        verbose_name = _("回访抽样")
        verbose_name_plural = _("回访抽样")
        ordering = ["-iso_year", "-iso_week"]
        constraints = [models.UniqueConstraint(fields=["centre", "iso_year", "iso_week"], name="callback_sample_week")]

    def __str__(self) -> str:
        return f"{self.iso_year}-W{self.iso_week:02d}"


class CallbackTask(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "pending", _("待回访")
        REACHED = "reached", _("已回访")
        NOT_REACHED = "not_reached", _("未接通")
        REFUSED = "refused", _("拒绝回访")

    sample = models.ForeignKey(CallbackSample, on_delete=models.CASCADE, related_name="tasks")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField()
    outcome = models.CharField(_("回访结果"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    called_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    rating = models.ForeignKey(Rating, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("回访任务")
        verbose_name_plural = _("回访任务")
        ordering = ["sample", "order"]
        constraints = [models.UniqueConstraint(fields=["sample", "case"], name="callback_task_unique")]

    def __str__(self) -> str:
        return f"{self.sample} {self.case_id}"


class Complaint(models.Model):
    class Source(models.TextChoices):
        ONLINE = "online", _("网上投诉")
        HALL = "hall", _("大厅现场")
        HOTLINE_12345 = "12345", _("12345 热线")
        HOTLINE_8890 = "8890", _("8890 热线")
        TRANSFER = "transfer", _("其他平台转办")

    class Category(models.TextChoices):
        ATTITUDE = "attitude", _("服务态度")
        EFFICIENCY = "efficiency", _("办事效率（拖延、超期）")
        DISCIPLINE = "discipline", _("工作纪律（脱岗、推诿）")
        CHARGES = "charges", _("违规收费、吃拿卡要")
        PROCESS = "process", _("多次跑、材料要求不一致")
        ONLINE = "online", _("网上办事系统")
        OTHER = "other", _("其他")

    class Stage(models.TextChoices):
        SUBMITTED = "submitted", _("待受理")
        ACCEPTED = "accepted", _("已受理，调查中")
        INVESTIGATED = "investigated", _("调查完成，处置中")
        HANDLED = "handled", _("已处置，待反馈")
        ANSWERED = "answered", _("已反馈，待归档")
        ARCHIVED = "archived", _("已归档")
        NOT_ACCEPTED = "not_accepted", _("不予受理")

    class Finding(models.TextChoices):
        NONE = "", _("未认定")
        UPHELD = "upheld", _("属实")
        PARTLY = "partly", _("部分属实")
        UNFOUNDED = "unfounded", _("不属实")

    number = models.CharField(_("投诉编号"), max_length=40, unique=True)
    query_code = models.CharField(_("查询码"), max_length=6)
    centre = models.ForeignKey("org.ServiceCentre", verbose_name=_("服务中心"), on_delete=models.PROTECT,
                               related_name="+")
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    source_platform = models.CharField(_("转办平台"), max_length=60, blank=True)
    source_ref = models.CharField(_("来源平台编号"), max_length=64, blank=True)
    category = models.CharField(_("分类"), max_length=12, choices=Category.choices, default=Category.OTHER)
    subject = models.CharField(_("投诉事项"), max_length=120)
    content = models.TextField(_("投诉内容"))
    complainant_name = models.CharField(_("投诉人"), max_length=60, blank=True)
    complainant_phone = EncryptedTextField(_("联系电话"), blank=True)
    case = models.ForeignKey("cases.Case", verbose_name=_("涉及办件"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="complaints")
    department = models.ForeignKey("org.Department", verbose_name=_("涉及部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    window = models.ForeignKey("org.Window", verbose_name=_("涉及窗口"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("涉及人员"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="complaints_about")
    stage = models.CharField(_("阶段"), max_length=14, choices=Stage.choices, default=Stage.SUBMITTED,
                             db_index=True)
    received_at = models.DateTimeField(_("收到时间"), db_index=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    stage_due_date = models.DateField(_("本阶段到期日"), null=True, blank=True, db_index=True)
    answer_due_date = models.DateField(_("答复到期日"), null=True, blank=True)
    alarm = models.CharField(_("预警"), max_length=8, choices=Alarm.choices, default=Alarm.NORMAL)
    extension_days = models.PositiveSmallIntegerField(_("延期（工作日）"), default=0)
    extension_reason = models.TextField(_("延期理由"), blank=True)
    investigation = models.TextField(_("调查情况"), blank=True)
    finding = models.CharField(_("调查结论"), max_length=10, choices=Finding.choices, blank=True, default="")
    handling = models.TextField(_("处置措施"), blank=True)
    accountability = models.CharField(_("问责"), max_length=200, blank=True)
    answer = models.TextField(_("答复内容"), blank=True)
    not_accepted_reason = models.TextField(_("不予受理理由"), blank=True)
    late_stages = models.JSONField(_("超期环节"), default=list, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def can_sms(self) -> bool:
        return bool(self.complainant_phone)

    @property
    def is_open(self) -> bool:
        return self.stage not in (self.Stage.ARCHIVED, self.Stage.NOT_ACCEPTED)


class ComplaintEvent(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField(max_length=120, blank=True)
    action = models.CharField(max_length=40)
    from_stage = models.CharField(max_length=14, blank=True)
    to_stage = models.CharField(max_length=14, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    public = models.BooleanField(default=True, help_text=_("投诉人查询时可见"))
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("投诉事件")
        verbose_name_plural = _("投诉事件")
        ordering = ["complaint", "at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.action}"
