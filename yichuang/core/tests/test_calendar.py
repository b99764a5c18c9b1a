"""The calendar as the rest of the platform uses it: seeded data, regions and the cache."""

import datetime

import pytest
from django.db.models import F

from yichuang.core import calendar
from yichuang.core.models import CalendarDay, CalendarStamp, CalendarYear
from yichuang.core.services import calendar_import_notice, calendar_remove_day, calendar_set_day
from yichuang.org.models import Region

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_calendar():
    calendar.clear_cache()
    yield
    calendar.clear_cache()


@pytest.fixture
def regions():
    """浙江 › 杭州 › 余杭区 (with a town and a village) and its sibling 西湖区."""
    zhejiang = Region.objects.create(code="330000000000", name="浙江省", level=1)
    hangzhou = Region.objects.create(code="330100000000", name="杭州市", level=2, parent=zhejiang)
    yuhang = Region.objects.create(code="330110000000", name="余杭区", level=3, parent=hangzhou)
    xihu = Region.objects.create(code="330106000000", name="西湖区", level=3, parent=hangzhou)
    town = Region.objects.create(code="330110001000", name="余杭街道", level=4, parent=yuhang)
    village = Region.objects.create(code="330110001001", name="某某社区", level=5, parent=town)
    return {"province": zhejiang, "city": hangzhou, "county": yuhang, "sibling": xihu, "town": town,
            "village": village}


def test_seed_migration_announces_2004_to_2026_and_not_2027():
    years = set(CalendarYear.objects.filter(region__isnull=True).values_list("year", flat=True))
    assert years == set(range(2004, 2027))
    assert CalendarYear.objects.filter(region__isnull=True, source=CalendarYear.Source.PACKAGE).count() == 23
    national_day = CalendarDay.objects.get(date=D(2026, 10, 1), region__isnull=True)
    assert (national_day.kind, national_day.name) == (CalendarDay.Kind.HOLIDAY, "国庆节")
    assert CalendarDay.objects.get(date=D(2026, 10, 10), region__isnull=True).kind == CalendarDay.Kind.MAKEUP
    assert CalendarStamp.objects.get().generation >= 1


def test_national_day_is_skipped():
    deadline = calendar.add_workdays(D(2026, 9, 30), 5)
    assert deadline.date == D(2026, 10, 13)
    assert deadline.confirmed
    assert {d.date for d in deadline.skipped if d.reason == "国庆节"} == {D(2026, 10, d) for d in range(1, 8)}
    assert calendar.workdays_between(D(2026, 9, 30), D(2026, 10, 13)) == 5


def test_makeup_saturday_counts_as_workday():
    assert calendar.is_workday(D(2026, 10, 10))
    assert not calendar.is_workday(D(2026, 10, 11))
    info = calendar.day_info(D(2026, 10, 10))
    assert info.is_workday and info.reason == "国庆节调休上班" and info.confirmed


def test_acceptance_day_is_never_counted():
    # Accepted on the last day before the holiday: the holiday itself follows, then counting.
    assert calendar.add_workdays(D(2026, 9, 30), 1).date == D(2026, 10, 8)
    # Accepted on a holiday: the next working day is day one.
    assert calendar.add_workdays(D(2026, 10, 3), 1).date == D(2026, 10, 8)


def test_unannounced_year_falls_back_to_weekdays_and_is_unconfirmed():
    deadline = calendar.add_workdays(D(2026, 12, 28), 10)
    # 12-29, 12-30, 12-31, 01-01 (Friday: no 2027 arrangement yet), 01-04 … 01-08, 01-11.
    assert deadline.date == D(2027, 1, 11)
    assert not deadline.confirmed
    assert deadline.unconfirmed_years == (2027,)
    assert calendar.is_workday(D(2027, 1, 1))
    assert not calendar.day_info(D(2027, 1, 1)).confirmed


def test_importing_a_notice_for_2027_makes_2027_deadlines_confirmed():
    before = calendar.add_workdays(D(2026, 12, 28), 10)
    calendar_import_notice(
        actor=None, year=2027, holidays=[(D(2027, 1, 1), D(2027, 1, 3), "元旦")], makeup_days=[],
        notice="国办发明电〔2026〕7号",
    )
    after = calendar.add_workdays(D(2026, 12, 28), 10)
    assert after.confirmed and after.unconfirmed_years == ()
    assert after.date == before.date + datetime.timedelta(days=1)  # 01-01 is now a holiday
    assert "元旦" in {d.reason for d in after.skipped}


