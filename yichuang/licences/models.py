"""The e-licence library (电子证照库) and the seals that sign it (电子印章).

A `Licence` is frozen when issued: its public fields, its holder and its validity are signed
(SM3 digest, SM2 signature with the seal's key) and never edited. A change (变更) or a renewal
(延续) is a new version linked to the old one; a cancellation, revocation or withdrawal only
moves its status. Every such step is a `LicenceEvent` and an audit entry, written by the
services in `services.py`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yichuang.core.fields import EncryptedTextField


class Seal(models.Model):
    """An e-seal: an image for the paper, a key for the signature.

    The private key never enters the database: `key_ref` names a key that the signing provider
    holds (a key file named in settings, an HSM slot, a provincial e-seal service account).
    """

    class Scope(models.TextChoices):
        BUREAU = "bureau", _("行政审批局（一枚印章管审批）")
        DEPARTMENT = "department", _("部门专用")

    class Status(models.TextChoices):
        ACTIVE = "active", _("启用")
        SUSPENDED = "suspended", _("停用")
        REVOKED = "revoked", _("已作废")

    name = models.CharField(_("印章名称"), max_length=100, help_text=_("如：示例县行政审批局行政审批专用章"))
    owner_name = models.CharField(_("用章机构"), max_length=100, help_text=_("印在证照上的发证机关名称"))
    owner_uscc = models.CharField(_("用章机构统一社会信用代码"), max_length=18,
                                  help_text=_("写入电子证照标识的颁发机构代码"))
    scope = models.CharField(_("适用范围"), max_length=12, choices=Scope.choices, default=Scope.BUREAU)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("所属部门"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="seals", help_text=_("部门专用章填写；行政审批局印章留空，可为所有部门的证照盖章。"),
    )
    image_png = models.BinaryField(_("印模图像（PNG）"), blank=True, default=b"")
    public_key = models.CharField(_("SM2 公钥"), max_length=130, help_text=_("x‖y 的十六进制（128 位）"))
    key_ref = models.CharField(
        _("签名密钥名称"), max_length=40,
        help_text=_("签名服务中密钥的名称（如 LICENCE_SIGNING_KEYS 中的键）；私钥本身不存入数据库。"),
    )
    certificate = models.TextField(_("数字证书（PEM）"), blank=True, help_text=_("由电子认证服务机构签发时填写。"))
    valid_from = models.DateField(_("启用日期"))
    valid_to = models.DateField(_("有效期至"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("电子印章")
        verbose_name_plural = _("电子印章")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LicenceType(models.Model):
    """What a catalogue result becomes in the library: its fields, validity, layout and seal."""

    class Template(models.TextChoices):
        PORTRAIT = "portrait", _("竖版（许可证）")
        LANDSCAPE = "landscape", _("横版（证书）")

    code = models.CharField(
        _("证照类型代码"), max_length=40, unique=True,
        help_text=_("写入电子证照标识，只用数字和大写字母，如国家证照目录的类型代码。"),
    )
    name = models.CharField(_("证照名称"), max_length=100)
    title = models.CharField(_("打印标题"), max_length=100, blank=True, help_text=_("留空则用证照名称"))
    items = models.ManyToManyField(
        "catalog.Item", verbose_name=_("产生此证照的事项"), blank=True, related_name="licence_types",
        help_text=_("未指定时，按事项的「审批结果名称」与证照名称相同来对应。"),
    )
    fields = models.JSONField(
        _("证照字段"), default=list, blank=True,
        help_text=_(
            '[{"key": "premises", "label": "经营场所", "source": "form:premises", "required": true}] ；'
            "来源：form:<表单字段> / case:<办件属性> / decision:<date|reason|basis> / const:<固定文字>"
        ),
    )
    validity_years = models.PositiveSmallIntegerField(_("有效期（年）"), default=0)
    validity_months = models.PositiveSmallIntegerField(_("有效期（月）"), default=0)
    validity_days = models.PositiveSmallIntegerField(_("有效期（日）"), default=0)
    template = models.CharField(_("版式"), max_length=12, choices=Template.choices, blank=True)
    seal = models.ForeignKey(
        Seal, verbose_name=_("签章"), null=True, blank=True, on_delete=models.PROTECT, related_name="licence_types"
    )
    auto_issue = models.BooleanField(
        _("准予后自动签发"), default=True, help_text=_("否：由出件窗口人员签发。")
    )
    satisfies_materials = models.JSONField(
        _("可替代的申请材料"), default=list, blank=True,
        help_text=_('其他事项中来源为「政府部门核发」的材料名称或代码，如 ["营业执照", "yyzz"]。'),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("证照类型")
        verbose_name_plural = _("证照类型")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def print_title(self) -> str:
        return self.title or self.name

    @property
    def has_expiry(self) -> bool:
        return bool(self.validity_years or self.validity_months or self.validity_days)


class Licence(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("有效")
        CANCELLED = "cancelled", _("已注销")
        REVOKED = "revoked", _("已撤销")
        WITHDRAWN = "withdrawn", _("已吊销")
        EXPIRED = "expired", _("已失效")
        SUPERSEDED = "superseded", _("已变更（旧版）")

    class HolderKind(models.TextChoices):
        PERSON = "person", _("自然人")
        COMPANY = "company", _("法人或其他组织")

    identifier = models.CharField(_("电子证照标识"), max_length=160, unique=True)
    type = models.ForeignKey(LicenceType, verbose_name=_("证照类型"), on_delete=models.PROTECT, related_name="licences")
    serial = models.CharField(_("流水号"), max_length=40)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    title = models.CharField(_("证照名称"), max_length=100)

    holder_kind = models.CharField(_("持证主体类型"), max_length=8, choices=HolderKind.choices)
    holder_name = models.CharField(_("持证主体"), max_length=200)
    holder_uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    holder_id_number = EncryptedTextField(_("身份证号码"), blank=True)
    holder_id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    holder_id_masked = models.CharField(_("身份证号码（脱敏）"), max_length=20, blank=True)
    applicant = models.ForeignKey(
        "cases.Applicant", verbose_name=_("申请人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="licences",
    )

    issuer_name = models.CharField(_("发证机关"), max_length=100)
    issuer_uscc = models.CharField(_("发证机关代码"), max_length=18)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("办理部门"), on_delete=models.PROTECT, related_name="licences"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("办件"), null=True, blank=True, on_delete=models.PROTECT, related_name="licences"
    )

    data = models.JSONField(_("证照内容"), default=list, help_text=_("[{key, label, value}]，公开字段"))
    canonical = models.TextField(_("签名原文"), help_text=_("按键排序、UTF-8、无多余空格的 JSON"))
    digest = models.CharField(_("SM3 摘要"), max_length=64)
    signature = models.CharField(_("SM2 签名值"), max_length=300)
    seal = models.ForeignKey(Seal, verbose_name=_("签章"), on_delete=models.PROTECT, related_name="licences")

    issued_at = models.DateTimeField(_("签发时间"))
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("留空为长期有效"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.VALID, db_index=True)
    status_reason = models.CharField(_("状态变更原因"), max_length=500, blank=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    previous = models.ForeignKey(
        "self", verbose_name=_("上一版本"), null=True, blank=True, on_delete=models.PROTECT, related_name="next_versions"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["type", "issuer_uscc", "serial", "version"], name="licence_serial_version"),
        ]
        indexes = [
            models.Index(fields=["department", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.identifier}"

    @property
    def holder_code(self) -> str:
        """What may be shown of the holder's number: the USCC, or the masked ID number."""
        return self.holder_uscc if self.holder_kind == self.HolderKind.COMPANY else self.holder_id_masked


