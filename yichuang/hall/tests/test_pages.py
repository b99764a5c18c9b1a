"""The hall's pages: kiosk, phone, display, console, metrics, booking — with the clock held still."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from yichuang.core.ratelimit import Limit
from yichuang.hall import services, views_public
from yichuang.hall.models import Appointment, HallArea, Ticket, WindowState

from .conftest import MONDAY, when

pytestmark = pytest.mark.django_db
PERSON = "330102199001010012"
NOW = when(MONDAY, 10)


@pytest.fixture
def frozen(monkeypatch):
    """Every page sees Monday 2 November 2026, 10:00 in the hall."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.fixture
def centre_url(hall):
    def url(name, *args):
        return reverse(f"hall:{name}", args=[hall.centre.code, *args])

    return url


def test_kiosk_lists_lines_with_waiting_and_estimate(client, hall, frozen, centre_url):
    services.ticket_take(centre=hall.centre, line=hall.general)
    page = client.get(centre_url("kiosk")).content.decode()
    assert "综合受理" in page and "不动产登记" in page
    assert "等候 1 人" in page and "约 10 分钟" in page
    assert "csrftoken" in client.cookies


def test_kiosk_number_comes_only_from_the_servers_answer_and_a_retry_gets_the_same(client, hall, frozen, centre_url):
    confirm = client.get(centre_url("kiosk_confirm", "general") + "?category=elderly").content.decode()
    key = re.search(r'name="request_key" value="([0-9a-f]{32})"', confirm).group(1)
    assert 'value="elderly"' in confirm and "A001" not in confirm
    form = {"line": "general", "category": "elderly", "request_key": key, "phone": ""}
    first = client.post(centre_url("kiosk_take"), form, HTTP_HX_REQUEST="true").content.decode()
    again = client.post(centre_url("kiosk_take"), form, HTTP_HX_REQUEST="true").content.decode()
    assert "A001" in first and "A001" in again and "A002" not in again
    assert Ticket.objects.get().category == Ticket.Category.ELDERLY
    assert "data-takes-ticket" in confirm  # the kiosk script says "no number" if this request fails


def test_kiosk_shows_why_no_ticket_was_issued(client, hall, frozen, centre_url):
    hall.settings.is_enabled = False
    hall.settings.save()
    answer = client.post(centre_url("kiosk_take"), {"line": "general"}).content.decode()
    assert "未能取号" in answer and "未启用排队取号" in answer
    assert not re.search(r"A\d{3}", answer)


def test_kiosk_says_up_front_when_no_ticket_can_be_taken(client, hall, monkeypatch, centre_url):
    monkeypatch.setattr(timezone, "now", lambda: when(MONDAY, 10))
    assert "data-closed" not in client.get(centre_url("kiosk")).content.decode()
    monkeypatch.setattr(timezone, "now", lambda: when("2026-11-01", 10))  # the Sunday before
    page = client.get(centre_url("kiosk")).content.decode()
    assert "data-closed" in page and "休息，不办理业务" in page


def test_kiosk_is_rate_limited_per_address(client, hall, frozen, centre_url, monkeypatch):
    monkeypatch.setattr(views_public, "KIOSK_LIMIT", Limit("hall-kiosk-test", max_hits=2, window_seconds=60))
    for _ in range(2):
        client.post(centre_url("kiosk_take"), {"line": "general"})
    answer = client.post(centre_url("kiosk_take"), {"line": "general"}).content.decode()
    assert "过于频繁" in answer and Ticket.objects.count() == 2


def test_kiosk_checks_in_an_appointment_found_by_id_number(client, hall, frozen, centre_url):
    appointment = services.appointment_book(
        line=hall.general, day=datetime.date(2026, 11, 2), starts_at=datetime.time(10), name="李四",
        id_number=PERSON, phone="13800138001", at=when("2026-10-30", 15),
    )
    found = client.post(centre_url("kiosk_lookup"), {"id_number": PERSON}).content.decode()
    assert "10:00–10:30" in found and "签到取号" in found
    # The appointment id alone is not enough: the credential typed at the kiosk must match.
    refused = client.post(centre_url("kiosk_checkin"), {"appointment": appointment.pk, "id_number": "330102199001010020"})
    assert "没有找到这个预约" in refused.content.decode()
    answer = client.post(centre_url("kiosk_checkin"), {"appointment": appointment.pk, "id_number": PERSON}).content.decode()
    assert "A001" in answer and "预约" in answer
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CHECKED_IN


