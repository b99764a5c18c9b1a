"""Electronic supervision (电子监察): alarms, follow-ups, notifications, statistics rollups,
case-file audits and interviews.

The case tables belong to the case engine; this app reads them and keeps its own tables.
The one exception is the alarm column of a case and of its open steps, which the sweep moves
the way the engine's own `case_alarms_refresh` does.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Handling-time histogram buckets per rollup row: 0 … HIST_MAX working days, and one bucket
# for anything longer. Art. 42 allows 20 + 10 working days, joint handling 45 + 15, so a
# median beyond 60 is reported as "more than 60" rather than guessed.
HIST_MAX = 60


class AlarmLevel(models.TextChoices):
    NORMAL = "normal", _("正常")
    YELLOW = "yellow", _("黄牌预警")
    RED = "red", _("红牌（今日到期）")
    OVERDUE = "overdue", _("已超期")
    STOPPED = "stopped", _("停止计时")


ALERT_LEVELS = (AlarmLevel.YELLOW, AlarmLevel.RED, AlarmLevel.OVERDUE)
LEVEL_RANK = {"stopped": 0, "normal": 0, "yellow": 1, "red": 2, "overdue": 3}


class AlarmRule(models.Model):
    """How many working days before the due date a case turns yellow, per item.

    Without a rule the engine's default applies: a third of the limit or 2 working days,
    whichever is smaller, at least 1. A row without an item replaces that default for every
    item that has no rule of its own.
    """

    item = models.OneToOneField(
        "catalog.Item", verbose_name=_("事项"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="alarm_rule", help_text=_("留空表示所有未单独设置的事项。"),
    )
    warning_days = models.PositiveSmallIntegerField(
        _("提前预警（工作日）"), help_text=_("剩余工作日不多于此数时亮黄牌。")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")
        constraints = [
            models.UniqueConstraint(fields=["item"], condition=models.Q(item__isnull=True), name="alarm_rule_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.item or _('默认')}：{self.warning_days}"


class AlarmState(models.Model):
    """The alarm of a running case or open step as the sweep last recorded it (only when not normal)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    step = models.ForeignKey("cases.CaseStep", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("org.Department", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(_("预警"), max_length=8, choices=AlarmLevel.choices)
    due_date = models.DateField(_("到期日"))
    since = models.DateTimeField(_("亮牌时间"))

    class Meta:
        verbose_name = _("当前预警")
        verbose_name_plural = _("当前预警")
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=models.Q(step__isnull=True), name="alarm_state_case"),
            models.UniqueConstraint(fields=["step"], condition=models.Q(step__isnull=False), name="alarm_state_step"),
        ]
        indexes = [models.Index(fields=["department", "level"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.level}"


class AlarmEvent(models.Model):
    """One change of a case's or step's alarm, written once (the unique constraints say so)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    step = models.ForeignKey("cases.CaseStep", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("org.Department", on_delete=models.CASCADE, related_name="+")
    from_level = models.CharField(_("原预警"), max_length=8, choices=AlarmLevel.choices)
    to_level = models.CharField(_("新预警"), max_length=8, choices=AlarmLevel.choices)
    due_date = models.DateField(_("到期日"), null=True, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("预警变化")
        verbose_name_plural = _("预警变化")
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "to_level", "due_date"],
                condition=models.Q(step__isnull=True, to_level__in=["yellow", "red", "overdue"]),
                name="alarm_event_case_once",
            ),
            models.UniqueConstraint(
                fields=["step", "to_level", "due_date"],
                condition=models.Q(step__isnull=False, to_level__in=["yellow", "red", "overdue"]),
                name="alarm_event_step_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.from_level}→{self.to_level}"


class Notification(models.Model):
    """A message to a staff member (我的提醒). Delivery backends (SMS …) send it after commit."""

    class Kind(models.TextChoices):
        ALARM = "alarm", _("预警")
        FOLLOW_UP = "follow_up", _("督办")
        AUDIT = "audit", _("案卷评查")
        INTERVIEW = "interview", _("约谈")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    level = models.CharField(_("预警"), max_length=8, choices=AlarmLevel.choices, blank=True)
    text = models.CharField(_("内容"), max_length=500)
    link = models.CharField(_("链接"), max_length=200, blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    alarm_event = models.ForeignKey(AlarmEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["alarm_event", "recipient"], condition=models.Q(alarm_event__isnull=False),
                name="notification_once_per_alarm_event",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]


class FollowUp(models.Model):
    """督办: a supervisor's instruction on an alarmed case, and what came of it."""

    class State(models.TextChoices):
        OPEN = "open", _("督办中")
        CLOSED = "closed", _("已办结")

    case = models.ForeignKey("cases.Case", verbose_name=_("办件"), on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("督办时预警"), max_length=8, choices=AlarmLevel.choices)
    instruction = models.TextField(_("督办意见"))
    deadline = models.DateField(_("反馈期限"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("督办时间"))
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.OPEN)
    outcome = models.TextField(_("督办结果"), blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_state_display()}"


class SweepMark(models.Model):
    """One row: the lock every sweep and rebuild takes, the rollup watermark, and the live snapshot.

    `gaps` lists CaseEvent ids below the watermark that were not visible when it moved past
    them: a transaction may take an id and commit after a later one. They are looked at again
    on every sweep until they appear or are old enough to have been rolled back.
    """

    last_event_id = models.BigIntegerField(default=0)
    gaps = models.JSONField(default=list, blank=True)
    last_alarm_event_id = models.BigIntegerField(default=0)
    last_sweep_at = models.DateTimeField(null=True, blank=True)
    last_sweep = models.JSONField(default=dict, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    snapshot_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("监察运行状态")
        verbose_name_plural = _("监察运行状态")

    def __str__(self) -> str:
        return str(self.last_sweep_at or "")


class StatRollup(models.Model):
    """Counters per day or month × department × centre × window × item × channel × staff.

    Two grains of each period: the full key (periods D and M), and a coarse key without window
    and staff (periods d and m, window_id = staff_id = 0), which answers every question that
    does not ask about a window or a person from a small fraction of the rows.

    Keys are plain integers (0 = none), not foreign keys: the table is derived, rebuilt by
    date range, and must be cheap to write in bulk. Every counter and its meaning is listed
    in `metrics.py`; the statistics read only this table. Counters default to 0 in the
    database too, so a write names only the counters it adds to.
    """

    DAY, MONTH, DAY_COARSE, MONTH_COARSE = "D", "M", "d", "m"

    period = models.CharField(max_length=1, choices=[
        ("D", _("日")), ("M", _("月")), ("d", _("日（不分窗口、人员）")), ("m", _("月（不分窗口、人员）"))])
    day = models.DateField(help_text=_("日汇总为当日；月汇总为当月 1 日。"))
    department_id = models.IntegerField()
    centre_id = models.IntegerField()
    window_id = models.IntegerField(default=0)
    item_id = models.IntegerField()
    channel = models.CharField(max_length=14)
    staff_id = models.IntegerField(default=0)

    received = models.IntegerField(default=0, db_default=0)
    online_received = models.IntegerField(default=0, db_default=0)
    accepted = models.IntegerField(default=0, db_default=0)
    not_accepted = models.IntegerField(default=0, db_default=0)
    closed = models.IntegerField(default=0, db_default=0)
    approved = models.IntegerField(default=0, db_default=0)
    immediate = models.IntegerField(default=0, db_default=0)
    early = models.IntegerField(default=0, db_default=0)
    on_time = models.IntegerField(default=0, db_default=0)
    late = models.IntegerField(default=0, db_default=0)
    handling_days = models.IntegerField(default=0, db_default=0)
    corrected = models.IntegerField(default=0, db_default=0)
    send_backs = models.IntegerField(default=0, db_default=0)
    special_used = models.IntegerField(default=0, db_default=0)
    extended = models.IntegerField(default=0, db_default=0)
    delivered = models.IntegerField(default=0, db_default=0)
    one_visit = models.IntegerField(default=0, db_default=0)
    zero_visit = models.IntegerField(default=0, db_default=0)
    withdrawn = models.IntegerField(default=0, db_default=0)
    went_overdue = models.IntegerField(default=0, db_default=0)
    cohort_closed = models.IntegerField(default=0, db_default=0)
    cohort_ended = models.IntegerField(default=0, db_default=0)
    for _i in range(HIST_MAX + 1):
        locals()[f"hd_{_i}"] = models.IntegerField(default=0, db_default=0)
    hd_over = models.IntegerField(default=0, db_default=0)
    del _i

    class Meta:
        verbose_name = _("统计汇总")
        verbose_name_plural = _("统计汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "day", "department_id", "centre_id", "window_id", "item_id", "channel", "staff_id"],
                name="stat_rollup_key",
            ),
        ]
        indexes = [models.Index(fields=["period", "department_id", "day"], name="stat_rollup_dept_day")]

    def __str__(self) -> str:
        return f"{self.period}{self.day} {self.department_id}"


class AuditSetting(models.Model):
    """Sample size and rectification deadline for the monthly case-file audit, per department or default."""

    department = models.OneToOneField(
        "org.Department", verbose_name=_("部门"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+", help_text=_("留空表示所有未单独设置的部门。"),
    )
    sample_size = models.PositiveSmallIntegerField(_("每月抽查件数"), default=5)
    rectify_days = models.PositiveSmallIntegerField(_("整改期限（工作日）"), default=10)
    auto_draw = models.BooleanField(_("每月自动抽取"), default=True)

    class Meta:
        verbose_name = _("案卷评查设置")
        verbose_name_plural = _("案卷评查设置")
        constraints = [
            models.UniqueConstraint(
                fields=["department"], condition=models.Q(department__isnull=True), name="audit_setting_one_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department or _('默认')}：{self.sample_size}"


class AuditRound(models.Model):
    """One month's random sample of a department's closed cases, reproducible from its seed."""

    month = models.DateField(_("月份"), help_text=_("当月 1 日"))
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+")
    sample_size = models.PositiveSmallIntegerField(_("抽查件数"))
    seed = models.BigIntegerField(_("随机种子"))
    population = models.PositiveIntegerField(_("当月办结件数"))
    drawn_at = models.DateTimeField(_("抽取时间"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("留空表示系统按月自动抽取。"),
    )

    class Meta:
        verbose_name = _("案卷评查批次")
        verbose_name_plural = _("案卷评查批次")
        ordering = ["-month", "department__sort_order"]
        constraints = [models.UniqueConstraint(fields=["month", "department"], name="audit_round_once_per_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.department}"


class DefectCategory(models.TextChoices):
    MATERIALS = "materials", _("材料不齐全或不规范")
    DOCUMENTS = "documents", _("文书不规范（告知书、决定书）")
    PROCEDURE = "procedure", _("程序不当（环节缺失、越权审批）")
    TIMING = "timing", _("超期或计时不当")
    BASIS = "basis", _("法律依据引用不当")
    RECORD = "record", _("系统记录与纸质案卷不符")
    DELIVERY = "delivery", _("送达记录不完整")
    OTHER = "other", _("其他")


class AuditSample(models.Model):
    class Finding(models.TextChoices):
        PENDING = "pending", _("待评查")
        COMPLETE = "complete", _("案卷完整规范")
        DEFECT = "defect", _("存在问题")

    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="samples")
    case = models.ForeignKey("cases.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("序号"))
    finding = models.CharField(_("评查结论"), max_length=10, choices=Finding.choices, default=Finding.PENDING)
    note = models.TextField(_("评查意见"), blank=True)
    audited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    audited_at = models.DateTimeField(_("评查时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽查案卷")
        verbose_name_plural = _("抽查案卷")
        ordering = ["round", "position"]
        constraints = [models.UniqueConstraint(fields=["round", "case"], name="audit_sample_unique_case")]

    def __str__(self) -> str:
        return f"{self.round} #{self.position}"


class AuditDefect(models.Model):
    """A problem found in a case file, sent back to the department with a deadline."""

    class State(models.TextChoices):
        OPEN = "open", _("待整改")
        RESPONDED = "responded", _("已反馈，待复核")
        CLOSED = "closed", _("整改完成")

    sample = models.ForeignKey(AuditSample, on_delete=models.CASCADE, related_name="defects")
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("问题类别"), max_length=10, choices=DefectCategory.choices)
    description = models.TextField(_("问题描述"))
    deadline = models.DateField(_("整改期限"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    response = models.TextField(_("整改情况"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    review_note = models.TextField(_("复核意见"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评查问题")
        verbose_name_plural = _("评查问题")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return f"{self.get_category_display()}：{self.description[:30]}"


class SupervisionSettings(models.Model):
    """Thresholds of the interview list (one row; the defaults apply until an admin saves it)."""

    overdue_steps_threshold = models.PositiveSmallIntegerField(
        _("环节超期次数（约谈）"), default=3, help_text=_("统计期内办理超期的环节达到此数，经办人列入约谈名单。")
    )
    lookback_days = models.PositiveSmallIntegerField(_("统计期（天）"), default=90)
    on_time_rate_threshold = models.DecimalField(
        _("按时办结率下限（%）"), max_digits=5, decimal_places=2, default=95,
        help_text=_("上一个完整月份按时办结率低于此值的部门列入约谈名单。"),
    )
    min_closed = models.PositiveSmallIntegerField(
        _("最少办结件数"), default=10, help_text=_("当月办结少于此数的部门不计按时办结率，避免以偏概全。")
    )

    class Meta:
        verbose_name = _("约谈规则")
        verbose_name_plural = _("约谈规则")

    def __str__(self) -> str:
        return str(_("约谈规则"))


class Interview(models.Model):
    """A record of an interview (约谈) held, with the evidence it was held on."""

    class Kind(models.TextChoices):
        CASE = "case", _("退回超过 3 次的办件")
        HANDLER = "handler", _("多次超期的经办人")
        DEPARTMENT = "department", _("按时办结率偏低的部门")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("约谈日期"))
    attendees = models.CharField(_("参加人员"), max_length=300)
    summary = models.TextField(_("约谈情况"))
    measures = models.TextField(_("整改措施"), blank=True)
    evidence = models.JSONField(_("依据"), default=dict)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("约谈记录")
        verbose_name_plural = _("约谈记录")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


# --- monthly window assessment (窗口考核) ---------------------------------------------------------


class AssessmentSettings(models.Model):
    """How the month's score starts and how many honours are proposed (one row; defaults until saved)."""

    base_score = models.DecimalField(_("基础分"), max_digits=6, decimal_places=2, default=100)
    red_flag_count = models.PositiveSmallIntegerField(_("每月红旗窗口数"), default=1)
    star_count = models.PositiveSmallIntegerField(_("每月服务明星数"), default=3)
    min_ratings = models.PositiveSmallIntegerField(
        _("参评最少评价数"), default=1, help_text=_("当月收到的有效评价少于此数的窗口或人员不参加评选（仍计分）。"))
    complaint_veto = models.BooleanField(
        _("投诉属实一票否决"), default=True, help_text=_("当月有属实投诉的窗口或人员不参加评选（仍计分）。"))

    class Meta:
        verbose_name = _("窗口考核设置")
        verbose_name_plural = _("窗口考核设置")

    def __str__(self) -> str:
        return str(_("窗口考核设置"))


class AssessmentMetric(models.TextChoices):
    SATISFACTION_BELOW = "satisfaction_below", _("满意率低于阈值（一次）")
    SATISFACTION_AT_LEAST = "satisfaction_at_least", _("满意率达到阈值（一次）")
    BAD_RATINGS = "bad_ratings", _("差评件数（申诉成立的不计）")
    PRAISE = "praise", _("“非常满意”评价数")
    OVERDUE = "overdue", _("超期件数")
    COMPLAINTS_UPHELD = "complaints_upheld", _("投诉属实件数")
    SEND_BACKS = "send_backs", _("被部门退回补正次数")
    AUDIT_DEFECTS = "audit_defects", _("案卷评查问题数")
    ABSENCES = "absences", _("缺勤天数")
    LATE_ARRIVALS = "late_arrivals", _("迟到早退次数")


RATE_METRICS = (AssessmentMetric.SATISFACTION_BELOW, AssessmentMetric.SATISFACTION_AT_LEAST)


class AssessmentRule(models.Model):
    """One line of the score: points per unit of a monthly figure (negative deducts, positive adds).

    Count figures: units = the figure minus the allowance (threshold), never below 0.
    满意率 rules: one unit when the rate is below (or at least) the threshold, and only when the
    subject was rated at all. A cap bounds the line's points in a month.
    """

    class AppliesTo(models.TextChoices):
        BOTH = "both", _("窗口和人员")
        WINDOW = "window", _("仅窗口")
        STAFF = "staff", _("仅人员")

    metric = models.CharField(_("考核指标"), max_length=24, choices=AssessmentMetric.choices)
    label = models.CharField(_("名称"), max_length=60, blank=True, help_text=_("留空则用指标名称。"))
    applies_to = models.CharField(_("适用于"), max_length=8, choices=AppliesTo.choices, default=AppliesTo.BOTH)
    points = models.DecimalField(
        _("每单位分值"), max_digits=6, decimal_places=2, help_text=_("负数为扣分，正数为加分，如 -2 表示每件扣 2 分。"))
    threshold = models.DecimalField(
        _("阈值"), max_digits=6, decimal_places=2, null=True, blank=True,
        help_text=_("计数指标：免扣（免加）件数；满意率指标：百分比界限，如 95。"))
    cap = models.DecimalField(
        _("单项上限（分）"), max_digits=6, decimal_places=2, null=True, blank=True,
        help_text=_("此项每月最多扣（加）的分数，留空不设上限。"))
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("考核规则")
        verbose_name_plural = _("考核规则")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.label or self.get_metric_display()


class AttendanceRecord(models.Model):
    """考勤: an absence or a late arrival / early leave of a window's staff member, recorded by the supervisor."""

    class Kind(models.TextChoices):
        ABSENT = "absent", _("缺勤")
        LATE = "late", _("迟到早退")

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("工作人员"), on_delete=models.PROTECT,
                              related_name="+")
    day = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("考勤记录")
        verbose_name_plural = _("考勤记录")
        ordering = ["-day", "staff_id"]
        constraints = [models.UniqueConstraint(fields=["staff", "day", "kind"], name="attendance_once_per_day")]

    def __str__(self) -> str:
        return f"{self.staff} {self.day} {self.get_kind_display()}"


class AssessmentMonth(models.Model):
    """One month's assessment: recomputable while a draft, frozen once the supervisor confirms it."""

    class State(models.TextChoices):
        DRAFT = "draft", _("待确认")
        CONFIRMED = "confirmed", _("已确认")

    month = models.DateField(_("月份"), unique=True, help_text=_("当月 1 日"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    base_score = models.DecimalField(_("基础分"), max_digits=6, decimal_places=2)
    rules = models.JSONField(_("计分规则（计算时）"), default=list)
    sources = models.JSONField(_("数据来源说明"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("计算时间"))
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    note = models.TextField(_("确认说明"), blank=True)

    class Meta:
        verbose_name = _("月度窗口考核")
        verbose_name_plural = _("月度窗口考核")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def frozen(self) -> bool:
        return self.state == self.State.CONFIRMED


class AssessmentResult(models.Model):
    """A window's or a staff member's score for the month, with the lines that add up to it."""

    class Kind(models.TextChoices):
        WINDOW = "window", _("窗口")
        STAFF = "staff", _("工作人员")

    class Honour(models.TextChoices):
        NONE = "", _("—")
        RED_FLAG = "red_flag", _("红旗窗口")
        STAR = "star", _("服务明星")

    assessment = models.ForeignKey(AssessmentMonth, on_delete=models.CASCADE, related_name="results")
    kind = models.CharField(_("对象"), max_length=8, choices=Kind.choices)
    window = models.ForeignKey("org.Window", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    label = models.CharField(_("名称"), max_length=120)
    score = models.DecimalField(_("得分"), max_digits=7, decimal_places=2)
    lines = models.JSONField(_("得分明细"), default=list)
    figures = models.JSONField(_("当月数据"), default=dict)
    eligible = models.BooleanField(_("参加评选"), default=True)
    ineligible_reason = models.CharField(_("不参评原因"), max_length=120, blank=True)
    rank = models.PositiveIntegerField(_("名次"), default=0)
    proposed = models.CharField(_("建议荣誉"), max_length=10, choices=Honour.choices, blank=True, default="")
    honour = models.CharField(_("确认荣誉"), max_length=10, choices=Honour.choices, blank=True, default="")

    class Meta:
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        ordering = ["assessment", "kind", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "window"], condition=models.Q(window__isnull=False),
                                    name="assessment_result_window_once"),
            models.UniqueConstraint(fields=["assessment", "staff"], condition=models.Q(staff__isnull=False),
                                    name="assessment_result_staff_once"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} {self.label} {self.score}"


class AssessmentEvent(models.Model):
    """Append-only history of a month's assessment (computed, recomputed, confirmed)."""

    assessment = models.ForeignKey(AssessmentMonth, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("时间"))
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("考核记录")
        verbose_name_plural = _("考核记录")
        ordering = ["assessment", "at", "id"]

    def __str__(self) -> str:
        return f"{self.assessment} {self.action}"
