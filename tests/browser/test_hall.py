"""The hall in a browser: a ticket from the kiosk, called at a window, shown on the display, served
at the front desk, finished, and the rating pad asking.

And the kiosk that loses the server: it says so and shows no number it did not get.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from yichuang.feedback.views import pad_key
from yichuang.hall.tests.conftest import county, hall, item, staff  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def open_hall(hall):  # noqa: F811 - the fixture imported above
    """Open around the clock, so the test does not depend on when it runs."""
    settings = hall.settings
    settings.open_every_day = True
    settings.opens_at, settings.closes_at, settings.last_ticket_minutes = datetime.time(0), datetime.time(23, 59, 59), 0
    settings.save()
    hall.clerk.set_password("hall-browser-test")
    hall.clerk.save()
    return hall


def _new_page(browser, width, height):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def test_take_at_the_kiosk_call_at_the_window_see_it_on_the_display_finish(browser, live_server, open_hall):
    """The issue's walk: a ticket by item at the kiosk, called at a window, on the display, served into
    the front desk's form, finished — and the window's rating pad asks the person to rate."""
    code = open_hall.centre.code
    version = open_hall.item
    kiosk_context, kiosk = _new_page(browser, 1080, 1920)
    display_context, display = _new_page(browser, 1920, 1080)
    console_context, console = _new_page(browser, 1366, 900)
    pad_context, pad = _new_page(browser, 1024, 768)
    try:
        display.goto(f"{live_server.url}/hall/{code}/display/")
        expect(display.locator(".display-empty")).to_be_visible()
        pad.goto(f"{live_server.url}/feedback/pad/{open_hall.a01.pk}/?k={pad_key(open_hall.a01)}")
        expect(pad.locator("[data-pad-idle]")).to_be_visible()

        # 按事项取号: the department, the item, a phone number typed on the keypad.
        kiosk.goto(f"{live_server.url}/hall/{code}/kiosk/")
        kiosk.get_by_role("button", name=re.compile("按事项取号")).click()
        department = version.department.short_name or version.department.name
        kiosk.locator(".kiosk-dept", has_text=department).click()
        kiosk.locator(".kiosk-item", has_text=version.name).click()
        expect(kiosk.locator(".kiosk-confirm-item")).to_have_text(version.name)
        for digit in "13800138001":
            kiosk.locator(f".keypad [data-key='{digit}']").click()
        kiosk.get_by_role("button", name="确认取号").click()
        expect(kiosk.locator("[data-ticket-number]")).to_have_text("A001")

        console.goto(f"{live_server.url}/accounts/login/?next=/hall/console/")
        console.fill("input[name=username]", open_hall.clerk.username)
        console.fill("input[name=password]", "hall-browser-test")
        console.locator("form [type=submit]").click()
        expect(console.locator(".console-queue")).to_contain_text("A001")
        console.get_by_role("button", name=re.compile("叫下一位")).click()
        expect(console.locator("[data-current-number]")).to_have_text("A001")

        # The display polls every second and shows the call: number and window, never a name.
        expect(display.locator("[data-now-number]")).to_have_attribute("data-now-number", "A001")
        expect(display.locator(".display-now-window")).to_have_text("A01")

        console.get_by_role("button", name=re.compile("开始办理")).click()
        expect(console.locator(".console-ticket .badge").first).to_have_text("办理中")
        # 开始受理 opens the front desk's form for the item, the person's phone already in it.
        with console_context.expect_page() as opened:
            console.get_by_role("link", name=re.compile("开始受理")).click()
        desk = opened.value
        expect(desk.get_by_text("叫号 A001")).to_be_visible()
        expect(desk.locator("input[name=a-phone]")).to_have_value("13800138001")
        desk.close()

        console.keyboard.press("f")
        expect(console.locator(".console-flash")).to_have_text("A001 已办结。")
        expect(console.get_by_role("button", name=re.compile("叫下一位"))).to_be_visible()
        # The window's pad now asks the person just served to rate (一次一评).
        expect(pad.locator("[data-pad-form]")).to_be_visible()
        expect(pad.locator(".pad-ask")).to_contain_text("A001")
    finally:
        for context in (kiosk_context, display_context, console_context, pad_context):
            context.close()


def test_a_kiosk_that_loses_the_server_says_so_and_shows_no_number(browser, live_server, open_hall):
    context, kiosk = _new_page(browser, 1080, 1920)
    try:
        kiosk.goto(f"{live_server.url}/hall/{open_hall.centre.code}/kiosk/")
        kiosk.get_by_role("button", name=re.compile("综合受理")).click()
        expect(kiosk.get_by_role("button", name="确认取号")).to_be_visible()
        kiosk.route("**/kiosk/take/", lambda route: route.abort("internetdisconnected"))
        kiosk.get_by_role("button", name="确认取号").click()
        expect(kiosk.locator("#kiosk-alert")).to_contain_text("没有取到号")
        expect(kiosk.locator("#kiosk-connection")).to_contain_text("连接中断")
        expect(kiosk.locator("[data-ticket-number]")).to_have_count(0)
        # The server is back: the same tap gets the number (and only one was issued).
        kiosk.unroute("**/kiosk/take/")
        kiosk.get_by_role("button", name="确认取号").click()
        expect(kiosk.locator("[data-ticket-number]")).to_have_text("A001")
    finally:
        context.close()
