"""The demo hall, the sweep command, the vendored chime and the admin pages."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from yichuang.hall import chime, services
from yichuang.hall.demo import seed_demo_hall
from yichuang.hall.models import LineWindow, ServiceLine, Ticket

from .conftest import MONDAY, when

pytestmark = pytest.mark.django_db


def test_the_vendored_chime_is_the_one_the_generator_makes():
    assert chime.PATH.read_bytes() == chime.chime_wav()
    assert chime.PATH.read_bytes()[:4] == b"RIFF"


def test_sweep_closes_old_tickets_and_is_harmless_twice(hall, capsys):
    ticket = services.ticket_take(centre=hall.centre, line=hall.general, at=when(MONDAY, 9))
    call_command("hall", "sweep")
    call_command("hall", "sweep")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.ABANDONED
    assert ticket.events.filter(action="abandoned").count() == 1
    assert "已关闭往日未办结的号 0 个" in capsys.readouterr().out


def test_demo_hall_is_idempotent(county):
    from yichuang.demo import org_data
    from yichuang.org.models import Department, ServiceCentre, Window

    # The demo county's windows and departments (the items are left out: the lines find none and say so).
    centres = {"SLX": county["centre"], "SLXQS": ServiceCentre.objects.create(
        code="SLXQS", name="青山镇便民服务中心", region=county["county"], kind="town")}
    for centre_code, number, name, kind, _dept in org_data.WINDOWS:
        if centre_code in centres:
            Window.objects.get_or_create(centre=centres[centre_code], number=number, defaults={"name": name, "kind": kind})
    for row in org_data.DEPARTMENTS:
        Department.objects.get_or_create(code=row["code"], defaults={"name": row["name"], "region": county["county"]})
    first = seed_demo_hall()
    assert first["业务队列新建"] == 8 and ServiceLine.objects.filter(centre__code="SLX").count() == 7
    assert seed_demo_hall() == {}
    general = ServiceLine.objects.get(centre__code="SLX", code="general")
    assert set(LineWindow.objects.filter(line=general).values_list("window__number", flat=True)) >= {"A01", "A02"}


def test_admin_pages_open(admin_client, hall):
    services.ticket_take(centre=hall.centre, line=hall.general, id_number="330102199001010012", at=when(MONDAY, 9))
    for model in ("hallsettings", "serviceline", "ticket", "appointment", "smsmessage", "windowstate", "hallarea"):
        assert admin_client.get(reverse(f"admin:hall_{model}_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:hall_serviceline_change", args=[hall.general.pk])).content.decode()
    assert "A01（1）" in admin_client.get(reverse("admin:hall_serviceline_changelist")).content.decode()
    assert "line_windows" in page
    ticket_page = admin_client.get(reverse("admin:hall_ticket_change", args=[Ticket.objects.get().pk])).content.decode()
    assert "330102199001010012" not in ticket_page


def test_demo_hall_plays_the_past_working_days_once_for_the_metrics(county):
    import datetime

    from yichuang.demo import org_data
    from yichuang.hall.demo import HISTORY_DAYS
    from yichuang.hall.models import Appointment, SmsMessage, Ticket
    from yichuang.hall.selectors import hall_metrics
    from yichuang.org.models import Department, Role, User, Window

    centre = county["centre"]  # the demo's county centre, SLX
    for centre_code, number, name, kind, _dept in org_data.WINDOWS:
        if centre_code == "SLX":
            Window.objects.get_or_create(centre=centre, number=number, defaults={"name": name, "kind": kind})
    for row in org_data.DEPARTMENTS:
        Department.objects.get_or_create(code=row["code"], defaults={"name": row["name"], "region": county["county"]})
    for username, role, window in (("clerk", "clerk", "A01"), ("clerk2", "clerk", "A02"), ("result", "result_clerk", "C01")):
        user = User.objects.create_user(username, password="x", centre=centre)
        user.roles.add(Role.objects.get(code=role))
        user.windows.add(Window.objects.get(centre=centre, number=window))
    monday = datetime.date(2026, 11, 9)
    first = seed_demo_hall(today=monday)
    days = sorted(set(Ticket.objects.values_list("day", flat=True)))
    # The working days just before: Thursday and Friday of the week before (not the weekend).
    assert days == [datetime.date(2026, 11, 5), datetime.date(2026, 11, 6)] and len(days) == HISTORY_DAYS
    assert first["往日取号"] == Ticket.objects.count() and Ticket.objects.filter(status="waiting").count() == 0
    figures = hall_metrics(centre, date_from=days[0], date_to=days[-1], by="clerk")
    assert figures.total.served > 0 and figures.total.average_wait_minutes is not None
    assert figures.total.average_service_minutes > 0
    assert {row.label for row in figures.rows} >= {"clerk", "clerk2", "result"}
    assert figures.appointments.checked_in == 2 * HISTORY_DAYS and figures.appointments.no_show == HISTORY_DAYS
    assert 0 < figures.paused_minutes["A02"] <= 15 * HISTORY_DAYS  # a break from 10:30 (or when free) to 10:45
    assert SmsMessage.objects.count() == 0  # history texts nobody
    # Once: a second run (even on a later day) adds nothing.
    assert seed_demo_hall(today=monday) == {} and seed_demo_hall(today=monday + datetime.timedelta(days=1)) == {}
    assert Appointment.objects.count() == 3 * HISTORY_DAYS


def test_demo_history_is_all_or_nothing_and_never_over_a_used_hall(county, monkeypatch):
    import datetime

    from yichuang.hall import demo
    from yichuang.hall.errors import HallError
    from yichuang.hall.models import Appointment, Ticket, TicketEvent
    from yichuang.org.models import Role, User, Window

    centre = county["centre"]
    window = Window.objects.create(centre=centre, number="A02", name="综合受理", kind="general")
    clerk = User.objects.create_user("clerk2", password="x", centre=centre)
    clerk.roles.add(Role.objects.get(code="clerk"))
    clerk.windows.add(window)
    line = services.service_line_upsert(actor=None, centre=centre, code="general", name="综合受理", prefix="A",
                                        windows={window: 1})[0]
    services.hall_settings_set(actor=None, centre=centre, **demo.DEMO_SETTINGS)
    calls = iter(range(1000))
    real_finish = services.ticket_finish

    def finish_until_refused(**kwargs):
        if next(calls) == 5:
            raise HallError("refused")
        return real_finish(**kwargs)

    monkeypatch.setattr(services, "ticket_finish", finish_until_refused)
    counts = demo.Counter()
    demo._seed_history(centre, datetime.date(2026, 11, 9), counts)
    assert not counts and Ticket.objects.count() == 0 and Appointment.objects.count() == 0
    assert TicketEvent.objects.count() == 0
    # A hall already in use is left alone.
    monkeypatch.setattr(services, "ticket_finish", real_finish)
    services.ticket_take(centre=centre, line=line, at=when(MONDAY, 9))
    demo._seed_history(centre, datetime.date(2026, 11, 9), counts)
    assert not counts and Ticket.objects.count() == 1
