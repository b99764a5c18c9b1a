"""`yichuang calendar deadline | workday | between | import | seed`."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yichuang.core import calendar
from yichuang.core.management.commands.calendar import Command as CalendarCommand
from yichuang.core.models import AuditEntry, CalendarDay, CalendarYear
from yichuang.core.services import calendar_remove_day
from yichuang.org.models import User

pytestmark = pytest.mark.django_db

NOTICE_TEXT = """\
# 国务院办公厅关于2027年部分节假日安排的通知（测试用）
年份 2027
通知 国办发明电〔2026〕7号
放假 2027-01-01 2027-01-03 元旦
放假 2027-10-01 2027-10-07 国庆节
放假 2027-04-05 清明节
上班 2027-10-09 国庆节
"""


@pytest.fixture(autouse=True)
def _fresh_calendar():
    calendar.clear_cache()
    yield
    calendar.clear_cache()


def run(*args) -> str:
    out = io.StringIO()
    call_command("calendar", *args, stdout=out)
    return out.getvalue()


def test_deadline_prints_the_due_date_its_status_and_the_skipped_days():
    out = run("deadline", "2026-09-30", "5")
    assert "届满日：2026-10-13（星期二）" in out
    assert "状态：已确认" in out
    for day in range(1, 8):
        assert f"2026-10-0{day}" in out
    assert "2026-10-11（星期日）周末" in out
    assert "2026-10-10（星期六）国庆节调休上班" in out


def test_deadline_in_an_unannounced_year_says_it_is_unconfirmed():
    out = run("deadline", "2026-12-28", "10")
    assert "届满日：2027-01-11" in out
    assert "待确认（2027年节假日安排尚未公布" in out


def test_deadline_refuses_bad_input_in_chinese():
    with pytest.raises(CommandError, match="不是有效日期"):
        run("deadline", "2026-02-30", "5")
    with pytest.raises(CommandError, match="不能为负数"):
        run("deadline", "2026-09-30", "-2")
    with pytest.raises(CommandError, match="找不到区划代码"):
        run("deadline", "2026-09-30", "5", "--region", "330110000000")


def test_workday_and_between():
    assert "2026-10-10（星期六）是工作日：国庆节调休上班" in run("workday", "2026-10-10")
    assert "不是工作日：国庆节" in run("workday", "2026-10-02")
    assert "有 5 个工作日" in run("between", "2026-09-30", "2026-10-13")


def test_importing_a_text_notice_confirms_2027(tmp_path):
    path = tmp_path / "2027.txt"
    path.write_text(NOTICE_TEXT, encoding="utf-8")
    User.objects.create_user(username="admin1", password="x")
    out = run("import", str(path), "--year", "2027", "--user", "admin1")
    assert "已导入2027年节假日安排（全国）：放假 11 天，调休上班 1 天" in out
    year = CalendarYear.objects.get(year=2027, region__isnull=True)
    assert (year.source, year.notice) == ("notice", "国办发明电〔2026〕7号")
    assert AuditEntry.objects.order_by("-seq").first().actor.username == "admin1"
    assert "状态：已确认" in run("deadline", "2027-09-30", "1")
    assert "届满日：2027-10-08" in run("deadline", "2027-09-30", "1")


def test_importing_a_json_notice(tmp_path):
    path = tmp_path / "notice.json"
    path.write_text(json.dumps({
        "year": 2027, "notice": "国办发明电〔2026〕7号",
        "holidays": [{"start": "2027-10-01", "end": "2027-10-07", "name": "国庆节"}, {"start": "2027-04-05", "name": "清明节"}],
        "makeup_days": [{"date": "2027-10-09", "name": "国庆节"}],
    }, ensure_ascii=False), encoding="utf-8")
    run("import", str(path))
    assert CalendarDay.objects.filter(region__isnull=True, date__year=2027).count() == 9


def test_a_bad_notice_file_changes_nothing_and_names_the_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("放假 2027-10-01 2027-10-07 国庆节\n上班 2027-10-32 国庆节\n请假 明天\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        run("import", str(path), "--year", "2027")
    assert "第 2 行" in str(caught.value) and "第 3 行" in str(caught.value)
    path.write_text("放假 2027-10-01 2027-10-07 国庆节\n上班 2027-09-29 国庆节\n", encoding="utf-8")
    with pytest.raises(CommandError, match="未做任何修改[\\s\\S]*星期三"):
        run("import", str(path), "--year", "2027")
    with pytest.raises(CommandError, match="不一致"):
        path.write_text(NOTICE_TEXT, encoding="utf-8")
        run("import", str(path), "--year", "2028")
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_import_help_documents_the_file_format():
    parser = CalendarCommand().create_parser("yichuang", "calendar")
    sub = next(a for a in parser._actions if a.dest == "action")
    text = sub.choices["import"].format_help()
    assert "放假 2027-01-01 2027-01-03 元旦" in text
    assert '"makeup_days"' in text


def test_seed_is_a_no_op_on_an_up_to_date_calendar():
    assert "已是最新" in run("seed")
    calendar_remove_day(actor=None, date=datetime.date(2025, 10, 1))
    assert "更新 2025 年" in run("seed")
