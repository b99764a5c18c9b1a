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


NOTICE_2027 = """年份 2027
通知 国办发明电〔2026〕7号
放假 2027-10-01 2027-10-07 国庆节
上班 2027-09-26 国庆节
上班 2027-10-09 国庆节
"""


def test_the_year_list_links_to_the_notice_import(admin_client):
    page = admin_client.get(reverse("admin:core_calendaryear_changelist")).content.decode()
    assert reverse("admin:core_calendaryear_import") in page
    form = admin_client.get(reverse("admin:core_calendaryear_import")).content.decode()
    assert "导入节假日安排通知" in form and 'name="text"' in form


def test_an_admin_imports_next_years_notice_and_its_deadlines_become_confirmed(admin_client):
    assert not calendar.add_workdays(D(2027, 9, 30), 5).confirmed
    response = admin_client.post(reverse("admin:core_calendaryear_import"), {"text": NOTICE_2027, "region": ""},
                                 follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:core_calendaryear_changelist")
    assert "已导入2027年节假日安排（全国）：放假 7 天，调休上班 2 天。" in response.content.decode()
    year = CalendarYear.objects.get(year=2027, region=None)
    assert year.notice == "国办发明电〔2026〕7号"
    deadline = calendar.add_workdays(D(2027, 9, 30), 5)
    assert deadline.confirmed
    # 10-01…10-07 off; 10-08, 10-09 (make-up Saturday), 10-11, 10-12, 10-13 counted.
    assert deadline.date == D(2027, 10, 13)
    entry = AuditEntry.objects.get(action="calendar.import_notice")
    assert entry.actor_id == admin_client.user.pk


def test_a_notice_file_can_be_uploaded_for_one_region(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yichuang.org.services import region_create

    region_create(actor=None, code="330000000000", name="浙江省")
    region_create(actor=None, code="339900000000", name="示例市")
    county = region_create(actor=None, code="339901000000", name="示例县")
    upload = SimpleUploadedFile("2027.txt", "放假 2027-05-06 县庆\n".encode())
    response = admin_client.post(reverse("admin:core_calendaryear_import"),
                                 {"upload": upload, "region": county.code, "year": "2027", "text": ""})
    assert response.status_code == 302
    assert not calendar.is_workday(D(2027, 5, 6), county.code)
    assert calendar.is_workday(D(2027, 5, 6))


def test_a_notice_with_a_bad_line_changes_nothing_and_names_the_line(admin_client):
    before = (CalendarDay.objects.count(), CalendarYear.objects.count(), generation())
    bad = NOTICE_2027 + "上班 2027-10-11 国庆节\n放假 2027-13-01 元旦\n"
    response = admin_client.post(reverse("admin:core_calendaryear_import"), {"text": bad})
    assert response.status_code == 200
    errors = response.context["form"].errors["text"]
    assert any("第 7 行" in e and "2027-13-01" in e for e in errors)
    assert (CalendarDay.objects.count(), CalendarYear.objects.count(), generation()) == before

    # A line that parses but breaks a rule of the notice is reported by the service, also with no change.
    response = admin_client.post(reverse("admin:core_calendaryear_import"), {"text": NOTICE_2027 + "上班 2027-10-11 国庆节\n"})
    assert response.status_code == 200
    problems = " ".join(response.context["form"].non_field_errors())
    assert "2027-10-11" in problems and "周六或周日" in problems
    assert (CalendarDay.objects.count(), CalendarYear.objects.count(), generation()) == before


def test_a_notice_without_a_year_or_for_an_unknown_region_is_refused_on_the_field(admin_client):
    response = admin_client.post(reverse("admin:core_calendaryear_import"),
                                 {"text": "放假 2027-10-01 国庆节\n", "region": "339999000000"})
    errors = response.context["form"].errors
    assert "339999000000" in " ".join(errors["region"])
    response = admin_client.post(reverse("admin:core_calendaryear_import"), {"text": "放假 2027-10-01 国庆节\n"})
    assert "年份" in " ".join(response.context["form"].errors["year"])
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_the_notice_import_speaks_english_when_the_admin_chose_english(admin_client):
    from django.conf import settings

    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = admin_client.get(reverse("admin:core_calendaryear_import")).content.decode()
    assert "Import a holiday notice" in page and "Or upload the notice file" in page
    response = admin_client.post(reverse("admin:core_calendaryear_import"), {"text": ""})
    assert "Paste the notice, or upload the notice file." in response.context["form"].errors["text"]
