"""The calling rules of the hall, each named after the rule it checks."""

import datetime

import pytest

from yichuang.hall import rules, services
from yichuang.hall.errors import HallConflict, HallError, HallPermissionDenied
from yichuang.hall.models import Ticket, TicketEvent, WindowState
from yichuang.hall.selectors import line_overview, ticket_progress

from .conftest import MONDAY, SATURDAY, TUESDAY, when

pytestmark = pytest.mark.django_db

# 330102 19500101 001 check char: born 1 January 1950 (76 in 2026).
ELDER_ID = "330102195001010014"
YOUNG_ID = "330102199001010012"


def take(hall, line=None, minute=0, hour=9, day=MONDAY, **kwargs):
    return services.ticket_take(centre=hall.centre, line=line or hall.general, at=when(day, hour, minute), **kwargs)


def test_ticket_number_has_line_prefix_and_a_daily_sequence(hall):
    first, second = take(hall), take(hall, minute=1)
    estate = take(hall, line=hall.estate, minute=2)
    next_day = take(hall, day=TUESDAY)
    assert (first.number, second.number, estate.number) == ("A001", "A002", "B001")
    assert next_day.number == "A001"
    assert first.events.get().action == TicketEvent.Action.ISSUED


def test_priority_category_is_called_first_within_a_line(hall):
    take(hall, minute=0)
    take(hall, minute=1)
    pregnant = take(hall, minute=5, category=Ticket.Category.PREGNANT)
    called = services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 10))
    assert called.pk == pregnant.pk


def test_elderly_person_is_recognised_from_the_id_number(hall):
    elder = take(hall, id_number=ELDER_ID)
    young = take(hall, id_number=YOUNG_ID, minute=1)
    assert elder.category == Ticket.Category.ELDERLY and elder.is_priority
    assert young.category == Ticket.Category.NORMAL
    hall.settings.elderly_age = 0
    hall.settings.save()
    assert take(hall, id_number=ELDER_ID, minute=2).category == Ticket.Category.NORMAL


def test_checked_in_appointment_goes_ahead_of_walk_ins(hall):
    walk_in = take(hall, hour=9, minute=0)
    appointment = services.appointment_book(
        line=hall.general, day=datetime.date(2026, 11, 2), starts_at=datetime.time(9, 30), name="李四",
        id_number=YOUNG_ID, phone="13800138001", at=when("2026-10-30", 15),
    )
    booked = services.appointment_check_in(appointment=appointment, at=when(MONDAY, 9, 20))
    assert booked.source == Ticket.Source.APPOINTMENT and booked.number == "A002"
    called = services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 9, 30))
    assert called.pk == booked.pk
    assert services.ticket_call_next(actor=hall.clerk2, window=hall.a02, at=when(MONDAY, 9, 31)).pk == walk_in.pk


def test_appointments_wait_their_turn_when_the_centre_says_so(hall):
    hall.settings.appointment_ahead = False
    hall.settings.save()
    walk_in = take(hall, hour=9, minute=0)
    appointment = services.appointment_book(
        line=hall.general, day=datetime.date(2026, 11, 2), starts_at=datetime.time(9, 30), name="李四",
        id_number=YOUNG_ID, phone="13800138001", at=when("2026-10-30", 15),
    )
    services.appointment_check_in(appointment=appointment, at=when(MONDAY, 9, 20))
    assert services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 9, 30)).pk == walk_in.pk


def test_window_calls_its_lines_in_order_of_priority(hall):
    estate = take(hall, line=hall.estate, minute=0)
    general = take(hall, line=hall.general, minute=5)
    # A02 serves 综合受理 first (priority 1), 不动产 second: the later general ticket comes first.
    assert services.ticket_call_next(actor=hall.clerk2, window=hall.a02, at=when(MONDAY, 10)).pk == general.pk
    services.ticket_finish(actor=hall.clerk2, window=hall.a02, ticket=general, at=when(MONDAY, 10, 5))
    assert services.ticket_call_next(actor=hall.clerk2, window=hall.a02, at=when(MONDAY, 10, 6)).pk == estate.pk


def test_a_window_only_calls_the_lines_it_serves(hall):
    take(hall, line=hall.estate)
    assert services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 10)) is None


