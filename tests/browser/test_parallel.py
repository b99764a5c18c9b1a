# ruff: noqa: F811  (fixtures imported from the case tests are test arguments)
"""Parallel approval in a browser: a 一件事 applied for at the window, decided by its departments and
issued together; a joint site visit where one department stays silent and is recorded as consenting."""

import datetime

import pytest
from playwright.sync_api import expect

from yichuang.cases.meetings import meetings_close_due
from yichuang.cases.models import Case, JointMeeting
from yichuang.cases.tests.conftest import applicant, county, item, staff  # noqa: F401 - fixtures
from yichuang.cases.tests.parallel_setup import (  # noqa: F401 - fixtures
    FORM,
    decide,
    deciders,
    departments,
    restaurant,
    restaurant_items,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SHOTS = "/tmp/shots-h6a"


def _login(page, url, username):
    page.goto(f"{url}/accounts/login/?next=/desk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "x")
    page.click("button[type=submit]")


def test_a_bundle_applied_for_at_the_window_is_decided_by_each_department_and_issued_together(
        page, live_server, restaurant, deciders, staff):
    _login(page, live_server.url, "clerk")
    page.goto(f"{live_server.url}/desk/")
    page.get_by_role("link", name="一件事（多个事项一次申请、并联办理）").click()
    page.get_by_role("link", name="开办餐饮店").click()
    page.fill("#id_name", "示例县好味道餐饮有限公司")
    page.fill("#id_uscc", "91350100M000100Y43")
    page.fill("#id_phone", "13800138000")
    for key, value in FORM.items():
        page.fill(f"#id_f_{key}", value)
    # The shared field is asked once.
    expect(page.locator("#id_f_shop_name")).to_have_count(1)
    expect(page.locator("tr", has_text="经营场所平面图")).to_have_count(1)
    page.screenshot(path=f"{SHOTS}/browser_apply.png", full_page=True)
    page.click("#bundle-submit")
    expect(page.locator("h1")).to_contain_text("开办餐饮店")
    expect(page.locator(".parallel-children tbody tr")).to_have_count(4)
    parent = Case.objects.get(parallel__isnull=False)
    # Each department decides its child in its own inbox (the engine's services, as the office pages call them).
    for child in parent.children.select_related("department"):
        decide(child, deciders)
    page.context.clear_cookies()
    _login(page, live_server.url, "result")
    page.goto(f"{live_server.url}/office/parallel/{parent.pk}/")
    expect(page.locator(".parallel-children")).to_contain_text("待统一出件")
    page.fill("#id_collected_by", "王小明")
    page.get_by_role("button", name="统一出件").click()
    expect(page.locator("body")).to_contain_text("已统一出件")
    page.screenshot(path=f"{SHOTS}/browser_issued.png", full_page=True)
    assert set(Case.objects.filter(parent=parent).values_list("delivery", flat=True)) == {"delivered"}


def test_a_joint_site_visit_with_one_silent_department_closes_with_its_consent_marked(
        page, live_server, county, departments, deciders, staff):
    _login(page, live_server.url, "clerk")
    page.goto(f"{live_server.url}/office/meetings/new/")
    page.select_option("#id_kind", "site")
    page.fill("#id_title", "好味道餐饮店联合踏勘")
    page.fill("input[name=subject_label]", "好味道餐饮店")
    held = datetime.date.today() + datetime.timedelta(days=1)
    page.fill("#id_held_on", held.isoformat())
    page.fill("#id_opinion_days", "2")
    for name in ("示例县市场监督管理局", "示例县卫生健康局", "示例县综合行政执法局"):
        page.get_by_label(name).check()
    page.get_by_role("button", name="发起").click()
    expect(page.locator("h1")).to_contain_text("联合踏勘：好味道餐饮店联合踏勘")
    meeting = JointMeeting.objects.get()
    # 市场监管 gives its opinion in the browser; 卫健 and 综合执法 say nothing.
    page.context.clear_cookies()
    _login(page, live_server.url, "approver")
    page.goto(f"{live_server.url}/office/meetings/{meeting.pk}/")
    page.get_by_label("同意", exact=True).check()
    page.get_by_role("button", name="提交意见").click()
    expect(page.locator("#inv-SCJG")).to_contain_text("同意")
    # The worker's sweep, the day after the deadline.
    assert meetings_close_due(today=meeting.opinion_deadline + datetime.timedelta(days=1)) == 1
    page.reload()
    expect(page.locator("#inv-WJJ")).to_contain_text("视为同意（超时默许）")
    expect(page.locator("#inv-ZHZF")).to_contain_text("视为同意（超时默许）")
    expect(page.get_by_role("link", name="会议纪要（PDF）")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/browser_meeting.png", full_page=True)
