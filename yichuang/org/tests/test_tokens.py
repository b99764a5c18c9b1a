"""API tokens: stored only as a hash, shown once, refused when revoked or expired."""

import datetime
import io

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import path
from django.utils import timezone
from ninja import NinjaAPI, Router

from yichuang.core.crypto import sm3_hex
from yichuang.core.models import AuditEntry
from yichuang.org import admin_tokens  # noqa: F401  (registers the admin, as the project does)
from yichuang.org.models import ApiToken, Role, User
from yichuang.org.tokens import TokenAuth, api_token_create, api_token_revoke

# A one-endpoint API that says who the token made the caller.
router = Router(auth=TokenAuth())


@router.get("/whoami")
def whoami(request):
    return {"user": request.user.username, "auth": request.auth.username}


test_api = NinjaAPI(urls_namespace="tokens_test")
test_api.add_router("/", router)
urlpatterns = [path("api/", test_api.urls), path("admin/", admin.site.urls)]
pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


@pytest.fixture
def reviewer(db):
    user = User.objects.create_user("scjg_system", password="x", display_name="市场监管局审批系统")
    user.roles.set(Role.objects.filter(code__in=["reviewer", "approver"]))
    return user


def call(clear: str | None, header: str | None = None):
    value = header if header is not None else f"Bearer {clear}"
    return Client(headers={"Authorization": value}).get("/api/whoami")


def test_the_token_is_stored_only_as_its_sm3_hash(reviewer):
    token, clear = api_token_create(actor=None, user=reviewer, name="市场监管局审批系统")
    assert clear.startswith("yc_") and len(clear) >= 40
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert clear not in [str(value) for value in row.values()]
    assert row["token_hash"] == sm3_hex(clear.encode())
    assert row["prefix"] == clear[:8]
    audit = AuditEntry.objects.get(action="apitoken.create")
    assert clear not in str(audit.after) and audit.after["prefix"] == clear[:8]
    # Two tokens never share a value.
    assert api_token_create(actor=None, user=reviewer, name="第二个")[1] != clear


def test_a_token_makes_the_call_run_as_its_user(reviewer):
    _token, clear = api_token_create(actor=None, user=reviewer, name="市场监管局审批系统")
    response = call(clear)
    assert response.status_code == 200
    assert response.json() == {"user": "scjg_system", "auth": "scjg_system"}


def test_revoked_expired_unknown_and_disabled_are_refused(reviewer):
    token, clear = api_token_create(actor=None, user=reviewer, name="将被吊销")
    api_token_revoke(actor=None, token=token)
    assert call(clear).status_code == 401 and "吊销" in call(clear).json()["detail"]

    token, clear = api_token_create(actor=None, user=reviewer, name="将过期",
                                    expires_at=timezone.now() + datetime.timedelta(hours=1))
    assert call(clear).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert call(clear).status_code == 401 and "过期" in call(clear).json()["detail"]

    assert call("yc_" + "x" * 43).status_code == 401
    assert call(None, header="Bearer ").status_code == 401
    assert call(None, header="Bearer " + "y" * 5000).status_code == 401
    assert call(None, header="Basic c2NqZzp4").status_code == 401  # not a bearer token: no auth at all

    _token, clear = api_token_create(actor=None, user=reviewer, name="账号将停用")
    User.objects.filter(pk=reviewer.pk).update(is_active=False)
    assert call(clear).status_code == 401


def test_last_used_is_written_at_most_once_a_minute(reviewer, django_assert_num_queries):
    token, clear = api_token_create(actor=None, user=reviewer, name="市场监管局审批系统")
    assert token.last_used_at is None
    call(clear)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # the lookup only, no update
        assert call(clear).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    earlier = first - datetime.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    call(clear)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > earlier


def test_creation_checks_its_inputs(reviewer):
    with pytest.raises(ValidationError) as err:
        api_token_create(actor=None, user=reviewer, name="  ", expires_at=timezone.now() - datetime.timedelta(days=1))
    assert set(err.value.message_dict) == {"name", "expires_at"}
    reviewer.is_active = False
    with pytest.raises(ValidationError) as err:
        api_token_create(actor=None, user=reviewer, name="停用账号的令牌")
    assert set(err.value.message_dict) == {"user"}
    assert not ApiToken.objects.exists()


