"""A walk-in case from the checklist to the delivered result, entirely in the browser.

The front-desk clerk finds 食品经营许可 by its pinyin initials, registers a new company, ticks
the checklist and accepts; the reviewer and the approver decide it from their inboxes; the
applicant comes back to the result window and collects it in person. The public progress page
then shows every step done and the result delivered, and the case counts two visits (受理 and
领取: 最多跑一次 for the application itself).
"""

import re

import pytest

from tests.browser.helpers import log_in
from yichuang.cases.models import Case, CaseMaterial, Notice
from yichuang.cases.tests.conftest import county, item, staff  # noqa: F401  (fixtures)
from yichuang.catalog.models import MaterialRequirement

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

USCC = "91330100MA2B3C4D5N"
PHONE = "13900139000"
LONG_NAME = "食品安全自查、从业人员健康管理、进货查验记录、食品安全事故处置等保证食品安全的规章制度目录清单"


def fits_the_window(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def open_from_inbox(page, number: str) -> None:
    row = page.locator("#inbox-table tbody tr", has_text=number)
    row.wait_for()
    row.get_by_role("link", name=number).click()
    page.wait_for_url(re.compile(r"/office/case/\d+/$"))


def test_a_walk_in_case_from_the_checklist_to_the_result_collected_at_the_window(
    page, live_server, staff, item,  # noqa: F811
):
    # The material's name as the demo's catalogue words it: long enough to test the layout.
    MaterialRequirement.objects.filter(version=item, code="zd").update(name=LONG_NAME)

    # The front desk: the item by its pinyin initials, a new company, the checklist, 受理.
    log_in(page, live_server, "clerk", "/desk/")
    page.get_by_placeholder(re.compile("输入事项名称")).fill("spjy")
    found = page.locator("#desk-results a", has_text="食品经营许可")
    found.wait_for()
    found.click()
    page.wait_for_url("**/desk/new/SCJG-SPJY-001/")
    page.get_by_label("统一社会信用代码").fill(USCC)
    page.get_by_text("新申请人：请填写以下信息").wait_for()
    page.get_by_label("单位名称").fill("示例县一品鲜餐饮有限公司")
    page.get_by_label("法定代表人").fill("李四")
    page.get_by_label("联系电话").fill(PHONE)
    page.get_by_label("经营者名称").fill("一品鲜")
    page.get_by_role("button", name="全部已收").click()
    page.get_by_role("button", name="受理", exact=True).click()
    page.get_by_text(re.compile("已受理，办件编号")).wait_for()

    case = Case.objects.get()
    assert case.status == Case.Status.ACCEPTED and case.visits == 1
    assert set(case.materials.values_list("state", flat=True)) == {CaseMaterial.State.RECEIVED,
                                                                   CaseMaterial.State.NOT_APPLICABLE}
    assert page.get_by_role("link", name="受理通知书").is_visible()
    assert page.get_by_role("link", name="收件凭证").is_visible()
    # The side panel's upload form lists long material names; the page must not scroll sideways.
    assert fits_the_window(page)

    # The back office: the reviewer passes the step, the approver approves, each from the inbox.
    log_in(page, live_server, "reviewer", "/office/inbox/")
    open_from_inbox(page, case.number)
    page.get_by_label("审查意见").fill("材料齐全，符合法定条件，同意。")
    page.get_by_role("button", name="审查通过，转下一环节").click()
    page.get_by_text("已办结本环节，转下一环节。").wait_for()
    log_in(page, live_server, "approver", "/office/inbox/")
    open_from_inbox(page, case.number)
    page.get_by_label("决定意见").fill("经审查，符合法定条件，准予许可。")
    page.get_by_role("button", name="准予许可").click()
    page.get_by_text("已作出准予许可决定").wait_for()
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
    assert case.notices.filter(kind=Notice.Kind.APPROVAL).count() == 1

    # The result window: the applicant's legal representative collects the licence in person.
    log_in(page, live_server, "result", "/office/results/")
    row = page.locator("#results-table tbody tr", has_text=case.number)
    row.get_by_role("link", name="出件").click()
    page.wait_for_url(f"**/office/results/{case.pk}/deliver/")
    in_person = page.locator("#in-person")
    in_person.get_by_label("领取人姓名").fill("李四")
    in_person.get_by_role("button", name="确认领取").click()
    page.get_by_text(f"办件 {case.number} 已送达").wait_for()
    case.refresh_from_db()
    assert case.delivery == Case.Delivery.DELIVERED and case.closed_at is not None
    assert case.delivery_record.collected_by == "李四"
    assert case.visits == 2

    # The public progress page: every step done, the result delivered, no personal data.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/progress/?number={case.number}")
    page.get_by_label("手机号码或证件号码后4位").fill(PHONE)
    page.get_by_role("button", name="查询").click()
    page.get_by_test_id("status").wait_for()
    steps = page.locator(".pg-step")
    assert steps.count() == 4
    for index, name in enumerate(("受理", "审查", "决定", "制证送达")):
        assert name in steps.nth(index).inner_text() and "已完成" in steps.nth(index).inner_text(), name
    timeline = page.locator(".pg-timeline").inner_text()
    for moment in ("窗口收件", "已受理", "「审查」环节已完成", "作出决定：准予许可"):
        assert moment in timeline, moment
    body = page.locator("main").inner_text()
    assert "示例县一品鲜餐饮有限公司" not in body and PHONE not in body and "李四" not in body
