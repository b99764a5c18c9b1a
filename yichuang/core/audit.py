"""The hash-chained audit log.

Services call `audit_record` inside their transaction, so the entry commits or rolls back
with the change it describes. Entries are chained: each hash covers the previous hash and
the entry's own canonical content, so `audit_verify` finds the first row that was altered,
deleted or inserted.
"""

import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .actors import staff_user
from .crypto import sm3_hex
from .middleware import current_ip
from .models import AuditEntry, Sequence
from .sequences import sequence_next

GENESIS_HASH = "0" * 64
AUDIT_SEQUENCE_KEY = "audit-chain"


def _canonical(value: Any) -> Any:
    """JSON-round-trip so that what is hashed is exactly what the database gives back."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True))


def _entry_content(entry: AuditEntry) -> str:
    payload = {
        "seq": entry.seq,
        "at": entry.at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "before": entry.before,
        "after": entry.after,
        "ip": entry.ip,
        "note": entry.note,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def compute_hash(prev_hash: str, entry: AuditEntry) -> str:
    return sm3_hex((prev_hash + _entry_content(entry)).encode("utf-8"))


def audit_record(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    before: Any = None,
    after: Any = None,
    note: str = "",
) -> AuditEntry:
    """Append one entry. Must run inside the transaction of the change it records."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    # Joins the caller's transaction (no savepoint: if the entry cannot be written the change it records
    # must fail with it); on its own it opens one, so the counter and the entry still commit together.
    with transaction.atomic(savepoint=False):
        # The counter's row stays locked until commit: it serialises writers, so the chain never forks.
        seq = sequence_next(AUDIT_SEQUENCE_KEY)
        last = AuditEntry.objects.order_by("-seq").values_list("entry_hash", flat=True).first()
        user = staff_user(actor)
        entry = AuditEntry(
            seq=seq,
            at=timezone.now(),
            actor=user,
            actor_label=(str(actor) if actor is not None else "系统")[:120],
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=_canonical(before),
            after=_canonical(after),
            ip=current_ip.get(),
            note=note[:500],
            prev_hash=last or GENESIS_HASH,
        )
        entry.entry_hash = compute_hash(entry.prev_hash, entry)
        entry.save()
    return entry


@dataclass(frozen=True)
class ChainBreak:
    seq: int | None
    reason: str


def _audit_counter() -> int:
    return Sequence.objects.filter(key=AUDIT_SEQUENCE_KEY).values_list("value", flat=True).first() or 0


def audit_verify(*, batch_size: int = 5000) -> ChainBreak | None:
    """Walk the chain in order; return the first break, or None when the chain is whole."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    # `audit_record` numbers entries from this counter under its row lock, so a row numbered
    # past it was not written by `audit_record`: it was inserted, even if its hashes link up.
    counter = _audit_counter()
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=batch_size):
        if entry.seq > counter:
            # Read again: an entry may have been recorded since the walk began.
            counter = _audit_counter()
        if entry.seq > counter:
            return ChainBreak(entry.seq, f"第 {entry.seq} 条记录的序号超出审计序号计数器（{counter}），是绕过系统插入的")
        if entry.seq != expected_seq:
            if entry.seq > expected_seq:
                return ChainBreak(expected_seq, f"第 {expected_seq} 条记录缺失（被删除）")
            return ChainBreak(entry.seq, f"第 {entry.seq} 条记录序号重复（被插入）")
        if entry.prev_hash != prev_hash:
            return ChainBreak(entry.seq, f"第 {entry.seq} 条记录与前一条的链接不符（前后记录被删改或插入）")
        if compute_hash(prev_hash, entry) != entry.entry_hash:
            return ChainBreak(entry.seq, f"第 {entry.seq} 条记录内容被修改")
        prev_hash = entry.entry_hash
        expected_seq += 1
    if counter >= expected_seq:
        return ChainBreak(expected_seq, f"第 {expected_seq} 条及之后的记录缺失（被删除）")
    return None
