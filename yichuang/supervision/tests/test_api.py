"""The supervision API: every figure and list, for a staff session or a bearer token."""

import pytest

from yichuang.org.tokens import api_token_create
from yichuang.supervision.metrics import METRICS

from .conftest import accept, sweep

API = "/api/v1/supervision"


@pytest.fixture
def token(staff):
    _token, clear = api_token_create(actor=None, user=staff["supervisor"], name="省电子监察平台")
    return clear


def bearer(value):
    return {"HTTP_AUTHORIZATION": f"Bearer {value}"}


def test_the_metric_definitions_are_public(client):
    response = client.get(f"{API}/metrics")
    assert response.status_code == 200
    assert [m["key"] for m in response.json()] == [m.key for m in METRICS]
    assert all(m["definition"] for m in response.json())


def test_statistics_with_a_token(client, november, token):
    response = client.get(f"{API}/statistics", {"start": "2026-11-01", "end": "2026-11-30", "slice": "channel"},
                          **bearer(token))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["total"]["figures"]["on_time_rate"] == 80.0 and data["total"]["display"]["on_time_rate"] == "80.0%"
    assert {row["key"] for row in data["rows"]} == {"window", "online"}
    assert len(data["metrics"]) == len(METRICS)


def test_statistics_refuse_without_login_and_without_the_role(client, staff):
    assert client.get(f"{API}/statistics", {"start": "2026-11-01", "end": "2026-11-30"}).status_code == 401
    client.force_login(staff["clerk"])
    response = client.get(f"{API}/statistics", {"start": "2026-11-01", "end": "2026-11-30"})
    assert response.status_code == 403 and "电子监察人员" in response.json()["detail"]


def test_statistics_explain_bad_dates(client, staff):
    client.force_login(staff["supervisor"])
    response = client.get(f"{API}/statistics", {"start": "2026-13-01", "end": "2026-11-30"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "start"
    assert client.get(f"{API}/statistics", {"start": "2026-11-30", "end": "2026-11-01"}).status_code == 422


def test_alarms_and_alarm_events(client, staff, receive, token):
    case = accept(receive("2026-11-02"), staff["clerk"], "2026-11-02")
    sweep("2026-11-06")
    sweep("2026-11-09")
    alarms = client.get(f"{API}/alarms", **bearer(token)).json()
    assert [(a["case_number"], a["level"]) for a in alarms] == [(case.number, "red")]
    assert alarms[0]["steps"][0]["level"] == "overdue"
    events = client.get(f"{API}/alarm-events", **bearer(token)).json()
    assert [(e["from_level"], e["to_level"]) for e in events if e["step"] is None] == [("yellow", "red"),
                                                                                       ("normal", "yellow")]


def test_the_public_dashboard_api_needs_no_login(client, november):
    response = client.get(f"{API}/public/dashboard")
    assert response.status_code == 200 and len(response.json()["trend"]["days"]) == 30


def test_the_staff_dashboard_carries_department_ids(client, staff, november):
    client.force_login(staff["supervisor"])
    data = client.get(f"{API}/dashboard").json()
    assert all("id" in d for d in data["departments"])


def test_audits_interviews_and_notifications(client, staff, november, county, token):
    import datetime

    from yichuang.supervision.services import audit_draw

    from .conftest import at

    audit_round = audit_draw(actor=staff["supervisor"], month=datetime.date(2026, 11, 1), department=county["scjg"],
                             size=2, seed=99, at=at("2026-12-01"))
    rounds = client.get(f"{API}/audits", **bearer(token)).json()
    assert [(r["seed"], r["drawn"], r["population"]) for r in rounds] == [(99, 2, 5)]
    detail = client.get(f"{API}/audits/{audit_round.pk}", **bearer(token)).json()
    assert len(detail["samples"]) == 2
    interviews = client.get(f"{API}/interviews", **bearer(token)).json()
    assert [h["staff"] for h in interviews["handlers"]] == ["approver"]
    client.force_login(staff["reviewer"])
    assert client.get(f"{API}/interviews").status_code == 403
    notes = client.get(f"{API}/notifications").json()
    assert notes and all(n["kind"] == "alarm" for n in notes)
