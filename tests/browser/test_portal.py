"""The online service hall in a browser.

An applicant registers with the SMS code read from the local backend's outbox, verifies their
real name, applies online for a 零上门 item from its guide with uploads and submits; the
department returns it once (through the services), the applicant fixes and resubmits, it is
accepted online and decided, and the applicant follows it to the decision — with 0 visits.
And the same hall on a 375×812 phone, in English.
"""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from yichuang.cases import services
from yichuang.cases import services_online as online
from yichuang.cases.models import Case
from yichuang.cases.tests.conftest import county, item, staff  # noqa: F401 - fixtures
from yichuang.cases.tests.online_fixtures import pdf_bytes, zero_item  # noqa: F401 - fixtures
from yichuang.core.validators import id_number_check_char

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SHOTS = Path("/tmp/shots-h4a")
ID_17 = "33010219900101123"
ID_NUMBER = ID_17 + id_number_check_char(ID_17)


@pytest.fixture(autouse=True)
def _fresh_limits():
    from django.core.cache import cache

    cache.clear()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def code_from_outbox(mobile: str) -> str:
    """The last verification code the local SMS backend 'sent' to `mobile` (what /dev/sms/ shows)."""
    outbox = Path(settings.DATA_DIR) / "sms-outbox.jsonl"
    records = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines() if line.strip()]
    # The message is in the language the applicant used the site in.
    texts = [r["text"] for r in records if r["phone"] == mobile and re.search(r"验证码|code", r["text"])]
    return re.search(r"\b(\d{6})\b", texts[-1].split("】")[-1]).group(1)


def register(page, live_server, mobile: str, *, english: bool = False) -> None:
    page.goto(live_server.url + "/portal/register/")
    if english:
        page.get_by_role("button", name="English").click()
        expect(page.locator("h1")).to_have_text("Register an account")
    page.fill("input[name=mobile]", mobile)
    page.get_by_role("button", name=re.compile("获取验证码|Send code")).click()
    expect(page.locator(".messages")).to_contain_text(mobile)
    page.fill("input[name=code]", code_from_outbox(mobile))
    page.fill("input[name=password]", "abc12345")
    page.locator("button.pf-submit").click()
    page.fill("input[name=name]", "张三")
    page.fill("input[name=id_number]", ID_NUMBER)
    page.locator("button.pf-submit").click()
    expect(page.locator(".messages")).to_contain_text(re.compile("实名认证已完成|verified"))


def upload(page, material: str, filename: str, tmp_path: Path) -> None:
    path = tmp_path / filename
    path.write_bytes(pdf_bytes())
    row = page.locator(".pf-material").filter(has_text=material)
    row.locator("input[type=file]").set_input_files(str(path))
    row.locator("form.pf-upload button").click()
    expect(page.locator(".pf-material").filter(has_text=material).locator(".pf-files")).to_contain_text(filename)


def test_register_apply_online_get_returned_fix_and_follow_to_the_decision(page, live_server, staff, zero_item,  # noqa: F811
                                                                          tmp_path):
    mobile = "13912345678"
    register(page, live_server, mobile)
    shot(page, "01-home-after-register")

    page.goto(live_server.url + "/guide/SCJG-SPJY-ZERO/")
    page.get_by_role("link", name="在线办理").click()
    expect(page.locator("h1")).to_contain_text("食品经营许可（延续）")
    page.get_by_role("button", name="开始填写").click()

    page.fill("input[name=f_shop_name]", "好味道餐厅")
    page.fill("input[name=f_staff_count]", "很多")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#f_staff_count-errors")).to_contain_text("应为整数")
    page.fill("input[name=f_staff_count]", "4")
    page.select_option("select[name=f_kind]", "餐饮服务")
    page.fill("input[name=f_contact_mobile]", mobile)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("草稿已保存")
    upload(page, "食品经营许可申请书", "申请书.pdf", tmp_path)
    upload(page, "经营场所平面图", "平面图.pdf", tmp_path)
    shot(page, "02-application")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".pf-case-status .badge")).to_have_text("待预审")
    number = page.locator(".pf-case-status .code").inner_text()
    shot(page, "03-submitted")

    # The department returns it once, listing the plan to redo.
    case = Case.objects.get(number=number)
    plan = case.materials.get(requirement__code="pmt")
    online.case_prereview_return(actor=staff["reviewer"], case=case,
                                 items=[{"material": plan.requirement_id, "problem": "平面图未标注面积"}])
    page.reload()
    expect(page.locator(".pf-case-status .badge")).to_have_text("预审退回")
    page.get_by_role("link", name=re.compile("修改并重新提交")).click()
    expect(page.locator(".notice")).to_contain_text("平面图未标注面积")
    shot(page, "04-returned")
    upload(page, "经营场所平面图", "平面图-已标注.pdf", tmp_path)
    page.get_by_role("button", name="重新提交").click()
    expect(page.locator(".pf-case-status .badge")).to_have_text("待预审")
    assert page.locator(".pf-case-status .code").inner_text() == number

    # Passed: a 零上门 item is accepted online; reviewed and decided by the department.
    case.refresh_from_db()
    online.case_prereview_pass(actor=staff["reviewer"], case=case)
    case.refresh_from_db()
    case = services.case_step_complete(actor=staff["reviewer"], case=case, opinion="符合条件")
    services.case_decide(actor=staff["approver"], case=case, approve=True, reason="符合法定条件")
    page.reload()
    expect(page.locator("#result")).to_contain_text("准予")
    expect(page.locator("[data-visits]")).to_have_text("0")
    timeline = page.locator(".pf-timeline")
    expect(timeline).to_contain_text("网上预审退回")
    expect(timeline).to_contain_text("已受理")
    expect(timeline).to_contain_text("已作出决定")
    expect(page.locator("#notices")).to_contain_text("受理通知书")
    shot(page, "05-decided")
    with page.expect_popup() as popup:
        page.locator("#notices a", has_text="受理通知书").click()
    assert popup.value.url.endswith("/") or "notices" in popup.value.url


def test_the_hall_on_a_phone_in_english(browser, live_server, staff, zero_item, tmp_path):  # noqa: F811
    context = browser.new_context(locale="en-US", viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        register(page, live_server, "13987654321", english=True)
        expect(page.locator(".portal-bar")).to_contain_text("My cases")
        page.goto(live_server.url + "/portal/apply/SCJG-SPJY-ZERO/")
        page.get_by_role("button", name="Start").click()
        expect(page.get_by_role("button", name="Submit application")).to_be_visible()
        upload(page, "食品经营许可申请书", "form.pdf", tmp_path)
        page.get_by_role("button", name="Submit application").click()
        expect(page.locator(".errorlist").first).to_be_visible()  # the form is incomplete: said per field
        shot(page, "06-phone-en-application")
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= 375, f"the page is {overflow}px wide on a 375px phone"
        page.goto(live_server.url + "/portal/")
        shot(page, "07-phone-en-home")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()
