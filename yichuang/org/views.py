from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yichuang.core.middleware import client_ip
from yichuang.core.ratelimit import Limit, rate_check, rate_hit, rate_reset

# Five wrong passwords for one account from one address lock it for a quarter of an hour;
# fifty from one address (many accounts tried) lock the address.
LOGIN_PER_ACCOUNT = Limit("login-account", max_hits=5, window_seconds=15 * 60)
LOGIN_PER_ADDRESS = Limit("login-address", max_hits=50, window_seconds=15 * 60)


class RateLimitMixin:
    def clean(self):
        username = (self.data.get("username") or "").strip().lower()
        address = client_ip(self.request) or "unknown"
        for limit, subject in ((LOGIN_PER_ACCOUNT, f"{username}|{address}"), (LOGIN_PER_ADDRESS, address)):
            verdict = rate_check(limit, subject)
            if not verdict.allowed:
                minutes = max(1, (verdict.retry_after + 59) // 60)
                raise ValidationError(
                    _("登录失败次数过多，已暂时锁定，请 %(m)d 分钟后再试。") % {"m": minutes}, code="locked"
                )
        try:
            return super().clean()
        except ValidationError:
            rate_hit(LOGIN_PER_ACCOUNT, f"{username}|{address}")
            rate_hit(LOGIN_PER_ADDRESS, address)
            raise
        finally:
            if self.user_cache is not None:
                rate_reset(LOGIN_PER_ACCOUNT, f"{username}|{address}")


class RateLimitedAuthenticationForm(RateLimitMixin, auth_views.AuthenticationForm):
    """The staff login form of the site."""


class RateLimitedAdminAuthenticationForm(RateLimitMixin, AdminAuthenticationForm):
    """The admin's login form: staff only, and the same limit."""


class StaffLoginView(auth_views.LoginView):
    form_class = RateLimitedAuthenticationForm
    redirect_authenticated_user = True
