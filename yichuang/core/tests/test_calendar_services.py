"""Calendar writes: the yearly notice, single days, seeding from the package."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from yichuang.core import calendar
from yichuang.core.audit import audit_verify
from yichuang.core.models import AuditEntry, CalendarDay, CalendarStamp, CalendarYear
from yichuang.core.services import (
    calendar_import_notice,
    calendar_remove_day,
    calendar_seed_from_package,
    calendar_set_day,
    calendar_year_remove,
    calendar_year_set,
)
from yichuang.org.models import Region

D = datetime.date
pytestmark = pytest.mark.django_db

NOTICE_2027 = {
    "holidays": [
        (D(2027, 1, 1), D(2027, 1, 3), "元旦"),
        (D(2027, 2, 5), D(2027, 2, 12), "春节"),
        (D(2027, 10, 1), D(2027, 10, 7), "国庆节"),
    ],
    "makeup_days": [(D(2027, 2, 13), "春节"), (D(2027, 10, 9), "国庆节")],
}


@pytest.fixture(autouse=True)
def _fresh_calendar():
    calendar.clear_cache()
    yield
    calendar.clear_cache()


def snapshot():
    return (
        sorted(CalendarDay.objects.values_list("date", "region_id", "kind", "name")),
        sorted(CalendarYear.objects.values_list("year", "region_id", "source", "notice")),
        CalendarStamp.objects.get().generation,
        AuditEntry.objects.count(),
    )


def generation() -> int:
    return CalendarStamp.objects.get().generation


def test_importing_a_notice_stores_its_days_the_year_an_audit_entry_and_moves_the_stamp():
    stamp = generation()
    row = calendar_import_notice(actor=None, year=2027, notice="国办发明电〔2026〕7号", **NOTICE_2027)
    assert (row.year, row.region, row.source, row.notice) == (2027, None, "notice", "国办发明电〔2026〕7号")
    days = dict(
        CalendarDay.objects.filter(region__isnull=True, date__year=2027).values_list("date", "kind")
    )
    assert len([k for k in days.values() if k == "holiday"]) == 3 + 8 + 7
    assert days[D(2027, 10, 9)] == "makeup"
    assert generation() == stamp + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "calendar.import_notice"
    assert entry.object_id == "2027:national"
    assert len(entry.after["days"]) == 20
    assert audit_verify() is None
    assert calendar.add_workdays(D(2027, 9, 30), 1).date == D(2027, 10, 8)


def test_reimporting_a_year_replaces_its_arrangement():
    calendar_import_notice(actor=None, year=2027, **NOTICE_2027)
    calendar_import_notice(
        actor=None, year=2027, holidays=[(D(2027, 10, 1), D(2027, 10, 3), "国庆节")], makeup_days=[]
    )
    stored = set(CalendarDay.objects.filter(region__isnull=True, date__year=2027).values_list("date", flat=True))
    assert stored == {D(2027, 10, 1), D(2027, 10, 2), D(2027, 10, 3)}
    assert calendar.is_workday(D(2027, 2, 8))
    entry = AuditEntry.objects.order_by("-seq").first()
    assert len(entry.before["days"]) == 20


def test_a_bad_import_changes_nothing_and_names_every_bad_line():
    calendar_import_notice(actor=None, year=2027, **NOTICE_2027)
    calendar.add_workdays(D(2027, 9, 30), 1)
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        calendar_import_notice(
            actor=None, year=2027,
            holidays=[
                (D(2027, 5, 5), D(2027, 5, 1), "劳动节"),          # reversed
                (D(2028, 1, 1), D(2028, 1, 1), "元旦"),            # another year
                (D(2027, 10, 1), D(2027, 10, 7), "国庆节"),
                (D(2027, 10, 6), D(2027, 10, 8), "中秋节"),        # overlaps 国庆节
                (D(2027, 6, 9), D(2027, 6, 9), ""),                # no name
            ],
            makeup_days=[
                (D(2027, 9, 29), "国庆节"),                        # a Wednesday
                (D(2027, 10, 2), "国庆节"),                        # inside the holiday
            ],
        )
    messages = caught.value.messages
    assert any("第 1 项放假安排" in m and "开始日期晚于结束日期" in m for m in messages)
    assert any("第 2 项放假安排" in m and "不在2027年" in m for m in messages)
    assert any("第 4 项放假安排" in m and "重叠" in m and "第 3 项放假安排" in m for m in messages)
    assert any("第 5 项放假安排" in m and "缺少节日名称" in m for m in messages)
    assert any("第 1 个调休上班日" in m and "星期三" in m for m in messages)
    assert any("第 2 个调休上班日" in m and "落在" in m for m in messages)
    assert len(messages) == 6
    assert snapshot() == before
    # The cached table is untouched too: the old arrangement still answers.
    assert calendar.add_workdays(D(2027, 9, 30), 1).date == D(2027, 10, 8)


def test_a_notice_may_reach_into_the_last_days_of_the_previous_december():
    # As the 2008 notice did: 2007-12-29 make-up, 2007-12-30 … 2008-01-01 off.
    calendar_import_notice(
        actor=None, year=2030, holidays=[(D(2029, 12, 30), D(2030, 1, 1), "元旦")], makeup_days=[(D(2029, 12, 29), "元旦")]
    )
    assert not calendar.is_workday(D(2029, 12, 31))
    assert calendar.is_workday(D(2029, 12, 29))
    with pytest.raises(ValidationError, match="不在2030年"):
        calendar_import_notice(actor=None, year=2030, holidays=[(D(2029, 12, 1), D(2029, 12, 3), "元旦")],
                               makeup_days=[])


def test_an_import_without_holidays_or_with_a_bad_year_is_refused():
    with pytest.raises(ValidationError, match="没有任何放假安排"):
        calendar_import_notice(actor=None, year=2027, holidays=[], makeup_days=[])
    with pytest.raises(ValidationError, match="年份"):
        calendar_import_notice(actor=None, year=207, holidays=NOTICE_2027["holidays"], makeup_days=[])


def test_a_regional_import_touches_only_that_region():
    county = Region.objects.create(code="450100000000", name="南宁市", level=2)
    calendar_import_notice(
        actor=None, year=2026, region=county.code,
        holidays=[(D(2026, 4, 20), D(2026, 4, 21), "壮族三月三")], makeup_days=[],
    )
    assert not calendar.is_workday(D(2026, 4, 20), county)
    assert calendar.is_workday(D(2026, 4, 20))
    # The national 2026 arrangement from the package is untouched.
    assert CalendarYear.objects.get(year=2026, region__isnull=True).source == "package"
    assert not calendar.is_workday(D(2026, 10, 1), county)


def test_setting_and_removing_a_day_is_audited_and_moves_the_stamp():
    stamp = generation()
    row = calendar_set_day(actor=None, date=D(2026, 11, 23), kind="extra_off", name="中心搬迁")
    assert generation() == stamp + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.object_id, entry.before) == ("calendar.set_day", str(row.pk), None)
    assert entry.after == {"date": "2026-11-23", "kind": "extra_off", "name": "中心搬迁", "region": None}
    calendar_set_day(actor=None, date=D(2026, 11, 23), kind="extra_off", name="中心搬迁（延期）")
    assert CalendarDay.objects.filter(date=D(2026, 11, 23)).count() == 1
    calendar_remove_day(actor=None, date=D(2026, 11, 23))
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "calendar.remove_day" and entry.after is None
    assert entry.before["name"] == "中心搬迁（延期）"
    assert generation() == stamp + 3
    assert audit_verify() is None


def test_removing_a_day_that_is_not_set_says_so():
    with pytest.raises(ValidationError, match="没有单独设置"):
        calendar_remove_day(actor=None, date=D(2026, 11, 23))


def test_a_makeup_day_must_be_a_weekend_day():
    with pytest.raises(ValidationError, match="调休上班日应为周六或周日"):
        calendar_set_day(actor=None, date=D(2026, 11, 23), kind="makeup", name="国庆节")
    with pytest.raises(ValidationError, match="类型"):
        calendar_set_day(actor=None, date=D(2026, 11, 23), kind="party", name="")
    with pytest.raises(ValidationError, match="找不到区划代码"):
        calendar_set_day(actor=None, date=D(2026, 11, 23), kind="extra_off", region="330110000000")


def test_declaring_and_forgetting_a_year_switches_confirmation():
    calendar_year_set(actor=None, year=2027, notice="管理员按通知逐日录入")
    assert calendar.add_workdays(D(2027, 3, 1), 3).confirmed
    calendar_year_remove(actor=None, year=2027)
    assert not calendar.add_workdays(D(2027, 3, 1), 3).confirmed
    actions = list(AuditEntry.objects.order_by("-seq").values_list("action", flat=True)[:2])
    assert actions == ["calendar.year_remove", "calendar.year_set"]


def test_seeding_from_the_package_again_changes_nothing():
    before = snapshot()
    result = calendar_seed_from_package(actor=None)
    assert not result.changed
    assert snapshot() == before


def test_seeding_restores_a_package_year_and_keeps_notice_years_and_single_days():
    calendar_remove_day(actor=None, date=D(2025, 10, 1))
    calendar_import_notice(actor=None, year=2024, holidays=[(D(2024, 10, 1), D(2024, 10, 3), "国庆节")],
                           makeup_days=[])
    calendar_set_day(actor=None, date=D(2026, 10, 10), kind="extra_off", name="本中心不调休")
    stamp = generation()
    result = calendar_seed_from_package(actor=None)
    assert result.updated_years == (2025,)
    assert 2024 in result.kept_years
    assert result.kept_days == (D(2026, 10, 10),)
    assert CalendarDay.objects.get(date=D(2025, 10, 1), region__isnull=True).name == "国庆节"
    assert not CalendarDay.objects.filter(date=D(2024, 10, 7), region__isnull=True).exists()
    assert CalendarDay.objects.get(date=D(2026, 10, 10), region__isnull=True).kind == "extra_off"
    assert generation() == stamp + 1
    assert AuditEntry.objects.order_by("-seq").first().action == "calendar.seed_from_package"
    assert not calendar_seed_from_package(actor=None).changed
