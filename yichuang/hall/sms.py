"""Texts to people in the queue, through a pluggable backend.

Services write the message into the hall's outbox (`SmsMessage`) inside their transaction; after
commit a background task (django-tasks, `yichuang db_worker`) hands it to the backend, so a
rolled-back call never texts anyone and a slow gateway never slows a clerk's click.

Backends (setting HALL_SMS_BACKEND, a dotted path):
- `PlatformGatewayBackend` (default): the platform's own SMS gateway (`SMS_BACKEND`, see
  `yichuang.core.notify`): the local outbox file shown at /dev/sms/ in development, the
  provincial gateway in production.
- `LocalOutboxBackend`: keeps the message in the hall's outbox only (visible in the admin).
A backend implements `send(phone=, text=, reference=)` and raises `SmsSendError` on failure.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from yichuang.core import notify

from .models import SmsMessage

DEFAULT_BACKEND = "yichuang.hall.sms.PlatformGatewayBackend"


class SmsSendError(Exception):
    """The gateway refused or could not be reached; the message says why."""


class SmsBackend:
    """Send one text to one mobile number; `reference` identifies it in the gateway's records."""

    def send(self, *, phone: str, text: str, reference: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class LocalOutboxBackend(SmsBackend):
    """Centres without a gateway: the hall's outbox itself is the record."""

    def send(self, *, phone: str, text: str, reference: str) -> None:
        return None


class PlatformGatewayBackend(SmsBackend):
    """The gateway the whole platform is configured with (SMS_BACKEND)."""

    def send(self, *, phone: str, text: str, reference: str) -> None:
        from yichuang.core.notify import SmsGatewayError, backend

        try:
            backend().send(phone=phone, text=text, message_id=reference)
        except (SmsGatewayError, OSError) as err:
            raise SmsSendError(str(err)) from err


@lru_cache(maxsize=4)
def _backend_for(path: str) -> SmsBackend:
    return import_string(path)()


def backend_path() -> str:
    return getattr(settings, "HALL_SMS_BACKEND", "") or DEFAULT_BACKEND


def sms_queue(*, centre, phone: str, text: str, ticket=None, appointment=None) -> SmsMessage | None:
    """Write the message to the outbox and hand it to the worker once the transaction commits."""
    # Inside the platform's `sms_suppressed()` (loading history, such as the demo's past days) the hall texts nobody either.
    if not phone or notify.sms_is_suppressed():
        return None
    message = SmsMessage.objects.create(
        centre=centre, ticket=ticket, appointment=appointment, phone=phone, phone_last4=phone[-4:],
        text=text[:300], created_at=timezone.now(), backend=backend_path(),
    )
    transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def _enqueue(message_id: int) -> None:
    from .tasks import hall_sms_deliver

    hall_sms_deliver.enqueue(message_id)


def sms_deliver(*, message_id: int) -> SmsMessage | None:
    """Hand one queued message to the backend and record the outcome (at most once)."""
    with transaction.atomic():
        message = SmsMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != SmsMessage.Status.QUEUED:
            return message
        try:
            _backend_for(message.backend or backend_path()).send(
                phone=message.phone, text=message.text, reference=f"hall-{message.pk}"
            )
        except SmsSendError as err:
            message.status = SmsMessage.Status.FAILED
            message.error = str(err)[:300]
        else:
            message.status = SmsMessage.Status.SENT
            message.sent_at = timezone.now()
        message.save(update_fields=["status", "error", "sent_at"])
        return message


def sms_redeliver_stale(*, older_than_seconds: int = 120) -> int:
    """Queued messages the worker never took (it was down): hand them over again."""
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    ids = list(SmsMessage.objects.filter(status=SmsMessage.Status.QUEUED, created_at__lt=cutoff).values_list("pk", flat=True))
    for message_id in ids:
        _enqueue(message_id)
    return len(ids)
