"""Every change of an applicant account goes through a function here.

Sign-in rules (the abuse the issue names):
- A code is six digits, kept only as a keyed hash, valid for 5 minutes, and burnt by its use or
  by a newer code; each code may be tried `CODE_MAX_TRIES` times.
- Wrong codes and wrong passwords count against the mobile number; at `LOCK_AFTER` in a row the
  number is locked for `LOCK_MINUTES`, and the message says until when. The failure is recorded
  even though the request is refused (it is written before the error is raised).
- Codes are rate-limited per number (one a minute, five an hour) and per IP address.
"""

import contextlib
import datetime
import hmac
import secrets
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from yichuang.cases.models import Applicant, Case
from yichuang.cases.services import applicant_register
from yichuang.core.audit import audit_record
from yichuang.core.crypto import lookup_hash, sm3_hex
from yichuang.core.notify import sms_enqueue
from yichuang.core.ratelimit import Limit, rate_check, rate_hit
from yichuang.core.validators import mask_id_number, validate_id_number, validate_mobile, validate_uscc
from yichuang.org.models import Role, User

from .errors import PortalError
from .models import Account, AccountToken, CaseAuthorisation, CompanyAccess, SignInGuard, SmsCode

CODE_TTL_MINUTES = 5
CODE_MAX_TRIES = 5
LOCK_AFTER = 5
LOCK_MINUTES = 15
TOKEN_DAYS = 30
TOKEN_MARKER = "ycp_"
PASSWORD_MIN = 8

CODE_GAP = Limit("portal-code-gap", 1, 60)
CODE_PER_NUMBER = Limit("portal-code-number", 5, 3600)
CODE_PER_IP = Limit("portal-code-ip", 20, 3600)
PASSWORD_PER_IP = Limit("portal-password-ip", 30, 3600)

S = Case.Status
FINISHED_STATUSES = frozenset({
    S.CANCELLED, S.NOT_RECEIVED, S.REFUSED, S.APPROVED, S.APPROVED_DEFERRED, S.DENIED, S.WITHDRAWN, S.REVOKED,
})


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _clock(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "H:i")


def _field_error(field: str, err: ValidationError) -> PortalError:
    return PortalError({field: list(err.messages)})


def _mobile(value: str) -> str:
    try:
        return validate_mobile(value)
    except ValidationError as err:
        raise _field_error("mobile", err) from None


def _code_hash(mobile: str, purpose: str, code: str) -> str:
    return lookup_hash(f"portal-code:{purpose}:{mobile}:{code.strip()}")


def _masked_mobile(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}"


def _audit(action: str, *, account: Account, obj=None, after=None) -> None:
    """The account is the actor (its label goes in the chain; it is not a staff FK)."""
    audit_record(actor=account, action=f"portal.{action}", obj=obj or account, after=after)


# --- the sign-in guard -----------------------------------------------------------------------


def _guard(mobile: str) -> SignInGuard:
    with contextlib.suppress(IntegrityError), transaction.atomic():  # two first attempts at once
        SignInGuard.objects.get_or_create(mobile=mobile)
    return SignInGuard.objects.select_for_update().get(mobile=mobile)


def _lock_message(until: datetime.datetime) -> str:
    local = timezone.localtime(until)
    return _("错误次数过多，该手机号已锁定至 %(t)s，请届时再试。") % {"t": date_format(local, "Y-m-d H:i")}


def _locked(guard: SignInGuard, now: datetime.datetime) -> PortalError | None:
    if guard.locked_until and guard.locked_until > now:
        return PortalError(_lock_message(guard.locked_until), code="locked", retry_at=guard.locked_until)
    return None


