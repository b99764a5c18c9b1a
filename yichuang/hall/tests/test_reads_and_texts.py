"""Texts to the queue, the display's reads, the hand-off to the front desk, and the metrics."""

import datetime

import pytest

from yichuang.hall import selectors, services
from yichuang.hall.models import SmsMessage, WindowState
from yichuang.hall.sms import SmsBackend, SmsSendError

from .conftest import MONDAY, when

pytestmark = pytest.mark.django_db
PERSON = "330102199001010012"


class RefusingGateway(SmsBackend):
    def send(self, *, phone, text, reference):
        raise SmsSendError("网关拒绝：签名未报备")


def take(hall, minute=0, phone="", line=None, **kwargs):
    return services.ticket_take(centre=hall.centre, line=line or hall.general, phone=phone, at=when(MONDAY, 9, minute), **kwargs)


def test_texts_go_out_after_commit_on_issue_and_on_call(hall, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = take(hall, phone="13800138001")
    issued = SmsMessage.objects.get(ticket=ticket)
    assert issued.status == SmsMessage.Status.SENT and "A001" in issued.text and issued.phone_last4 == "8001"
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 10))
    assert SmsMessage.objects.filter(ticket=ticket, text__contains="A01 窗口").exists()


def test_loading_history_texts_nobody(hall, django_capture_on_commit_callbacks):
    from yichuang.core.notify import sms_suppressed

    with sms_suppressed(), django_capture_on_commit_callbacks(execute=True):
        take(hall, phone="13800138001")
    assert not SmsMessage.objects.exists()


def test_texts_go_through_the_platforms_gateway(hall, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.HALL_SMS_BACKEND = "yichuang.hall.sms.PlatformGatewayBackend"
    settings.DATA_DIR = tmp_path  # the platform's local gateway writes its outbox file there
    with django_capture_on_commit_callbacks(execute=True):
        ticket = take(hall, phone="13800138001")
    outbox = (tmp_path / "sms-outbox.jsonl").read_text(encoding="utf-8")
    assert "13800138001" in outbox and ticket.number in outbox


def test_a_refused_text_is_recorded_as_failed(hall, settings, django_capture_on_commit_callbacks):
    settings.HALL_SMS_BACKEND = f"{__name__}.RefusingGateway"
    with django_capture_on_commit_callbacks(execute=True):
        ticket = take(hall, phone="13800138001")
    message = SmsMessage.objects.get(ticket=ticket)
    assert message.status == SmsMessage.Status.FAILED and "签名未报备" in message.error


def test_people_close_to_the_front_are_texted_once(hall, django_capture_on_commit_callbacks):
    tickets = [take(hall, minute=m, phone=f"1380013800{m}") for m in range(5)]
    SmsMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 10))
    near = SmsMessage.objects.filter(text__contains="即将轮到")
    assert sorted(m.ticket.number for m in near) == ["A002", "A003", "A004"]
    services.ticket_finish(actor=hall.clerk, window=hall.a01, ticket=tickets[0], at=when(MONDAY, 10, 5))
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 10, 6))
    assert SmsMessage.objects.filter(text__contains="即将轮到").count() == 4  # A005 now, the others not again


def test_the_display_shows_each_ticket_once_with_its_latest_call(hall):
    first, second = take(hall, minute=0), take(hall, minute=1)
    services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 10))
    services.ticket_call_next(actor=hall.clerk2, window=hall.a02, at=when(MONDAY, 10, 1))
    services.ticket_recall(actor=hall.clerk, window=hall.a01, ticket=first, at=when(MONDAY, 10, 2))
    calls = selectors.recent_calls(hall.centre, now=when(MONDAY, 10, 3))
    assert [(c.number, c.window_number, c.recalled) for c in calls] == [("A001", "A01", True), ("A002", "A02", False)]
    assert selectors.latest_call_id(hall.centre) == calls[0].event_id
    board = selectors.display_board(hall.centre, cursor_seen=calls[1].event_id, now=when(MONDAY, 10, 3))
    assert board.new_call and second.number in [c.number for c in board.calls]


