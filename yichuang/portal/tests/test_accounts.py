"""Sign-in rules: codes hashed, expiring, tried a few times, numbers locked with the time shown, rate limits."""

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from yichuang.core.crypto import lookup_hash
from yichuang.portal import services
from yichuang.portal.errors import PortalError
from yichuang.portal.models import Account, SignInGuard, SmsCode

from .conftest import LI_ID, ZHANG_ID, last_code, sign_up

pytestmark = pytest.mark.django_db
MOBILE = "13900001111"


def test_a_code_signs_in_and_registers_a_new_number():
    services.sms_code_request(mobile=MOBILE, ip="1.1.1.1")
    account, created = services.account_sign_in_code(mobile=MOBILE, code=last_code(MOBILE))
    assert created and account.mobile == MOBILE and not account.is_verified


def test_the_code_is_kept_only_as_a_keyed_hash():
    services.sms_code_request(mobile=MOBILE, ip="1.1.1.1")
    code = last_code(MOBILE)
    row = SmsCode.objects.get(mobile=MOBILE)
    assert code not in row.code_hash and len(row.code_hash) == 64


def test_a_wrong_code_is_refused_and_says_how_many_tries_are_left():
    services.sms_code_request(mobile=MOBILE, ip="1.1.1.1")
    with pytest.raises(PortalError) as err:
        services.account_sign_in_code(mobile=MOBILE, code="000000" if last_code(MOBILE) != "000000" else "111111")
    assert "验证码不正确" in str(err.value) and "还可以再试 4 次" in str(err.value)
    assert not Account.objects.filter(mobile=MOBILE).exists()
    assert SignInGuard.objects.get(mobile=MOBILE).failures == 1


def test_an_expired_code_is_refused():
    sent_at = timezone.now() - datetime.timedelta(minutes=6)
    services.sms_code_request(mobile=MOBILE, ip="1.1.1.1", now=sent_at)
    with pytest.raises(PortalError) as err:
        services.account_sign_in_code(mobile=MOBILE, code=last_code(MOBILE))
    assert "已过期" in str(err.value)


def test_a_used_code_cannot_sign_in_twice():
    services.sms_code_request(mobile=MOBILE, ip="1.1.1.1")
    code = last_code(MOBILE)
    services.account_sign_in_code(mobile=MOBILE, code=code)
    with pytest.raises(PortalError):
        services.account_sign_in_code(mobile=MOBILE, code=code)


def test_too_many_wrong_attempts_lock_the_number_and_say_until_when():
    now = timezone.now()
    services.sms_code_request(mobile=MOBILE, ip="1.1.1.1", now=now)
    right = last_code(MOBILE)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(services.LOCK_AFTER - 1):
        with pytest.raises(PortalError):
            services.account_sign_in_code(mobile=MOBILE, code=wrong, now=now)
    with pytest.raises(PortalError) as err:
        services.account_sign_in_code(mobile=MOBILE, code=wrong, now=now)
    until = timezone.localtime(now + datetime.timedelta(minutes=services.LOCK_MINUTES))
    assert err.value.code == "locked"
    assert until.strftime("%H:%M") in str(err.value) and "锁定至" in str(err.value)
    # Locked: even the right code (or a password, or a new code) is refused until then.
    with pytest.raises(PortalError) as again:
        services.account_sign_in_code(mobile=MOBILE, code=right, now=now + datetime.timedelta(minutes=1))
    assert again.value.code == "locked"
    with pytest.raises(PortalError):
        services.sms_code_request(mobile=MOBILE, ip="1.1.1.2", now=now + datetime.timedelta(minutes=2))
    # After the lock a fresh code works.
    later = now + datetime.timedelta(minutes=services.LOCK_MINUTES + 1)
    from django.core.cache import cache

    cache.clear()
    services.sms_code_request(mobile=MOBILE, ip="1.1.1.1", now=later)
    account, _ = services.account_sign_in_code(mobile=MOBILE, code=last_code(MOBILE), now=later)
    assert account.mobile == MOBILE


