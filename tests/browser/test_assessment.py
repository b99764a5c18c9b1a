"""The monthly window assessment in a browser: the supervisor computes October, reads the breakdown,
confirms the 红旗窗口, and the public page (no login) shows it with its breakdown."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from yichuang.cases.tests import conftest as cases_conftest
from yichuang.cases.tests.conftest import at
from yichuang.org.models import Window

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

county = cases_conftest.county
staff = cases_conftest.staff
item = cases_conftest.item
applicant = cases_conftest.applicant
receive = cases_conftest.receive

SHOTS = "/tmp/shots-h8b"


@pytest.fixture
def october(county, staff, receive):
    """Window A01 (the clerk) served two cases in October, rated 非常满意 and 不满意 by the hotline;
    window A02 (clerk2) was not rated."""
    from yichuang.feedback.services import rating_submit

    a02 = Window.objects.create(centre=county["centre"], number="A02", name="综合受理二", kind="general")
    staff["clerk"].windows.set([county["window"]])
    staff["clerk2"].windows.set([a02])
    for day, level in (("2026-10-12", 5), ("2026-10-13", 2)):
        case = receive(day)
        rating_submit(actor=staff["supervisor"], channel="hotline", level=level, case=case, at=at(day, 15))
    staff["supervisor"].set_password("assessment-browser-test")
    staff["supervisor"].save()
    return county


def test_the_supervisor_confirms_the_red_flag_window_and_the_public_page_shows_it(browser, live_server, october,
                                                                                   staff):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    public = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    visitor = public.new_page()
    visitor.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)  # the machine running the suite is shared and busy
    try:
        page.goto(f"{live_server.url}/accounts/login/?next=/supervision/assessment/")
        page.fill("input[name=username]", "supervisor")
        page.fill("input[name=password]", "assessment-browser-test")
        page.locator("form [type=submit]").click()
        page.fill("input[name=month]", "2026-10")
        page.get_by_role("button", name="计算考核").click()
        expect(page.locator("h1")).to_contain_text("2026-10 窗口考核")

        # A01 is proposed (A02, unrated, scores 100 but cannot be proposed): 100 − 5 (满意率 50% < 95%) − 2 (one
        # 差评) = 93; the breakdown of a proposal is open and adds up.
        row = page.locator("tr[data-result='示例县政务服务中心 A01 综合受理']")
        expect(row).to_contain_text("建议：红旗窗口")
        breakdown = row.locator("table.asm-breakdown")
        expect(breakdown).to_be_visible()
        points = [Decimal(text) for text in breakdown.locator("td[data-points]").all_inner_texts()]
        score = Decimal(breakdown.locator("td[data-score]").inner_text())
        assert sum(points) == score == Decimal("93")
        expect(breakdown).to_contain_text("差评件数")
        page.screenshot(path=f"{SHOTS}/assessment-month.png", full_page=True)

        checkbox = page.locator("input[name=red_flag]")
        expect(checkbox).to_have_count(1)  # A02 had no ratings: not eligible
        expect(checkbox).to_be_checked()
        page.get_by_role("button", name="确认并公示").click()
        expect(page.locator(".badge.ok").first).to_contain_text("已确认")
        expect(row.locator(".badge.ok")).to_have_text("红旗窗口")
        expect(page.get_by_role("button", name="重新计算")).to_have_count(0)  # frozen

        visitor.goto(f"{live_server.url}/assessment/")
        month = visitor.locator("section[data-month='2026-10']")
        expect(month.locator("[data-honour=red_flag]")).to_contain_text("A01 综合受理")
        expect(month.locator("[data-honour=red_flag]")).to_contain_text("93")
        month.locator("[data-honour=red_flag] summary").click()
        expect(month.locator("[data-honour=red_flag] td[data-score]")).to_have_text("93")
        expect(month.locator("[data-honour=star]")).to_contain_text(re.compile("clerk"))
        visitor.screenshot(path=f"{SHOTS}/assessment-public.png", full_page=True)
    finally:
        expect.set_options(timeout=5_000)
        context.close()
        public.close()
