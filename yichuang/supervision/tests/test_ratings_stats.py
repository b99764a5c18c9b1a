"""Ratings (好差评) in the statistics, the export, the API and the big screen — from feedback's own records."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from yichuang.cases.tests.conftest import at
from yichuang.supervision.ratings_stats import ratings_for
from yichuang.supervision.selectors import Scope, StatQuery, dashboard_payload, statistics

D = datetime.date
EVERYTHING = Scope(None)


@pytest.fixture
def rated(november, staff):
    """Four hotline ratings in November: A 非常满意, B 满意, C 不满意 (a 差评: rectification opened), E 基本满意.
    A, B and C were received at window A01; E online (no window)."""
    from yichuang.feedback.services import rating_submit

    for key, level, day in (("A", 5, "2026-11-09"), ("B", 4, "2026-11-12"), ("C", 2, "2026-11-13"),
                            ("E", 3, "2026-11-16")):
        rating_submit(actor=staff["supervisor"], channel="hotline", level=level, case=november[key],
                      at=at(day))
    return november


def test_satisfaction_rate_in_the_statistics_is_hand_computed(rated, county):
    table = statistics(EVERYTHING, StatQuery(D(2026, 11, 1), D(2026, 11, 30)))
    figures = ratings_for(table).total
    # 非常满意 1 + 满意 1 + 基本满意 1 = 3 satisfied of 4 valid ratings = 75.0%; one 差评, its rectification open.
    assert (figures.total, figures.satisfied, figures.bad) == (4, 3, 1)
    assert figures.satisfaction_rate == 75.0
    assert (figures.rectifications, figures.rectified, figures.rectification_rate) == (1, 0, 0.0)


def test_ratings_follow_the_slice_of_the_statistics(rated, county):
    table = statistics(EVERYTHING, StatQuery(D(2026, 11, 1), D(2026, 11, 30), slice="window"))
    ratings = ratings_for(table)
    a01 = ratings.for_row(county["window"].pk)
    assert (a01.total, a01.satisfaction_rate, a01.bad) == (3, 66.7, 1)  # 2 of 3
    assert not ratings.for_row(0).available  # the online cases' row: no window
    by_day = ratings_for(statistics(EVERYTHING, StatQuery(D(2026, 11, 9), D(2026, 11, 13), slice="day")))
    assert by_day.for_row(D(2026, 11, 12)).total == 1 and by_day.for_row(D(2026, 11, 10)).total == 0
    assert by_day.total.total == 3  # the total row counts every day, also the 13th (a day without case rows)
    by_item = ratings_for(statistics(EVERYTHING, StatQuery(D(2026, 11, 1), D(2026, 11, 30), slice="item")))
    assert by_item.note and by_item.total.total == 4 and not by_item.rows


def test_the_statistics_page_and_its_export_show_the_ratings_with_their_definitions(rated, staff, client):
    client.force_login(staff["supervisor"])
    page = client.get("/supervision/statistics/", {"start": "2026-11-01", "end": "2026-11-30"}).content.decode()
    assert 'data-rating="satisfaction_rate">75.0%' in page
    assert "满意率 =（非常满意 + 满意 + 基本满意）÷ 有效评价数" in page
    content = client.get("/supervision/statistics/", {"start": "2026-11-01", "end": "2026-11-30", "slice": "window",
                                                       "format": "xlsx"}).content
    book = load_workbook(io.BytesIO(content))
    sheet = book["统计"]
    header = [c.value for c in sheet[3]]
    total = [c.value for c in sheet[sheet.max_row]]
    assert total[0] == "合计" and total[header.index("满意率（%）")] == 75.0
    assert total[header.index("差评数（件）")] == 1 and total[header.index("评价数（件）")] == 4


def test_the_api_gives_the_ratings_of_every_row(rated, staff, client):
    client.force_login(staff["supervisor"])
    data = client.get("/api/v1/supervision/statistics", {"start": "2026-11-01", "end": "2026-11-30",
                                                         "slice": "window"}).json()
    assert data["total"]["ratings"]["satisfaction_rate"] == 75.0
    assert {m["key"] for m in data["rating_metrics"]} >= {"ratings", "satisfaction_rate", "bad", "rectification_rate"}
    rows = {row["label"]: row["ratings"] for row in data["rows"]}
    assert any(r and r["ratings"] == 3 for r in rows.values())


def test_the_big_screen_has_a_ratings_panel_with_the_definition(rated):
    payload = dashboard_payload(EVERYTHING, today=D(2026, 11, 20))
    panel = payload["ratings"]
    assert panel["values"]["ratings"] == 4 and panel["values"]["satisfaction_rate"] == 75.0
    assert {i["key"]: i["value"] for i in panel["items"]}["levels"] == "1 / 1 / 1 / 1 / 0"
    assert "非常满意 + 满意 + 基本满意" in panel["note"]


def test_a_department_sees_only_its_own_ratings(rated, county, staff):
    from yichuang.supervision.selectors import scope_for

    approver = staff["approver"]  # 市场监管局: every rated case is theirs
    table = statistics(scope_for(approver), StatQuery(D(2026, 11, 1), D(2026, 11, 30)))
    assert ratings_for(table, scope_for(approver)).total.total == 4
    other = staff["other_reviewer"]  # 卫生健康局: none of them
    table = statistics(scope_for(other), StatQuery(D(2026, 11, 1), D(2026, 11, 30)))
    assert ratings_for(table, scope_for(other)).total.total == 0
    assert dashboard_payload(scope_for(other), today=D(2026, 11, 20))["ratings"]["values"]["ratings"] == 0
