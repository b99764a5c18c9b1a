"""Appointments (预约错峰): slots, one per person and line, check-in window, no-shows."""

import datetime

import pytest

from yichuang.hall import rules, services
from yichuang.hall.errors import HallError
from yichuang.hall.models import Appointment, AppointmentEvent, SmsMessage, Ticket
from yichuang.hall.selectors import bookable_days, day_slots, kiosk_person

from .conftest import MONDAY, when

pytestmark = pytest.mark.django_db

PERSON = "330102199001010012"
OTHER = "330102199001010020"
NOV = {d: datetime.date(2026, 11, d) for d in range(1, 31)}


def book(hall, *, day=2, start=(9, 30), person=PERSON, at=None, line=None, name="李四"):
    return services.appointment_book(
        line=line or hall.general, day=NOV[day], starts_at=datetime.time(*start), name=name, id_number=person,
        phone="13800138001", at=at or when("2026-10-30", 15),
    )


def test_booking_gives_a_code_a_private_link_and_a_text(hall):
    appointment = book(hall)
    assert appointment.status == Appointment.Status.BOOKED
    assert len(appointment.code) == 6 and appointment.code.isdigit()
    assert appointment.ends_at == datetime.time(10, 0)
    assert appointment.id_number == PERSON and appointment.id_number_hash and appointment.masked_id.startswith("3301")
    text = SmsMessage.objects.get(appointment=appointment).text
    assert appointment.code in text and f"/hall/appointment/{appointment.token}/" in text


def test_id_number_is_stored_encrypted(hall):
    from django.db import connection

    appointment = book(hall)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM hall_appointment WHERE id = %s", [appointment.pk])
        stored_id, stored_phone = cursor.fetchone()
    assert PERSON not in stored_id and stored_id.startswith("v1:")
    assert "13800138001" not in stored_phone


def test_one_active_appointment_per_person_and_line(hall):
    book(hall)
    with pytest.raises(HallError) as refused:
        book(hall, day=3)
    assert refused.value.code == "already_booked"
    # Another line is another appointment; so is another person.
    book(hall, line=hall.estate, start=(10, 0))
    book(hall, person=OTHER)


def test_a_full_slot_is_refused(hall):
    hall.general.slot_capacity = 1
    hall.general.save()
    book(hall)
    with pytest.raises(HallError) as refused:
        book(hall, person=OTHER)
    assert refused.value.code == "full"
    assert [s.available for s in day_slots(hall.general, NOV[2], now=when("2026-10-30", 15))][1] == 0


def test_days_off_are_closed_for_booking(hall):
    with pytest.raises(HallError) as refused:
        book(hall, day=7, at=when("2026-11-03", 15))  # Saturday
    assert "休息" in refused.value.messages[0]
    days = {d.day: d.is_open for d in bookable_days(hall.centre, now=when("2026-11-01", 15))}
    assert days[NOV[2]] and not days[NOV[1]] and not days[NOV[7]] and days[NOV[6]]


def test_slots_skip_lunch_and_past_slots_cannot_be_booked(hall):
    hall.settings.lunch_starts, hall.settings.lunch_ends = datetime.time(12), datetime.time(13, 30)
    hall.settings.save()
    starts = [s.starts_at for s in day_slots(hall.general, NOV[2], now=when(MONDAY, 10, 5))]
    assert datetime.time(12, 0) not in starts and datetime.time(13, 30) in starts
    with pytest.raises(HallError):
        book(hall, start=(9, 30), at=when(MONDAY, 10, 5))


def test_cancel_frees_the_slot_and_the_person_may_book_again(hall):
    appointment = book(hall)
    services.appointment_cancel(appointment=appointment, at=when("2026-10-31", 9))
    assert book(hall, day=3).status == Appointment.Status.BOOKED


