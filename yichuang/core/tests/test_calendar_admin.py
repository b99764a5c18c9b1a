"""The calendar admin writes through the services; the audit log admin only shows."""

import datetime

import pytest
from django.urls import reverse

from yichuang.core import calendar
from yichuang.core.models import AuditEntry, CalendarDay, CalendarStamp, CalendarYear
from yichuang.core.services import calendar_set_day
from yichuang.org.models import User

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_calendar():
    calendar.clear_cache()
    yield
    calendar.clear_cache()


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser(username="centre-admin", password="x", email="a@example.org")
    client.force_login(user)
    client.user = user
    return client


def generation() -> int:
    return CalendarStamp.objects.get().generation


def test_adding_a_day_in_the_admin_goes_through_the_service(admin_client):
    stamp = generation()
    assert calendar.is_workday(D(2026, 11, 23))
    response = admin_client.post(
        reverse("admin:core_calendarday_add"),
        {"date": "2026-11-23", "region": "", "kind": "extra_off", "name": "中心搬迁"},
    )
    assert response.status_code == 302, response.content.decode()
    assert CalendarDay.objects.get(date=D(2026, 11, 23)).kind == "extra_off"
    assert generation() == stamp + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.actor) == ("calendar.set_day", admin_client.user)
    assert not calendar.is_workday(D(2026, 11, 23))


def test_changing_and_deleting_a_day_in_the_admin_go_through_the_services(admin_client):
    row = calendar_set_day(actor=None, date=D(2026, 11, 23), kind="extra_off", name="中心搬迁")
    response = admin_client.post(
        reverse("admin:core_calendarday_change", args=[row.pk]), {"kind": "extra_off", "name": "中心搬迁（改期）"}
    )
    assert response.status_code == 302, response.content.decode()
    assert CalendarDay.objects.get(pk=row.pk).name == "中心搬迁（改期）"
    assert AuditEntry.objects.order_by("-seq").first().action == "calendar.set_day"
    response = admin_client.post(reverse("admin:core_calendarday_delete", args=[row.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(pk=row.pk).exists()
    assert AuditEntry.objects.order_by("-seq").first().action == "calendar.remove_day"
    assert calendar.is_workday(D(2026, 11, 23))


def test_a_makeup_day_on_a_weekday_is_refused_by_the_admin_form(admin_client):
    stamp = generation()
    response = admin_client.post(
        reverse("admin:core_calendarday_add"), {"date": "2026-11-23", "region": "", "kind": "makeup", "name": "国庆节"}
    )
    assert response.status_code == 200
    assert "调休上班日应为周六或周日" in response.content.decode()
    assert not CalendarDay.objects.filter(date=D(2026, 11, 23)).exists()
    assert generation() == stamp


def test_adding_a_year_in_the_admin_goes_through_the_service(admin_client):
    response = admin_client.post(
        reverse("admin:core_calendaryear_add"), {"year": "2027", "region": "", "source": "manual", "notice": "逐日录入"}
    )
    assert response.status_code == 302, response.content.decode()
    assert CalendarYear.objects.get(year=2027, region__isnull=True).notice == "逐日录入"
    assert AuditEntry.objects.order_by("-seq").first().action == "calendar.year_set"
    assert calendar.add_workdays(D(2027, 3, 1), 1).confirmed


def test_calendar_lists_filter_by_year_region_and_kind(admin_client):
    url = reverse("admin:core_calendarday_changelist")
    page = admin_client.get(url, {"year": "2026", "scope": "national", "kind": "makeup"})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 6  # the 2026 make-up days of the package
    assert admin_client.get(reverse("admin:core_calendaryear_changelist"), {"source": "package"}).status_code == 200


def test_the_audit_log_admin_is_read_only(admin_client):
    calendar_set_day(actor=None, date=D(2026, 11, 23), kind="extra_off", name="中心搬迁")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert admin_client.get(reverse("admin:core_auditentry_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:core_auditentry_add")).status_code == 403
    page = admin_client.get(reverse("admin:core_auditentry_change", args=[entry.pk]))
    assert page.status_code == 200 and "calendar.set_day" in page.content.decode()
    admin_client.post(reverse("admin:core_auditentry_change", args=[entry.pk]), {"action": "tampered"})
    assert AuditEntry.objects.get(pk=entry.pk).action == "calendar.set_day"
    assert admin_client.post(reverse("admin:core_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
