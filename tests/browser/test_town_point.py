"""A town point accepts a county item at its front desk; the county department sees and decides it.

The town clerk finds the county item (全县通办), registers the applicant, accepts, uploads a
scanned material; the county reviewer sees the case in the department inbox with the point's
name and the scanned file; after the decision the result waits at the point's result window.
"""

import re

import pytest

from tests.browser.helpers import log_in
from yichuang.cases import services
from yichuang.cases.models import Case
from yichuang.cases.tests.conftest import county, food_licence_data, staff  # noqa: F401  (fixtures)
from yichuang.catalog.services import item_upsert

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SHOTS = "/tmp/shots-h6b"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def county_item(county):  # noqa: F811
    version, _ = item_upsert(actor=None, data=food_licence_data(
        implementation_code="SCJG-GTH-001", name="个体工商户设立登记", tongban_scope="county"))
    return version


def test_a_town_clerk_accepts_a_county_item_and_the_county_department_sees_it(
        browser, live_server, staff, county, county_item, tmp_path):  # noqa: F811
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)  # the shared test machine is slow; no timing is asserted
    try:
        log_in(page, live_server, "town_clerk")
        page.goto(live_server.url + "/desk/")
        page.get_by_placeholder(re.compile("输入事项名称")).fill("个体工商户")
        found = page.locator("#desk-results a", has_text="个体工商户设立登记")
        found.wait_for()
        found.click()
        page.wait_for_url("**/desk/new/SCJG-GTH-001/")
        page.get_by_label("统一社会信用代码").fill("91330100MA2B3C4D5N")
        page.get_by_text("新申请人：请填写以下信息").wait_for()
        page.get_by_label("单位名称").fill("示例县青山镇小林面馆")
        page.get_by_label("法定代表人").fill("林小明")
        page.get_by_label("联系电话").fill("13900139000")
        page.get_by_label("经营者名称").fill("小林面馆")
        page.get_by_role("button", name="全部已收").click()
        page.get_by_role("button", name="受理", exact=True).click()
        page.get_by_text(re.compile("已受理，办件编号")).wait_for()
        case = Case.objects.get()
        assert case.centre == county["point"] and case.channel == Case.Channel.TOWN
        assert case.department == county["scjg"]

        # The scanned application form travels online to the county department.
        scan = tmp_path / "申请书扫描件.pdf"
        scan.write_bytes(PDF)
        page.get_by_label("所属材料").select_option(label="食品经营许可申请书")
        page.get_by_label(re.compile("文件")).set_input_files(str(scan))
        page.get_by_role("button", name="上传扫描件").click()
        page.get_by_text(re.compile("办理部门可在线查看")).wait_for()
        page.screenshot(path=f"{SHOTS}/town-desk-case.png", full_page=True)

        # The county reviewer: the case is in the department inbox, received at the town point.
        context.clear_cookies()
        log_in(page, live_server, "reviewer")
        page.goto(live_server.url + "/office/inbox/")
        page.get_by_text(case.number).first.wait_for()
        page.goto(live_server.url + f"/office/case/{case.pk}/")
        body = page.locator("body")
        assert "城关镇便民服务中心" in body.inner_text()
        assert "乡镇（村）服务点" in body.inner_text()
        assert page.get_by_text("申请书扫描件.pdf").first.is_visible()
        page.screenshot(path=f"{SHOTS}/town-county-reviewer.png", full_page=True)

        # Decided by the county, the result comes back to the point's result list.
        services.case_step_complete(actor=staff["reviewer"], case=case, opinion="材料齐全")
        services.case_decide(actor=staff["approver"], case=Case.objects.get(pk=case.pk), approve=True,
                             reason="符合条件")
        context.clear_cookies()
        log_in(page, live_server, "town_clerk")
        page.goto(live_server.url + "/office/results/")
        page.get_by_text(case.number).first.wait_for()
        page.screenshot(path=f"{SHOTS}/town-results.png", full_page=True)
    finally:
        context.close()
