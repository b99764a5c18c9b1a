# ruff: noqa: F811  (fixtures imported from the case tests are test arguments)
"""一件事 online in a browser: the applicant applies from the bundle's guide with one form and one set
of uploads; the front desk passes the pre-review and the children go to their departments; each
department decides; the result window issues everything together; the applicant sees it done."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from yichuang.cases.models import Case
from yichuang.cases.tests.conftest import applicant, county, item, staff  # noqa: F401 - fixtures
from yichuang.cases.tests.online_fixtures import pdf_bytes
from yichuang.cases.tests.parallel_setup import (  # noqa: F401 - fixtures
    FORM,
    decide,
    deciders,
    departments,
    restaurant,
    restaurant_items,
)
from yichuang.catalog.models import ItemVersion
from yichuang.catalog.selectors_bundles import bundle_checklist
from yichuang.core.validators import id_number_check_char

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SHOTS = Path("/tmp/shots-h6c")
MOBILE = "13800000011"
PASSWORD = "Demo2026ok"


@pytest.fixture(autouse=True)
def _fresh_limits():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def account(county):
    from django.core.cache import cache

    from yichuang.core.models import SmsMessage
    from yichuang.portal import services

    services.sms_code_request(mobile=MOBILE, ip="10.0.0.9")
    code = SmsMessage.objects.filter(phone=MOBILE, template="verification_code").order_by("-pk").first().params["code"]
    account, _created = services.account_sign_in_code(mobile=MOBILE, code=code, ip="10.0.0.9")
    cache.clear()
    first17 = "33010219900101123"
    account = services.account_verify_person(account=account, name="王小明", id_number=first17 + id_number_check_char(first17))
    return services.account_password_set(account=account, password=PASSWORD)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def portal_login(page, url):
    page.goto(f"{url}/portal/login/?mode=password")
    page.fill("input[name=mobile]", MOBILE)
    page.fill("input[name=password]", PASSWORD)
    page.locator("button.pf-submit").click()
    expect(page.locator("h1")).not_to_contain_text("登录")


def staff_login(page, url, username, next_url):
    page.context.clear_cookies()
    page.goto(f"{url}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "x")
    page.click("button[type=submit]")


def test_a_bundle_applied_for_online_is_passed_decided_in_parallel_and_issued_together(
        page, live_server, restaurant, deciders, staff, account):
    ItemVersion.objects.filter(item__bundle_entries__bundle=restaurant).update(online_depth=4, visits_required=0)
    url = live_server.url
    portal_login(page, url)
    page.goto(f"{url}/bundle/{restaurant.code}/")
    page.locator("#bundle-online").click()
    expect(page.locator("h1")).to_contain_text("开办餐饮店")
    for key, value in FORM.items():
        page.fill(f"#id_f_{key}", value)
    expect(page.locator("#id_f_shop_name")).to_have_count(1)  # the shared field is asked once
    for merged in bundle_checklist(restaurant):
        if merged.produced_by is None and merged.necessity != "optional":  # 容缺 ones too: nothing to chase
            page.set_input_files(f"#id_m_{merged.key}", files=[
                {"name": f"{merged.name}.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}])
    shot(page, "apply")
    page.locator("#bundle-submit").click()
    expect(page.locator("#bundle-children")).to_contain_text("预审通过后")
    parent = Case.objects.get(parallel__isnull=False)
    assert parent.status == Case.Status.PREREVIEW and parent.channel == Case.Channel.ONLINE
    assert not parent.children.exists()
    shot(page, "submitted")

    # The front desk (全科) passes the pre-review: the children go to their departments.
    staff_login(page, url, "clerk", "/office/prereview/")
    page.goto(f"{url}/office/prereview/")
    page.get_by_role("link", name=parent.number).first.click()
    shot(page, "prereview")
    page.get_by_role("button", name="通过并分送各部门").click()
    expect(page.locator("body")).to_contain_text("已预审通过并分送各部门并联办理")
    children = list(Case.objects.filter(parent=parent).select_related("department"))
    assert len(children) == 4
    assert {c.channel for c in children} == {Case.Channel.ONLINE}
    assert {c.visits for c in children} == {0}

    # Each department decides its own child (the engine's services, as the office pages call them).
    for child in children:
        decide(Case.objects.get(pk=child.pk), deciders)

    parent.refresh_from_db()
    assert parent.visits == 0  # applied and accepted without coming in
    # 统一出件 at the result window: the one trip, to collect everything.
    staff_login(page, url, "result", f"/office/parallel/{parent.pk}/")
    page.goto(f"{url}/office/parallel/{parent.pk}/")
    expect(page.locator(".parallel-children")).to_contain_text("待统一出件")
    page.fill("#id_collected_by", "王小明")
    page.get_by_role("button", name="统一出件").click()
    expect(page.locator("body")).to_contain_text("已统一出件")
    assert set(Case.objects.filter(parent=parent).values_list("delivery", flat=True)) == {"delivered"}

    # The applicant sees the bundle done, every part with its state; the collection was the only visit.
    page.context.clear_cookies()
    portal_login(page, url)
    page.goto(f"{url}/portal/cases/")
    page.get_by_role("link", name=parent.number).first.click()
    expect(page.locator("#bundle-children tbody tr")).to_have_count(4)
    expect(page.locator("body")).to_contain_text("办结")
    parent.refresh_from_db()
    assert parent.visits == 1
    shot(page, "done")
