"""The hall (大厅): service lines, queue tickets, appointments, window states, the SMS outbox.

Tickets and appointments change only through `services.py`, which writes an append-only event
(`TicketEvent`, `AppointmentEvent`, `WindowEvent`) and an audit entry in the same transaction.
The lines, areas and hall settings are reference data kept in the admin.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from yichuang.core.fields import EncryptedTextField
from yichuang.core.validators import mask_id_number

prefix_validator = RegexValidator(r"^[A-Z]{1,2}$", _("号码前缀为 1–2 个大写字母，如 A 或 BD。"))


class HallSettings(models.Model):
    """How one centre's hall runs: hours, the calling rules, appointment rules."""

    centre = models.OneToOneField(
        "org.ServiceCentre", verbose_name=_("服务中心（站点）"), on_delete=models.CASCADE, related_name="hall_settings"
    )
    is_enabled = models.BooleanField(_("启用取号"), default=True)
    opens_at = models.TimeField(_("开始取号"), default=datetime.time(8, 30))
    closes_at = models.TimeField(_("下班时间"), default=datetime.time(17, 0))
    last_ticket_minutes = models.PositiveSmallIntegerField(
        _("提前停止取号（分钟）"), default=30, validators=[MaxValueValidator(240)],
        help_text=_("下班前多少分钟停止取号，留出办理时间。"),
    )
    slots_from = models.TimeField(_("预约时段从"), default=datetime.time(9, 0), help_text=_("每天第一个预约时段的开始时间。"))
    slots_until = models.TimeField(_("预约时段到"), default=datetime.time(17, 0), help_text=_("最后一个预约时段在此之前结束。"))
    lunch_starts = models.TimeField(_("午休开始"), null=True, blank=True, help_text=_("午休时段不安排预约；留空表示午间不打烊。"))
    lunch_ends = models.TimeField(_("午休结束"), null=True, blank=True)
    open_every_day = models.BooleanField(
        _("全年无休"), default=False,
        help_text=_("勾选后周末和节假日也可取号（如 24 小时自助区）；否则按工作日历，休息日不取号、不预约。"),
    )
    recalls_before_skip = models.PositiveSmallIntegerField(
        _("过号前重呼次数"), default=2, validators=[MaxValueValidator(10)],
        help_text=_("呼叫后至少重呼这么多次仍未到，才可以过号。"),
    )
    appointment_ahead = models.BooleanField(
        _("预约签到优先"), default=True, help_text=_("在预约时段内签到的号排在同类现场取号之前。")
    )
    checkin_early_minutes = models.PositiveSmallIntegerField(
        _("提前签到（分钟）"), default=15, validators=[MaxValueValidator(120)],
        help_text=_("预约时段开始前多少分钟起可以签到；时段结束后不能按预约签到。"),
    )
    near_ahead = models.PositiveSmallIntegerField(
        _("即将到号提醒（前面人数）"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("前面等候人数不超过此数时，手机页面和短信提醒“即将轮到您”。"),
    )
    elderly_age = models.PositiveSmallIntegerField(
        _("老年人优先年龄"), default=60, validators=[MaxValueValidator(120)],
        help_text=_("取号时填写身份证号且年满此年龄的，自动按老年人优先；0 表示不自动识别。"),
    )
    booking_days_ahead = models.PositiveSmallIntegerField(
        _("可预约天数"), default=7, validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("可以预约今天起多少天内的时段。"),
    )
    no_show_limit = models.PositiveSmallIntegerField(
        _("爽约次数上限"), default=3, validators=[MinValueValidator(1)],
        help_text=_("在统计期内预约未到达到此次数，暂停在线预约。"),
    )
    no_show_window_days = models.PositiveSmallIntegerField(_("爽约统计期（天）"), default=90, validators=[MinValueValidator(1)])
    booking_block_days = models.PositiveSmallIntegerField(
        _("暂停预约（天）"), default=30, validators=[MinValueValidator(1)],
        help_text=_("自最近一次爽约之日起暂停在线预约的天数；期间仍可到大厅现场取号。"),
    )
    sms_enabled = models.BooleanField(_("短信提醒"), default=True, help_text=_("取号时留了手机号的，发送取号、即将到号和叫号短信。"))
    chime = models.BooleanField(_("显示屏提示音"), default=True, help_text=_("叫号时显示屏播放一声轻柔的提示音（不播报姓名）。"))

    class Meta:
        verbose_name = _("大厅设置")
        verbose_name_plural = _("大厅设置")

    def __str__(self) -> str:
        return str(self.centre)

    def clean(self):
        errors = {}
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            errors["closes_at"] = _("下班时间应晚于开始取号时间。")
        if self.slots_from and self.slots_until and self.slots_from >= self.slots_until:
            errors["slots_until"] = _("预约时段的结束应晚于开始。")
        if bool(self.lunch_starts) != bool(self.lunch_ends):
            errors["lunch_ends"] = _("午休开始和结束要么都填，要么都不填。")
        elif self.lunch_starts and self.lunch_starts >= self.lunch_ends:
            errors["lunch_ends"] = _("午休结束应晚于午休开始。")
        if errors:
            raise ValidationError(errors)


class HallArea(models.Model):
    """A part of the hall with its own display screen (e.g. 一楼综合受理区)."""

    centre = models.ForeignKey("org.ServiceCentre", verbose_name=_("服务中心（站点）"), on_delete=models.CASCADE, related_name="hall_areas")
    code = models.SlugField(_("代码"), max_length=20, help_text=_("用于显示屏地址，如 1f。"))
    name = models.CharField(_("名称"), max_length=60)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("大厅区域")
        verbose_name_plural = _("大厅区域")
        ordering = ["centre", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["centre", "code"], name="hall_area_code_unique")]

    def __str__(self) -> str:
        return self.name