def test_call_events_since_a_cursor(hall):
    take(hall, minute=0)
    take(hall, minute=1)
    services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 10))
    first = selectors.call_events_since(hall.centre, since=0)
    services.ticket_call_next(actor=hall.clerk2, window=hall.a02, at=when(MONDAY, 10, 1))
    later = selectors.call_events_since(hall.centre, since=first[-1].pk)
    assert [e.number for e in first] == ["A001"] and [e.number for e in later] == ["A002"]


def test_front_desk_hand_off_only_for_the_clerk_at_that_window_today(hall):
    ticket = services.ticket_take(centre=hall.centre, item=hall.item.item, id_number=PERSON, phone="13800138001",
                                  at=when(MONDAY, 9))
    services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 10))
    handoff = selectors.ticket_handoff(hall.clerk, ticket.pk, now=when(MONDAY, 10, 1))
    assert (handoff.id_number, handoff.phone, handoff.item_code) == (PERSON, "13800138001", hall.item.item.implementation_code)
    assert selectors.ticket_handoff(hall.clerk2, ticket.pk, now=when(MONDAY, 10, 1)) is None
    assert selectors.ticket_handoff(hall.clerk, ticket.pk, now=when("2026-11-03", 10)) is None


def _serve(hall, ticket, window, clerk, called, started, finished):
    services.ticket_call(actor=clerk, window=window, ticket=ticket, at=when(MONDAY, *called))
    services.ticket_start(actor=clerk, window=window, ticket=ticket, at=when(MONDAY, *started))
    services.ticket_finish(actor=clerk, window=window, ticket=ticket, at=when(MONDAY, *finished))


def test_metrics_by_line_window_clerk_and_hour(hall):
    hall.settings.recalls_before_skip = 0
    hall.settings.save()
    a1, a2, a3 = take(hall, minute=0), take(hall, minute=10), take(hall, minute=20)
    b1 = take(hall, minute=30, line=hall.estate)
    _serve(hall, a1, hall.a01, hall.clerk, (9, 10), (9, 12), (9, 20))      # waited 10, served 8
    _serve(hall, a2, hall.a02, hall.clerk2, (9, 40), (9, 40), (9, 44))     # waited 30, served 4
    services.ticket_call(actor=hall.clerk, window=hall.a01, ticket=a3, at=when(MONDAY, 10))
    services.ticket_skip(actor=hall.clerk, window=hall.a01, ticket=a3, at=when(MONDAY, 10, 3))
    services.ticket_cancel(ticket=b1, at=when(MONDAY, 10, 5))
    day = datetime.date(2026, 11, 2)

    by_line = selectors.hall_metrics(hall.centre, date_from=day, date_to=day, by="line")
    general = next(r for r in by_line.rows if r.label == "A 综合受理")
    estate = next(r for r in by_line.rows if r.label == "B 不动产登记")
    assert (general.tickets, general.called, general.served, general.no_shows) == (3, 3, 2, 1)
    assert general.average_wait_minutes == round((10 + 30 + 40) / 3, 1)
    assert general.average_service_minutes == 6.0 and general.no_show_rate == 33.3
    assert (estate.tickets, estate.abandoned, estate.called) == (1, 1, 0)
    assert by_line.total.tickets == 4

    by_window = {r.label: r for r in selectors.hall_metrics(hall.centre, date_from=day, date_to=day, by="window").rows}
    assert by_window["A01 综合受理"].served == 1 and by_window["A02 综合受理"].average_service_minutes == 4.0
    by_clerk = {r.label: r.served for r in selectors.hall_metrics(hall.centre, date_from=day, date_to=day, by="clerk").rows}
    assert by_clerk["clerk"] == 1 and by_clerk["clerk2"] == 1
    by_hour = {r.label: r.tickets for r in selectors.hall_metrics(hall.centre, date_from=day, date_to=day, by="hour").rows}
    assert by_hour == {"09:00–09:59": 4}


def test_paused_time_is_measured_per_window(hall):
    services.window_open(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 8, 30))
    services.window_pause(actor=hall.clerk, window=hall.a01, reason=WindowState.Reason.BREAK, at=when(MONDAY, 10))
    services.window_resume(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 10, 15))
    day = datetime.date(2026, 11, 2)
    assert selectors.paused_minutes(hall.centre, day, day) == {"A01": 15}
