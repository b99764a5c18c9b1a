"""`yichuang supervision sweep|rebuild|audit-draw` from the console."""

import io

import pytest
from django.core.management import CommandError, call_command

from yichuang.supervision.models import AuditRound, StatRollup


def run(*args) -> str:
    out = io.StringIO()
    call_command("supervision", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_sweep_once_reports_what_changed(november):
    output = run("sweep", "--today", "2026-11-13")
    assert "预警" in output and "用时" in output


def test_rebuild_recomputes_a_range(november):
    before = sorted(StatRollup.objects.filter(period="M").values_list("received", flat=True))
    output = run("rebuild", "--from", "2026-11-01", "--to", "2026-11-30")
    assert "已重算 2026-11-01 至 2026-11-30" in output
    assert sorted(StatRollup.objects.filter(period="M").values_list("received", flat=True)) == before


def test_audit_draw_for_one_department_with_a_seed(november, county):
    output = run("audit-draw", "--month", "2026-10", "--department", "SCJG", "--seed", "5")
    assert "当月办结 0 件" in output
    assert AuditRound.objects.get().seed == 5


@pytest.mark.parametrize("args, message", [
    (("rebuild", "--from", "2026-11-31", "--to", "2026-12-01"), "不是有效日期"),
    (("rebuild", "--from", "2026-12-01", "--to", "2026-11-01"), "早于"),
    (("audit-draw", "--month", "2026/10"), "格式应为"),
    (("sweep", "--loop", "1"), "至少 5 秒"),
])
def test_bad_input_is_explained(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
