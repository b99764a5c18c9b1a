"""The hall API for kiosks, display hardware and consoles (/api/v1/hall/)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from yichuang.hall import services
from yichuang.hall.models import Ticket

from .conftest import MONDAY, when

pytestmark = pytest.mark.django_db
NOW = when(MONDAY, 10)
API = "/api/v1/hall"


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_kiosk_hardware_takes_a_ticket_and_a_retry_gets_the_same(client, hall, frozen):
    body = {"line": "general", "request_key": "hw-7-0001", "category": "pregnant"}
    first = post(client, f"{API}/centres/SLX/tickets", body)
    again = post(client, f"{API}/centres/SLX/tickets", body)
    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["number"] == again.json()["number"] == "A001"
    assert first.json()["category"] == "pregnant" and first.json()["status_url"].endswith(f"/hall/t/{first.json()['token']}/")
    assert Ticket.objects.get().source == Ticket.Source.API


def test_take_by_item_code_and_errors_in_chinese(client, hall, frozen):
    ok = post(client, f"{API}/centres/SLX/tickets", {"item": hall.item.item.implementation_code})
    assert ok.status_code == 201 and ok.json()["line"] == "general"
    bad = post(client, f"{API}/centres/SLX/tickets", {"line": "general", "phone": "123"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "phone"
    assert "11 位" in bad.json()["errors"][0]["message"]
    assert post(client, f"{API}/centres/NOPE/tickets", {"line": "general"}).status_code == 404


def test_ticket_status_and_lines(client, hall, frozen):
    ticket = services.ticket_take(centre=hall.centre, line=hall.general)
    status = client.get(f"{API}/tickets/{ticket.token}").json()
    assert (status["number"], status["ahead"], status["estimated_wait_minutes"]) == ("A001", 0, 0)
    lines = {row["code"]: row for row in client.get(f"{API}/centres/SLX/lines").json()}
    assert lines["general"]["waiting"] == 1 and lines["estate"]["waiting"] == 0


def test_call_events_since_a_cursor_for_display_hardware(client, hall, frozen):
    services.ticket_take(centre=hall.centre, line=hall.general)
    services.ticket_take(centre=hall.centre, line=hall.general)
    empty = client.get(f"{API}/centres/SLX/calls").json()
    assert empty == {"cursor": 0, "calls": []}
    services.ticket_call_next(actor=hall.clerk, window=hall.a01)
    first = client.get(f"{API}/centres/SLX/calls", {"since": 0}).json()
    assert [(c["number"], c["window"]) for c in first["calls"]] == [("A001", "A01")]
    services.ticket_call_next(actor=hall.clerk2, window=hall.a02)
    later = client.get(f"{API}/centres/SLX/calls", {"since": first["cursor"]}).json()
    assert [c["number"] for c in later["calls"]] == ["A002"] and later["cursor"] > first["cursor"]


def test_console_actions_need_a_staff_session_with_csrf(hall, frozen):
    services.ticket_take(centre=hall.centre, line=hall.general)
    anonymous = Client(enforce_csrf_checks=True)
    assert post(anonymous, f"{API}/windows/{hall.a01.pk}/call-next").status_code in (401, 403)
    clerk = Client(enforce_csrf_checks=True)
    clerk.force_login(hall.clerk)
    refused = post(clerk, f"{API}/windows/{hall.a01.pk}/call-next")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    clerk.get("/hall/console/")  # sets the csrftoken cookie
    token = clerk.cookies["csrftoken"].value
    called = clerk.post(f"{API}/windows/{hall.a01.pk}/call-next", content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert called.status_code == 200 and called.json()["ticket"]["number"] == "A001"
    other = clerk.post(f"{API}/windows/{hall.a02.pk}/call-next", content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert other.status_code == 403


def test_console_api_recall_skip_and_finish(client, hall, frozen):
    hall.settings.recalls_before_skip = 1
    hall.settings.save()
    services.ticket_take(centre=hall.centre, line=hall.general)
    services.ticket_take(centre=hall.centre, line=hall.general)
    client.force_login(hall.clerk)
    base = f"{API}/windows/{hall.a01.pk}"
    post(client, f"{base}/call-next")
    early = post(client, f"{base}/tickets/A001/skip")
    assert early.status_code == 400 and early.json()["code"] == "recall_first"
    assert post(client, f"{base}/tickets/A001/recall").json()["status"] == "called"
    assert post(client, f"{base}/tickets/A001/skip").json()["status"] == "no_show"
    assert post(client, f"{base}/call-next").json()["ticket"]["number"] == "A002"
    moved = post(client, f"{base}/tickets/A002/transfer", {"to_line": "estate", "note": "不动产"})
    assert moved.json()["status"] == "waiting" and moved.json()["line"] == "estate"
    assert post(client, f"{base}/pause", {"reason": "break"}).json()["state"] == "paused"
    assert client.get(base).json()["state_label"] == "暂停"


def test_yesterdays_ticket_is_refused_by_the_api(client, hall, monkeypatch):
    services.ticket_take(centre=hall.centre, line=hall.general, at=when(MONDAY, 9))
    monkeypatch.setattr(timezone, "now", lambda: when("2026-11-03", 10))
    client.force_login(hall.clerk)
    answer = post(client, f"{API}/windows/{hall.a01.pk}/tickets/A001/call")
    assert answer.status_code == 400 and answer.json()["code"] == "expired"


def test_booking_through_the_api(client, hall, frozen):
    slots = client.get(f"{API}/centres/SLX/lines/general/slots", {"day": "2026-11-03"}).json()
    assert slots[0] == {"starts_at": "09:00", "ends_at": "09:30", "capacity": 4, "available": 4}
    booked = post(client, f"{API}/centres/SLX/appointments", {
        "line": "general", "day": "2026-11-03", "starts_at": "09:00", "name": "李四",
        "id_number": "330102199001010012", "phone": "13800138001",
    })
    assert booked.status_code == 201 and len(booked.json()["code"]) == 6
    again = post(client, f"{API}/centres/SLX/appointments", {
        "line": "general", "day": "2026-11-04", "starts_at": "09:00", "name": "李四",
        "id_number": "330102199001010012", "phone": "13800138001",
    })
    assert again.status_code == 400 and again.json()["code"] == "already_booked"


def test_metrics_api_for_the_users_scope(client, hall, frozen):
    services.ticket_take(centre=hall.centre, line=hall.general)
    client.force_login(hall.staff["supervisor"])
    data = client.get(f"{API}/metrics", {"centre": "SLX", "by": "line"}).json()
    assert data["total"]["tickets"] == 1 and data["date_from"] == datetime.date(2026, 11, 2).isoformat()
    client.force_login(hall.staff["reviewer"])
    assert client.get(f"{API}/metrics", {"centre": "SLX"}).status_code == 403