def test_kiosk_lookup_rejects_a_malformed_id_number(client, hall, frozen, centre_url):
    answer = client.post(centre_url("kiosk_lookup"), {"id_number": "12345"}).content.decode()
    assert "18 位" in answer


def test_phone_take_keeps_the_ticket_and_shows_progress(client, hall, frozen, centre_url):
    response = client.post(centre_url("phone_take"), {"line": "estate", "category": "normal", "phone": ""})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("hall:ticket", args=[ticket.token])
    assert ticket.source == Ticket.Source.PHONE
    again = client.get(centre_url("phone_take")).content.decode()
    assert "您今天已取号" in again and ticket.number in again
    status = client.get(reverse("hall:ticket_status", args=[ticket.token])).content.decode()
    assert "B001" in status and "前面等候" in status and 'hx-trigger="every 5s"' in status


def test_phone_page_says_where_to_go_when_called(client, hall, frozen):
    ticket = services.ticket_take(centre=hall.centre, line=hall.general)
    services.ticket_call_next(actor=hall.clerk, window=hall.a01)
    page = client.get(reverse("hall:ticket", args=[ticket.token])).content.decode()
    assert 'data-called-number="A001"' in page and "A01" in page


def test_person_leaves_the_queue_from_the_phone(client, hall, frozen):
    ticket = services.ticket_take(centre=hall.centre, line=hall.general)
    client.post(reverse("hall:ticket_cancel", args=[ticket.token]))
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CANCELLED


def test_unknown_ticket_token_is_404(client, hall):
    assert client.get(reverse("hall:ticket", args=["nope"])).status_code == 404


def test_display_redraws_only_when_a_call_happened(client, hall, frozen, centre_url, monkeypatch):
    monkeypatch.setattr(views_public.time, "time", lambda: 1_000_000.0)
    services.ticket_take(centre=hall.centre, line=hall.general)
    page = client.get(centre_url("display")).content.decode()
    cursor = re.search(r"cursor=(\d+)", page).group(1)
    quiet = client.get(centre_url("display_fragment"), {"cursor": cursor, "rendered": "1000000"})
    assert quiet.status_code == 204
    services.ticket_call_next(actor=hall.clerk, window=hall.a01)
    fresh = client.get(centre_url("display_fragment"), {"cursor": cursor, "rendered": "1000000"})
    body = fresh.content.decode()
    assert fresh.status_code == 200 and 'data-now-number="A001"' in body and 'data-new-call="1"' in body
    assert "李" not in body and PERSON not in body


def test_display_fragment_is_a_handful_of_queries(client, hall, frozen, centre_url, django_assert_max_num_queries):
    for minute in range(6):
        services.ticket_take(centre=hall.centre, line=hall.general if minute % 2 else hall.estate)
    services.ticket_call_next(actor=hall.clerk, window=hall.a01)
    with django_assert_max_num_queries(12):
        assert client.get(centre_url("display_fragment"), {"cursor": "0"}).status_code == 200


def test_display_per_hall_area(client, hall, frozen, centre_url):
    area = HallArea.objects.create(centre=hall.centre, code="2f", name="二楼")
    hall.estate.area = area
    hall.estate.save()
    page = client.get(centre_url("display_area", "2f")).content.decode()
    assert "不动产登记" in page and "综合受理" not in page
    assert client.get(centre_url("display_area", "9f")).status_code == 404


# --- the console ----------------------------------------------------------------------------------------


def hx(client, url, data=None):
    return client.post(url, data or {}, HTTP_HX_REQUEST="true")


def test_console_needs_a_window_assignment(client, hall, frozen):
    client.force_login(hall.staff["supervisor"])
    assert client.get(reverse("hall:console")).status_code == 403
    client.force_login(hall.clerk)
    assert client.get(reverse("hall:console_window", args=[hall.a02.pk])).status_code == 403
    assert client.get(reverse("hall:console")).status_code == 200


