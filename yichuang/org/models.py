"""Regions, service centres and points, departments, windows and staff."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from yichuang.core.validators import validate_region_code, validate_uscc


class Region(models.Model):
    """An administrative division with its 12-digit code (统计用区划代码).

    The code is hierarchical: 2 digits province, 2 city, 2 county, 3 town, 3 village, so the
    subtree of a region is every code that starts with its prefix.
    """

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("省")
        CITY = 2, _("市")
        COUNTY = 3, _("县（区）")
        TOWN = 4, _("乡镇（街道）")
        VILLAGE = 5, _("村（社区）")

    PREFIX_LENGTH = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}

    code = models.CharField(_("区划代码"), max_length=12, unique=True, validators=[validate_region_code])
    name = models.CharField(_("名称"), max_length=60)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return self.code[: self.PREFIX_LENGTH[self.level]]

    def ancestors_and_self_codes(self) -> list[str]:
        """Codes of this region and every level above it, padded to 12 digits."""
        codes = []
        for level in range(1, self.level + 1):
            codes.append(self.code[: self.PREFIX_LENGTH[level]].ljust(12, "0"))
        return codes


class ServiceCentre(models.Model):
    """A government service centre or a town / village service point (便民服务中心 / 站)."""

    class Kind(models.TextChoices):
        CENTRE = "centre", _("政务服务中心")
        TOWN = "town", _("乡镇（街道）便民服务中心")
        VILLAGE = "village", _("村（社区）便民服务站")

    code = models.CharField(
        _("中心编码"), max_length=12, unique=True,
        help_text=_("用于办件编号的前缀，字母或数字，如 SLX 或 330110。"),
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.CENTRE)
    region = models.ForeignKey(Region, verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="centres")
    parent = models.ForeignKey(
        "self", verbose_name=_("上级中心"), null=True, blank=True, on_delete=models.PROTECT, related_name="points"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    hours = models.CharField(_("办公时间"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("服务中心（站点）")
        verbose_name_plural = _("服务中心（站点）")
        ordering = ["region__code", "name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """An implementing body (实施主体), e.g. 市场监督管理局."""

    code = models.CharField(_("部门编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, validators=[validate_uscc]
    )
    region = models.ForeignKey(Region, verbose_name=_("所属地区"), on_delete=models.PROTECT, related_name="departments")
    centre = models.ForeignKey(
        ServiceCentre, verbose_name=_("进驻中心"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="departments",
    )
    phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    complaint_phone = models.CharField(_("监督投诉电话"), max_length=40, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("部门（实施主体）")
        verbose_name_plural = _("部门（实施主体）")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Window(models.Model):
    class Kind(models.TextChoices):
        GENERAL = "general", _("综合受理窗口")
        RESULT = "result", _("统一出件窗口")
        DEPARTMENT = "department", _("部门专窗")
        AGENT = "agent", _("帮办代办窗口")

    centre = models.ForeignKey(ServiceCentre, verbose_name=_("所在中心"), on_delete=models.CASCADE, related_name="windows")
    number = models.CharField(_("窗口号"), max_length=10)
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.GENERAL)
    department = models.ForeignKey(
        Department, verbose_name=_("所属部门"), null=True, blank=True, on_delete=models.SET_NULL,
        help_text=_("部门专窗填写；综合窗口留空。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["centre", "number"]
        constraints = [models.UniqueConstraint(fields=["centre", "number"], name="window_number_unique_per_centre")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Role(models.Model):
    """A staff role. The codes are fixed (the code checks them); names are for people."""

    class Code(models.TextChoices):
        ADMIN = "admin", _("中心管理员")
        CLERK = "clerk", _("综合窗口受理员")
        REVIEWER = "reviewer", _("审查人员")
        APPROVER = "approver", _("决定人员")
        RESULT_CLERK = "result_clerk", _("出件窗口人员")
        AGENT = "agent", _("帮办代办员")
        SUPERVISOR = "supervisor", _("电子监察人员")
        TOWN_CLERK = "town_clerk", _("乡镇（村）便民服务点受理员")

    code = models.CharField(_("代码"), max_length=20, primary_key=True, choices=Code.choices)
    name = models.CharField(_("名称"), max_length=40)
    description = models.CharField(_("职责"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A staff account. Applicants have their own accounts in the portal."""

    display_name = models.CharField(_("姓名"), max_length=40, blank=True)
    phone = models.CharField(_("手机号"), max_length=11, blank=True)
    roles = models.ManyToManyField(Role, verbose_name=_("角色"), blank=True, related_name="users")
    region = models.ForeignKey(
        Region, verbose_name=_("管辖地区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("监察人员看到该地区及其下级的全部数据。"),
    )
    centre = models.ForeignKey(
        ServiceCentre, verbose_name=_("所在中心（站点）"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="staff",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("所属部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    windows = models.ManyToManyField(Window, verbose_name=_("窗口"), blank=True, related_name="staff")

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self) -> str:
        return self.display_name or self.username

    def has_role(self, *codes: str) -> bool:
        if not self.is_authenticated:
            return False
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            cached = self._role_codes = frozenset(self.roles.values_list("code", flat=True))
        return any(code in cached for code in codes)


class ApiToken(models.Model):
    """A bearer token another system uses to call the API as one staff account.

    Only the SM3 hash of the token is stored; the token itself is shown once, when created.
    A department's own approval system gets a token bound to a staff account with that
    department's reviewer or approver role, and so sees and does exactly what that person may.
    """

    name = models.CharField(_("名称"), max_length=100, help_text=_("使用此令牌的系统，如：市场监管局审批系统。"))
    user = models.ForeignKey(
        User, verbose_name=_("代表的工作人员"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    token_hash = models.CharField(_("令牌摘要（SM3）"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("令牌前缀"), max_length=8, editable=False, help_text=_("令牌的前 8 个字符，便于辨认。"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True, help_text=_("留空表示长期有效，直至吊销。"))
    revoked = models.BooleanField(_("已吊销"), default=False, editable=False)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"