def test_reschedule_moves_the_slot_and_issues_a_new_code(hall):
    appointment = book(hall)
    old_code = appointment.code
    moved = services.appointment_reschedule(appointment=appointment, day=NOV[3], starts_at=datetime.time(14),
                                            at=when("2026-10-31", 9))
    assert (moved.day, moved.starts_at, moved.ends_at) == (NOV[3], datetime.time(14), datetime.time(14, 30))
    assert moved.events.last().action == AppointmentEvent.Action.RESCHEDULED
    assert moved.code != old_code or moved.day != NOV[2]


def test_check_in_only_within_the_slot_window(hall):
    appointment = book(hall)  # 9:30–10:00, check-in from 9:15
    with pytest.raises(HallError) as early:
        services.appointment_check_in(appointment=appointment, at=when(MONDAY, 9, 10))
    assert early.value.code == "early"
    with pytest.raises(HallError) as late:
        services.appointment_check_in(appointment=appointment, at=when(MONDAY, 10, 1))
    assert late.value.code == "late"
    ticket = services.appointment_check_in(appointment=appointment, at=when(MONDAY, 9, 15))
    assert ticket.appointment == appointment and ticket.rank < rules.ticket_rank(
        priority_category=False, checked_in_appointment=False, appointment_ahead=True)


def test_late_arrival_queues_as_a_walk_in_and_is_not_a_no_show(hall):
    appointment = book(hall)
    ticket = services.appointment_walk_in_late(appointment=appointment, at=when(MONDAY, 10, 20))
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.LATE
    assert ticket.source == Ticket.Source.KIOSK and ticket.rank == 3


def test_no_shows_are_recorded_after_the_slot(hall):
    appointment = book(hall)
    assert services.appointments_mark_no_shows(at=when(MONDAY, 9, 59)) == 0
    assert services.appointments_mark_no_shows(at=when(MONDAY, 10, 0)) == 1
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.NO_SHOW


def test_repeated_no_shows_block_booking_until_a_date_shown(hall):
    # Three missed appointments on three Mondays; no sweep has run: booking finds them itself.
    for day, booked_on in ((2, "2026-10-30"), (9, "2026-11-03"), (16, "2026-11-10")):
        book(hall, day=day, at=when(booked_on, 15))
    with pytest.raises(HallError) as blocked:
        book(hall, day=24, at=when("2026-11-20", 9))
    assert blocked.value.code == "blocked"
    assert "2026年12月16日" in blocked.value.messages[0]  # 30 days after the last no-show
    assert book(hall, day=24, person=OTHER, at=when("2026-11-20", 9)).status == Appointment.Status.BOOKED


def test_booking_block_rule_counts_only_no_shows_within_the_window():
    days = [datetime.date(2026, 1, 5), datetime.date(2026, 6, 1), datetime.date(2026, 6, 8)]
    assert rules.booking_blocked_until(days, today=datetime.date(2026, 6, 9), limit=3, window_days=90, block_days=30) is None
    days.append(datetime.date(2026, 6, 15))
    until = rules.booking_blocked_until(days, today=datetime.date(2026, 6, 16), limit=3, window_days=90, block_days=30)
    assert until == datetime.date(2026, 7, 15)
    assert rules.booking_blocked_until(days, today=until, limit=3, window_days=90, block_days=30) is None


def test_kiosk_finds_todays_appointments_by_id_number_or_code(hall):
    appointment = book(hall)
    book(hall, person=OTHER)
    by_id = kiosk_person(hall.centre, id_number=PERSON, now=when(MONDAY, 9, 20))
    by_code = kiosk_person(hall.centre, code=appointment.code, now=when(MONDAY, 9, 20))
    assert [r.appointment.pk for r in by_id.rows] == [appointment.pk] == [r.appointment.pk for r in by_code.rows]
    assert not by_id.rows[0].early and not by_id.rows[0].late
    assert kiosk_person(hall.centre, id_number=PERSON, now=when("2026-11-03", 9)).rows == []