def test_console_calls_serves_and_finishes_without_a_reload(client, hall, frozen):
    ticket = services.ticket_take(centre=hall.centre, line=hall.general, category=Ticket.Category.DISABLED)
    client.force_login(hall.clerk)
    act = lambda action: reverse("hall:console_act", args=[hall.a01.pk, action])  # noqa: E731
    called = hx(client, act("call-next"))
    body = called.content.decode()
    assert 'data-current-number="A001"' in body and "残疾人" in body
    assert json.loads(called["HX-Trigger"]) == {"hall-called": {"number": "A001"}}
    assert 'id="console-queue" class="console-queue" hx-swap-oob="true"' in body
    assert f"/desk/?ticket={ticket.pk}&amp;number=A001" in body
    assert "已叫号" in body and "disabled" in body  # skip waits for the recalls
    hx(client, act("start"), {"ticket": ticket.pk})
    finished = hx(client, act("finish"), {"ticket": ticket.pk})
    assert "A001 已办结" in finished.content.decode()
    assert json.loads(finished["HX-Trigger"])["hall-finished"]["ticket"] == ticket.pk
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.DONE and ticket.clerk == hall.clerk


def test_console_explains_a_refused_action(client, hall, frozen):
    ticket = services.ticket_take(centre=hall.centre, line=hall.general)
    client.force_login(hall.clerk)
    hx(client, reverse("hall:console_act", args=[hall.a01.pk, "call-next"]))
    answer = hx(client, reverse("hall:console_act", args=[hall.a01.pk, "skip"]), {"ticket": ticket.pk}).content.decode()
    assert "请再重呼 2 次" in answer
    missing = hx(client, reverse("hall:console_act", args=[hall.a01.pk, "call"]), {"number": "Q999"}).content.decode()
    assert "没有找到号码 Q999" in missing


def test_console_pause_and_resume(client, hall, frozen):
    client.force_login(hall.clerk)
    paused = hx(client, reverse("hall:console_act", args=[hall.a01.pk, "pause"]), {"reason": "back_office"})
    assert "暂停中：后台办理" in paused.content.decode()
    assert WindowState.objects.get(window=hall.a01).state == WindowState.State.PAUSED
    hx(client, reverse("hall:console_act", args=[hall.a01.pk, "resume"]))
    assert WindowState.objects.get(window=hall.a01).state == WindowState.State.OPEN


def test_console_without_htmx_falls_back_to_a_redirect(client, hall, frozen):
    services.ticket_take(centre=hall.centre, line=hall.general)
    client.force_login(hall.clerk)
    response = client.post(reverse("hall:console_act", args=[hall.a01.pk, "call-next"]))
    assert response.status_code == 302
    assert Ticket.objects.get().status == Ticket.Status.CALLED


def test_console_page_is_a_fixed_number_of_queries(client, hall, frozen, django_assert_max_num_queries):
    for minute in range(10):
        services.ticket_take(centre=hall.centre, line=hall.general if minute % 3 else hall.estate)
    client.force_login(hall.clerk2)
    services.ticket_call_next(actor=hall.clerk2, window=hall.a02)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("hall:console_window", args=[hall.a02.pk])).status_code == 200


def test_console_action_needs_the_csrf_token(hall, frozen):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(hall.clerk)
    assert strict.post(reverse("hall:console_act", args=[hall.a01.pk, "call-next"])).status_code == 403


# --- metrics, poster, booking -----------------------------------------------------------------------------


def test_metrics_page_for_supervisors_and_clerks_not_for_reviewers(client, hall, frozen):
    services.ticket_take(centre=hall.centre, line=hall.general)
    client.force_login(hall.staff["supervisor"])
    page = client.get(reverse("hall:metrics"), {"by": "window"}).content.decode()
    assert "大厅统计" in page and "按窗口" in page
    client.force_login(hall.staff["reviewer"])
    assert client.get(reverse("hall:metrics")).status_code == 403


def test_metrics_period_is_limited(client, hall, frozen):
    client.force_login(hall.staff["supervisor"])
    page = client.get(reverse("hall:metrics"), {"from": "2025-01-01", "to": "2026-11-02"}).content.decode()
    assert "最多统计 92 天" in page


def test_door_poster_has_the_phone_take_qr(client, hall, frozen):
    client.force_login(hall.clerk)
    page = client.get(reverse("hall:door_poster", args=[hall.centre.code])).content.decode()
    assert "<svg" in page and f"/hall/{hall.centre.code}/take/" in page


