"""Plain multi-row INSERT and UPDATE for the sweep, which may write hundreds of thousands of rows.

Django's bulk_create builds a model instance per row and prepares every value through its field;
at the scale of a first sweep over a million open cases that costs more than the database's own
work. These helpers take tuples. On PostgreSQL each column goes as one array (INSERT … SELECT
FROM unnest), so a statement carries a handful of parameters whatever its number of rows; on
SQLite rows go as multi-row VALUES within its limit on parameters, dates and times adapted the
way Django stores them.
"""

import datetime
from collections.abc import Iterable, Sequence

from django.db import connection

MAX_PARAMS = 30_000
# PostgreSQL takes whole columns as arrays; this many rows per statement.
PG_ROWS = 50_000


def chunks(values: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _adapter(field):
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    if kind == "DateField":
        return connection.ops.adapt_datefield_value
    return None


def pg_cursor():
    """A cursor on Django's connection (same transaction) that binds parameters on the server:
    arrays travel as values instead of being quoted into the statement's text."""
    import psycopg

    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def insert_rows(model, columns: Sequence[str], rows: Sequence[Sequence], *, returning: Sequence[str] = (),
                suffix: str = "") -> list[tuple]:
    """INSERT the rows (tuples in the order of `columns`, attribute names).

    `suffix`: SQL after the rows (an ON CONFLICT clause); `returning`: columns of the inserted
    rows to give back, in insertion order.
    """
    if not rows:
        return []
    q = connection.ops.quote_name
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_attname[name] for name in columns]
    table = q(model._meta.db_table)
    names = ", ".join(q(f.column) for f in fields)
    returning_sql = (" RETURNING " + ", ".join(q(by_attname[c].column) for c in returning)) if returning else ""
    found: list[tuple] = []
    if connection.vendor == "postgresql":
        with pg_cursor() as cursor:
            for chunk in chunks(rows, PG_ROWS):
                cursor.execute(f"INSERT INTO {table} ({names}) {unnest_source(fields)} {suffix}{returning_sql}",
                               columnwise(chunk))
                if returning:
                    found.extend(cursor.fetchall())
        return found
    adapters = [_adapter(f) for f in fields]
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for chunk in chunks(rows, max(1, MAX_PARAMS // len(columns))):
            params = []
            for row in chunk:
                for value, adapt in zip(row, adapters, strict=True):
                    params.append(adapt(value) if adapt and value is not None else value)
            cursor.execute(f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(chunk))} {suffix}"
                           f"{returning_sql}", params)
            if returning:
                found.extend(cursor.fetchall())
    return found


def unnest_source(fields) -> str:
    """PostgreSQL: one array parameter per column, instead of one parameter per value."""
    return "SELECT * FROM unnest(" + ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields) + ")"


def _literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def columnwise(rows: Sequence[Sequence]) -> list[str]:
    """Each column as a PostgreSQL array literal: one string per column, which the server parses
    (far cheaper than adapting hundreds of thousands of values one by one in Python)."""
    return ["{" + ",".join(map(_literal, column)) + "}" for column in zip(*rows, strict=True)]


def update_by_ids(model, fields: dict, ids: Sequence[int]) -> int:
    """UPDATE the same values on the given ids, in as few statements as the limits allow."""
    changed = 0
    for chunk in chunks(list(ids), MAX_PARAMS - len(fields) - 1):
        changed += model.objects.filter(pk__in=chunk).update(**fields)
    return changed


def delete_by_ids(model, ids: Sequence[int]) -> None:
    # A model nothing points at: Django deletes it with one DELETE per chunk, no collection.
    for chunk in chunks(list(ids), MAX_PARAMS):
        model.objects.filter(pk__in=chunk).delete()