class LicenceEvent(models.Model):
    """Append-only history of a licence: issue, change, renewal and every status change."""

    class Action(models.TextChoices):
        ISSUE = "issue", _("签发")
        CHANGE = "change", _("变更")
        RENEW = "renew", _("延续")
        SUPERSEDE = "supersede", _("被新版本替代")
        CANCEL = "cancel", _("注销")
        REVOKE = "revoke", _("撤销")
        WITHDRAW = "withdraw", _("吊销")
        EXPIRE = "expire", _("失效")
        REUSE = "reuse", _("复用")

    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=120, blank=True)
    action = models.CharField(_("动作"), max_length=12, choices=Action.choices)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("证照事件")
        verbose_name_plural = _("证照事件")
        ordering = ["licence", "at", "id"]

    def __str__(self) -> str:
        return f"{self.licence_id} {self.action}"


class LicenceReuse(models.Model):
    """A licence used in place of a material in a later application (A 级可信，免提交)."""

    licence = models.ForeignKey(Licence, verbose_name=_("电子证照"), on_delete=models.PROTECT, related_name="reuses")
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("办件"), null=True, blank=True, on_delete=models.PROTECT, related_name="licence_reuses"
    )
    application_ref = models.CharField(_("申请编号"), max_length=60, blank=True, help_text=_("网上申请尚无办件编号时"))
    requirement = models.ForeignKey(
        "catalog.MaterialRequirement", verbose_name=_("替代的材料"), on_delete=models.PROTECT, related_name="+"
    )
    trust_level = models.CharField(_("可信等级"), max_length=2, default="A")
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("证照复用")
        verbose_name_plural = _("证照复用")
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "requirement"], condition=models.Q(case__isnull=False), name="licence_reuse_once_per_case"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.licence_id} → {self.requirement_id}"