def test_booking_flow_book_change_cancel(client, hall, frozen, centre_url):
    slots = client.get(centre_url("book_slots", "general"), {"day": "2026-11-03"}).content.decode()
    assert 'value="09:30"' in slots
    response = client.post(centre_url("book_slots", "general"), {
        "day": "2026-11-03", "slot": "09:30", "name": "李四", "id_number": PERSON, "phone": "13800138001",
    })
    appointment = Appointment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("hall:appointment", args=[appointment.token])
    page = client.get(response["Location"]).content.decode()
    assert appointment.code in page and PERSON not in page and "3301**********0012" in page
    client.post(reverse("hall:appointment_reschedule", args=[appointment.token]), {"day": "2026-11-04", "slot": "14:00"})
    appointment.refresh_from_db()
    assert (appointment.day, appointment.starts_at) == (datetime.date(2026, 11, 4), datetime.time(14))
    client.post(reverse("hall:appointment_cancel", args=[appointment.token]))
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED


def test_booking_form_shows_each_problem_beside_its_field(client, hall, frozen, centre_url):
    page = client.post(centre_url("book_slots", "general"), {
        "day": "2026-11-03", "slot": "09:30", "name": "", "id_number": "123", "phone": "1",
    }).content.decode()
    assert "请填写姓名" in page and "18 位" in page and "手机号码应为 11 位" in page
    assert Appointment.objects.count() == 0


def test_console_opens_the_front_desk_for_the_persons_item_without_personal_data_in_the_link(client, hall, frozen):
    ticket = services.ticket_take(centre=hall.centre, item=hall.item.item, id_number=PERSON, phone="13800138001")
    client.force_login(hall.clerk)
    body = hx(client, reverse("hall:console_act", args=[hall.a01.pk, "call-next"])).content.decode()
    code = hall.item.item.implementation_code
    assert f"/desk/new/{code}/?ticket={ticket.pk}&amp;number=A001" in body
    assert PERSON not in body and "13800138001" not in body


# --- by item at the kiosk, the person's ID carried to the window, the online hall's 我的预约 --------------


def test_kiosk_takes_a_ticket_by_item_through_its_department(client, hall, frozen, centre_url):
    code = hall.item.item.implementation_code
    department = hall.item.department
    start = client.get(centre_url("kiosk_items")).content.decode()
    assert "按事项取号" in start and (department.short_name or department.name) in start
    listed = client.get(centre_url("kiosk_items"), {"dept": department.code, "category": "pregnant"}).content.decode()
    assert hall.item.name in listed
    assert f"/kiosk/confirm/general/?item={code}&amp;category=pregnant" in listed
    confirm = client.get(centre_url("kiosk_confirm", "general"), {"item": code, "category": "pregnant"}).content.decode()
    key = re.search(r'name="request_key" value="([0-9a-f]{32})"', confirm).group(1)
    client.post(centre_url("kiosk_take"), {"line": "general", "item": code, "category": "pregnant", "request_key": key})
    ticket = Ticket.objects.get()
    assert (ticket.line, ticket.item, ticket.category) == (hall.general, hall.item.item, Ticket.Category.PREGNANT)


def test_kiosk_home_offers_both_ways_in(client, hall, frozen, centre_url):
    home = client.get(centre_url("kiosk")).content.decode()
    assert centre_url("kiosk_items") in home and centre_url("kiosk_lookup") in home


def test_a_ticket_taken_after_the_id_lookup_knows_the_person_without_the_id_in_an_address(
        client, hall, frozen, centre_url):
    from yichuang.cases import services as case_services
    from yichuang.cases.models import Applicant
    from yichuang.cases.tests.conftest import at, complete_checklist

    elderly = "330102195001010014"  # 76 on the day
    person = case_services.applicant_register(actor=hall.clerk, kind=Applicant.Kind.PERSON, name="赵老伯",
                                              id_number=elderly, phone="13800138009")
    case_services.case_receive(actor=hall.clerk, item_version=hall.item, applicant=person, centre=hall.centre,
                               window=hall.a01, materials=complete_checklist(hall.item), at=at("2026-10-30", 9))
    found = client.post(centre_url("kiosk_lookup"), {"id_number": elderly}).content.decode()
    assert hall.item.name in found
    assert f'hx-post="{centre_url("kiosk_confirm", "general")}"' in found and elderly in found  # in a form field
    assert f"?id_number={elderly}" not in found
    confirm = client.post(centre_url("kiosk_confirm", "general"), {"id_number": elderly}).content.decode()
    assert "3301**********0014" in confirm and f'name="id_number" value="{elderly}"' in confirm
    key = re.search(r'name="request_key" value="([0-9a-f]{32})"', confirm).group(1)
    client.post(centre_url("kiosk_take"), {"line": "general", "id_number": elderly, "request_key": key})
    ticket = Ticket.objects.get()
    assert ticket.id_number == elderly and ticket.category == Ticket.Category.ELDERLY
    # A malformed number sent to the confirmation is dropped, not carried on.
    dropped = client.post(centre_url("kiosk_confirm", "general"), {"id_number": "12345"}).content.decode()
    assert 'name="id_number"' not in dropped


