"""The supervision pages: who may open them, what they show, the follow-up and export round trips."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from yichuang.supervision.models import FollowUp, Notification

from .conftest import accept, sweep


@pytest.fixture
def alarmed(receive, staff):
    cases = [accept(receive("2026-11-02"), staff["clerk"], "2026-11-02") for _ in range(3)]
    sweep("2026-11-10")  # all overdue
    return cases


def login(client, user):
    client.force_login(user)
    return client


def test_the_public_dashboard_needs_no_login_and_shows_no_personal_data(client, november, applicant, staff):
    page = client.get("/dashboard/")
    assert page.status_code == 200
    assert b"echarts.min.js" in page.content and b"/static/yichuang/vendor/echarts/" in page.content
    data = client.get("/dashboard/data.json")
    assert data.status_code == 200
    text = data.content.decode()
    payload = data.json()
    assert set(payload["figures"]) >= {"received_today", "closed_today", "open", "yellow", "red", "overdue"}
    assert len(payload["trend"]["days"]) == 30
    for personal in (applicant.name, applicant.uscc, staff["reviewer"].display_name, november["A"].number):
        assert personal not in text
    assert "id" not in payload["departments"][0]


def test_the_dashboard_counts_the_last_thirty_days_from_the_rollups(client, november):
    from django.core.cache import cache

    cache.clear()
    with_today = client.get("/dashboard/data.json").json()
    # November 2026 is more than 30 days before today only if the clock moved on; ask for a fixed day instead.
    from yichuang.supervision.selectors import Scope, dashboard_payload

    payload = dashboard_payload(Scope(None), today=datetime.date(2026, 11, 12))
    assert sum(payload["trend"]["received"]) == 8 and sum(payload["trend"]["closed"]) == 5
    assert payload["trend"]["received"][payload["trend"]["days"].index("2026-11-02")] == 3
    assert payload["figures"]["closed_today"] == 1  # D, decided on 12 Nov
    assert payload["rates_30d"]["on_time_rate"] == 80.0
    scjg = next(d for d in payload["departments"] if d["received_30d"])
    assert scjg["closed_30d"] == 5
    assert with_today["figures"]["open"] == 1  # H


def test_staff_pages_need_login(client):
    for url in ("/supervision/alarms/", "/supervision/statistics/", "/supervision/dashboard/", "/supervision/audits/",
                "/supervision/interviews/", "/supervision/notifications/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize("url, role, status", [
    ("/supervision/alarms/", "clerk", 403),
    ("/supervision/alarms/", "reviewer", 200),
    ("/supervision/statistics/", "reviewer", 403),
    ("/supervision/statistics/", "approver", 200),
    ("/supervision/dashboard/data.json", "clerk", 403),
    ("/supervision/audits/", "approver", 403),
    ("/supervision/interviews/", "approver", 403),
    ("/supervision/interviews/", "supervisor", 200),
    ("/supervision/notifications/", "clerk", 200),
])
def test_pages_require_the_right_role(client, staff, url, role, status):
    assert login(client, staff[role]).get(url).status_code == status


def test_the_alarm_board_lists_cases_by_department_without_n_plus_one(client, staff, alarmed, receive):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from yichuang.core.calendar import workdays_between

    login(client, staff["supervisor"])
    with CaptureQueriesContext(connection) as three:
        page = client.get("/supervision/alarms/")
    text = page.content.decode()
    for case in alarmed:
        assert case.number in text
    late = workdays_between(datetime.date(2026, 11, 9), timezone.localdate())
    assert (f"超期 {late} 个工作日" if late else "已过到期日") in text
    for _ in range(4):
        accept(receive("2026-11-02"), staff["clerk"], "2026-11-02")
    sweep("2026-11-10", 9)
    with CaptureQueriesContext(connection) as seven:
        client.get("/supervision/alarms/")
    # Four more cases, no more queries (one may come and go: the calendar checks its stamp once a second).
    assert len(seven) <= len(three) + 1 and len(three) <= 25


def test_a_reviewer_sees_only_the_alarms_of_their_department(client, staff, alarmed):
    page = login(client, staff["other_reviewer"]).get("/supervision/alarms/")
    assert alarmed[0].number not in page.content.decode()


def test_a_supervisor_records_a_follow_up_and_its_outcome(client, staff, alarmed):
    login(client, staff["supervisor"])
    case = alarmed[0]
    url = reverse("supervision:followup_create", args=[case.pk])
    refused = client.post(url, {"instruction": ""}, HTTP_HX_REQUEST="true")
    assert "请填写督办意见" in refused.content.decode() and not FollowUp.objects.exists()
    done = client.post(url, {"instruction": "请今日办结并说明超期原因", "deadline_days": "1"}, HTTP_HX_REQUEST="true")
    assert done.status_code == 200 and "请今日办结并说明超期原因" in done.content.decode()
    followup = FollowUp.objects.get()
    assert followup.level == "overdue" and followup.created_by == staff["supervisor"]
    assert Notification.objects.filter(kind="follow_up", recipient=staff["approver"]).exists()
    assert Notification.objects.filter(kind="follow_up", recipient=staff["reviewer"]).exists()
    closed = client.post(reverse("supervision:followup_close", args=[followup.pk]),
                         {"outcome": "审查人员病假，已改派，当日办结"}, HTTP_HX_REQUEST="true")
    assert "已改派" in closed.content.decode()
    followup.refresh_from_db()
    assert followup.state == "closed" and followup.outcome_by == staff["supervisor"]


def test_only_supervisors_record_follow_ups(client, staff, alarmed):
    response = login(client, staff["approver"]).post(
        reverse("supervision:followup_create", args=[alarmed[0].pk]), {"instruction": "x"})
    assert response.status_code == 403 and not FollowUp.objects.exists()


def test_a_follow_up_on_a_case_out_of_scope_is_not_found(client, staff, alarmed, county):
    from yichuang.cases.tests.conftest import _staff
    from yichuang.org.models import Region

    elsewhere = Region.objects.create(code="339902000000", name="另一县", level=3, parent=county["county"].parent)
    stranger = _staff("other_supervisor", "supervisor", region=elsewhere)
    response = login(client, stranger).post(reverse("supervision:followup_create", args=[alarmed[0].pk]),
                                            {"instruction": "督办"})
    assert response.status_code == 404


def test_the_statistics_page_shows_each_figure_with_its_definition(client, staff, november,
                                                                   django_assert_max_num_queries):
    login(client, staff["supervisor"])
    # The case figures come from the rollups; the ratings (好差评) are one feedback summary of about 7 queries.
    with django_assert_max_num_queries(22):
        page = client.get("/supervision/statistics/", {"start": "2026-11-01", "end": "2026-11-30"})
    text = page.content.decode()
    assert 'data-metric="on_time_rate">80.0%' in text
    assert "办结件中决定日期不晚于承诺到期日的比例" in text
    table = client.get("/supervision/statistics/", {"start": "2026-11-01", "end": "2026-11-30", "slice": "channel"},
                       HTTP_HX_REQUEST="true")
    assert "<html" not in table.content.decode() and "网上办理" in table.content.decode()


def test_the_statistics_page_says_what_is_wrong_with_the_dates(client, staff):
    page = login(client, staff["supervisor"]).get("/supervision/statistics/", {"start": "2026-11-30",
                                                                                "end": "2026-11-01"})
    assert "结束日期早于开始日期" in page.content.decode()


def test_the_statistics_export_to_excel_has_the_definitions(client, staff, november):
    response = login(client, staff["supervisor"]).get(
        "/supervision/statistics/", {"start": "2026-11-01", "end": "2026-11-30", "slice": "department",
                                     "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["统计", "指标口径"]
    assert book["统计"]["A4"].value == "示例县市场监督管理局"


def test_the_alarm_board_exports_to_excel(client, staff, alarmed):
    response = login(client, staff["supervisor"]).get("/supervision/alarms/", {"format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    numbers = {row[2].value for row in book.active.iter_rows(min_row=2)}
    assert {c.number for c in alarmed} <= numbers
    assert "指标口径" in book.sheetnames


def test_reminders_are_listed_and_marked_read_only_for_their_owner(client, staff, alarmed):
    login(client, staff["reviewer"])
    page = client.get("/supervision/notifications/")
    assert "【超期】" in page.content.decode()
    mine = Notification.objects.filter(recipient=staff["reviewer"])
    theirs = Notification.objects.filter(recipient=staff["approver"]).first()
    client.post("/supervision/notifications/read/", {"id": [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.read_at is None
    client.post("/supervision/notifications/read/")
    assert not mine.filter(read_at__isnull=True).exists()


def test_an_audit_finding_is_recorded_from_the_page(client, staff, november, county):
    from yichuang.supervision.services import audit_draw

    from .conftest import at

    audit_round = audit_draw(actor=staff["supervisor"], month=datetime.date(2026, 11, 1), department=county["scjg"],
                             size=2, at=at("2026-12-01"))
    sample = audit_round.samples.first()
    login(client, staff["supervisor"])
    assert sample.case.number in client.get(f"/supervision/audits/{audit_round.pk}/").content.decode()
    response = client.post(reverse("supervision:audit_finding", args=[sample.pk]), {
        "finding": "defect", "category": ["documents", ""], "description": ["决定书未写明救济途径", ""]},
        HTTP_HX_REQUEST="true")
    assert "决定书未写明救济途径" in response.content.decode()
    defects_page = login(client, staff["reviewer"]).get("/supervision/defects/").content.decode()
    assert "决定书未写明救济途径" in defects_page and "反馈整改情况" in defects_page


def test_the_audit_and_defect_lists_export_to_excel(client, staff, november, county):
    from yichuang.supervision.services import audit_draw, audit_finding_record

    from .conftest import at

    audit_round = audit_draw(actor=staff["supervisor"], month=datetime.date(2026, 11, 1), department=county["scjg"],
                             size=1, seed=3, at=at("2026-12-01"))
    audit_finding_record(actor=staff["supervisor"], sample=audit_round.samples.get(), finding="defect",
                         defects=[{"category": "delivery", "description": "送达回证缺签名"}], at=at("2026-12-01"))
    login(client, staff["supervisor"])
    rounds = load_workbook(io.BytesIO(client.get("/supervision/audits/", {"format": "xlsx"}).content)).active
    assert [c.value for c in rounds[2]][:2] == ["2026-11", "示例县市场监督管理局"] and rounds[2][6].value == "3"
    defects = load_workbook(io.BytesIO(client.get("/supervision/defects/", {"format": "xlsx"}).content)).active
    assert defects[2][3].value == "送达回证缺签名"


def test_the_dashboard_shows_the_halls_queue_figures_and_the_ratings(db, client):
    """The hall's `dashboard_tickets(today=…)` fills the hall panel: plain figures, no ticket numbers, no persons.
    The ratings panel is always there (feedback's rating_summary; see test_ratings_stats.py)."""
    from django.core.cache import cache

    cache.clear()
    payload = client.get("/dashboard/data.json").json()
    hall = {item["label"]: item["value"] for item in payload["hall"]["items"]}
    assert hall["今日取号 / 已办结"] == "0 / 0" and hall["正在等候"] == 0 and hall["过号率"] == "—"
    assert [i["key"] for i in payload["ratings"]["items"]] == [
        "ratings", "satisfaction_rate", "levels", "bad", "rectification_rate"]
    cache.clear()
