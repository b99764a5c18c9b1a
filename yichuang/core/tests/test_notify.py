import json

import pytest

from yichuang.core import notify
from yichuang.core.models import SmsMessage

pytestmark = pytest.mark.django_db


def _outbox_lines(settings):
    path = notify.outbox_path()
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


@pytest.fixture(autouse=True)
def _outbox_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.SMS_BACKEND = "yichuang.core.notify.LocalFileSMSBackend"


def test_a_message_is_sent_after_the_commit_through_the_worker(settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = notify.sms_enqueue(phone="13800138000", template="accepted",
                                     params={"item": "食品经营许可", "number": "SLX2026110200001", "due": "2026年11月9日"},
                                     event_key="case:1:accept")
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.SENT
    lines = _outbox_lines(settings)
    assert len(lines) == 1 and "承诺办结日 2026年11月9日" in lines[0]["text"]


def test_an_sms_is_sent_once_even_if_the_worker_retries(settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = notify.sms_enqueue(phone="13800138000", template="verification_code",
                                     params={"code": "123456", "minutes": 5}, event_key="code:1")
    notify.sms_send(message.pk)
    notify.sms_send(message.pk)
    assert len(_outbox_lines(settings)) == 1


def test_the_same_event_never_queues_a_second_message():
    first = notify.sms_enqueue(phone="13800138000", template="decided",
                               params={"item": "x", "number": "n", "result": "准予许可"}, event_key="case:1:decide")
    second = notify.sms_enqueue(phone="13800138000", template="decided",
                                params={"item": "x", "number": "n", "result": "准予许可"}, event_key="case:1:decide")
    assert first is not None and second is None
    assert SmsMessage.objects.count() == 1


class FlakyGateway:
    calls = 0

    def send(self, *, phone, text, message_id):
        FlakyGateway.calls += 1
        if FlakyGateway.calls == 1:
            raise notify.SmsGatewayError("网关超时")
        return "gw-1"


def test_a_failed_send_is_retried_and_then_succeeds(settings, monkeypatch):
    monkeypatch.setattr(notify, "backend", FlakyGateway)
    message = notify.sms_enqueue(phone="13800138000", template="mailed",
                                 params={"item": "x", "number": "n", "carrier": "EMS", "tracking": "1"}, event_key="m:1")
    assert notify.sms_send(message.pk) == SmsMessage.Status.PENDING
    message.refresh_from_db()
    assert message.attempts == 1 and message.last_error == "网关超时"
    assert notify.sms_send(message.pk) == SmsMessage.Status.SENT


def test_the_developer_outbox_page_is_hidden_in_production(client, settings):
    settings.DEBUG = False
    assert client.get("/dev/sms/").status_code == 404
