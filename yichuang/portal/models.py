"""Applicant accounts of the online service hall (网上办事大厅).

An `Account` is a person who signs in with a mainland mobile number (SMS code or password).
It is not a staff account (`org.User`) and never shares its session. Once real-name details are
given, the account is linked to a `cases.Applicant` (the person), and through `CompanyAccess`
to the companies it may act for. `CaseAuthorisation` lets an applicant hand one case to an agent
(a 帮办代办 staff member or another account). Every change is made in `services.py`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yichuang.core.fields import EncryptedTextField
from yichuang.core.validators import mask_id_number


class Account(models.Model):
    mobile = models.CharField(_("手机号"), max_length=11, unique=True)
    password = models.CharField(_("密码"), max_length=128, blank=True, help_text=_("哈希值；为空表示只能用短信验证码登录。"))
    # Real-name details of the person who holds the account.
    real_name = models.CharField(_("姓名"), max_length=60, blank=True)
    id_number = EncryptedTextField(_("身份证号码"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_last4 = models.CharField(max_length=4, blank=True, editable=False)
    applicant = models.OneToOneField(
        "cases.Applicant", verbose_name=_("申请人（本人）"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="portal_account",
    )
    verified_at = models.DateTimeField(_("实名时间"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    # Raised when the password changes or the holder signs out everywhere: older sessions and tokens stop.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("注册时间"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("最近登录"), null=True, blank=True)

    class Meta:
        verbose_name = _("办事账号")
        verbose_name_plural = _("办事账号")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"], condition=~models.Q(id_number_hash=""), name="portal_account_unique_id"
            ),
        ]

    def __str__(self) -> str:
        return self.real_name or self.masked_mobile

    @property
    def masked_mobile(self) -> str:
        return f"{self.mobile[:3]}****{self.mobile[-4:]}" if len(self.mobile) == 11 else self.mobile

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number) if self.id_number else ""

    @property
    def is_verified(self) -> bool:
        return self.applicant_id is not None


class SmsCode(models.Model):
    """One verification code sent to a number: only its keyed hash is kept."""

    class Purpose(models.TextChoices):
        SIGN_IN = "sign_in", _("登录或注册")
        RESET = "reset", _("重设密码")

    mobile = models.CharField(_("手机号"), max_length=11, db_index=True)
    purpose = models.CharField(_("用途"), max_length=10, choices=Purpose.choices, default=Purpose.SIGN_IN)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["mobile", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"{self.mobile} {self.created_at:%Y-%m-%d %H:%M}"


class SignInGuard(models.Model):
    """Failed sign-ins of one mobile number (wrong codes or passwords), and the lock they earned."""

    mobile = models.CharField(_("手机号"), max_length=11, unique=True)
    failures = models.PositiveSmallIntegerField(_("连续失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("登录保护")
        verbose_name_plural = _("登录保护")

    def __str__(self) -> str:
        return self.mobile


class AccountToken(models.Model):
    """A bearer token for the app or a mini-program. Only its SM3 hash is stored."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    epoch = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("应用令牌")
        verbose_name_plural = _("应用令牌")

    def __str__(self) -> str:
        return f"{self.account_id} {self.prefix}"


class CompanyAccess(models.Model):
    """An account that may act for a company: the person who registered it, or an operator it authorised."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("管理人（经办人）")
        OPERATOR = "operator", _("经办人")

    company = models.ForeignKey("cases.Applicant", on_delete=models.PROTECT, related_name="portal_access")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="company_access")
    role = models.CharField(_("权限"), max_length=10, choices=Role.choices, default=Role.OPERATOR)
    granted_by = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(_("授权时间"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("单位经办授权")
        verbose_name_plural = _("单位经办授权")
        ordering = ["company", "granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "account"], condition=models.Q(revoked_at__isnull=True),
                name="portal_company_access_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} → {self.account_id}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class CaseAuthorisation(models.Model):
    """An applicant hands one case to an agent: a 帮办代办 staff member or another account."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="portal_authorisations")
    granted_by = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    agent_account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="case_authorisations"
    )
    agent_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="portal_authorisations"
    )
    note = models.CharField(_("委托事项"), max_length=200, blank=True)
    granted_at = models.DateTimeField(_("委托时间"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("办件委托")
        verbose_name_plural = _("办件委托")
        ordering = ["case", "granted_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agent_account__isnull=False, agent_staff__isnull=True)
                | models.Q(agent_account__isnull=True, agent_staff__isnull=False),
                name="portal_authorisation_one_agent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.agent_account_id or self.agent_staff_id}"

    @property
    def agent_label(self) -> str:
        if self.agent_staff_id:
            return str(self.agent_staff)
        return str(self.agent_account)
