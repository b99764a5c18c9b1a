"""我的证照: an applicant sees, downloads and verifies the licences issued to them or to their
company — and nobody else's."""

from yichuang.cases.tests.conftest import applicant, receive  # noqa: F401 - fixtures
from yichuang.licences import services as licence_services
from yichuang.licences.tests.conftest import food_type, issued, seal, signing_keys  # noqa: F401 - fixtures
from yichuang.portal import services

from .conftest import portal_client, zhang  # noqa: F401 - fixtures

COMPANY = "示例县好味道餐饮有限公司"
USCC = "91350100M000100Y43"


def _operator_of_the_company(zhang):  # noqa: F811
    services.company_register(account=zhang, name=COMPANY, uscc=USCC, legal_representative="王小明")
    return zhang


def test_the_companys_operator_sees_its_licence_and_downloads_the_signed_pdf(client, zhang, issued):  # noqa: F811
    account = _operator_of_the_company(zhang)
    page = portal_client(client, account).get("/portal/licences/")
    assert page.status_code == 200
    text = page.content.decode()
    assert issued.identifier in text and "食品经营许可证" in text and "有效" in text
    pdf = client.get(f"/portal/licences/{issued.identifier}/licence.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_another_applicants_licence_is_not_found(client, zhang, issued):  # noqa: F811
    # 张三 has an account but does not act for the company that holds the licence.
    portal_client(client, zhang)
    assert issued.identifier not in client.get("/portal/licences/").content.decode()
    assert client.get(f"/portal/licences/{issued.identifier}/licence.pdf").status_code == 404


def test_a_revoked_licence_stays_in_the_list_marked_and_cannot_be_downloaded(client, zhang, issued, staff):  # noqa: F811
    account = _operator_of_the_company(zhang)
    licence_services.licence_revoke(actor=staff["approver"], licence=issued, reason="以欺骗手段取得许可")
    text = portal_client(client, account).get("/portal/licences/").content.decode()
    assert issued.identifier in text and "已撤销" in text
    assert f"/portal/licences/{issued.identifier}/licence.pdf" not in text


def test_the_api_lists_and_serves_only_the_accounts_licences(client, zhang, issued):  # noqa: F811
    _, token = services.account_token_issue(account=zhang)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/portal/licences", **auth).json() == []
    assert client.get(f"/api/v1/portal/licences/{issued.identifier}/pdf", **auth).status_code == 404

    _operator_of_the_company(zhang)
    rows = client.get("/api/v1/portal/licences", **auth).json()
    assert [r["identifier"] for r in rows] == [issued.identifier]
    assert rows[0]["status"] == "valid" and rows[0]["case_number"] == issued.case.number
    pdf = client.get(rows[0]["pdf_url"], **auth)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get("/api/v1/portal/licences").status_code == 401
