"""A walk-in correction round trip at the front desk (综合窗口).

The clerk finds 食品经营许可 by part of its name, registers a new company, marks one material
missing and hands over the one-time correction notice; when the applicant comes back the clerk
records the material as supplied and accepts, and the case page shows the promised due date.
"""

import re

import pytest

from tests.browser.helpers import log_in
from yichuang.cases.models import Case, CaseMaterial, Notice
from yichuang.cases.tests.conftest import county, item, staff  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NEW_USCC = "91330100MA2B3C4D5N"


def material_row(page, name: str):
    return page.locator("table.checklist tbody tr").filter(has_text=name)


def test_correction_round_trip_at_the_front_desk(page, live_server, staff, item):  # noqa: F811
    log_in(page, live_server, "clerk")
    page.goto(live_server.url + "/desk/")

    # Find the item by typing part of its name; the results arrive without a page load.
    page.evaluate("window.__stillHere = true")
    page.get_by_placeholder(re.compile("输入事项名称")).fill("经营许可")
    found = page.locator("#desk-results a", has_text="食品经营许可")
    found.wait_for()
    assert page.evaluate("window.__stillHere") is True
    found.click()
    page.wait_for_url("**/desk/new/SCJG-SPJY-001/")

    # Register a company applicant: the number is looked up as it is typed.
    page.get_by_label("统一社会信用代码").fill(NEW_USCC)
    page.get_by_text("新申请人：请填写以下信息").wait_for()
    page.get_by_label("单位名称").fill("示例县一品鲜餐饮有限公司")
    page.get_by_label("法定代表人").fill("李四")
    page.get_by_label("联系电话").fill("13900139000")
    page.get_by_label("经营者名称").fill("一品鲜")

    # Everything received but the floor plan, which the applicant did not bring.
    page.get_by_role("button", name="全部已收").click()
    material_row(page, "经营场所平面图").locator("label.seg", has_text="缺少").click()
    optional = material_row(page, "授权委托书").locator("input[value=na]")
    assert optional.is_checked(), "全部已收 ticks the necessary materials only"
    page.get_by_role("button", name="出具一次性告知书").click()

    page.wait_for_url(re.compile(r"/desk/case/\d+/$"))
    case = Case.objects.get()
    assert case.status == Case.Status.CORRECTION
    assert case.applicant.name == "示例县一品鲜餐饮有限公司"
    assert page.locator(".desk-case-head").get_by_text("补正中").is_visible()
    notice = case.notices.get(kind=Notice.Kind.CORRECTION)
    link = page.get_by_role("link", name="补正材料一次性告知书")
    assert link.get_attribute("href") == f"/office/case/{case.pk}/notice/{notice.pk}.pdf"
    assert [i["name"] for i in notice.content["items"]] == ["经营场所平面图"]

    # The applicant comes back with the floor plan.
    page.get_by_label("经营场所平面图").check()
    page.get_by_role("button", name="登记补正").click()
    page.get_by_text("补正材料已登记，请核对后受理").wait_for()
    assert page.locator(".desk-case-head").get_by_text("已接件").is_visible()
    assert material_row(page, "经营场所平面图").locator("input[value=received]").is_checked()

    page.get_by_role("button", name="受理", exact=True).click()
    page.get_by_text(re.compile("已受理，承诺办结日")).wait_for()
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED
    assert case.materials.get(requirement__code="pmt").state == CaseMaterial.State.RECEIVED
    due = f"{case.due_date.year}年{case.due_date.month}月{case.due_date.day}日"
    assert page.locator(".desk-due .due-date").inner_text() == due
    assert page.locator(".desk-case-head").get_by_text("已受理").is_visible()
    assert page.get_by_role("link", name="受理通知书").is_visible()