def test_codes_are_rate_limited_per_number_per_minute_and_per_hour():
    services.sms_code_request(mobile=MOBILE, ip="1.1.1.1")
    with pytest.raises(PortalError) as err:
        services.sms_code_request(mobile=MOBILE, ip="1.1.1.2")
    assert err.value.code == "rate_limited" and "秒后" in str(err.value)
    clock = [1_800_000_000.0]
    fake = mock.Mock(time=lambda: clock[0])
    with mock.patch("yichuang.core.ratelimit.time", fake):
        from django.core.cache import cache

        cache.clear()
        for i in range(services.CODE_PER_NUMBER.max_hits):
            services.sms_code_request(mobile=MOBILE, ip=f"2.2.2.{i}")
            clock[0] += 61
        with pytest.raises(PortalError) as err:
            services.sms_code_request(mobile=MOBILE, ip="2.2.2.99")
    assert "一小时内" in str(err.value) and err.value.retry_at is not None


def test_codes_are_rate_limited_per_ip():
    for i in range(services.CODE_PER_IP.max_hits):
        services.sms_code_request(mobile=f"1390000{i:04d}", ip="3.3.3.3")
    with pytest.raises(PortalError) as err:
        services.sms_code_request(mobile="13911112222", ip="3.3.3.3")
    assert "您的网络" in str(err.value)


def test_an_sms_goes_once_per_code_through_the_local_backend(settings, tmp_path):
    from yichuang.core.models import SmsMessage
    from yichuang.core.notify import sms_send

    settings.DATA_DIR = tmp_path
    services.sms_code_request(mobile=MOBILE, ip="1.1.1.1")
    message = SmsMessage.objects.get(phone=MOBILE)
    sms_send(message.pk)  # a retry of the worker
    lines = (tmp_path / "sms-outbox.jsonl").read_text(encoding="utf-8").splitlines()
    assert len([line for line in lines if MOBILE in line]) == 1


def test_password_sign_in_and_wrong_passwords_count_toward_the_lock(county):
    account = sign_up(MOBILE)
    services.account_password_set(account=account, password="abc12345")
    assert services.account_sign_in_password(mobile=MOBILE, password="abc12345").pk == account.pk
    for _ in range(services.LOCK_AFTER - 1):
        with pytest.raises(PortalError) as err:
            services.account_sign_in_password(mobile=MOBILE, password="wrong-1")
        assert err.value.code == "wrong"
    with pytest.raises(PortalError) as err:
        services.account_sign_in_password(mobile=MOBILE, password="wrong-1")
    assert err.value.code == "locked"


def test_a_weak_password_is_refused():
    account = sign_up(MOBILE)
    with pytest.raises(PortalError) as err:
        services.account_password_set(account=account, password="12345678")
    assert "字母和数字" in str(err.value)


def test_id_number_is_encrypted_at_rest_and_found_by_keyed_hash(county):
    account = sign_up(MOBILE, "张三", ZHANG_ID)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM portal_account WHERE id = %s", [account.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("v1:") and ZHANG_ID not in stored
    assert Account.objects.get(id_number_hash=lookup_hash(ZHANG_ID)).pk == account.pk
    assert account.masked_id == ZHANG_ID[:4] + "**********" + ZHANG_ID[-4:]
    assert account.applicant.id_number == ZHANG_ID


def test_one_id_number_gives_one_account(county):
    sign_up(MOBILE, "张三", ZHANG_ID)
    other = sign_up("13900002222")
    with pytest.raises(PortalError) as err:
        services.account_verify_person(account=other, name="张三", id_number=ZHANG_ID)
    assert "另一个手机号" in str(err.value)


def test_a_wrong_id_number_is_refused_with_the_reason(county):
    account = sign_up(MOBILE)
    with pytest.raises(PortalError) as err:
        services.account_verify_person(account=account, name="李四", id_number=LI_ID[:-1] + ("0" if LI_ID[-1] != "0" else "1"))
    assert "校验位" in str(err.value)

