import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from yichuang.core.audit import GENESIS_HASH, audit_record, audit_verify
from yichuang.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _write(n: int) -> list[AuditEntry]:
    return [
        audit_record(actor=None, action="test.write", object_type="demo", object_id=str(i),
                     before={"n": i}, after={"n": i + 1, "名称": "食品经营许可"})
        for i in range(n)
    ]


def test_entries_are_chained_from_genesis():
    first, second, third = _write(3)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.entry_hash
    assert third.prev_hash == second.entry_hash
    assert [e.seq for e in (first, second, third)] == [1, 2, 3]
    assert audit_verify() is None


def test_an_edited_entry_is_caught_at_its_sequence_number():
    entries = _write(5)
    AuditEntry.objects.filter(pk=entries[2].pk).update(after={"n": 999})
    broken = audit_verify()
    assert broken is not None and broken.seq == 3
    assert "修改" in broken.reason


def test_an_edit_that_also_rehashes_the_row_is_caught_at_the_next_link():
    from yichuang.core.audit import compute_hash

    entries = _write(4)
    row = AuditEntry.objects.get(pk=entries[1].pk)
    row.note = "tampered"
    row.entry_hash = compute_hash(row.prev_hash, row)
    row.save()
    broken = audit_verify()
    assert broken is not None and broken.seq == 3


def test_a_deleted_entry_is_caught():
    entries = _write(4)
    AuditEntry.objects.filter(pk=entries[1].pk).delete()
    broken = audit_verify()
    assert broken is not None and broken.seq == 2
    assert "缺失" in broken.reason


def test_deleting_the_newest_entries_is_caught():
    entries = _write(4)
    AuditEntry.objects.filter(seq__gte=entries[2].seq).delete()
    broken = audit_verify()
    assert broken is not None and broken.seq == 3


def test_an_inserted_entry_is_caught():
    entries = _write(3)
    forged = AuditEntry.objects.get(pk=entries[2].pk)
    forged.pk = None
    forged.seq = 4
    forged.action = "forged"
    forged.save()
    broken = audit_verify()
    assert broken is not None and broken.seq == 4


def test_an_entry_rolls_back_with_the_change_it_records():
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="test.rolled_back", object_type="demo", object_id="1")
        raise RuntimeError("the change failed")
    assert not AuditEntry.objects.filter(action="test.rolled_back").exists()
    _write(1)
    assert audit_verify() is None


def test_audit_verify_command_exits_non_zero_on_a_tampered_row(capsys):
    entries = _write(3)
    call_command("audit", "verify")
    assert "审计链完整" in capsys.readouterr().out
    AuditEntry.objects.filter(pk=entries[0].pk).update(action="changed")
    with pytest.raises(CommandError) as err:
        call_command("audit", "verify")
    assert "第 1 条" in str(err.value)


def test_audit_verify_command_run_from_the_shell_exits_with_status_1(tmp_path):
    """The console command itself (not only call_command) reports the break with a non-zero exit."""
    from django.core.management import ManagementUtility

    entries = _write(2)
    AuditEntry.objects.filter(pk=entries[1].pk).update(note="x")
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["yichuang", "audit", "verify"]).execute()
    assert exit_info.value.code == 1


def test_an_entry_appended_outside_audit_record_is_caught_even_with_valid_hashes():
    """A forger who appends a row and computes its SM3 links correctly is still caught:
    the row's number is past the counter that `audit_record` draws every number from."""
    from yichuang.core.audit import compute_hash

    entries = _write(3)
    forged = AuditEntry.objects.get(pk=entries[0].pk)
    forged.pk = None
    forged.seq = entries[-1].seq + 1
    forged.note = "forged"
    forged.prev_hash = entries[-1].entry_hash
    forged.entry_hash = compute_hash(forged.prev_hash, forged)
    forged.save()
    broken = audit_verify()
    assert broken is not None and broken.seq == 4
    assert "插入" in broken.reason
    # Once the forged row is gone the chain is whole and recording goes on.
    AuditEntry.objects.filter(pk=forged.pk).delete()
    _write(1)
    assert audit_verify() is None
