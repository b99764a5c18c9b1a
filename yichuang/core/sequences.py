"""Named counters that never repeat a value, even under concurrent writers."""

from django.db import IntegrityError, connections, router, transaction

from .models import Sequence


def _upsert_sql(connection) -> str | None:
    """One statement that creates the row at 1 or adds 1 to it, and returns the value: where the
    database has `INSERT … ON CONFLICT DO UPDATE … RETURNING` (PostgreSQL; SQLite from 3.35)."""
    if connection.vendor == "postgresql" or (
        connection.vendor == "sqlite" and connection.Database.sqlite_version_info >= (3, 35)
    ):
        qn = connection.ops.quote_name
        table, key, value = qn(Sequence._meta.db_table), qn("key"), qn("value")
        return (
            f"INSERT INTO {table} ({key}, {value}) VALUES (%s, 1) "
            f"ON CONFLICT ({key}) DO UPDATE SET {value} = {table}.{value} + 1 RETURNING {value}"
        )
    return None


def sequence_next(key: str) -> int:
    """Return the next value of `key`, starting at 1.

    The row stays locked (and the new value invisible to others) until the caller's
    transaction ends, so two transactions never get the same value, and a rolled-back one
    gives its value back. On PostgreSQL (and SQLite 3.35+) this is one statement: the insert of
    a new key and the increment of an existing one cannot race, because the unique index on
    `key` makes a second inserter wait for the first and then take the update branch.
    """
    connection = connections[router.db_for_write(Sequence)]
    sql = _upsert_sql(connection)
    if sql is not None:
        with connection.cursor() as cursor:
            cursor.execute(sql, [key])
            return cursor.fetchone()[0]
    with transaction.atomic(using=connection.alias):
        try:
            with transaction.atomic(using=connection.alias):
                Sequence.objects.get_or_create(key=key)
        except IntegrityError:  # another writer created it first
            pass
        row = Sequence.objects.select_for_update().get(key=key)
        row.value += 1
        row.save(update_fields=["value"])
        return row.value
