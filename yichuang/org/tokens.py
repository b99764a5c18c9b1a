"""API tokens for other systems: create (shown once), revoke, and the bearer authentication.

A token is 43 random URL-safe characters after the marker `yc_`. The database keeps only its
SM3 hash and its first 8 characters (for people to tell tokens apart), so a copy of the
database cannot be used to call the API.
"""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from yichuang.core.audit import audit_record
from yichuang.core.crypto import sm3_hex

from .models import ApiToken, User

TOKEN_MARKER = "yc_"
PREFIX_LENGTH = 8
# Writing last_used_at on every call would turn every read into a write; once a minute says
# enough about whether a token is still in use.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200


def token_hash(token: str) -> str:
    return sm3_hex(token.encode("utf-8"))


def api_token_problems(
    *, user: User | None, name: str, expires_at: datetime.datetime | None = None
) -> dict[str, list[str]]:
    """What keeps a token from being created, field by field (empty when nothing does)."""
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("请填写令牌名称，写明哪个系统使用它，如：市场监管局审批系统。")]
    elif len(name) > ApiToken._meta.get_field("name").max_length:
        errors["name"] = [_("令牌名称最长 100 个字。")]
    if user is None:
        errors["user"] = [_("请选择令牌代表的工作人员账号。")]
    elif not user.is_active:
        errors["user"] = [_("账号「%(u)s」已停用，不能为它创建令牌。") % {"u": user.username}]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("有效期应晚于当前时间。")]
    return errors


@transaction.atomic
def api_token_create(
    *, actor, user: User, name: str, expires_at: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    """Make a token for `user`; return it with the clear token, which is never stored or shown again."""
    errors = api_token_problems(user=user, name=name, expires_at=expires_at)
    if errors:
        raise ValidationError(errors)
    name = name.strip()
    clear = TOKEN_MARKER + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name, user=user, token_hash=token_hash(clear), prefix=clear[:PREFIX_LENGTH], expires_at=expires_at
    )
    audit_record(
        actor=actor, action="apitoken.create", obj=token,
        after={"name": name, "user": user.username, "prefix": token.prefix,
               "expires_at": expires_at.isoformat() if expires_at else None},
    )
    return token, clear


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke a token at once; a revoked token is refused from the next call on. Revoking twice is harmless."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked:
        return token
    token.revoked = True
    token.save(update_fields=["revoked"])
    audit_record(actor=actor, action="apitoken.revoke", obj=token,
                 before={"revoked": False}, after={"revoked": True, "prefix": token.prefix, "name": token.name})
    return token


def api_token_resolve(clear: str, *, now: datetime.datetime | None = None) -> tuple[ApiToken | None, str]:
    """The usable token for a clear token, or None with the reason it is refused (in Chinese)."""
    clear = (clear or "").strip()
    if not clear or len(clear) > MAX_TOKEN_LENGTH:
        return None, _("接口令牌无效：请在请求头中写 Authorization: Bearer <令牌>。")
    token = ApiToken.objects.select_related("user").filter(token_hash=token_hash(clear)).first()
    if token is None:
        return None, _("接口令牌无效：请核对令牌，或请中心管理员重新创建。")
    now = now or timezone.now()
    if token.revoked:
        return None, _("接口令牌「%(n)s」已吊销：请向中心管理员申请新的令牌。") % {"n": token.name}
    if token.expires_at is not None and token.expires_at <= now:
        return None, _("接口令牌「%(n)s」已过期：请向中心管理员申请新的令牌。") % {"n": token.name}
    if not token.user.is_active:
        return None, _("接口令牌所代表的账号已停用。")
    return token, ""


def _touch(token: ApiToken, now: datetime.datetime) -> None:
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    # A conditional update: of many concurrent calls only one writes in a given minute.
    stale = ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gt=now - LAST_USED_RESOLUTION)
    stale.update(last_used_at=now)
    token.last_used_at = now


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: the call runs as the token's staff account.

    A request that presents a token is judged by that token alone: a bad, revoked or expired
    token answers 401 (it does not fall back to the session). A request without a token is
    left to the next authentication (the browser's session).
    """

    def authenticate(self, request: HttpRequest, token: str) -> User:
        found, reason = api_token_resolve(token)
        if found is None:
            raise AuthenticationError(401, reason)
        _touch(found, timezone.now())
        request.user = found.user
        request.api_token = found
        return found.user
