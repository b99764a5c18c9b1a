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