def test_region_override_applies_to_its_towns_but_not_to_a_sibling_county(regions):
    day = D(2026, 11, 23)  # a Monday
    calendar_set_day(actor=None, date=day, kind=CalendarDay.Kind.EXTRA_OFF, name="中心搬迁", region=regions["county"])
    assert not calendar.is_workday(day, regions["county"])
    assert not calendar.is_workday(day, regions["town"])
    assert not calendar.is_workday(day, regions["village"].code)
    assert calendar.is_workday(day, regions["sibling"])
    assert calendar.is_workday(day, regions["city"])
    assert calendar.is_workday(day)
    skipped = calendar.add_workdays(D(2026, 11, 20), 1, region="330110001000").skipped
    assert [(d.date, d.reason) for d in skipped][-1] == (day, "本地放假：中心搬迁")


def test_the_most_specific_region_wins_for_the_same_date(regions):
    day = D(2026, 11, 23)
    calendar_set_day(actor=None, date=day, kind=CalendarDay.Kind.EXTRA_OFF, name="全县停电", region=regions["county"])
    calendar_set_day(actor=None, date=day, kind=CalendarDay.Kind.EXTRA_WORK, name="照常服务", region=regions["town"])
    assert not calendar.is_workday(day, regions["county"])
    assert calendar.is_workday(day, regions["town"])
    assert calendar.is_workday(day, regions["village"])
    # A county can also open on a national holiday; the nation stays closed.
    calendar_set_day(actor=None, date=D(2026, 10, 7), kind=CalendarDay.Kind.EXTRA_WORK, name="值班受理",
                     region=regions["county"])
    assert calendar.is_workday(D(2026, 10, 7), regions["county"])
    assert not calendar.is_workday(D(2026, 10, 7))


def test_an_unknown_region_code_is_an_error_that_names_the_code():
    with pytest.raises(calendar.UnknownRegionError, match="330110000000"):
        calendar.add_workdays(D(2026, 9, 30), 5, region="330110000000")


def test_a_service_write_invalidates_the_cache_immediately(monkeypatch):
    # With a stamp check this rare, only the write's own invalidation can refresh the table.
    monkeypatch.setattr(calendar, "STAMP_TTL_SECONDS", 10_000)
    day = D(2026, 11, 23)
    assert calendar.is_workday(day)
    calendar_set_day(actor=None, date=day, kind=CalendarDay.Kind.EXTRA_OFF, name="临时闭馆")
    assert not calendar.is_workday(day)
    calendar_remove_day(actor=None, date=day)
    assert calendar.is_workday(day)


def test_cached_calls_make_no_query_and_a_stale_check_makes_one(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(calendar, "STAMP_TTL_SECONDS", 10_000)
    calendar.add_workdays(D(2026, 9, 30), 5)  # builds the table
    with django_assert_num_queries(0):
        for start in range(1, 29):
            calendar.add_workdays(D(2026, 2, start), 20)
    monkeypatch.setattr(calendar, "STAMP_TTL_SECONDS", 0)
    with django_assert_num_queries(1):
        calendar.add_workdays(D(2026, 9, 30), 5)


def test_a_change_made_by_another_process_is_seen_once_the_stamp_is_checked(monkeypatch):
    monkeypatch.setattr(calendar, "STAMP_TTL_SECONDS", 10_000)
    day = D(2026, 11, 23)
    assert calendar.is_workday(day)
    # Another process's service wrote the row and moved the stamp; this process's cache
    # does not know yet.
    CalendarDay.objects.create(date=day, region=None, kind=CalendarDay.Kind.EXTRA_OFF, name="临时闭馆")
    CalendarStamp.objects.update(generation=F("generation") + 1)
    assert calendar.is_workday(day)
    monkeypatch.setattr(calendar, "STAMP_TTL_SECONDS", 0)
    assert not calendar.is_workday(day)


def test_regions_without_their_own_days_share_the_national_table(regions):
    assert calendar.workday_table(regions["village"]) is calendar.workday_table(None)
    calendar_set_day(actor=None, date=D(2026, 11, 23), kind=CalendarDay.Kind.EXTRA_OFF, region=regions["county"])
    assert calendar.workday_table(regions["village"]) is calendar.workday_table(regions["county"])
    assert calendar.workday_table(regions["sibling"]) is calendar.workday_table(None)