def test_revoking_twice_is_harmless_and_audited_once(reviewer):
    token, _clear = api_token_create(actor=None, user=reviewer, name="市场监管局审批系统")
    api_token_revoke(actor=reviewer, token=token)
    api_token_revoke(actor=reviewer, token=token)
    assert ApiToken.objects.get(pk=token.pk).revoked
    assert AuditEntry.objects.filter(action="apitoken.revoke").count() == 1


# --- the console command ----------------------------------------------------------------------


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("apitoken", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_the_token_once_and_lists_only_prefixes(reviewer):
    out, err = run("create", "scjg_system", "--name", "市场监管局审批系统", "--expires", "2099-12-31")
    clear = out.strip()
    assert call(clear).status_code == 200
    assert "只显示这一次" in err
    token = ApiToken.objects.get()
    assert token.expires_at == timezone.make_aware(datetime.datetime(2100, 1, 1))

    listing, _err = run("list")
    assert token.prefix in listing and clear not in listing and "市场监管局审批系统" in listing

    out, _err = run("revoke", token.prefix)
    assert "已吊销" in out and call(clear).status_code == 401
    assert "没有令牌" in run("list")[0]
    assert "已吊销" in run("list", "--all")[0]


def test_the_command_revokes_by_number_and_names_its_errors(reviewer):
    token, clear = api_token_create(actor=None, user=reviewer, name="市场监管局审批系统")
    run("revoke", str(token.pk))
    assert call(clear).status_code == 401
    with pytest.raises(CommandError, match="不存在"):
        run("create", "nobody", "--name", "x")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("create", "scjg_system", "--name", "x", "--expires", "明年")
    with pytest.raises(CommandError, match="请填写令牌名称"):
        run("create", "scjg_system", "--name", " ")
    with pytest.raises(CommandError, match="未找到令牌"):
        run("revoke", "yc_zzzzz")


# --- the admin ----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="x"))
    return client


def test_the_admin_creates_a_token_and_shows_it_once(admin_client, reviewer):
    response = admin_client.post("/admin/org/apitoken/add/", {"name": "市场监管局审批系统", "user": reviewer.pk})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    page = response.content.decode()
    start = page.index(token.prefix)
    clear = page[start:page.index("<", start)]
    assert token.token_hash == sm3_hex(clear.encode())
    assert call(clear).status_code == 200
    # Nowhere else does it appear again.
    assert clear not in admin_client.get("/admin/org/apitoken/").content.decode()
    assert clear not in admin_client.get(f"/admin/org/apitoken/{token.pk}/change/").content.decode()


def test_the_admin_form_shows_the_services_checks(admin_client, reviewer):
    retired = User.objects.create_user("retired", password="x", is_active=False)
    response = admin_client.post("/admin/org/apitoken/add/", {"name": "旧系统", "user": retired.pk})
    assert response.status_code == 200
    assert "已停用，不能为它创建令牌" in response.content.decode()
    past = (timezone.localtime() - datetime.timedelta(days=1))
    response = admin_client.post("/admin/org/apitoken/add/", {
        "name": "x", "user": reviewer.pk, "expires_at_0": past.date().isoformat(),
        "expires_at_1": past.strftime("%H:%M:%S")})
    assert "有效期应晚于当前时间" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_admin_lists_and_revokes_but_never_edits_or_deletes(admin_client, reviewer):
    token, clear = api_token_create(actor=None, user=reviewer, name="市场监管局审批系统")
    listing = admin_client.get("/admin/org/apitoken/").content.decode()
    assert "市场监管局审批系统" in listing and token.prefix in listing
    response = admin_client.post("/admin/org/apitoken/", {
        "action": "revoke_tokens", "_selected_action": [token.pk]}, follow=True)
    assert "已吊销 1 个令牌" in response.content.decode()
    assert call(clear).status_code == 401
    assert admin_client.post(f"/admin/org/apitoken/{token.pk}/change/", {"name": "改名"}).status_code == 403
    assert admin_client.post(f"/admin/org/apitoken/{token.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ApiToken.objects.get(pk=token.pk).name == "市场监管局审批系统"
