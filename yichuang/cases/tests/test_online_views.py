"""The staff pre-review pages: list, one case, pass / return / refuse with errors in place."""

import pytest
from django.test import Client
from django.urls import reverse

from yichuang.cases.models import Case

from .online_fixtures import *  # noqa: F403 (fixtures)

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_prereview_list_shows_the_departments_cases_with_their_due_date(submitted, once_item, staff):
    case = submitted(once_item)
    page = login(staff["reviewer"]).get(reverse("cases:prereview_list"))
    assert page.status_code == 200 and case.number in page.content.decode()
    assert "2026-11-04" in page.content.decode()
    assert case.number not in login(staff["other_reviewer"]).get(reverse("cases:prereview_list")).content.decode()
    inbox = login(staff["reviewer"]).get(reverse("cases:office_inbox")).content.decode()
    assert "网上预审" in inbox and case.number in inbox


def test_another_department_gets_404_for_the_prereview_page(submitted, once_item, staff):
    case = submitted(once_item)
    assert login(staff["other_reviewer"]).get(reverse("cases:prereview_case", args=[case.pk])).status_code == 404


def test_the_page_shows_the_form_and_the_files(submitted, once_item, staff):
    case = submitted(once_item)
    html = login(staff["reviewer"]).get(reverse("cases:prereview_case", args=[case.pk])).content.decode()
    assert "好味道餐厅" in html and "经营者名称" in html
    assert "食品经营许可申请书.pdf" in html and "退回并一次性告知" in html


def test_returning_with_nothing_listed_is_refused_in_place(submitted, once_item, staff):
    case = submitted(once_item)
    url = reverse("cases:prereview_action", args=[case.pk, "return"])
    response = login(staff["reviewer"]).post(url, {"expected_version": case.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "一次性告知" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.PREREVIEW


def test_refusing_without_the_way_forward_names_the_field(submitted, once_item, staff):
    case = submitted(once_item)
    url = reverse("cases:prereview_action", args=[case.pk, "refuse"])
    response = login(staff["reviewer"]).post(url, {"expected_version": case.version, "reason": "不符合"})
    assert response.status_code == 400 and "如何才能办理" in response.content.decode()


def test_return_then_pass_through_the_pages(submitted, once_item, staff, me):
    from yichuang.cases import services_online as online

    from .online_fixtures import pdf_upload

    case = submitted(once_item)
    client = login(staff["reviewer"])
    pmt = case.materials.get(requirement__code="pmt")
    post = {"expected_version": case.version, "material": [pmt.requirement_id], "material_problem": ["未标注面积"]}
    response = client.post(reverse("cases:prereview_action", args=[case.pk, "return"]), post)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.PREREVIEW_RETURNED and case.prereview_returns == 1
    online.case_online_file_add(acted_by=me, case=case, material_id=pmt.pk, upload=pdf_upload())
    case = online.case_submit_online(acted_by=me, case=case)
    stale = client.post(reverse("cases:prereview_action", args=[case.pk, "pass"]), {"expected_version": 1})
    assert stale.status_code == 409
    ok = client.post(reverse("cases:prereview_action", args=[case.pk, "pass"]), {"expected_version": case.version})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.PREREVIEW_PASSED