def test_ticket_is_skipped_only_after_the_configured_recalls(hall):
    ticket = take(hall)
    window = hall.a01
    services.ticket_call_next(actor=hall.clerk, window=window, at=when(MONDAY, 10))
    with pytest.raises(HallError) as refused:
        services.ticket_skip(actor=hall.clerk, window=window, ticket=ticket, at=when(MONDAY, 10, 1))
    assert refused.value.code == "recall_first"
    services.ticket_recall(actor=hall.clerk, window=window, ticket=ticket, at=when(MONDAY, 10, 2))
    with pytest.raises(HallError):
        services.ticket_skip(actor=hall.clerk, window=window, ticket=ticket, at=when(MONDAY, 10, 3))
    services.ticket_recall(actor=hall.clerk, window=window, ticket=ticket, at=when(MONDAY, 10, 4))
    skipped = services.ticket_skip(actor=hall.clerk, window=window, ticket=ticket, at=when(MONDAY, 10, 5))
    assert skipped.status == Ticket.Status.NO_SHOW
    assert list(skipped.events.values_list("action", flat=True)) == ["issued", "called", "recalled", "recalled", "skipped"]


def test_skipped_ticket_can_queue_again_at_the_end(hall):
    hall.settings.recalls_before_skip = 0
    hall.settings.save()
    ticket = take(hall, minute=0)
    later = take(hall, minute=1)
    services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 10))
    services.ticket_skip(actor=hall.clerk, window=hall.a01, ticket=ticket, at=when(MONDAY, 10, 1))
    services.ticket_requeue(actor=hall.clerk, window=hall.a01, ticket=ticket, at=when(MONDAY, 10, 2))
    assert services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 10, 3)).pk == later.pk


def test_yesterdays_ticket_cannot_be_called(hall):
    old = take(hall, day=MONDAY)
    assert services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(TUESDAY, 10)) is None
    with pytest.raises(HallError) as refused:
        services.ticket_call(actor=hall.clerk, window=hall.a01, ticket=old, at=when(TUESDAY, 10))
    assert refused.value.code == "expired"
    old.refresh_from_db()
    assert old.status == Ticket.Status.WAITING


def test_a_clerk_calls_only_at_the_windows_assigned_to_them(hall):
    take(hall)
    with pytest.raises(HallPermissionDenied):
        services.ticket_call_next(actor=hall.clerk, window=hall.a02, at=when(MONDAY, 10))


def test_a_window_finishes_its_ticket_before_calling_the_next(hall):
    take(hall)
    take(hall, minute=1)
    services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 10))
    with pytest.raises(HallError) as refused:
        services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 10, 1))
    assert refused.value.code == "busy"


def test_another_window_cannot_act_on_a_called_ticket(hall):
    ticket = take(hall)
    services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 10))
    with pytest.raises(HallConflict):
        services.ticket_finish(actor=hall.clerk2, window=hall.a02, ticket=ticket, at=when(MONDAY, 10, 1))


def test_service_and_wait_times_are_recorded(hall):
    ticket = take(hall, hour=9, minute=0)
    services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 9, 12))
    services.ticket_start(actor=hall.clerk, window=hall.a01, ticket=ticket, at=when(MONDAY, 9, 13))
    done = services.ticket_finish(actor=hall.clerk, window=hall.a01, ticket=ticket, at=when(MONDAY, 9, 21))
    assert (done.wait_seconds, done.service_seconds) == (12 * 60, 8 * 60)
    assert done.clerk == hall.clerk and done.window == hall.a01


def test_transferred_ticket_keeps_its_number_and_place_in_the_new_line(hall):
    ticket = take(hall, minute=0)
    waiting_estate = take(hall, line=hall.estate, minute=5)
    services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 10))
    moved = services.ticket_transfer(actor=hall.clerk, window=hall.a01, ticket=ticket, to_line=hall.estate,
                                     note="需办理不动产登记", at=when(MONDAY, 10, 2))
    assert (moved.number, moved.line, moved.status) == ("A001", hall.estate, Ticket.Status.WAITING)
    staff = hall.staff["reviewer"]
    staff.windows.add(hall.b01)
    called = services.ticket_call_next(actor=staff, window=hall.b01, at=when(MONDAY, 10, 3))
    assert called.pk == ticket.pk and called.transfer_note == "需办理不动产登记"
    assert waiting_estate.pk != called.pk


def test_ticket_transferred_to_a_window_is_called_only_there(hall):
    ticket = take(hall)
    services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 10))
    services.ticket_transfer(actor=hall.clerk, window=hall.a01, ticket=ticket, to_window=hall.c01, at=when(MONDAY, 10, 1))
    assert services.ticket_call_next(actor=hall.clerk2, window=hall.a02, at=when(MONDAY, 10, 2)) is None
    called = services.ticket_call_next(actor=hall.result_clerk, window=hall.c01, at=when(MONDAY, 10, 3))
    assert called.pk == ticket.pk