def test_console_offers_the_lines_items_for_a_ticket_taken_by_line(client, hall, frozen):
    ticket = services.ticket_take(centre=hall.centre, line=hall.general, id_number=PERSON)
    client.force_login(hall.clerk)
    body = hx(client, reverse("hall:console_act", args=[hall.a01.pk, "call-next"])).content.decode()
    code = hall.item.item.implementation_code
    assert f'<option value="{code}">{hall.item.name}</option>' in body
    assert reverse("hall:console_desk", args=[hall.a01.pk]) in body and PERSON not in body
    desk = reverse("hall:console_desk", args=[hall.a01.pk])
    chosen = client.get(desk, {"ticket": ticket.pk, "item": code})
    assert chosen.status_code == 302
    assert chosen["Location"] == f"/desk/new/{code}/?ticket={ticket.pk}&number=A001"
    # An item the line does not take, or none, opens the desk's item finder with the ticket.
    assert client.get(desk, {"ticket": ticket.pk, "item": "NOPE"})["Location"] == f"/desk/?ticket={ticket.pk}&number=A001"
    # And the desk's form is filled from the ticket for this clerk.
    form = client.get(chosen["Location"]).content.decode()
    assert PERSON in form and "叫号 A001" in form
    # Another window's clerk cannot use this window's hand-off.
    client.force_login(hall.clerk2)
    assert client.get(desk, {"ticket": ticket.pk, "item": code}).status_code == 403


def test_my_appointments_in_the_online_hall(client, hall, frozen, centre_url):
    from yichuang.portal import services as portal_services
    from yichuang.portal.auth import EPOCH_KEY, SESSION_KEY

    mine = reverse("hall:my_appointments")
    assert client.get(mine)["Location"] == f"{reverse('portal:login')}?next={mine}"
    account, _created = portal_services.account_open(mobile="13800138001")
    session = client.session
    session[SESSION_KEY], session[EPOCH_KEY] = account.pk, account.session_epoch
    session.save()
    assert "去实名认证" in client.get(mine).content.decode()
    account = portal_services.account_verify_person(account=account, name="李四", id_number=PERSON)
    form = client.get(centre_url("book_slots", "general"), {"day": "2026-11-03"}).content.decode()
    assert f'value="{PERSON}"' in form and 'value="李四"' in form and 'value="13800138001"' in form
    client.post(centre_url("book_slots", "general"), {
        "day": "2026-11-03", "slot": "09:30", "name": "李四", "id_number": PERSON, "phone": "13800138001",
    })
    someone_else = services.appointment_book(
        line=hall.estate, day=datetime.date(2026, 11, 3), starts_at=datetime.time(10), name="王五",
        id_number="330102199001010020", phone="13800138002",
    )
    page = client.get(mine).content.decode()
    appointment = Appointment.objects.get(name="李四")
    assert appointment.code in page and reverse("hall:appointment", args=[appointment.token]) in page
    assert someone_else.code not in page and "改约" in page


def test_the_dashboard_panel_counts_todays_queue_without_numbers_or_names(hall, frozen):
    from yichuang.hall.selectors import dashboard_tickets

    first = services.ticket_take(centre=hall.centre, line=hall.general, id_number=PERSON, at=when(MONDAY, 9, 30))
    services.ticket_take(centre=hall.centre, line=hall.general, at=when(MONDAY, 9, 40))
    services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 9, 50))
    services.ticket_finish(actor=hall.clerk, window=hall.a01, ticket=first, at=when(MONDAY, 10, 2))
    panel = dashboard_tickets(today=datetime.date(2026, 11, 2))
    figures = {row["label"]: row["value"] for row in panel["items"]}
    assert figures["今日取号 / 已办结"] == "2 / 1" and figures["正在等候"] == 1
    assert figures["平均等候 / 办理（分钟）"] == "20.0 / 12.0" and figures["过号率"] == "0.0%"
    assert "A001" not in json.dumps(panel, ensure_ascii=False)
    assert dashboard_tickets(today=datetime.date(2026, 11, 3))["items"][0]["value"] == "0 / 0"
