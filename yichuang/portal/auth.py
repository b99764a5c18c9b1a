"""The applicant's session, apart from the staff login.

The portal keeps its own session keys (`portal_account` and the account's `session_epoch`), so
signing in as an applicant never makes anyone a staff user, and a staff login never opens an
applicant's cases. Raising the account's epoch (a password change) ends its other sessions.
"""

import functools

from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from yichuang.org.models import Role

from .models import Account
from .services import Principal

SESSION_KEY = "portal_account"
EPOCH_KEY = "portal_epoch"


def portal_sign_in(request: HttpRequest, account: Account) -> None:
    # A new session key on sign-in: a session id planted before cannot be ridden afterwards.
    request.session.cycle_key()
    request.session[SESSION_KEY] = account.pk
    request.session[EPOCH_KEY] = account.session_epoch
    request.portal_account = account


def portal_sign_out(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.pop(EPOCH_KEY, None)
    request.session.cycle_key()
    request.portal_account = None


def current_account(request: HttpRequest) -> Account | None:
    if hasattr(request, "portal_account"):
        return request.portal_account
    account = None
    pk = request.session.get(SESSION_KEY)
    if pk:
        account = Account.objects.select_related("applicant").filter(pk=pk, is_active=True).first()
        if account is not None and request.session.get(EPOCH_KEY) != account.session_epoch:
            account = None
    request.portal_account = account
    return account


def staff_agent(request: HttpRequest):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.has_role(Role.Code.AGENT):
        return user
    return None


def current_principal(request: HttpRequest) -> Principal | None:
    """The applicant's account if signed in to the portal; else a 帮办代办 staff member; else None."""
    account = current_account(request)
    if account is not None:
        return Principal(account=account)
    staff = staff_agent(request)
    if staff is not None:
        return Principal(staff=staff)
    return None


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return fallback


def _to_login(request: HttpRequest):
    return redirect(reverse("portal:login") + "?" + urlencode({"next": request.get_full_path()}))


def account_required(view):
    """The page needs a signed-in applicant account (sends others to the portal's sign-in)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if current_account(request) is None:
            return _to_login(request)
        return view(request, *args, **kwargs)

    return wrapper


def verified_required(view):
    """The page needs an account with real-name details (sends others to fill them in)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        account = current_account(request)
        if account is None:
            return _to_login(request)
        if not account.is_verified:
            messages.info(request, _("请先完成实名认证，再在线办理。"))
            return redirect(reverse("portal:realname") + "?" + urlencode({"next": request.get_full_path()}))
        return view(request, *args, **kwargs)

    return wrapper


def principal_required(view):
    """An applicant account or a 帮办代办 staff member (the case pages both use)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        principal = current_principal(request)
        if principal is None:
            return _to_login(request)
        request.principal = principal
        return view(request, *args, **kwargs)

    return wrapper


def client_ip(request: HttpRequest) -> str | None:
    from yichuang.core.middleware import client_ip as address

    return address(request) or None
