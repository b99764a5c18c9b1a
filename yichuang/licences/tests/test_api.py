"""/api/v1/licences/: public verification, and issue, holder query and status change for staff and tokens."""

import pytest
from django.core.cache import cache
from django.test import Client

from yichuang.licences import services
from yichuang.licences.models import Licence
from yichuang.org.tokens import api_token_create

from .conftest import PERSON_ID, approve

BASE = "/api/v1/licences"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def token_client(user) -> Client:
    _token, clear = api_token_create(actor=None, user=user, name="市场监管局审批系统")
    return Client(headers={"Authorization": f"Bearer {clear}"})


def test_verify_is_public_and_answers_status_fields_and_signature(client, issued):
    body = client.get(f"{BASE}/verify/{issued.identifier}").json()
    assert body["status"] == "valid" and body["valid"] and not body["tampered"]
    assert body["signature_valid"] and body["digest_valid"] and body["history_valid"]
    assert body["holder_name"] == "示例县好味道餐饮有限公司" and body["valid_to"] == "2031-11-03"
    assert {f["key"]: f["value"] for f in body["fields"]}["scope"] == "预包装食品销售"


def test_verify_reports_tampering_without_the_content(client, issued):
    Licence.objects.filter(pk=issued.pk).update(valid_to="2099-12-31")
    body = client.get(f"{BASE}/verify/{issued.identifier}").json()
    assert body["status"] == "tampered" and body["tampered"] and not body["valid"]
    assert body["status_label"] == "数据被篡改，验证不通过"
    assert body["holder_name"] is None and body["fields"] == [] and body["problems"]


def test_verify_answers_revoked_at_once(client, issued, staff):
    services.licence_revoke(actor=staff["approver"], licence=issued, reason="撤销")
    body = client.get(f"{BASE}/verify/{issued.identifier}").json()
    assert body["status"] == "revoked" and body["status_label"] == "已撤销" and not body["valid"]


def test_verify_refuses_a_mistyped_identifier_and_misses_an_unknown_one(client, issued):
    wrong = issued.identifier[:-1] + ("A" if issued.identifier[-1] != "A" else "B")
    response = client.get(f"{BASE}/verify/{wrong}")
    assert response.status_code == 422 and "校验位" in response.json()["detail"]
    from yichuang.licences.identifiers import build_identifier

    unknown = build_identifier(type_code="SPJY001", issuer_code=issued.issuer_uscc, serial="2026999999", version=1)
    assert client.get(f"{BASE}/verify/{unknown}").status_code == 404


def test_the_holder_query_needs_a_staff_login_or_token(client, issued, applicant, staff):
    assert client.get(f"{BASE}/", {"holder_uscc": applicant.uscc}).status_code == 401
    body = token_client(staff["clerk"]).get(f"{BASE}/", {"holder_uscc": applicant.uscc}).json()
    assert [row["identifier"] for row in body] == [issued.identifier]
    client.force_login(staff["clerk"])
    assert client.get(f"{BASE}/", {"holder_uscc": applicant.uscc}).json()[0]["status"] == "valid"


def test_the_holder_query_hides_revoked_licences_unless_asked(client, issued, applicant, staff):
    services.licence_revoke(actor=staff["approver"], licence=issued, reason="撤销")
    client.force_login(staff["clerk"])
    assert client.get(f"{BASE}/", {"holder_uscc": applicant.uscc}).json() == []
    assert client.get(f"{BASE}/", {"holder_uscc": applicant.uscc, "all": "true"}).json()[0]["status"] == "revoked"


def test_the_holder_query_by_id_number_never_returns_it(client, staff, food_type, person, item):
    from yichuang.cases import services as case_services

    from .conftest import at

    case = case_services.case_receive(
        actor=staff["clerk"], item_version=item, applicant=person, centre=staff["clerk"].centre,
        materials={m.pk: {"state": "received"} for m in item.materials.all()}, at=at("2026-11-02", 9),
    )
    approve(case, staff)
    client.force_login(staff["clerk"])
    response = client.get(f"{BASE}/", {"holder_id_number": PERSON_ID})
    assert response.json()[0]["holder_code"] == "3399**********0026"
    assert PERSON_ID not in response.content.decode()
    assert client.get(f"{BASE}/", {}).status_code == 422