def _fail(guard: SignInGuard, problem: str, now: datetime.datetime, field: str) -> PortalError:
    """Count one failure; the one that reaches the limit locks the number."""
    guard.failures += 1
    if guard.failures >= LOCK_AFTER:
        guard.failures = 0
        guard.locked_until = now + datetime.timedelta(minutes=LOCK_MINUTES)
        guard.save(update_fields=["failures", "locked_until", "updated_at"])
        audit_record(actor=None, action="portal.sign_in_locked", object_type="portal.signinguard",
                     object_id=str(guard.pk), after={"mobile": _masked_mobile(guard.mobile)})
        return PortalError(_lock_message(guard.locked_until), code="locked", retry_at=guard.locked_until)
    guard.save(update_fields=["failures", "updated_at"])
    left = LOCK_AFTER - guard.failures
    return PortalError({field: [problem + _("还可以再试 %(n)d 次。") % {"n": left}]}, code="wrong")


def _succeed(guard: SignInGuard) -> None:
    if guard.failures or guard.locked_until:
        guard.failures = 0
        guard.locked_until = None
        guard.save(update_fields=["failures", "locked_until", "updated_at"])


# --- SMS codes -------------------------------------------------------------------------------


def sms_code_request(
    *, mobile: str, ip: str | None, purpose: str = SmsCode.Purpose.SIGN_IN, now: datetime.datetime | None = None,
) -> SmsCode:
    """Send a fresh code to `mobile` (the earlier ones stop working). Refused while locked or too often."""
    mobile = _mobile(mobile)
    now = _now(now)
    if purpose not in SmsCode.Purpose.values:
        raise PortalError(_("验证码用途无效。"), code="purpose")
    subject_ip = ip or "unknown"
    for limit, subject, text in (
        (CODE_GAP, mobile, _("验证码刚刚发出，请 %(s)d 秒后再获取。")),
        (CODE_PER_NUMBER, mobile, _("该手机号一小时内获取验证码已达 %(n)d 次，请 %(m)d 分钟后再试。")),
        (CODE_PER_IP, subject_ip, _("您的网络一小时内获取验证码次数过多，请 %(m)d 分钟后再试。")),
    ):
        verdict = rate_check(limit, subject)
        if not verdict.allowed:
            retry_at = now + datetime.timedelta(seconds=verdict.retry_after)
            message = text % {"s": verdict.retry_after, "n": limit.max_hits, "m": max(1, -(-verdict.retry_after // 60))}
            raise PortalError({"mobile": [message]}, code="rate_limited", retry_at=retry_at)
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        guard = _guard(mobile)
        locked = _locked(guard, now)
        if locked is None:
            SmsCode.objects.filter(mobile=mobile, purpose=purpose, used_at__isnull=True, expires_at__gt=now).update(
                expires_at=now
            )
            sms = SmsCode.objects.create(
                mobile=mobile, purpose=purpose, code_hash=_code_hash(mobile, purpose, code), created_at=now,
                expires_at=now + datetime.timedelta(minutes=CODE_TTL_MINUTES), ip=ip or None,
            )
            sms_enqueue(phone=mobile, template="verification_code",
                        params={"code": code, "minutes": CODE_TTL_MINUTES}, event_key=f"portal:code:{sms.pk}")
            audit_record(actor=None, action="portal.code_sent", obj=sms,
                         after={"mobile": _masked_mobile(mobile), "purpose": purpose, "ip": ip or ""})
    if locked is not None:
        raise locked
    for limit, subject in ((CODE_GAP, mobile), (CODE_PER_NUMBER, mobile), (CODE_PER_IP, subject_ip)):
        rate_hit(limit, subject)
    return sms


def _check_code(mobile: str, purpose: str, code: str, now: datetime.datetime) -> str:
    """'' when the code is right (and burn it); otherwise what is wrong with it."""
    code = (code or "").strip()
    latest = (
        SmsCode.objects.select_for_update().filter(mobile=mobile, purpose=purpose).order_by("-created_at", "-pk").first()
    )
    if latest is None:
        return _("请先获取短信验证码。")
    if latest.used_at is not None:
        return _("该验证码已使用，请重新获取。")
    if latest.expires_at <= now:
        return _("验证码已过期（%(m)d 分钟内有效），请重新获取。") % {"m": CODE_TTL_MINUTES}
    latest.attempts += 1
    right = len(code) == 6 and hmac.compare_digest(latest.code_hash, _code_hash(mobile, purpose, code))
    if right:
        latest.used_at = now
    elif latest.attempts >= CODE_MAX_TRIES:
        latest.expires_at = now  # burnt: a code cannot be guessed by trying all night
    latest.save(update_fields=["attempts", "used_at", "expires_at"])
    return "" if right else _("验证码不正确。")


def _touch_login(account: Account, now: datetime.datetime) -> None:
    account.last_login_at = now
    account.save(update_fields=["last_login_at"])


def account_sign_in_code(
    *, mobile: str, code: str, ip: str | None = None, now: datetime.datetime | None = None,
) -> tuple[Account, bool]:
    """Sign in with an SMS code; a number seen for the first time is registered. Returns (account, created)."""
    mobile = _mobile(mobile)
    now = _now(now)
    error: PortalError | None = None
    created = False
    account = None
    with transaction.atomic():
        guard = _guard(mobile)
        error = _locked(guard, now)
        if error is None:
            problem = _check_code(mobile, SmsCode.Purpose.SIGN_IN, code, now)
            if problem:
                error = _fail(guard, problem, now, "code")
            else:
                _succeed(guard)
                account, created = account_open(mobile=mobile)
                if not account.is_active:
                    error = PortalError(_("该账号已停用，请联系政务服务中心。"), code="inactive")
                else:
                    _touch_login(account, now)
                    _audit("sign_in", account=account, after={"method": "sms", "ip": ip or ""})
    if error is not None:
        raise error
    return account, created


@transaction.atomic
def account_open(*, mobile: str) -> tuple[Account, bool]:
    """The account of a mobile number whose code was checked (or the demo's): found or registered."""
    mobile = _mobile(mobile)
    account, created = Account.objects.get_or_create(mobile=mobile)
    if created:
        _audit("register", account=account, after={"mobile": account.masked_mobile})
    return account, created


def _password_problems(password: str) -> list[str]:
    if len(password or "") < PASSWORD_MIN:
        return [_("密码至少 %(n)d 位。") % {"n": PASSWORD_MIN}]
    if not any(c.isdigit() for c in password) or not any(c.isalpha() for c in password):
        return [_("密码应同时包含字母和数字。")]
    return []


def account_sign_in_password(
    *, mobile: str, password: str, ip: str | None = None, now: datetime.datetime | None = None,
) -> Account:
    mobile = _mobile(mobile)
    now = _now(now)
    verdict = rate_hit(PASSWORD_PER_IP, ip or "unknown")
    if not verdict.allowed:
        raise PortalError(_("您的网络登录尝试过多，请 %(m)d 分钟后再试。") % {"m": max(1, verdict.retry_after // 60)},
                          code="rate_limited", retry_at=now + datetime.timedelta(seconds=verdict.retry_after))
    error: PortalError | None = None
    with transaction.atomic():
        guard = _guard(mobile)
        error = _locked(guard, now)
        account = Account.objects.filter(mobile=mobile).first()
        if error is None:
            if account is None or not account.password or not check_password(password or "", account.password):
                hint = _("手机号或密码不正确（未设置密码的账号请用短信验证码登录）。")
                error = _fail(guard, hint, now, "password")
            elif not account.is_active:
                error = PortalError(_("该账号已停用，请联系政务服务中心。"), code="inactive")
            else:
                _succeed(guard)
                _touch_login(account, now)
                _audit("sign_in", account=account, after={"method": "password", "ip": ip or ""})
    if error is not None:
        raise error
    return account


@transaction.atomic
def account_password_set(*, account: Account, password: str, sign_out_others: bool = True) -> Account:
    problems = _password_problems(password)
    if problems:
        raise PortalError({"password": problems}, code="password")
    account = Account.objects.select_for_update().get(pk=account.pk)
    had = bool(account.password)
    account.password = make_password(password)
    fields = ["password"]
    if had and sign_out_others:
        account.session_epoch += 1
        fields.append("session_epoch")
    account.save(update_fields=fields)
    _audit("password_changed" if had else "password_set", account=account)
    return account


# --- real-name details -----------------------------------------------------------------------


@transaction.atomic
def account_verify_person(*, account: Account, name: str, id_number: str) -> Account:
    """Give the account its holder's real name and ID number, and link it to the person as applicant."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    if account.is_verified:
        raise PortalError(_("该账号已完成实名认证；如需更正请携带身份证件到政务服务中心办理。"), code="verified")
    name = " ".join((name or "").split())
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("请填写与身份证一致的姓名。")]
    elif len(name) > 60:
        errors["name"] = [_("姓名最长 60 个字。")]
    clean = ""
    try:
        clean = validate_id_number(id_number)
    except ValidationError as err:
        errors["id_number"] = list(err.messages)
    if errors:
        raise PortalError(errors)
    digest = lookup_hash(clean)
    if Account.objects.filter(id_number_hash=digest).exclude(pk=account.pk).exists():
        raise PortalError({"id_number": [
            _("该身份证号码已由另一个手机号实名认证。如非本人操作，请携带身份证件到政务服务中心处理。")
        ]}, code="taken")
    existing = Applicant.objects.filter(id_number_hash=digest).first()
    if existing is not None and existing.name != name:
        raise PortalError({"name": [_("姓名与身份证号码不一致，请核对。")]}, code="mismatch")
    applicant = applicant_register(actor=None, kind=Applicant.Kind.PERSON, name=name, id_number=clean,
                                   phone=account.mobile)
    account.real_name = name
    account.id_number = clean
    account.id_number_hash = digest
    account.id_last4 = clean[-4:]
    account.applicant = applicant
    account.verified_at = timezone.now()
    account.save(update_fields=["real_name", "id_number", "id_number_hash", "id_last4", "applicant", "verified_at"])
    _audit("verified", account=account, after={"name": name, "id": mask_id_number(clean)})
    return account


def _require_verified(account: Account) -> None:
    if not account.is_verified:
        raise PortalError(_("请先完成实名认证（姓名和身份证号码）。"), code="unverified")


@transaction.atomic
def company_register(*, account: Account, name: str, uscc: str, legal_representative: str) -> CompanyAccess:
    """Register a company the account holder acts for; the holder becomes its manager (管理人)."""
    _require_verified(account)
    name = " ".join((name or "").split())
    legal = " ".join((legal_representative or "").split())
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("请填写与营业执照一致的单位名称。")]
    if not legal:
        errors["legal_representative"] = [_("请填写法定代表人（负责人）姓名。")]
    clean = ""
    try:
        clean = validate_uscc(uscc)
    except ValidationError as err:
        errors["uscc"] = list(err.messages)
    if errors:
        raise PortalError(errors)
    existing = Applicant.objects.filter(uscc=clean).first()
    if existing is not None:
        if existing.kind != Applicant.Kind.COMPANY:
            raise PortalError({"uscc": [_("该代码不属于单位申请人，请核对。")]})
        if CompanyAccess.objects.filter(company=existing, revoked_at__isnull=True).exists():
            raise PortalError({"uscc": [
                _("该单位已由其他账号登记。请联系该单位的管理人在「单位经办人」中为您授权。")
            ]}, code="taken")
        if existing.name != name:
            raise PortalError({"name": [_("单位名称与统一社会信用代码登记的名称「%(n)s」不一致，请核对。")
                                        % {"n": existing.name}]}, code="mismatch")
    company = applicant_register(actor=None, kind=Applicant.Kind.COMPANY, name=name, uscc=clean,
                                 phone=account.mobile, legal_representative=legal)
    access = CompanyAccess.objects.create(
        company=company, account=account, role=CompanyAccess.Role.MANAGER, granted_by=account, granted_at=timezone.now()
    )
    _audit("company_registered", account=account, obj=access,
           after={"company": name, "uscc": clean, "legal_representative": legal})
    return access


def _managed(account: Account, company: Applicant) -> CompanyAccess:
    access = CompanyAccess.objects.filter(
        company=company, account=account, revoked_at__isnull=True, role=CompanyAccess.Role.MANAGER
    ).first()
    if access is None:
        raise PortalError(_("只有该单位的管理人可以授权或撤销经办人。"), code="not_manager")
    return access


@transaction.atomic
def company_operator_add(*, account: Account, company: Applicant, mobile: str) -> CompanyAccess:
    """The company's manager authorises another (real-named) account to act for the company."""
    _managed(account, company)
    mobile = _mobile(mobile)
    operator = Account.objects.filter(mobile=mobile, is_active=True).first()
    if operator is None:
        raise PortalError({"mobile": [_("该手机号尚未注册，请对方先注册并完成实名认证。")]}, code="unknown")
    if not operator.is_verified:
        raise PortalError({"mobile": [_("该手机号尚未完成实名认证，请对方先完成实名认证。")]}, code="unverified")
    if CompanyAccess.objects.filter(company=company, account=operator, revoked_at__isnull=True).exists():
        raise PortalError({"mobile": [_("%(n)s 已是本单位经办人。") % {"n": operator.real_name}]}, code="exists")
    access = CompanyAccess.objects.create(
        company=company, account=operator, role=CompanyAccess.Role.OPERATOR, granted_by=account,
        granted_at=timezone.now(),
    )
    _audit("operator_added", account=account, obj=access,
           after={"company": company.name, "operator": operator.real_name, "mobile": operator.masked_mobile})
    return access


@transaction.atomic
def company_operator_revoke(*, account: Account, access: CompanyAccess) -> CompanyAccess:
    access = CompanyAccess.objects.select_for_update().select_related("company", "account").get(pk=access.pk)
    _managed(account, access.company)
    if access.revoked_at is not None:
        return access
    if access.role == CompanyAccess.Role.MANAGER:
        raise PortalError(_("不能撤销单位管理人；如需变更管理人，请到政务服务中心办理。"), code="manager")
    access.revoked_at = timezone.now()
    access.revoked_by = account
    access.save(update_fields=["revoked_at", "revoked_by"])
    _audit("operator_revoked", account=account, obj=access,
           after={"company": access.company.name, "operator": access.account.real_name})
    return access


# --- agents on a case ------------------------------------------------------------------------


@transaction.atomic
def case_agent_authorise(
    *, account: Account, case: Case, staff_username: str = "", agent_mobile: str = "", note: str = "",
) -> CaseAuthorisation:
    """The applicant hands the case to an agent: a 帮办代办 staff member (by username) or an account (by mobile)."""
    from .selectors import applicants_for_account

    if case.applicant_id not in applicants_for_account(account):
        raise PortalError(_("只有申请人本人（或单位经办人）可以委托代办。"), code="not_applicant")
    if case.status in FINISHED_STATUSES:
        raise PortalError(_("办件已结束（%(s)s），不能再委托代办。") % {"s": case.get_status_display()}, code="state")
    staff_username = (staff_username or "").strip()
    agent_mobile = (agent_mobile or "").strip()
    if bool(staff_username) == bool(agent_mobile):
        raise PortalError(_("请填写代办员的工号，或被委托人的手机号（二选一）。"), code="agent")
    staff = agent = None
    if staff_username:
        staff = User.objects.filter(username=staff_username, is_active=True).first()
        if staff is None or not staff.has_role(Role.Code.AGENT):
            raise PortalError({"staff_username": [_("未找到工号为「%(u)s」的帮办代办员，请核对。") % {"u": staff_username}]},
                              code="agent")
        duplicate = CaseAuthorisation.objects.filter(case=case, agent_staff=staff, revoked_at__isnull=True)
    else:
        mobile = validate_mobile(agent_mobile) if agent_mobile else ""
        agent = Account.objects.filter(mobile=mobile, is_active=True).first()
        if agent is None or not agent.is_verified:
            raise PortalError({"agent_mobile": [_("被委托人须先注册并完成实名认证。")]}, code="agent")
        if agent.pk == account.pk:
            raise PortalError({"agent_mobile": [_("不能委托给自己。")]}, code="agent")
        duplicate = CaseAuthorisation.objects.filter(case=case, agent_account=agent, revoked_at__isnull=True)
    if duplicate.exists():
        raise PortalError(_("已委托过该代办人。"), code="exists")
    authorisation = CaseAuthorisation.objects.create(
        case=case, granted_by=account, agent_account=agent, agent_staff=staff, note=(note or "").strip()[:200],
        granted_at=timezone.now(),
    )
    _audit("agent_authorised", account=account, obj=authorisation,
           after={"case": case.number, "agent": authorisation.agent_label, "for": case.applicant.name})
    return authorisation


@transaction.atomic
def case_agent_revoke(*, account: Account, authorisation: CaseAuthorisation) -> CaseAuthorisation:
    from .selectors import applicants_for_account

    authorisation = CaseAuthorisation.objects.select_for_update().select_related("case").get(pk=authorisation.pk)
    if authorisation.case.applicant_id not in applicants_for_account(account):
        raise PortalError(_("只有申请人本人（或单位经办人）可以撤销委托。"), code="not_applicant")
    if authorisation.revoked_at is None:
        authorisation.revoked_at = timezone.now()
        authorisation.save(update_fields=["revoked_at"])
        _audit("agent_revoked", account=account, obj=authorisation,
               after={"case": authorisation.case.number, "agent": authorisation.agent_label})
    return authorisation


# --- tokens for the app ----------------------------------------------------------------------


def token_hash(clear: str) -> str:
    return sm3_hex(clear.encode("utf-8"))


@transaction.atomic
def account_token_issue(*, account: Account, now: datetime.datetime | None = None) -> tuple[AccountToken, str]:
    now = _now(now)
    clear = TOKEN_MARKER + secrets.token_urlsafe(32)
    token = AccountToken.objects.create(
        account=account, token_hash=token_hash(clear), prefix=clear[:8], epoch=account.session_epoch,
        expires_at=now + datetime.timedelta(days=TOKEN_DAYS),
    )
    _audit("token_issued", account=account, obj=token, after={"prefix": token.prefix})
    return token, clear


def account_token_resolve(clear: str, *, now: datetime.datetime | None = None) -> AccountToken | None:
    clear = (clear or "").strip()
    if not clear.startswith(TOKEN_MARKER) or len(clear) > 200:
        return None
    now = _now(now)
    token = AccountToken.objects.select_related("account").filter(token_hash=token_hash(clear)).first()
    if (token is None or token.revoked_at is not None or token.expires_at <= now
            or not token.account.is_active or token.epoch != token.account.session_epoch):
        return None
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        AccountToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def account_token_revoke(*, token: AccountToken) -> None:
    if token.revoked_at is None:
        AccountToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
        _audit("token_revoked", account=token.account, obj=token, after={"prefix": token.prefix})


# --- who acts, for whom ----------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """Who is at the keyboard: an applicant's account, or a 帮办代办 staff member acting on a case."""

    account: Account | None = None
    staff: User | None = None

    @property
    def label(self) -> str:
        if self.account is not None:
            return str(self.account)
        return str(self.staff)
