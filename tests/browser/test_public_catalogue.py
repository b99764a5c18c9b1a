"""A member of the public finds an item by part of its name, reads its guide and prints the checklist."""

import re

import pytest

from yichuang.catalog.tests.public_fixtures import FOOD, build_catalogue

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def catalogue():
    return build_catalogue()


def test_search_by_part_of_a_name_open_the_guide_and_print_the_checklist(page, live_server, catalogue):
    page.goto(live_server.url + "/")
    # A marker that a full page load would wipe out: the results must arrive without one.
    page.evaluate("window.__stillHere = true")
    page.get_by_placeholder(re.compile("输入事项名称")).fill("经营许可")
    result = page.locator("#live-results a", has_text="食品经营许可")
    result.wait_for()
    assert page.evaluate("window.__stillHere") is True
    assert page.locator("#live-results").get_by_text("户口迁移登记").count() == 0

    result.click()
    page.wait_for_url(f"**/guide/{FOOD}/")
    assert page.locator("h1").inner_text() == "食品经营许可"
    materials = page.locator("table.materials tbody tr")
    assert materials.count() == 4
    assert "食品安全管理制度文本" in materials.nth(2).inner_text()
    assert materials.nth(2).locator(".badge", has_text="容缺后补").is_visible()
    qr = page.locator("svg.qr")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box["width"] >= 100 and box["height"] >= 100

    link = page.get_by_role("link", name="打印一次性告知单 (PDF)")
    href = link.get_attribute("href")
    assert href == f"/guide/{FOOD}/checklist.pdf"
    response = page.request.get(live_server.url + href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")


def test_the_list_page_searches_live_and_keeps_the_address(page, live_server, catalogue):
    page.goto(live_server.url + "/guide/")
    page.evaluate("window.__stillHere = true")
    page.locator("#list-q").fill("spjy")
    page.locator("#results .result-name", has_text="食品经营许可").wait_for()
    page.wait_for_url(re.compile(r"/guide/\?q=spjy"))
    assert page.locator("#results .result").count() == 1
    page.locator("select[name=department]").select_option("GA")
    page.locator("#results").get_by_text("没有找到符合条件的事项").wait_for()
    assert page.evaluate("window.__stillHere") is True


def test_the_guide_reads_on_a_phone_without_sideways_scrolling(browser, live_server, catalogue):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        for path in ("/", "/guide/?q=食品", f"/guide/{FOOD}/"):
            page.goto(live_server.url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} is {width}px wide on a 390px phone"
        # On a phone the material table turns into one labelled card per material.
        first_cell = page.locator("table.materials tbody tr").first.locator("td").nth(1)
        label = first_cell.evaluate("el => getComputedStyle(el, '::before').content")
        assert "材料名称" in label
        assert page.locator("svg.qr").is_visible()
    finally:
        context.close()
