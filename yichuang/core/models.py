"""Tables of the shared foundation: calendar, audit chain, numbering sequences."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose schedule of holidays and make-up days is known.

    National rows (region empty) come from `chinesecalendar` or an imported State Council
    notice. A year without a national row falls back to Monday–Friday and every deadline
    that relies on it is unconfirmed.
    """

    class Source(models.TextChoices):
        PACKAGE = "package", _("chinesecalendar 软件包")
        NOTICE = "notice", _("国务院办公厅通知（导入）")
        MANUAL = "manual", _("管理员录入")

    year = models.PositiveSmallIntegerField(_("年份"))
    region = models.ForeignKey(
        "org.Region", verbose_name=_("地区"), null=True, blank=True, on_delete=models.CASCADE,
        help_text=_("留空表示全国统一安排。"),
    )
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.MANUAL)
    notice = models.CharField(_("通知文号或说明"), max_length=200, blank=True)
    imported_at = models.DateTimeField(_("导入时间"), auto_now=True)

    class Meta:
        verbose_name = _("年度节假日安排")
        verbose_name_plural = _("年度节假日安排")
        constraints = [
            models.UniqueConstraint(fields=["year", "region"], name="calendar_year_unique_region"),
            models.UniqueConstraint(
                fields=["year"], condition=models.Q(region__isnull=True), name="calendar_year_unique_national"
            ),
        ]
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}（{self.region or _('全国')}）"


class CalendarDay(models.Model):
    """A day that differs from the plain Monday–Friday rule.

    Only exceptions are stored: statutory holidays that fall on weekdays, 调休 make-up
    working days on weekends, and a region's own extra days off.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日（休息）")
        MAKEUP = "makeup", _("调休上班")
        EXTRA_OFF = "extra_off", _("本地另行放假")
        EXTRA_WORK = "extra_work", _("本地另行上班")

    date = models.DateField(_("日期"))
    region = models.ForeignKey(
        "org.Region", verbose_name=_("地区"), null=True, blank=True, on_delete=models.CASCADE,
        help_text=_("留空表示全国；填写则只对该地区及其下级生效。"),
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=60, blank=True, help_text=_("如：国庆节、春节调休"))

    class Meta:
        verbose_name = _("日历例外日")
        verbose_name_plural = _("日历例外日")
        constraints = [
            models.UniqueConstraint(fields=["date", "region"], name="calendar_day_unique_region"),
            models.UniqueConstraint(
                fields=["date"], condition=models.Q(region__isnull=True), name="calendar_day_unique_national"
            ),
        ]
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"

    @property
    def is_workday(self) -> bool:
        return self.kind in (self.Kind.MAKEUP, self.Kind.EXTRA_WORK)


class CalendarStamp(models.Model):
    """One row whose counter moves on every calendar change, so every process can tell
    cheaply that its precomputed working-day tables are stale."""

    generation = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"calendar generation {self.generation}"


class AuditEntry(models.Model):
    """Append-only, hash-chained record of every state change.

    `entry_hash` = SM3(prev_hash + canonical JSON of this entry's content). Altering,
    deleting or inserting a row breaks the chain at that point, which `yichuang audit verify`
    reports.
    """

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    actor_label = models.CharField(_("操作人名称"), max_length=120, blank=True)
    action = models.CharField(_("操作"), max_length=80, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=60)
    object_id = models.CharField(_("对象标识"), max_length=64)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class Sequence(models.Model):
    """A named counter (e.g. case numbers per centre and day). Incremented under a row lock."""

    key = models.CharField(max_length=120, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class SmsMessage(models.Model):
    """One SMS to send, written in the transaction of the event it tells about.

    `event_key` is unique: the same event never produces two messages, however often the
    sender retries or a worker runs a task twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    phone = models.CharField(_("手机号"), max_length=11)
    template = models.CharField(_("模板"), max_length=40)
    params = models.JSONField(_("参数"), default=dict)
    text = models.CharField(_("内容"), max_length=500)
    event_key = models.CharField(_("事件标识"), max_length=120, unique=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    gateway_id = models.CharField(_("网关回执"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("短信")
        verbose_name_plural = _("短信")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]} {self.template}"
