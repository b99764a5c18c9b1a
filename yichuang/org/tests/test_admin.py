"""The organisation admin applies the same rules as the services: bad input is refused on the form,
with the field named and the fix said, and nothing is stored."""

import pytest
from django.urls import reverse

from yichuang.core.audit import audit_verify
from yichuang.core.models import AuditEntry
from yichuang.org.models import Department, Region, ServiceCentre, User, Window
from yichuang.org.tests.test_services import GOOD_USCC, admin_user, centre, county, department, town  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):  # noqa: F811
    client.force_login(admin_user)
    return client


def errors_of(response) -> dict[str, list[str]]:
    assert response.status_code == 200, "the form should be shown again with its errors"
    form = response.context["adminform"].form
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}


def test_a_region_takes_its_level_and_parent_from_its_code(admin_client, county):  # noqa: F811
    response = admin_client.post(reverse("admin:org_region_add"), {"code": "339901102000", "name": "白沙镇"})
    assert response.status_code == 302
    town = Region.objects.get(code="339901102000")  # noqa: F811
    assert town.level == Region.Level.TOWN and town.parent == county
    assert AuditEntry.objects.filter(object_type="org.region", object_id=str(town.pk)).exists()
    assert audit_verify() is None


def test_a_region_whose_parent_is_missing_is_refused_naming_the_parent(admin_client, county):  # noqa: F811
    count = Region.objects.count()
    response = admin_client.post(reverse("admin:org_region_add"), {"code": "339902101000", "name": "外县某镇"})
    errors = errors_of(response)
    assert "339902000000" in " ".join(errors["code"])
    assert Region.objects.count() == count


def test_a_malformed_region_code_is_refused_on_the_code_field(admin_client, county):  # noqa: F811
    response = admin_client.post(reverse("admin:org_region_add"), {"code": "33990110100", "name": "某镇"})
    assert "12 位数字" in " ".join(errors_of(response)["code"])


def test_a_region_code_cannot_be_changed_once_used(admin_client, county):  # noqa: F811
    url = reverse("admin:org_region_change", args=[county.pk])
    response = admin_client.post(url, {"code": "339902000000", "name": "示例县（新名）"})
    assert response.status_code == 302
    county.refresh_from_db()
    assert county.code == "339901000000" and county.name == "示例县（新名）"


def test_a_department_window_without_a_department_is_refused(admin_client, centre):  # noqa: F811
    response = admin_client.post(reverse("admin:org_window_add"), {
        "centre": centre.pk, "number": "B09", "name": "专窗", "kind": "department", "is_active": "on",
    })
    assert "部门专窗须指定所属部门" in " ".join(errors_of(response)["department"])
    assert not Window.objects.filter(number="B09").exists()


def test_a_general_window_tied_to_a_department_is_refused(admin_client, centre, department):  # noqa: F811
    response = admin_client.post(reverse("admin:org_window_add"), {
        "centre": centre.pk, "number": "A09", "name": "综合窗口", "kind": "general",
        "department": department.pk, "is_active": "on",
    })
    assert "department" in errors_of(response)
    assert not Window.objects.filter(number="A09").exists()


def test_a_town_point_placed_in_a_county_is_refused_on_the_region_field(admin_client, county, centre):  # noqa: F811
    response = admin_client.post(reverse("admin:org_servicecentre_add"), {
        "code": "QSZ", "name": "青山镇便民服务中心", "kind": "town", "region": county.pk, "parent": centre.pk,
        "is_active": "on",
        "windows-TOTAL_FORMS": "0", "windows-INITIAL_FORMS": "0", "windows-MIN_NUM_FORMS": "0",
        "windows-MAX_NUM_FORMS": "1000",
    })
    assert "乡镇" in " ".join(errors_of(response)["region"])
    assert not ServiceCentre.objects.filter(code="QSZ").exists()


def test_a_department_with_a_letter_in_its_phone_is_refused(admin_client, county):  # noqa: F811
    response = admin_client.post(reverse("admin:org_department_add"), {
        "code": "WJJ", "name": "示例县卫生健康局", "region": county.pk, "phone": "call me", "sort_order": "100",
        "is_active": "on",
    })
    assert "0570-6012345" in " ".join(errors_of(response)["phone"])
    assert not Department.objects.filter(code="WJJ").exists()


def test_a_reviewer_without_a_department_is_refused(admin_client, centre):  # noqa: F811
    from yichuang.org import services

    clerk = services.staff_create(actor=None, username="li", display_name="李明", password="yichuang-demo",
                                  roles=["clerk"], centre=centre)
    url = reverse("admin:org_user_change", args=[clerk.pk])
    response = admin_client.post(url, {
        "username": "li", "display_name": "李明", "roles": ["reviewer"], "centre": centre.pk,
        "is_active": "on", "is_staff": "on", "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00",
    })
    assert "须指定所属部门" in " ".join(errors_of(response)["department"])
    clerk.refresh_from_db()
    assert sorted(clerk.roles.values_list("code", flat=True)) == ["clerk"]
    assert User.objects.get(pk=clerk.pk).department is None


def test_a_valid_department_window_and_a_reviewer_placed_in_it_are_saved(admin_client, centre, department):  # noqa: F811
    response = admin_client.post(reverse("admin:org_window_add"), {
        "centre": centre.pk, "number": "b09", "name": "市场监管专窗", "kind": "department",
        "department": department.pk, "is_active": "on",
    })
    assert response.status_code == 302
    window = Window.objects.get(centre=centre, number="B09")
    assert window.department == department

    from yichuang.org import services

    staff = services.staff_create(actor=None, username="li", display_name="李明", password="yichuang-demo",
                                  roles=["clerk"], centre=centre)
    response = admin_client.post(reverse("admin:org_user_change", args=[staff.pk]), {
        "username": "li", "display_name": "李明", "phone": "13800138000", "roles": ["reviewer"],
        "centre": centre.pk, "department": department.pk, "windows": [window.pk], "is_active": "on",
        "is_staff": "on", "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00",
    })
    assert response.status_code == 302
    assert staff.roles.get().code == "reviewer"
    assert AuditEntry.objects.filter(object_type="org.user", object_id=str(staff.pk)).exists()


def test_a_staff_phone_that_is_not_a_mobile_number_is_refused(admin_client, centre):  # noqa: F811
    from yichuang.org import services

    staff = services.staff_create(actor=None, username="li", display_name="李明", password="yichuang-demo",
                                  roles=["clerk"], centre=centre)
    response = admin_client.post(reverse("admin:org_user_change", args=[staff.pk]), {
        "username": "li", "display_name": "李明", "phone": "0570-123", "roles": ["clerk"], "centre": centre.pk,
        "is_active": "on", "is_staff": "on", "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00",
    })
    assert "13800138000" in " ".join(errors_of(response)["phone"])
