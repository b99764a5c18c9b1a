"""Pages: the public verification page and the staff library, their access and their speed."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from yichuang.licences import services
from yichuang.licences.models import Licence
from yichuang.org.models import User

from .conftest import PERSON_ID, approve, at


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def verify_url(licence):
    return reverse("licences:verify_result", args=[licence.identifier])


def test_the_public_page_says_valid_with_the_fields_and_the_signature_check(client, issued):
    page = client.get(verify_url(issued)).content.decode()
    assert "有效" in page and "签名验证通过" in page
    assert "示例县好味道餐饮有限公司" in page and "预包装食品销售" in page
    assert "示例县行政审批局" in page and "2031年11月03日" in page


def test_typing_an_identifier_leads_to_its_page(client, issued):
    response = client.get(reverse("licences:verify_form"), {"identifier": " " + issued.identifier.lower() + " "})
    assert response.status_code == 302 and response["Location"] == verify_url(issued)


def test_a_mistyped_identifier_is_told_to_check_each_character(client, issued):
    wrong = issued.identifier[:-1] + ("A" if issued.identifier[-1] != "A" else "B")
    response = client.get(reverse("licences:verify_form"), {"identifier": wrong})
    assert response.status_code == 400 and "校验位不正确" in response.content.decode()


def test_an_unknown_identifier_answers_404(client, issued):
    from yichuang.licences.identifiers import build_identifier

    other = build_identifier(type_code="SPJY001", issuer_code=issued.issuer_uscc, serial="2026999999", version=1)
    response = client.get(reverse("licences:verify_result", args=[other]))
    assert response.status_code == 404 and "未找到" in response.content.decode()


def test_a_tampered_licence_shows_plainly_and_none_of_its_content(client, issued):
    Licence.objects.filter(pk=issued.pk).update(holder_name="冒名公司")
    page = client.get(verify_url(issued)).content.decode()
    assert "数据被篡改，验证不通过" in page and "冒名公司" not in page


def test_a_revoked_licence_shows_revoked_and_why(client, issued, staff):
    services.licence_revoke(actor=staff["approver"], licence=issued, reason="以欺骗手段取得许可")
    page = client.get(verify_url(issued)).content.decode()
    assert "已撤销" in page and "以欺骗手段取得许可" in page and "证照真实有效" not in page


def test_a_persons_id_number_never_appears_unmasked(client, staff, food_type, person, item):
    from yichuang.cases import services as case_services

    case = case_services.case_receive(
        actor=staff["clerk"], item_version=item, applicant=person, centre=staff["clerk"].centre,
        materials={m.pk: {"state": "received"} for m in item.materials.all()},
        form_data={"shop_name": f"负责人 {PERSON_ID}"}, at=at("2026-11-02", 9),
    )
    _case, licence = approve(case, staff)
    page = client.get(verify_url(licence)).content.decode()
    assert PERSON_ID not in page and "3399**********0026" in page


def test_verification_is_rate_limited_per_address(client, issued, settings, monkeypatch):
    from yichuang.core.ratelimit import Limit
    from yichuang.licences import views

    # A fixed window of an hour: the hits cannot straddle a window boundary on a slow machine.
    monkeypatch.setattr(views, "VERIFY_LIMIT", Limit("licence-verify-test", max_hits=5, window_seconds=3600))
    VERIFY_LIMIT = views.VERIFY_LIMIT
    for _ in range(VERIFY_LIMIT.max_hits):
        assert client.get(verify_url(issued)).status_code == 200
    response = client.get(verify_url(issued))
    assert response.status_code == 429 and "过于频繁" in response.content.decode()
    assert int(response["Retry-After"]) > 0


def test_the_public_page_takes_few_queries(client, issued, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert client.get(verify_url(issued)).status_code == 200


# --- staff ---------------------------------------------------------------------------------------


def test_the_library_needs_a_login_and_a_staff_role(client, issued):
    response = client.get(reverse("licences:library"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    nobody = User.objects.create_user("nobody", password="x")
    client.force_login(nobody)
    assert client.get(reverse("licences:library")).status_code == 403
    assert client.get(reverse("licences:detail", args=[issued.identifier])).status_code == 403
    assert client.get(reverse("licences:pdf", args=[issued.identifier])).status_code == 403


def test_a_clerk_finds_a_holders_licences_by_uscc(client, issued, staff, applicant):
    client.force_login(staff["clerk"])
    page = client.get(reverse("licences:library"), {"kind": "company", "code": applicant.uscc}).content.decode()
    assert issued.identifier in page or issued.serial in page
    assert "查询结果：1 份证照" in page


def test_the_library_page_takes_a_bounded_number_of_queries(client, issued, staff, receive,
                                                           django_assert_max_num_queries):
    for _ in range(3):
        approve(receive(), staff)
    client.force_login(staff["clerk"])
    with django_assert_max_num_queries(14):
        response = client.get(reverse("licences:library"), {"kind": "company", "code": issued.holder_uscc, "all": "1"})
    assert response.content.decode().count("/licences/l/") >= 8


def test_the_detail_offers_only_the_actions_the_user_may_take(client, issued, staff):
    client.force_login(staff["clerk"])
    page = client.get(reverse("licences:detail", args=[issued.identifier])).content.decode()
    assert "证照管理" not in page and "下载证照" in page
    client.force_login(staff["supervisor"])
    page = client.get(reverse("licences:detail", args=[issued.identifier])).content.decode()
    assert "撤销" in page and "吊销" in page and "注销</summary>" not in page
    client.force_login(staff["approver"])
    page = client.get(reverse("licences:detail", args=[issued.identifier])).content.decode()
    assert all(f"{label}</summary>" in page for label in ("变更", "延续", "注销", "撤销", "吊销", "失效"))


def test_revoking_from_the_page_needs_a_reason_and_then_shows_at_once(client, issued, staff):
    client.force_login(staff["approver"])
    url = reverse("licences:act", args=[issued.identifier, "revoke"])
    response = client.post(url, {"reason": " "})
    assert response.status_code == 400 and "请填写撤销的原因" in response.content.decode()
    response = client.post(url, {"reason": "隐瞒有关情况"})
    assert response.status_code == 302
    assert "已撤销" in client.get(verify_url(issued)).content.decode()


def test_a_clerk_posting_an_action_is_refused(client, issued, staff):
    client.force_login(staff["clerk"])
    response = client.post(reverse("licences:act", args=[issued.identifier, "cancel"]), {"reason": "注销"})
    assert response.status_code == 403
    issued.refresh_from_db()
    assert issued.status == Licence.Status.VALID


def test_a_change_from_the_page_opens_the_new_version(client, issued, staff):
    client.force_login(staff["approver"])
    fields = {f"field__{row['key']}": row["value"] for row in issued.data}
    fields["field__shop"] = "示例县城关镇解放街 38 号"
    response = client.post(reverse("licences:act", args=[issued.identifier, "change"]),
                           {**fields, "holder_name": issued.holder_name, "reason": "门牌号调整"})
    new = Licence.objects.get(previous=issued)
    assert response.status_code == 302
    assert response["Location"] == reverse("licences:detail", args=[new.identifier]) + "#licence"


def test_the_pdf_is_a_pdf_with_the_font_embedded(client, issued, staff):
    client.force_login(staff["clerk"])
    response = client.get(reverse("licences:pdf", args=[issued.identifier]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF") and b"FontFile2" in body and b"/Subtype /Image" in body


def test_the_result_window_issues_from_the_library_page(client, receive, staff, food_type):
    services.licence_type_save(actor=None, code=food_type.code, name=food_type.name, fields=food_type.fields,
                               validity_years=5, template="portrait", seal=food_type.seal, auto_issue=False)
    case, _licence = approve(receive(), staff)
    client.force_login(staff["result"])
    page = client.get(reverse("licences:library")).content.decode()
    assert "待签发" in page and case.number in page
    response = client.post(reverse("licences:issue", args=[case.pk]))
    licence = Licence.objects.get(case=case)
    assert response.status_code == 302 and response["Location"] == reverse("licences:detail", args=[licence.identifier])
    assert case.number not in client.get(reverse("licences:library")).content.decode().split("最近签发")[0]