def test_wait_estimate_comes_from_recent_service_times(hall):
    # No service finished yet: the line's default (10 minutes a person) is the honest guess.
    for minute in range(4):
        take(hall, minute=minute)
    fresh = take(hall, minute=10)
    assert ticket_progress(fresh).estimate.minutes == 4 * 10
    # Three services of 2 minutes each: the estimate follows them.
    for minute in (0, 2, 4):
        ticket = services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 10, minute))
        services.ticket_finish(actor=hall.clerk, window=hall.a01, ticket=ticket, at=when(MONDAY, 10, minute + 2))
    progress = ticket_progress(fresh)
    assert progress.ahead == 1 and progress.estimate.samples == 3
    assert progress.estimate.per_person_seconds == 120 and progress.estimate.minutes == 2


def test_wait_estimate_pads_few_samples_with_the_default():
    estimate = rules.estimate_wait(ahead=3, recent_service_seconds=[60], default_minutes=10, windows_open=1)
    # (60 + 600 + 600) / 3 = 420 s a person.
    assert estimate.per_person_seconds == 420 and estimate.minutes == 21


def test_wait_estimate_divides_among_open_windows_and_paused_windows_do_not_count(hall):
    for minute in range(6):
        take(hall, minute=minute)
    services.window_open(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 8, 30))
    services.window_open(actor=hall.clerk2, window=hall.a02, at=when(MONDAY, 8, 30))
    general = next(s for s in line_overview(hall.centre, now=when(MONDAY, 9, 10)) if s.line == hall.general)
    assert general.estimate.windows == 2 and general.estimate.minutes == 30
    services.window_pause(actor=hall.clerk2, window=hall.a02, reason=WindowState.Reason.BACK_OFFICE, at=when(MONDAY, 9, 11))
    general = next(s for s in line_overview(hall.centre, now=when(MONDAY, 9, 12)) if s.line == hall.general)
    assert general.estimate.windows == 1 and general.estimate.minutes == 60


def test_no_tickets_on_a_day_off(hall):
    with pytest.raises(HallError) as refused:
        take(hall, day=SATURDAY)
    assert refused.value.code == "closed_day"
    hall.settings.open_every_day = True
    hall.settings.save()
    assert take(hall, day=SATURDAY).number == "A001"


def test_no_tickets_before_opening_or_after_the_last_ticket_time(hall):
    with pytest.raises(HallError) as early:
        take(hall, hour=8, minute=0)
    assert early.value.code == "not_yet"
    with pytest.raises(HallError) as late:
        take(hall, hour=16, minute=45)
    assert late.value.code == "closed_for_today"
    assert take(hall, hour=16, minute=30).number == "A001"


def test_a_repeated_kiosk_request_gets_the_same_ticket_not_a_second_one(hall):
    first = take(hall, request_key="kiosk-1-abc")
    again = take(hall, request_key="kiosk-1-abc", minute=1)
    assert first.pk == again.pk
    assert Ticket.objects.count() == 1


def test_kiosk_input_errors_are_reported_per_field(hall):
    with pytest.raises(HallError) as refused:
        take(hall, phone="12345", id_number="330102195001010010", category="vip")
    assert set(refused.value.message_dict) == {"phone", "id_number", "category"}
    assert Ticket.objects.count() == 0


def test_ticket_by_item_goes_to_the_line_that_takes_the_item(hall):
    ticket = services.ticket_take(centre=hall.centre, item=hall.item.item, at=when(MONDAY, 9))
    assert ticket.line == hall.general and ticket.item == hall.item.item


def test_person_can_leave_the_queue_from_the_phone(hall):
    ticket = take(hall)
    services.ticket_cancel(ticket=ticket, at=when(MONDAY, 9, 5))
    assert services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 10)) is None


def test_tickets_left_open_at_the_end_of_the_day_count_as_abandoned(hall):
    ticket = take(hall)
    assert services.tickets_close_day(before=datetime.date(2026, 11, 3), at=when(TUESDAY, 0, 5)) == 1
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.ABANDONED


def test_pause_needs_a_reason_and_an_idle_window(hall):
    take(hall)
    services.ticket_call_next(actor=hall.clerk, window=hall.a01, at=when(MONDAY, 10))
    with pytest.raises(HallError) as busy:
        services.window_pause(actor=hall.clerk, window=hall.a01, reason="break", at=when(MONDAY, 10, 1))
    assert busy.value.code == "busy"
    with pytest.raises(HallError):
        services.window_pause(actor=hall.clerk2, window=hall.a02, reason="nap", at=when(MONDAY, 10, 1))