def test_a_department_system_issues_by_case_number_with_its_token(receive, staff, food_type):
    services.licence_type_save(actor=None, code=food_type.code, name=food_type.name, fields=food_type.fields,
                               validity_years=5, template="portrait", seal=food_type.seal, auto_issue=False)
    case, _none = approve(receive(), staff)
    system = token_client(staff["approver"])
    response = system.post(f"{BASE}/issue", {"case_number": case.number}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["case_number"] == case.number
    again = system.post(f"{BASE}/issue", {"case_number": case.number}, content_type="application/json")
    assert again.status_code == 422 and "不能重复签发" in again.json()["detail"]
    missing = system.post(f"{BASE}/issue", {"case_number": "SLX2099010100001"}, content_type="application/json")
    assert missing.status_code == 404


def test_an_issue_refused_for_an_expired_seal_says_so(receive, staff, food_type):
    from yichuang.licences.models import Seal

    services.licence_type_save(actor=None, code=food_type.code, name=food_type.name, fields=food_type.fields,
                               validity_years=5, template="portrait", seal=food_type.seal, auto_issue=False)
    case, _none = approve(receive(), staff)
    Seal.objects.filter(pk=food_type.seal_id).update(valid_to="2026-01-31")
    response = token_client(staff["approver"]).post(f"{BASE}/issue", {"case_number": case.number},
                                                    content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["code"] == "seal_expired"


def test_status_changes_through_the_api_follow_the_roles(issued, staff):
    url = f"{BASE}/{issued.identifier}/status"
    clerk = token_client(staff["clerk"])
    refused = clerk.post(url, {"action": "revoke", "reason": "撤销"}, content_type="application/json")
    assert refused.status_code == 403
    approver = token_client(staff["approver"])
    changed = approver.post(url, {"action": "change", "reason": "场所门牌调整", "changes": {"shop": "解放街 38 号"}},
                            content_type="application/json")
    assert changed.status_code == 200 and changed.json()["version"] == 2
    new = changed.json()["identifier"]
    revoked = approver.post(f"{BASE}/{new}/status", {"action": "revoke", "reason": "隐瞒有关情况"},
                            content_type="application/json")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    bad = approver.post(f"{BASE}/{new}/status", {"action": "explode", "reason": "x"}, content_type="application/json")
    assert bad.status_code == 422


def test_a_session_write_needs_the_csrf_token(issued, staff):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff["approver"])
    response = browser.post(f"{BASE}/{issued.identifier}/status", {"action": "cancel", "reason": "注销"},
                            content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def test_the_api_pdf_is_for_staff(client, issued, staff):
    assert client.get(f"{BASE}/{issued.identifier}/pdf").status_code == 401
    response = token_client(staff["clerk"]).get(f"{BASE}/{issued.identifier}/pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_openapi_documents_every_licence_operation_in_chinese(client):
    document = client.get("/api/openapi.json").json()
    operations = [(path, method, operation) for path, item in document["paths"].items()
                  if path.startswith("/api/v1/licences") for method, operation in item.items()]
    assert {(p.removeprefix(BASE), m) for p, m, _o in operations} == {
        ("/verify/{identifier}", "get"), ("/", "get"), ("/issue", "post"), ("/{identifier}", "get"),
        ("/{identifier}/pdf", "get"), ("/{identifier}/status", "post"),
    }
    for path, method, operation in operations:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in operation["summary"]), f"{method} {path}"
        if path.endswith("/verify/{identifier}"):
            assert "security" not in operation  # public
        else:
            assert {"TokenAuth", "LicencesStaffSessionAuth"} <= {n for s in operation["security"] for n in s}