class ServiceLine(models.Model):
    """A queue (业务类别): the items it takes, the windows that serve it, its ticket prefix."""

    centre = models.ForeignKey("org.ServiceCentre", verbose_name=_("服务中心（站点）"), on_delete=models.CASCADE, related_name="service_lines")
    area = models.ForeignKey(HallArea, verbose_name=_("所在区域"), null=True, blank=True, on_delete=models.SET_NULL, related_name="lines")
    code = models.SlugField(_("代码"), max_length=20)
    name = models.CharField(_("名称"), max_length=40, help_text=_("如：综合受理、不动产登记、社保、出件。"))
    prefix = models.CharField(_("号码前缀"), max_length=2, validators=[prefix_validator])
    description = models.CharField(_("说明"), max_length=200, blank=True, help_text=_("取号机按钮下的一行小字，如：企业开办、食品经营等。"))
    items = models.ManyToManyField("catalog.Item", verbose_name=_("事项"), blank=True, related_name="service_lines")
    departments = models.ManyToManyField(
        "org.Department", verbose_name=_("部门的全部事项"), blank=True, related_name="service_lines",
        help_text=_("选择部门即包含该部门的全部事项（按部门成组）。"),
    )
    windows = models.ManyToManyField("org.Window", through="LineWindow", verbose_name=_("窗口"), blank=True, related_name="service_lines")
    default_service_minutes = models.PositiveSmallIntegerField(
        _("默认办理时长（分钟）"), default=10, validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("当天还没有办结记录时，按此估算等候时间。"),
    )
    appointments_enabled = models.BooleanField(_("开放预约"), default=True)
    slot_minutes = models.PositiveSmallIntegerField(
        _("预约时段（分钟）"), default=30, validators=[MinValueValidator(10), MaxValueValidator(240)]
    )
    slot_capacity = models.PositiveSmallIntegerField(_("每时段可预约人数"), default=4, validators=[MaxValueValidator(200)])
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("业务队列")
        verbose_name_plural = _("业务队列")
        ordering = ["centre", "sort_order", "prefix"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "code"], name="hall_line_code_unique"),
            models.UniqueConstraint(fields=["centre", "prefix"], name="hall_line_prefix_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}"


class LineWindow(models.Model):
    """A window serves a line; it calls its lines in order of priority (1 first)."""

    line = models.ForeignKey(ServiceLine, verbose_name=_("业务队列"), on_delete=models.CASCADE, related_name="line_windows")
    window = models.ForeignKey("org.Window", verbose_name=_("窗口"), on_delete=models.CASCADE, related_name="line_windows")
    priority = models.PositiveSmallIntegerField(
        _("优先级"), default=1, validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("1 为主办业务，数字越大越靠后：窗口先叫优先级高的队列。"),
    )

    class Meta:
        verbose_name = _("窗口办理的队列")
        verbose_name_plural = _("窗口办理的队列")
        ordering = ["priority", "window__number"]
        constraints = [models.UniqueConstraint(fields=["line", "window"], name="hall_line_window_unique")]

    def __str__(self) -> str:
        return f"{self.window} · {self.line}（{self.priority}）"

    def clean(self):
        if self.line_id and self.window_id and self.line.centre_id != self.window.centre_id:
            raise ValidationError({"window": _("窗口不在该队列所属的中心。")})


class Ticket(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("等候中")
        CALLED = "called", _("已叫号")
        SERVING = "serving", _("办理中")
        DONE = "done", _("已办结")
        NO_SHOW = "no_show", _("过号")
        CANCELLED = "cancelled", _("已取消")
        ABANDONED = "abandoned", _("未办理离开")

    class Category(models.TextChoices):
        NORMAL = "normal", _("普通")
        ELDERLY = "elderly", _("老年人")
        DISABLED = "disabled", _("残疾人")
        PREGNANT = "pregnant", _("孕妇")
        GREEN = "green", _("绿色通道企业")

    class Source(models.TextChoices):
        KIOSK = "kiosk", _("取号机")
        PHONE = "phone", _("手机扫码")
        APPOINTMENT = "appointment", _("预约签到")
        API = "api", _("接口")
        STAFF = "staff", _("工作人员代取")

    centre = models.ForeignKey("org.ServiceCentre", verbose_name=_("服务中心（站点）"), on_delete=models.PROTECT, related_name="tickets")
    line = models.ForeignKey(ServiceLine, verbose_name=_("业务队列"), on_delete=models.PROTECT, related_name="tickets")
    day = models.DateField(_("日期"))
    seq = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("号码"), max_length=10)
    category = models.CharField(_("类别"), max_length=10, choices=Category.choices, default=Category.NORMAL)
    source = models.CharField(_("取号方式"), max_length=12, choices=Source.choices, default=Source.KIOSK)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.WAITING)
    # Lower ranks are called first within a line: priority categories, then checked-in
    # appointments, then everyone else (see rules.ticket_rank).
    rank = models.PositiveSmallIntegerField(_("排序等级"), default=3)
    issued_at = models.DateTimeField(_("取号时间"))
    queued_at = models.DateTimeField(_("排队时间"), help_text=_("过号重排时更新；转移不改变。"))
    first_called_at = models.DateTimeField(_("首次叫号"), null=True, blank=True)
    called_at = models.DateTimeField(_("最近叫号"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始办理"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束"), null=True, blank=True)
    window = models.ForeignKey("org.Window", verbose_name=_("窗口"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("工作人员"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_window = models.ForeignKey(
        "org.Window", verbose_name=_("指定窗口"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("转移到指定窗口后，只有该窗口可以叫此号。"),
    )
    recalls = models.PositiveSmallIntegerField(_("重呼次数"), default=0)
    transfer_note = models.CharField(_("转移说明"), max_length=200, blank=True)
    item = models.ForeignKey("catalog.Item", verbose_name=_("事项"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    appointment = models.OneToOneField(
        "Appointment", verbose_name=_("预约"), null=True, blank=True, on_delete=models.SET_NULL, related_name="ticket"
    )
    # A person's ID number: encrypted at rest, found by its keyed hash, never on a screen.
    id_number = EncryptedTextField(_("身份证号码"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = EncryptedTextField(_("手机号"), blank=True)
    token = models.CharField(max_length=32, unique=True, editable=False)
    request_key = models.CharField(max_length=64, blank=True, editable=False)
    wait_seconds = models.PositiveIntegerField(_("等候（秒）"), null=True, blank=True)
    service_seconds = models.PositiveIntegerField(_("办理（秒）"), null=True, blank=True)
    near_notified = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        ordering = ["-day", "line", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "day", "number"], name="hall_ticket_number_unique"),
            models.UniqueConstraint(
                fields=["centre", "request_key"], condition=~models.Q(request_key=""), name="hall_ticket_request_once"
            ),
        ]
        indexes = [
            models.Index(fields=["line", "day", "status", "rank", "queued_at"], name="hall_ticket_queue"),
            models.Index(fields=["centre", "day", "status"], name="hall_ticket_centre_day"),
            models.Index(fields=["window", "status"], name="hall_ticket_window"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_priority(self) -> bool:
        return self.category != self.Category.NORMAL

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def wait_minutes(self) -> int | None:
        return round(self.wait_seconds / 60) if self.wait_seconds is not None else None


class TicketEvent(models.Model):
    """Append-only history of a ticket; the calls among them are what the display screens show."""

    class Action(models.TextChoices):
        ISSUED = "issued", _("取号")
        CALLED = "called", _("叫号")
        RECALLED = "recalled", _("重呼")
        STARTED = "started", _("开始办理")
        FINISHED = "finished", _("办结")
        SKIPPED = "skipped", _("过号")
        REQUEUED = "requeued", _("过号重排")
        TRANSFERRED = "transferred", _("转移")
        CANCELLED = "cancelled", _("取消")
        ABANDONED = "abandoned", _("未办理离开")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    centre = models.ForeignKey("org.ServiceCentre", on_delete=models.CASCADE, related_name="+")
    line = models.ForeignKey(ServiceLine, on_delete=models.CASCADE, related_name="+")
    number = models.CharField(max_length=10)
    at = models.DateTimeField()
    action = models.CharField(max_length=12, choices=Action.choices)
    window = models.ForeignKey("org.Window", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=120, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("排队号记录")
        verbose_name_plural = _("排队号记录")
        ordering = ["id"]
        indexes = [models.Index(fields=["centre", "action", "id"], name="hall_event_calls")]

    def __str__(self) -> str:
        return f"{self.number} {self.get_action_display()}"


class WindowState(models.Model):
    """Whether a window is serving now: closed, open, or paused (and why)."""

    class State(models.TextChoices):
        CLOSED = "closed", _("未开窗")
        OPEN = "open", _("服务中")
        PAUSED = "paused", _("暂停")

    class Reason(models.TextChoices):
        BREAK = "break", _("休息")
        BACK_OFFICE = "back_office", _("后台办理")
        MEETING = "meeting", _("会议或培训")
        OTHER = "other", _("其他")

    window = models.OneToOneField("org.Window", primary_key=True, on_delete=models.CASCADE, related_name="hall_state")
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.CLOSED)
    reason = models.CharField(_("暂停原因"), max_length=12, choices=Reason.choices, blank=True)
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("工作人员"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    since = models.DateTimeField(_("自"))

    class Meta:
        verbose_name = _("窗口状态")
        verbose_name_plural = _("窗口状态")

    def __str__(self) -> str:
        return f"{self.window_id} {self.get_state_display()}"


class WindowEvent(models.Model):
    class Action(models.TextChoices):
        OPENED = "opened", _("开窗")
        PAUSED = "paused", _("暂停")
        RESUMED = "resumed", _("恢复")
        CLOSED = "closed", _("关窗")

    window = models.ForeignKey("org.Window", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = models.CharField(max_length=12, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("窗口记录")
        verbose_name_plural = _("窗口记录")
        ordering = ["id"]
        indexes = [models.Index(fields=["window", "at"], name="hall_window_event_at")]

    def __str__(self) -> str:
        return f"{self.window_id} {self.get_action_display()}"


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("已预约")
        CHECKED_IN = "checked_in", _("已签到")
        LATE = "late", _("迟到（按现场号）")
        CANCELLED = "cancelled", _("已取消")
        NO_SHOW = "no_show", _("未到")

    centre = models.ForeignKey("org.ServiceCentre", verbose_name=_("服务中心（站点）"), on_delete=models.PROTECT, related_name="appointments")
    line = models.ForeignKey(ServiceLine, verbose_name=_("业务队列"), on_delete=models.PROTECT, related_name="appointments")
    day = models.DateField(_("日期"))
    starts_at = models.TimeField(_("时段开始"))
    ends_at = models.TimeField(_("时段结束"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.BOOKED)
    name = models.CharField(_("姓名"), max_length=60)
    id_number = EncryptedTextField(_("身份证号码"))
    id_number_hash = models.CharField(max_length=64, db_index=True, editable=False)
    phone = EncryptedTextField(_("手机号"), blank=True)
    item = models.ForeignKey("catalog.Item", verbose_name=_("事项"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    code = models.CharField(_("预约码"), max_length=8, help_text=_("签到时可用预约码代替身份证号。"))
    token = models.CharField(max_length=32, unique=True, editable=False)
    created_at = models.DateTimeField(_("预约时间"))
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["-day", "starts_at"]
        constraints = [
            # One active appointment per person and line.
            models.UniqueConstraint(
                fields=["line", "id_number_hash"], condition=models.Q(status="booked"), name="hall_one_active_appointment"
            ),
            models.UniqueConstraint(fields=["centre", "day", "code"], name="hall_appointment_code_unique"),
        ]
        indexes = [models.Index(fields=["line", "day", "starts_at", "status"], name="hall_appointment_slot")]

    def __str__(self) -> str:
        return f"{self.line.name} {self.day} {self.starts_at:%H:%M}"

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number)


class AppointmentEvent(models.Model):
    class Action(models.TextChoices):
        BOOKED = "booked", _("预约")
        RESCHEDULED = "rescheduled", _("改约")
        CANCELLED = "cancelled", _("取消")
        CHECKED_IN = "checked_in", _("签到")
        LATE = "late", _("迟到")
        NO_SHOW = "no_show", _("未到")

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    action = models.CharField(max_length=12, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("预约记录")
        verbose_name_plural = _("预约记录")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_action_display()


class SmsMessage(models.Model):
    """The outbox: every text the hall sends, written in the same transaction as its reason."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    centre = models.ForeignKey("org.ServiceCentre", on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="sms")
    appointment = models.ForeignKey(Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="sms")
    phone = EncryptedTextField(_("手机号"))
    phone_last4 = models.CharField(_("尾号"), max_length=4)
    text = models.CharField(_("内容"), max_length=300)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    backend = models.CharField(_("通道"), max_length=100, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("生成时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信")
        verbose_name_plural = _("短信发件箱")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"****{self.phone_last4} {self.text[:20]}"
