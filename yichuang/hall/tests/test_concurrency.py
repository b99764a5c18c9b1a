"""Windows calling at the same instant: real concurrent connections, one thread each (PostgreSQL)."""

import datetime

import pytest
from django.db import connection

from yichuang.core.tests.concurrency import run_together
from yichuang.hall import services
from yichuang.hall.errors import HallError
from yichuang.hall.models import Appointment, LineWindow, Ticket
from yichuang.org.models import Role, User, Window

from .conftest import MONDAY, when

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="需要 PostgreSQL 的真实并发连接（设置 DATABASE_URL）"),
]


def _windows_with_clerks(hall, count):
    clerk_role = Role.objects.get(code="clerk")
    pairs = []
    for n in range(count):
        window = Window.objects.create(centre=hall.centre, number=f"Z{n:02d}", name="综合受理")
        LineWindow.objects.create(line=hall.general, window=window, priority=1)
        clerk = User.objects.create_user(f"window_clerk_{n}", password="x", centre=hall.centre)
        clerk.roles.add(clerk_role)
        clerk.windows.add(window)
        pairs.append((window, User.objects.get(pk=clerk.pk)))
    return pairs


def test_windows_calling_at_the_same_instant_never_get_the_same_ticket(hall):
    for minute in range(12):
        services.ticket_take(centre=hall.centre, line=hall.general, at=when(MONDAY, 9, minute))
    pairs = _windows_with_clerks(hall, 8)

    def call(index):
        window, clerk = pairs[index]
        return services.ticket_call_next(actor=clerk, window=window, at=when(MONDAY, 10)).pk

    called = run_together(8, call)
    assert all(isinstance(pk, int) for pk in called), called
    assert len(set(called)) == 8
    # And they took the eight at the front of the line.
    assert sorted(Ticket.objects.filter(pk__in=called).values_list("seq", flat=True)) == list(range(1, 9))
    assert Ticket.objects.filter(status=Ticket.Status.CALLED).count() == 8


def test_tickets_taken_at_the_same_instant_have_distinct_numbers(hall):
    numbers = run_together(10, lambda i: services.ticket_take(centre=hall.centre, line=hall.general,
                                                               at=when(MONDAY, 9)).number)
    assert sorted(numbers) == [f"A{n:03d}" for n in range(1, 11)]


def test_a_kiosk_retry_arriving_with_the_first_request_gives_one_ticket(hall):
    ids = run_together(4, lambda i: services.ticket_take(centre=hall.centre, line=hall.general,
                                                          request_key="kiosk-3-5f2c", at=when(MONDAY, 9)).pk)
    assert len(set(ids)) == 1 and Ticket.objects.count() == 1


def test_a_slot_is_never_overbooked(hall):
    hall.general.slot_capacity = 2
    hall.general.save()
    people = ["330102199001010012", "330102199001010020", "33010219850505003X", "330102195001010014"]

    def book(index):
        return services.appointment_book(
            line=hall.general, day=datetime.date(2026, 11, 2), starts_at=datetime.time(9, 30), name="李四",
            id_number=people[index], phone="13800138001", at=when("2026-10-30", 15),
        )

    outcomes = run_together(4, book)
    assert sum(isinstance(o, Appointment) for o in outcomes) == 2
    assert all(isinstance(o, Appointment) or (isinstance(o, HallError) and o.code == "full") for o in outcomes), outcomes


def test_windows_working_the_queue_together_never_deadlock(hall):
    """Call and finish in a loop at eight windows, as a busy morning does, until the queue is empty."""
    for n in range(48):
        services.ticket_take(centre=hall.centre, line=hall.general, at=when(MONDAY, 9, n % 60))
    pairs = _windows_with_clerks(hall, 8)

    def work(index):
        window, clerk = pairs[index]
        served = 0
        while (ticket := services.ticket_call_next(actor=clerk, window=window, at=when(MONDAY, 10))) is not None:
            services.ticket_finish(actor=clerk, window=window, ticket=ticket, at=when(MONDAY, 10, 1))
            served += 1
        return served

    outcomes = run_together(8, work)
    assert all(isinstance(o, int) for o in outcomes), "; ".join(repr(o) for o in outcomes)
    assert sum(outcomes) == 48 and Ticket.objects.filter(status=Ticket.Status.DONE).count() == 48


def test_bookings_and_calls_on_the_same_line_at_once(hall):
    """A booking takes its turn on the line while windows call from it: neither waits on the other forever."""
    for n in range(24):
        services.ticket_take(centre=hall.centre, line=hall.general, at=when(MONDAY, 9, n))
    pairs = _windows_with_clerks(hall, 4)
    from yichuang.core.validators import id_number_check_char

    people = [f"33010219900101{n:03d}" for n in range(10, 18)]
    people = [p + id_number_check_char(p) for p in people]

    def act(index):
        if index < 4:
            window, clerk = pairs[index]
            done = 0
            while (ticket := services.ticket_call_next(actor=clerk, window=window, at=when(MONDAY, 10))) is not None:
                services.ticket_finish(actor=clerk, window=window, ticket=ticket, at=when(MONDAY, 10, 1))
                done += 1
            return done
        booked = 0
        for person in people[(index - 4) * 2:(index - 4) * 2 + 2]:
            services.appointment_book(line=hall.general, day=datetime.date(2026, 11, 3),
                                      starts_at=datetime.time(13 + index - 4), name="王五", id_number=person,
                                      phone="13800138001", at=when(MONDAY, 10))
            booked += 1
        return booked

    outcomes = run_together(8, act)
    assert all(isinstance(o, int) for o in outcomes), "; ".join(repr(o) for o in outcomes)
    assert sum(outcomes[:4]) == 24 and Appointment.objects.count() == 8
