"""GET /api/v1/calendar/…: deadline, workday and between, and how bad input is answered."""

import datetime

import pytest

from yichuang.api import api
from yichuang.core import calendar
from yichuang.core.services import calendar_set_day
from yichuang.org.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_calendar():
    calendar.clear_cache()
    yield
    calendar.clear_cache()


def errors_of(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_deadline_skips_national_day_and_counts_the_makeup_day(client):
    response = client.get("/api/v1/calendar/deadline", {"start": "2026-09-30", "days": 5})
    assert response.status_code == 200
    body = response.json()
    assert (body["start"], body["days"], body["date"], body["confirmed"]) == ("2026-09-30", 5, "2026-10-13", True)
    assert body["skipped"][0] == {"date": "2026-10-01", "kind": "holiday", "reason": "国庆节"}
    assert {"date": "2026-10-11", "kind": "weekend", "reason": "周末"} in body["skipped"]
    assert [d["date"] for d in body["special_workdays"]] == ["2026-10-10"]
    assert body["unconfirmed_years"] == []
    assert any("不计入" in line for line in body["explanation"])


def test_deadline_in_an_unannounced_year_is_unconfirmed(client):
    body = client.get("/api/v1/calendar/deadline", {"start": "2026-12-28", "days": 10}).json()
    assert body["date"] == "2027-01-11"
    assert body["confirmed"] is False
    assert body["unconfirmed_years"] == [2027]


def test_deadline_for_a_region_uses_its_own_days_off(client):
    county = Region.objects.create(code="330110000000", name="余杭区", level=3)
    calendar_set_day(actor=None, date=datetime.date(2026, 11, 23), kind="extra_off", name="中心搬迁",
                     region=county)
    national = client.get("/api/v1/calendar/deadline", {"start": "2026-11-20", "days": 1}).json()
    local = client.get("/api/v1/calendar/deadline",
                       {"start": "2026-11-20", "days": 1, "region": "330110000000"}).json()
    assert national["date"] == "2026-11-23"
    assert local["date"] == "2026-11-24"
    assert local["region"] == "330110000000"


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"start": "2026-13-01", "days": 5}, "start", "不是有效日期"),
        ({"start": "30/09/2026", "days": 5}, "start", "YYYY-MM-DD"),
        ({"days": 5}, "start", "缺少参数 start"),
        ({"start": "2026-09-30", "days": -1}, "days", "超出范围"),
        ({"start": "2026-09-30", "days": 366}, "days", "超出范围"),
        ({"start": "2026-09-30", "days": "五"}, "days", "不是整数"),
        ({"start": "2026-09-30"}, "days", "缺少参数 days"),
        ({"start": "2026-09-30", "days": 5, "region": "3301"}, "region", "12 位区划代码"),
    ],
)
def test_bad_deadline_input_is_a_422_naming_the_field_in_chinese(client, query, field, words):
    response = client.get("/api/v1/calendar/deadline", query)
    assert response.status_code == 422
    errors = errors_of(response)
    assert words in errors[field]
    assert field in errors[field]


def test_an_unknown_region_is_a_400_naming_the_field(client):
    response = client.get("/api/v1/calendar/deadline", {"start": "2026-09-30", "days": 5, "region": "330110000000"})
    assert response.status_code == 400
    assert "找不到区划代码为 330110000000 的地区" in errors_of(response)["region"]


def test_workday_says_whether_and_why(client):
    body = client.get("/api/v1/calendar/workday", {"date": "2026-10-10"}).json()
    assert body == {"date": "2026-10-10", "is_workday": True, "kind": "makeup", "reason": "国庆节调休上班",
                    "confirmed": True, "region": None}
    body = client.get("/api/v1/calendar/workday", {"date": "2026-10-02"}).json()
    assert (body["is_workday"], body["reason"]) == (False, "国庆节")
    body = client.get("/api/v1/calendar/workday", {"date": "2027-01-01"}).json()
    assert (body["is_workday"], body["confirmed"]) == (True, False)
    response = client.get("/api/v1/calendar/workday", {"date": "明天"})
    assert response.status_code == 422 and "date" in errors_of(response)


def test_between_counts_after_start_up_to_end(client):
    body = client.get("/api/v1/calendar/between", {"start": "2026-09-30", "end": "2026-10-13"}).json()
    assert (body["workdays"], body["confirmed"]) == (5, True)
    body = client.get("/api/v1/calendar/between", {"start": "2026-12-30", "end": "2027-01-05"}).json()
    assert (body["workdays"], body["unconfirmed_years"]) == (4, [2027])
    response = client.get("/api/v1/calendar/between", {"start": "2026-12-30"})
    assert response.status_code == 422 and "缺少参数 end" in errors_of(response)["end"]


def test_openapi_documents_the_calendar_parameters_as_required():
    schema = api.get_openapi_schema()
    params = {p["name"]: p for p in schema["paths"]["/api/v1/calendar/deadline"]["get"]["parameters"]}
    assert params["start"]["required"] and params["days"]["required"]
    assert not params["region"].get("required", False)
