"""Named counters that never repeat a value, even under concurrent writers."""

from django.db import IntegrityError, transaction

from .models import Sequence


def sequence_next(key: str) -> int:
    """Return the next value of `key`, starting at 1. Runs under a row lock."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                Sequence.objects.get_or_create(key=key)
        except IntegrityError:  # another writer created it first
            pass
        row = Sequence.objects.select_for_update().get(key=key)
        row.value += 1
        row.save(update_fields=["value"])
        return row.value
