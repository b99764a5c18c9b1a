"""Online pre-review in a browser: a reviewer returns an online application with the one-time
list, the applicant fixes and resubmits (through the services, as the portal does), and the
reviewer passes it — the 零上门 item is accepted online with 0 visits."""

import os

import pytest
from playwright.sync_api import expect

from yichuang.cases import services_online as online
from yichuang.cases.models import Case
from yichuang.cases.tests.conftest import applicant, county, staff  # noqa: F401 - fixtures
from yichuang.cases.tests.online_fixtures import me, pdf_upload, submitted, zero_item  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SHOTS = os.environ.get("YICHUANG_SHOTS", "")


def _shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_reviewer_returns_with_a_list_then_passes_after_resubmission(
        browser, live_server, submitted, zero_item, staff, me):  # noqa: F811
    case = submitted(zero_item, when="2026-11-20")
    reviewer = staff["reviewer"]
    reviewer.set_password("prereview-browser-test")
    reviewer.save()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/accounts/login/?next=/office/prereview/")
        page.fill("input[name=username]", reviewer.username)
        page.fill("input[name=password]", "prereview-browser-test")
        page.locator("form button[type=submit]").first.click()
        expect(page.get_by_role("heading", name="网上预审")).to_be_visible()
        expect(page.locator("table.prereview-table")).to_contain_text(case.number)
        _shot(page, "prereview-list")

        page.get_by_role("link", name=case.number).click()
        expect(page.locator(".prereview-body")).to_contain_text("好味道餐厅")
        # Nothing listed: refused in place, nothing changes.
        page.get_by_role("button", name="退回并一次性告知").click()
        expect(page.locator("#action-return .form-errors")).to_contain_text("一次性告知")
        page.get_by_label("经营场所平面图").fill("平面图未标注经营面积和功能分区")
        page.get_by_label("申请表：经营者名称").fill("名称应与营业执照一致")
        _shot(page, "prereview-return-form")
        page.get_by_role("button", name="退回并一次性告知").click()
        expect(page.locator(".case-header")).to_contain_text("预审退回")
        expect(page.locator(".prereview-body")).to_contain_text("平面图未标注经营面积和功能分区")
        case.refresh_from_db()
        assert case.status == Case.Status.PREREVIEW_RETURNED and case.prereview_returns == 1

        pmt = case.materials.get(requirement__code="pmt")
        online.case_online_file_add(acted_by=me, case=case, material_id=pmt.pk, upload=pdf_upload("平面图-修改.pdf"))
        online.case_submit_online(acted_by=me, case=case)

        page.reload()
        expect(page.locator(".case-header")).to_contain_text("待预审")
        page.get_by_role("button", name="预审通过并网上受理").click()
        expect(page.locator(".case-header")).to_contain_text("已受理")
        _shot(page, "prereview-passed")
        case.refresh_from_db()
        assert case.status == Case.Status.ACCEPTED and case.visits == 0 and case.prereview_returns == 1
    finally:
        context.close()
