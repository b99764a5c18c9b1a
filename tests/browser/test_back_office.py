"""The back office and the result window in a browser.

A case received and accepted at the front desk (through the services) is passed by the
reviewer and approved by the approver, each from their inbox; the result clerk mails the
result with a tracking number; the case page then shows every step in its timeline.
"""

import datetime
import re

import pytest
from django.utils import timezone

from tests.browser.helpers import log_in
from yichuang.cases import services
from yichuang.cases.models import Applicant, Case
from yichuang.cases.tests.conftest import complete_checklist, county, item, staff  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TRACKING = "EA202611220001CN"


@pytest.fixture
def accepted_case(staff, county, item):  # noqa: F811
    applicant = services.applicant_register(
        actor=staff["clerk"], kind=Applicant.Kind.COMPANY, name="示例县好味道餐饮有限公司",
        uscc="91350100M000100Y43", phone="13800138000", legal_representative="王小明",
    )
    case = services.case_receive(
        actor=staff["clerk"], item_version=item, applicant=applicant, centre=county["centre"],
        window=county["window"], materials=complete_checklist(item),
    )
    return services.case_accept(actor=staff["clerk"], case=case, expected_version=case.version)


def open_from_inbox(page, case):
    row = page.locator("#inbox-table tbody tr", has_text=case.number)
    row.wait_for()
    row.get_by_role("link", name=case.number).click()
    page.wait_for_url(f"**/office/case/{case.pk}/")


def test_reviewer_and_approver_decide_from_their_inboxes_and_the_result_is_mailed(
    page, live_server, staff, accepted_case,  # noqa: F811
):
    case = accepted_case

    # The reviewer passes the step; HTMX refreshes the case without a page load.
    log_in(page, live_server, "reviewer", "/office/inbox/")
    open_from_inbox(page, case)
    page.evaluate("window.__stillHere = true")
    page.get_by_label("审查意见").fill("材料齐全，符合法定条件，同意。")
    page.get_by_role("button", name="审查通过，转下一环节").click()
    page.get_by_text("已办结本环节，转下一环节。").wait_for()
    assert page.evaluate("window.__stillHere") is True
    assert page.get_by_role("button", name="审查通过，转下一环节").count() == 0

    # The approver finds it in their own inbox and approves.
    log_in(page, live_server, "approver", "/office/inbox/")
    open_from_inbox(page, case)
    page.get_by_label("决定意见").fill("经审查，符合法定条件，准予许可。")
    page.get_by_role("button", name="准予许可").click()
    page.get_by_text("已作出准予许可决定").wait_for()
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED and case.delivery == Case.Delivery.WAITING

    # The result clerk mails it.
    log_in(page, live_server, "result", "/office/results/")
    row = page.locator("#results-table tbody tr", has_text=case.number)
    row.get_by_role("link", name="出件").click()
    page.wait_for_url(f"**/office/results/{case.pk}/deliver/")
    by_post = page.locator("#by-post")
    assert by_post.get_by_label("收件人", exact=True).input_value() == "王小明"
    by_post.get_by_label("邮寄地址").fill("示例县人民路 1 号")
    by_post.get_by_label("快递公司").fill("中国邮政EMS")
    by_post.get_by_label("运单号").fill(TRACKING)
    by_post.get_by_role("button", name="确认寄出").click()
    page.wait_for_url(re.compile(r"/office/results/$"))
    page.get_by_text(f"办件 {case.number} 已送达").wait_for()
    delivered = page.locator("table", has_text=TRACKING)
    assert delivered.get_by_text("已送达").first.is_visible()

    # The case page shows each step in its timeline, and the result as delivered.
    page.goto(f"{live_server.url}/office/case/{case.pk}/")
    timeline = page.locator("#timeline")
    for label in ("接件", "受理", "部门开始办理", "环节办理", "作出决定", "送达"):
        assert timeline.locator(".event-label", has_text=re.compile(f"^{label}$")).count() == 1, label
    assert "材料齐全，符合法定条件，同意。" in timeline.inner_text()
    assert TRACKING in timeline.inner_text()
    assert page.locator(".case-header").get_by_text("已送达").is_visible()
    case.refresh_from_db()
    assert case.delivery == Case.Delivery.DELIVERED and case.delivery_record.tracking_number == TRACKING


def test_the_inbox_filters_by_alarm_without_a_page_load(page, live_server, staff, county, item):  # noqa: F811
    applicant = services.applicant_register(actor=staff["clerk"], kind=Applicant.Kind.COMPANY,
                                            name="示例县好味道餐饮有限公司", uscc="91350100M000100Y43")

    def accepted(when=None):
        case = services.case_receive(actor=staff["clerk"], item_version=item, applicant=applicant,
                                     centre=county["centre"], materials=complete_checklist(item), at=when)
        return services.case_accept(actor=staff["clerk"], case=case, expected_version=case.version, at=when)

    # One case accepted weeks ago (overdue by now), one accepted today.
    late = accepted(timezone.now() - datetime.timedelta(days=30))
    fresh = accepted()
    services.case_alarms_refresh()

    log_in(page, live_server, "reviewer", "/office/inbox/")
    rows = page.locator("#inbox-table tbody tr")
    assert rows.count() == 2
    assert "row-overdue" in rows.filter(has_text=late.number).get_attribute("class")
    page.evaluate("window.__stillHere = true")
    page.get_by_label("预警", exact=True).select_option("overdue")
    page.wait_for_url(re.compile(r"alarm=overdue"))
    page.locator("#inbox-table tbody tr", has_text=fresh.number).wait_for(state="detached")
    assert rows.count() == 1 and late.number in rows.first.inner_text()
    assert page.evaluate("window.__stillHere") is True
