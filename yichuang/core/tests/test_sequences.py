"""Named counters (`core.sequences.sequence_next`): one value per caller, never repeated."""

import time

import pytest
from django.db import connection, transaction

from yichuang.core import sequences
from yichuang.core.models import Sequence
from yichuang.core.sequences import sequence_next
from yichuang.core.tests.concurrency import run_together


@pytest.fixture(params=["one statement", "row lock"])
def path(request, monkeypatch):
    """Both ways of counting: the upsert (PostgreSQL, SQLite 3.35+) and the ORM fallback."""
    if request.param == "row lock":
        monkeypatch.setattr(sequences, "_upsert_sql", lambda _connection: None)
    elif sequences._upsert_sql(connection) is None:
        pytest.skip("this database has no INSERT … ON CONFLICT … RETURNING")
    return request.param


@pytest.mark.django_db
def test_a_new_key_starts_at_one_and_counts_up(path):
    assert [sequence_next("case:SLX:20261102") for _ in range(3)] == [1, 2, 3]
    assert sequence_next("case:SLX:20261103") == 1
    assert sequence_next("case:SLX:20261102") == 4
    assert dict(Sequence.objects.values_list("key", "value")) == {"case:SLX:20261102": 4, "case:SLX:20261103": 1}


@pytest.mark.django_db
def test_an_existing_counter_goes_on_from_its_value(path):
    Sequence.objects.create(key="notice:SLX:receipt:2026", value=41)
    assert sequence_next("notice:SLX:receipt:2026") == 42


@pytest.mark.django_db
def test_a_rolled_back_transaction_gives_its_value_back(path):
    assert sequence_next("k") == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert sequence_next("k") == 2
        assert sequence_next("fresh") == 1
        raise RuntimeError
    assert sequence_next("k") == 2
    assert not Sequence.objects.filter(key="fresh").exists()


@pytest.mark.django_db
def test_the_postgresql_path_is_one_statement():
    if connection.vendor != "postgresql":
        pytest.skip("the statement count is PostgreSQL's")
    from django.test.utils import CaptureQueriesContext

    sequence_next("k")
    with CaptureQueriesContext(connection) as first_use:
        sequence_next("new key")
    with CaptureQueriesContext(connection) as again:
        sequence_next("k")
    assert len(first_use) == 1 and len(again) == 1
    assert "ON CONFLICT" in again[0]["sql"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="需要 PostgreSQL 的真实并发连接（设置 DATABASE_URL）")
@pytest.mark.parametrize("existing", [False, True], ids=["first use", "existing row"])
def test_concurrent_transactions_never_get_the_same_value(path, existing):
    """Eight transactions draw at once, each holding its value a moment before committing, as a
    service does between numbering a case and committing it; on a key nobody has used yet, all
    eight race to create the row."""
    key = "case:SLX:20261102"
    if existing:
        Sequence.objects.create(key=key, value=100)
    count = 8

    def draw(index):
        with transaction.atomic():
            value = sequence_next(key)
            time.sleep(0.05)
        return value

    results = run_together(count, draw)
    base = 100 if existing else 0
    assert sorted(results) == list(range(base + 1, base + count + 1)), results
    assert Sequence.objects.get(key=key).value == base + count
