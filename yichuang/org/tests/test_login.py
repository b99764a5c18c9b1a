import pytest
from django.core.cache import cache

from yichuang.org.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clerk():
    return User.objects.create_user("clerk", password="right-password-1")


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_five_wrong_passwords_lock_the_account_with_the_time_shown(client, clerk, url):
    for _ in range(5):
        response = client.post(url, {"username": "clerk", "password": "wrong"})
        assert "锁定" not in response.content.decode()
    response = client.post(url, {"username": "clerk", "password": "right-password-1"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "登录失败次数过多" in body and "分钟后再试" in body
    assert "_auth_user_id" not in client.session


def test_a_successful_login_clears_the_failures(client, clerk):
    for _ in range(4):
        client.post("/accounts/login/", {"username": "clerk", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "clerk", "password": "right-password-1"})
    assert response.status_code == 302
    client.logout()
    for _ in range(4):
        client.post("/accounts/login/", {"username": "clerk", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "clerk", "password": "right-password-1"})
    assert response.status_code == 302


def test_non_staff_cannot_enter_the_admin(client, clerk):
    response = client.post("/admin/login/", {"username": "clerk", "password": "right-password-1"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
