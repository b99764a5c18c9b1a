"""SMS notifications with a pluggable gateway.

`sms_enqueue` is called inside a service's transaction: the message row commits with the
event it tells about, and the sending task is enqueued only after the commit, through the
background worker (django-tasks). The sender retries with back-off; a message is sent at most
once because its row is locked and its status checked before the gateway is called.

Backends:
- `LocalFileSMSBackend` (default): appends to `<data dir>/sms-outbox.jsonl`; the developer page
  /dev/sms/ shows it, so the demo's verification codes can be read.
- `HttpGatewaySMSBackend`: POSTs JSON to SMS_GATEWAY_URL with a bearer token, the way
  provincial SMS platforms are called.
"""

import contextlib
import contextvars
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .models import SmsMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5

TEMPLATES = {
    "verification_code": _("【%(sign)s】您的验证码是 %(code)s，%(minutes)s 分钟内有效。请勿告诉他人。"),
    "case_received": _("【%(sign)s】您申请的「%(item)s」已接件，办件编号 %(number)s。可凭编号查询进度。"),
    "correction_needed": _("【%(sign)s】您申请的「%(item)s」（%(number)s）需补正：%(items)s。请一次性补齐后提交。"),
    "accepted": _("【%(sign)s】您申请的「%(item)s」（%(number)s）已受理，承诺办结日 %(due)s。"),
    "special_started": _("【%(sign)s】您申请的「%(item)s」（%(number)s）进入%(procedure)s，预计 %(days)s 个工作日，期间不计入办理时限。"),
    "extension_granted": _("【%(sign)s】您申请的「%(item)s」（%(number)s）因%(reason)s，经批准延长 %(days)s 个工作日，将于 %(due)s 前作出决定。"),
    "decided": _("【%(sign)s】您申请的「%(item)s」（%(number)s）已作出决定：%(result)s。"),
    "ready_for_pickup": _("【%(sign)s】您申请的「%(item)s」（%(number)s）结果已可领取，请携带身份证件到%(place)s领取。"),
    "mailed": _("【%(sign)s】您申请的「%(item)s」（%(number)s）结果已由%(carrier)s寄出，运单号 %(tracking)s。"),
    "rating_invitation": _("【%(sign)s】您的「%(item)s」已办结，欢迎评价我们的服务：%(link)s"),
    "prereview_passed": _("【%(sign)s】您网上申请的「%(item)s」（%(number)s）已通过预审，请携带申请材料原件到%(place)s办理，只需跑一次。"),
    "prereview_refused": _("【%(sign)s】您网上申请的「%(item)s」（%(number)s）预审不予受理：%(reason)s。办理途径：%(way_forward)s"),
    "rating_answered": _("【%(sign)s】您对我们服务的评价已有答复，请查看：%(link)s"),
    "complaint_received": _("【%(sign)s】您的投诉已登记，编号 %(number)s，查询码 %(code)s，%(due)s前受理。"),
    "complaint_answered": _("【%(sign)s】您的投诉（%(number)s）已办理答复：%(answer)s"),
}


class SmsGatewayError(Exception):
    """The gateway did not accept the message; the sender will retry."""


class LocalFileSMSBackend:
    def send(self, *, phone: str, text: str, message_id: int) -> str:
        outbox = outbox_path()
        outbox.parent.mkdir(parents=True, exist_ok=True)
        record = {"id": message_id, "phone": phone, "text": text, "at": timezone.now().isoformat()}
        with outbox.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        return f"local-{message_id}"


class HttpGatewaySMSBackend:
    timeout = 10

    def send(self, *, phone: str, text: str, message_id: int) -> str:
        if not settings.SMS_GATEWAY_URL:
            raise SmsGatewayError("SMS_GATEWAY_URL is not set")
        body = json.dumps({"phone": phone, "content": text, "requestId": str(message_id)}).encode()
        request = urllib.request.Request(
            settings.SMS_GATEWAY_URL, data=body, method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                reply = json.loads(response.read() or b"{}")
        except (urllib.error.URLError, TimeoutError, ValueError) as err:
            raise SmsGatewayError(str(err)) from err
        if str(reply.get("code", "0")) not in ("0", "200", "OK"):
            raise SmsGatewayError(str(reply.get("message") or reply))
        return str(reply.get("messageId", ""))


def outbox_path() -> Path:
    return Path(settings.DATA_DIR) / "sms-outbox.jsonl"


def backend():
    return import_string(settings.SMS_BACKEND)()


def render(template: str, params: dict) -> str:
    values = {"sign": settings.SMS_SIGN_NAME, **params}
    return str(TEMPLATES[template]) % values


_suppressed = contextvars.ContextVar("sms_suppressed", default=False)


@contextlib.contextmanager
def sms_suppressed() -> Iterator[None]:
    """Send nothing inside: for loading history (the demo's past), never for live work."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def sms_is_suppressed() -> bool:
    """Whether this context is inside `sms_suppressed()`: other outboxes (the hall's) keep the same silence."""
    return _suppressed.get()


def sms_enqueue(*, phone: str, template: str, params: dict, event_key: str) -> SmsMessage | None:
    """Queue one SMS for an event. Returns None when that event already has its message."""
    if not phone or sms_is_suppressed():
        return None
    text = render(template, params)[:500]
    try:
        with transaction.atomic():
            message = SmsMessage.objects.create(phone=phone, template=template, params=params, text=text,
                                                event_key=event_key[:120])
    except IntegrityError:
        return None
    transaction.on_commit(lambda: _enqueue_send(message.pk))
    return message


def _enqueue_send(message_id: int, delay: timedelta | None = None) -> None:
    from .tasks import send_sms

    task = send_sms.using(run_after=timezone.now() + delay) if delay else send_sms
    task.enqueue(message_id)


def sms_send(message_id: int) -> str:
    """Send one queued message (the task body). Returns its final status."""
    with transaction.atomic():
        message = SmsMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status == SmsMessage.Status.SENT:
            return "sent" if message else "missing"
        if message.attempts >= MAX_ATTEMPTS:
            return message.status
        message.attempts += 1
        try:
            message.gateway_id = backend().send(phone=message.phone, text=message.text, message_id=message.pk)[:80]
        except SmsGatewayError as err:
            message.last_error = str(err)[:300]
            message.status = SmsMessage.Status.FAILED if message.attempts >= MAX_ATTEMPTS else SmsMessage.Status.PENDING
            message.save(update_fields=["attempts", "last_error", "status"])
            log.warning("sms %s failed (attempt %s): %s", message.pk, message.attempts, err)
            if message.status == SmsMessage.Status.PENDING:
                delay = timedelta(seconds=30 * 2 ** (message.attempts - 1))
                transaction.on_commit(lambda: _enqueue_send(message.pk, delay))
            return message.status
        message.status = SmsMessage.Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "gateway_id", "status", "sent_at", "last_error"])
        return message.status
