"""A member of the public looks a case up by its number and phone, on a desk and on a phone."""

from importlib import import_module

import pytest
from django.core.cache import cache

from yichuang.cases import services
from yichuang.cases.models import Applicant
from yichuang.cases.tests.conftest import at, complete_checklist, food_licence_data
from yichuang.catalog.services import item_upsert
from yichuang.catalog.tests.public_fixtures import ensure_reference_codes
from yichuang.org.models import Department, Region, Role, ServiceCentre, User

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = "13800138000"


def ensure_roles() -> None:
    """The roles the migration seeds: an earlier transactional test's flush may have emptied them."""
    for code, name, description in import_module("yichuang.org.migrations.0002_roles").ROLES:
        Role.objects.get_or_create(code=code, defaults={"name": name, "description": description})


def _staff(username: str, role: str, **fields) -> User:
    user = User.objects.create_user(username, password="x", display_name=username, **fields)
    user.roles.set(Role.objects.filter(code=role))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def case_in_review():
    """A 食品经营许可 case accepted on Monday 2 November 2026 and reviewed the next day."""
    cache.clear()
    ensure_roles()
    ensure_reference_codes()
    county = Region.objects.create(code="339901000000", name="示例县", level=3)
    centre = ServiceCentre.objects.create(code="SLX", name="示例县政务服务中心", region=county)
    Department.objects.create(code="SCJG", name="示例县市场监督管理局", region=county, centre=centre)
    version, _ = item_upsert(actor=None, data=food_licence_data())
    clerk = _staff("clerk", "clerk", centre=centre)
    reviewer = _staff("reviewer", "reviewer", department=version.department, centre=centre)
    applicant = services.applicant_register(
        actor=clerk, kind=Applicant.Kind.COMPANY, name="示例县好味道餐饮有限公司", uscc="91350100M000100Y43", phone=PHONE,
    )
    case = services.case_receive(actor=clerk, item_version=version, applicant=applicant, centre=centre,
                                 materials=complete_checklist(version), at=at("2026-11-02", 9))
    case = services.case_accept(actor=clerk, case=case, expected_version=case.version, at=at("2026-11-02"))
    case = services.case_step_complete(actor=reviewer, case=case, opinion="材料齐全", expected_version=case.version,
                                       at=at("2026-11-03"))
    yield case
    cache.clear()


def look_up(page, url: str, number: str, secret: str) -> None:
    page.goto(url)
    page.get_by_label("办件编号").fill(number)
    page.get_by_label("手机号码或证件号码后4位").fill(secret)
    page.get_by_role("button", name="查询").click()


def test_the_public_finds_a_case_by_number_and_phone_and_sees_its_steps(page, live_server, case_in_review):
    case = case_in_review
    page.goto(live_server.url + "/progress/")
    # The answer must arrive in place (HTMX), not by reloading the page.
    page.evaluate("window.__stillHere = true")
    page.get_by_label("办件编号").fill(case.number.lower())
    page.get_by_label("手机号码或证件号码后4位").fill(PHONE)
    page.get_by_role("button", name="查询").click()

    status = page.get_by_test_id("status")
    status.wait_for()
    assert page.evaluate("window.__stillHere") is True
    assert status.inner_text() == "部门审查办理中"
    assert page.get_by_test_id("current-step").inner_text() == "决定"
    assert page.get_by_test_id("due").inner_text().startswith("2026-11-09")
    steps = page.locator(".pg-step")
    assert steps.count() == 4
    assert "已完成" in steps.nth(1).inner_text() and "办理中" in steps.nth(2).inner_text()
    timeline = page.locator(".pg-timeline li")
    assert "「审查」环节已完成" in timeline.first.inner_text()
    assert "窗口收件" in timeline.last.inner_text()
    body = page.locator("main").inner_text()
    assert "示例县好味道**公司" in body
    assert "示例县好味道餐饮有限公司" not in body and PHONE not in body

    # A wrong phone is told the same thing as an unknown number.
    page.get_by_label("手机号码或证件号码后4位").fill("13900001111")
    page.get_by_role("button", name="查询").click()
    message = page.get_by_test_id("progress-message")
    message.wait_for()
    assert "未找到匹配的办件" in message.inner_text()
    assert page.get_by_test_id("status").count() == 0


def test_the_qr_code_address_fills_in_the_number_and_the_page_fits_a_phone(browser, live_server, case_in_review):
    case = case_in_review
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/progress/?number={case.number}")
        assert page.get_by_label("办件编号").input_value() == case.number
        # The number came from the QR code, so the cursor waits in the next field.
        assert page.evaluate("document.activeElement.id") == "pg-secret"
        page.get_by_label("手机号码或证件号码后4位").fill("0Y43")
        page.get_by_role("button", name="查询").click()
        page.get_by_test_id("status").wait_for()
        assert page.locator(".pg-step").count() == 4
        # Nothing sticks out sideways on a 390-pixel screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        button = page.get_by_role("button", name="查询").bounding_box()
        assert button["width"] > 300  # a full-width button, easy to hit with a thumb
    finally:
        context.close()
