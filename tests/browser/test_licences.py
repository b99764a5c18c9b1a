"""E-licences in a browser: a case decided (through the services) gets its licence; the approver
opens it and its PDF; the QR code's address says 有效; after revocation the same address says 已撤销."""

import pytest

from tests.browser.helpers import log_in
from yichuang.cases.tests.conftest import applicant, county, item, receive, staff  # noqa: F401  (fixtures)
from yichuang.core.qr import qr_svg
from yichuang.licences.pdf import verify_url
from yichuang.licences.tests.conftest import approve, food_type, seal, signing_keys  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_decide_open_the_licence_pdf_scan_its_qr_see_valid_then_revoked(
    page, live_server, settings, staff, receive, food_type,  # noqa: F811
):
    settings.SITE_URL = live_server.url  # the address printed in the QR code
    _case, licence = approve(receive(), staff)
    qr_address = verify_url(licence)
    assert qr_address.startswith(live_server.url)

    detail = f"/licences/l/{licence.identifier}/"
    log_in(page, live_server, "approver", detail)
    assert page.get_by_role("heading", level=1).inner_text().startswith("食品经营许可证")
    # The code on the page is the code of the verification address.
    assert page.locator(".qr-card svg.qr path").get_attribute("d") in qr_svg(qr_address)

    pdf = page.request.get(f"{live_server.url}/licences/l/{licence.identifier}/licence.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF") and b"FontFile2" in pdf.body()
    page.screenshot(path="/tmp/licences-detail.png", full_page=True)

    # Scanning the QR code opens its address: anyone, without logging in.
    public = page.context.browser.new_context(locale="zh-CN").new_page()
    public.goto(qr_address)
    verdict = public.locator(".lic-verdict-label")
    assert verdict.inner_text() == "有效"
    assert public.get_by_text("签名验证通过").first.is_visible()
    public.screenshot(path="/tmp/licences-verify-valid.png", full_page=True)

    # The approver revokes it from the licence page, with a reason.
    page.locator("details.lic-action", has_text="撤销").locator("summary").click()
    revoke = page.locator("#action-revoke form")
    revoke.get_by_label("原因").fill("申请人隐瞒有关情况，依法撤销。")
    revoke.get_by_role("button", name="确认撤销").click()
    page.wait_for_url(f"**{detail}#licence")
    assert page.locator(".lic-head .badge.bad").inner_text() == "已撤销"

    # The same QR address now says so, at once.
    public.reload()
    assert verdict.inner_text() == "已撤销"
    assert public.get_by_text("申请人隐瞒有关情况，依法撤销。").is_visible()
    public.screenshot(path="/tmp/licences-verify-revoked.png", full_page=True)
    public.context.close()
