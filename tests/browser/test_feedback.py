"""好差评 and 投诉 in a browser: the window pad asks for a rating after the clerk finishes a service,
and a complaint goes from the public form to the archive.

Screenshots go to /tmp/shots-h8a/ when that folder exists (to look at the pages)."""

import datetime
import os
import re

import pytest
from playwright.sync_api import expect

from yichuang.feedback.models import Complaint, Rating
from yichuang.feedback.views import pad_key
from yichuang.hall.tests.conftest import county, hall, item, staff  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SHOTS = "/tmp/shots-h8a"
PASSWORD = "feedback-browser-test"


def _shot(page, name):
    if os.path.isdir(SHOTS):
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _new_page(browser, width, height):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def _login(page, base, user, next_url):
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form [type=submit]").click()


@pytest.fixture
def open_hall(hall):  # noqa: F811
    settings = hall.settings
    settings.open_every_day = True
    settings.opens_at, settings.closes_at, settings.last_ticket_minutes = datetime.time(0), datetime.time(23, 59, 59), 0
    settings.save()
    for user in (hall.clerk, hall.staff["supervisor"]):
        user.set_password(PASSWORD)
        user.save()
    return hall


def test_a_rating_on_the_pad_after_a_window_service(browser, live_server, open_hall):
    code = open_hall.centre.code
    kiosk_context, kiosk = _new_page(browser, 1080, 1920)
    pad_context, pad = _new_page(browser, 1024, 768)
    console_context, console = _new_page(browser, 1366, 900)
    try:
        kiosk.goto(f"{live_server.url}/hall/{code}/kiosk/")
        kiosk.get_by_role("button", name=re.compile("综合受理")).click()
        kiosk.get_by_role("button", name="确认取号").click()
        expect(kiosk.locator("[data-ticket-number]")).to_have_text("A001")

        # The tablet on the counter, paired with window A01 by the key in its address: idle, polling.
        pad.goto(f"{live_server.url}/feedback/pad/{open_hall.a01.pk}/?k={pad_key(open_hall.a01)}")
        expect(pad.locator("[data-pad-idle]")).to_be_visible()
        _shot(pad, "pad-idle")

        _login(console, live_server.url, open_hall.clerk, "/hall/console/")
        console.get_by_role("button", name=re.compile("叫下一位")).click()
        expect(console.locator("[data-current-number]")).to_have_text("A001")
        console.get_by_role("button", name=re.compile("开始办理")).click()
        expect(console.locator(".console-ticket .badge").first).to_have_text("办理中")
        console.keyboard.press("f")
        expect(console.locator(".console-flash")).to_have_text("A001 已办结。")

        # The pad now asks the person just served to rate (一次一评).
        expect(pad.locator("[data-pad-form]")).to_be_visible()
        expect(pad.locator(".pad-ask")).to_contain_text("A001")
        _shot(pad, "pad-form")
        pad.locator(".pad-level-4").click()
        pad.locator("label:has(input[name=ind_attitude][value='5'])").click()
        pad.get_by_role("button", name="提交评价").click()
        expect(pad.locator("[data-pad-thanks]")).to_contain_text("谢谢您的评价")
        _shot(pad, "pad-thanks")
        rating = Rating.objects.get()
        assert (rating.channel, rating.level, rating.window_id, rating.staff_id) == (
            "pad", 4, open_hall.a01.pk, open_hall.clerk.pk)
        assert rating.indicators["attitude"] == 5
        # …and goes back to waiting for the next service.
        expect(pad.locator("[data-pad-idle]")).to_be_visible(timeout=15_000)
    finally:
        for context in (kiosk_context, pad_context, console_context):
            context.close()


def test_a_complaint_from_the_public_form_to_the_archive(browser, live_server, open_hall):
    public_context, public = _new_page(browser, 1280, 900)
    staff_context, desk = _new_page(browser, 1366, 900)
    try:
        public.goto(f"{live_server.url}/")
        public.get_by_role("link", name="投诉建议").click()
        public.fill("input[name=subject]", "窗口人员态度生硬")
        public.fill("textarea[name=content]", "今天上午在 A01 窗口咨询，工作人员不耐烦，没有说清要带什么材料。")
        _shot(public, "complaint-form")
        public.get_by_role("button", name="提交投诉").click()
        expect(public.locator("[data-no-sms]")).to_contain_text("无法用短信答复")
        number = public.locator("[data-complaint-number]").inner_text()
        code = public.locator("[data-query-code]").inner_text()
        _shot(public, "complaint-received")

        _login(desk, live_server.url, open_hall.staff["supervisor"], "/feedback/complaints/")
        desk.get_by_role("link", name=number).click()
        expect(desk.locator("[data-no-sms]")).to_be_visible()
        steps = [
            ("accept", {}),
            ("investigate", {"textarea[name=note]": "调阅录像，约谈当事人，情况属实。"}),
            ("handle", {"textarea[name=note]": "当事人书面检查，补发一次性告知书。", "input[name=accountability]": "批评教育"}),
            ("answer", {"textarea[name=answer]": "经核实情况属实，已批评教育当事人，欢迎继续监督。"}),
            ("archive", {}),
        ]
        for action, fields in steps:
            form = desk.locator(f"[data-complaint-action={action}]")
            for selector, value in fields.items():
                form.locator(selector).fill(value)
            form.locator("[data-advance]").click()
            expect(desk.locator(".msg-success")).to_be_visible()
        expect(desk.locator("[data-stage]")).to_have_text("已归档")
        _shot(desk, "complaint-archived")
        assert Complaint.objects.get().late_stages == []

        public.goto(f"{live_server.url}/complaints/lookup/?number={number}")
        public.fill("input[name=code]", code)
        public.get_by_role("button", name="查询").click()
        expect(public.locator("[data-lookup-result] [data-stage]")).to_have_text("已归档")
        expect(public.locator("[data-lookup-result]")).to_contain_text("已批评教育当事人")
        _shot(public, "complaint-lookup")
    finally:
        public_context.close()
        staff_context.close()
