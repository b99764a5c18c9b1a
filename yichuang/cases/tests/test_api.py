"""The case API (/api/v1/cases/): every action through HTTP, with a session and with a token.

The project's API object is mounted in this module's URLconf, so the tests see exactly what
the project serves (its Chinese validation handler included) without depending on the rest
of the project's pages.
"""

import datetime
import io
import json

import pytest
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.utils import timezone

from yichuang.cases.models import Applicant, Case, CaseFile
from yichuang.core.validators import id_number_check_char
from yichuang.org.models import ApiToken
from yichuang.org.tokens import api_token_create, api_token_revoke

# The whole site's URLs: a decision's SMS carries links to other parts (the rating page).
pytestmark = [pytest.mark.django_db]

BASE = "/api/v1/cases"
FIRST17 = "33010219900307123"
ID_NUMBER = FIRST17 + id_number_check_char(FIRST17)
AGENT_FIRST17 = "33010219851111456"
AGENT_ID = AGENT_FIRST17 + id_number_check_char(AGENT_FIRST17)


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def session(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def bearer(user, name="部门审批系统") -> Client:
    _token, clear = api_token_create(actor=None, user=user, name=name)
    return Client(headers={"Authorization": f"Bearer {clear}"})


def post(client: Client, url: str, data: dict | None = None, **kwargs):
    return client.post(BASE + (url or "/"), data=json.dumps(data or {}), content_type="application/json", **kwargs)


def get(client: Client, url: str, params: dict | None = None):
    return client.get(BASE + (url or "/"), params or {})


def receive_payload(**overrides) -> dict:
    payload = {
        "item_code": "SCJG-SPJY-001",
        "applicant": {"kind": "person", "name": "张小明", "id_number": ID_NUMBER, "phone": "13800138000"},
        "window": "A01",
        "materials": [{"code": "sqs", "state": "received"}, {"code": "pmt", "state": "received"},
                      {"code": "zd", "state": "received"}],
        "form_data": {"shop_name": "好味道小吃店"},
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def clients(staff, item):
    return {name: session(user) for name, user in staff.items()}


@pytest.fixture
def tokens(staff, item):
    return {name: bearer(user) for name, user in staff.items()}


def received(client, **overrides) -> dict:
    response = post(client, "", receive_payload(**overrides))
    assert response.status_code == 201, response.json()
    return response.json()


def accepted(client, **overrides) -> dict:
    case = received(client, **overrides)
    response = post(client, f"/{case['number']}/accept", {"expected_version": case["version"]})
    assert response.status_code == 200, response.json()
    return response.json()


def at_approver(clients, reviewer="reviewer") -> dict:
    case = accepted(clients["clerk"])
    response = post(clients[reviewer], f"/{case['number']}/steps/complete",
                    {"opinion": "材料齐全，符合条件", "expected_version": case["version"]})
    assert response.status_code == 200, response.json()
    return response.json()


# --- the walk-in flow ----------------------------------------------------------------------------


def walk_in_flow(c: dict) -> dict:
    """Receive → accept → review → decide → deliver, each by its own role."""
    response = post(c["clerk"], "", receive_payload())
    assert response.status_code == 201, response.json()
    case = response.json()
    number = case["number"]
    assert case["status"] == "1" and case["status_label"] == "已接件"
    assert [n["kind"] for n in case["notices"]] == ["receipt"]

    response = post(c["clerk"], f"/{number}/accept", {"expected_version": case["version"]})
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["status"] == "3" and case["due_date"] and case["clock"]["explanation"]

    inbox = get(c["reviewer"], "/inbox").json()
    assert [row["case"]["number"] for row in inbox["items"]] == [number]
    assert inbox["items"][0]["step"]["name"] == "审查"

    response = post(c["reviewer"], f"/{number}/steps/complete",
                    {"opinion": "经营场所符合要求", "expected_version": case["version"]})
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["status"] == "8"
    assert [row["step"]["name"] for row in get(c["approver"], "/inbox").json()["items"]] == ["决定"]

    response = post(c["approver"], f"/{number}/decide",
                    {"approve": True, "reason": "符合食品经营许可条件", "expected_version": case["version"]})
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["status"] == "11" and case["delivery"] == "waiting"
    assert case["decision"]["approved"] is True

    response = post(c["result"], f"/{number}/deliver",
                    {"method": "in_person", "collected_by": "张小明", "expected_version": case["version"]})
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["delivery"] == "delivered" and case["closed_at"]
    assert case["delivery_record"]["collected_by"] == "张小明"
    return case


def test_the_walk_in_flow_with_the_browser_session(clients):
    case = walk_in_flow(clients)
    assert [n["kind"] for n in case["notices"]] == ["receipt", "acceptance", "approval"]
    for notice in case["notices"]:
        assert notice["pdf_url"].endswith(f"/notice/{notice['id']}.pdf")
        assert "/office/case/" in notice["pdf_url"]
    actions = [e["action"] for e in get(clients["clerk"], f"/{case['number']}/events").json()]
    assert actions == ["receive", "accept", "department_start", "step_complete", "decide", "deliver"]


def test_the_walk_in_flow_with_tokens(tokens, staff):
    """A department's own system pulls its inbox and posts its decision with a token."""
    case = walk_in_flow(tokens)
    assert case["status"] == "11"
    assert all(e["actor"] for e in case["events"])
    decision = case["notices"][-1]
    response = tokens["approver"].get(decision["api_pdf_url"].removeprefix("http://testserver"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert get(tokens["other_reviewer"], f"/{case['number']}/notices/{decision['id']}.pdf").status_code == 404
    assert get(tokens["approver"], f"/{case['number']}/notices/999999.pdf").status_code == 404


def test_a_token_post_needs_no_csrf_token(staff, item):
    client = bearer(staff["clerk"])
    client.handler.enforce_csrf_checks = True
    assert post(client, "", receive_payload()).status_code == 201


# --- every other action --------------------------------------------------------------------------


def test_correction_round_trip_and_refusal(clients):
    case = received(clients["clerk"], materials=[
        {"code": "sqs", "state": "defective", "note": "未加盖公章"}, {"code": "pmt", "state": "missing"},
        {"code": "zd", "state": "received"},
    ])
    number = case["number"]
    response = post(clients["clerk"], f"/{number}/correction",
                    {"other_problems": ["经营项目与营业执照不一致"], "expected_version": case["version"]})
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["status"] == "6"
    items = {i["name"]: i["problem"] for i in case["corrections"][0]["items"]}
    assert items == {"食品经营许可申请书": "未加盖公章", "经营场所平面图": "未提交", "其他": "经营项目与营业执照不一致"}
    assert "correction" in [n["kind"] for n in case["notices"]]

    response = post(clients["clerk"], f"/{number}/correction-supplied", {
        "materials": [{"code": "sqs", "state": "received"}, {"code": "pmt", "state": "received"}],
        "expected_version": case["version"]})
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["status"] == "1" and case["visits"] == 2

    response = post(clients["clerk"], f"/{number}/refuse", {
        "reason": "申请事项不属于本机关职权范围", "legal_basis": "《中华人民共和国行政许可法》第三十二条",
        "way_forward": "请向县卫生健康局申请", "expected_version": case["version"]})
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["status"] == "5"
    assert case["decision"]["way_forward"] == "请向县卫生健康局申请"
    assert case["notices"][-1]["kind"] == "refusal"


def test_a_second_correction_notice_waits_for_the_supervisors_own_approval(clients, tokens):
    case = received(clients["clerk"], materials=[{"code": "sqs", "state": "received"}, {"code": "pmt", "state": "missing"},
                                                 {"code": "zd", "state": "received"}])
    number = case["number"]
    case = post(clients["clerk"], f"/{number}/correction", {"expected_version": case["version"]}).json()
    case = post(clients["clerk"], f"/{number}/correction-supplied", {
        "materials": [{"code": "pmt", "state": "defective", "note": "比例不对"}],
        "expected_version": case["version"]}).json()
    # Naming the supervisor in the request proves nothing: the field is not even read.
    response = post(clients["clerk"], f"/{number}/correction",
                    {"expected_version": case["version"], "approved_by": "supervisor"})
    assert response.status_code == 422 and response.json()["errors"][0]["code"] == "second_correction"
    # Only a supervisor approves, with a reason.
    assert post(tokens["clerk"], f"/{number}/correction/approve", {"reason": "我来批"}).status_code == 403
    response = post(tokens["supervisor"], f"/{number}/correction/approve", {"reason": "平面图比例与实际不符"})
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == case["version"]  # the clerk's page stays current
    response = post(clients["clerk"], f"/{number}/correction", {"expected_version": case["version"]})
    assert response.status_code == 200, response.json()
    assert [c["approved_by"] for c in response.json()["corrections"]] == ["", "supervisor"]


def test_immediate_case_is_settled_in_one_visit(clients, immediate_item):
    case = received(clients["clerk"], item_code="SCJG-XCY-001")
    response = post(clients["clerk"], f"/{case['number']}/immediate",
                    {"collected_by": "张小明", "expected_version": case["version"]})
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["status"] == "11" and case["delivery"] == "delivered" and case["visits"] == 1


def test_assign_agent_puts_the_case_in_the_agents_scope(clients, staff):
    case = received(clients["clerk"])
    response = post(clients["clerk"], f"/{case['number']}/agent",
                    {"agent": "agent", "expected_version": case["version"]})
    assert response.status_code == 200, response.json()
    assert response.json()["agent_staff"] == "agent"
    assert get(clients["agent"], f"/{case['number']}").status_code == 200
    # The agent's ledger: the cases they carry, not every case of their centre.
    other = received(clients["clerk"])
    ledger = get(clients["agent"], "", {"agent": "agent"}).json()
    assert [row["number"] for row in ledger["items"]] == [case["number"]]
    assert other["number"] in {row["number"] for row in get(clients["agent"], "").json()["items"]}


def test_send_back_pauses_and_correction_supplied_resumes(clients):
    case = accepted(clients["clerk"])
    number = case["number"]
    response = post(clients["reviewer"], f"/{number}/send-back", {
        "problems": [{"material": "pmt", "problem": "平面图未标明比例"}, {"problem": "请补充从业人员健康证明"}],
        "expected_version": case["version"]})
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["status"] == "6" and case["send_backs"] == 1 and case["alarm"] == "paused"
    assert case["clock"]["paused_since"]
    assert {m["code"]: m["state"] for m in case["materials"]}["pmt"] == "defective"
    assert all(step["opinion"] != "__sent_back__" for step in case["steps"])

    response = post(clients["clerk"], f"/{number}/correction-supplied", {
        "materials": [{"code": "pmt", "state": "received"}], "expected_version": case["version"]})
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["status"] == "8" and case["clock"]["paused_since"] is None


def test_special_procedure_and_extension(clients):
    case = accepted(clients["clerk"])
    number = case["number"]
    response = post(clients["reviewer"], f"/{number}/special/start", {
        "procedure": "site_survey", "reason": "需现场核查经营场所", "expected_days": 3,
        "expected_version": case["version"]})
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["status"] == "9" and case["special_procedures"][0]["name"] == "现场踏勘"

    response = post(clients["reviewer"], f"/{number}/special/end",
                    {"result": "现场核查符合要求", "expected_version": case["version"]})
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["status"] == "8" and case["special_procedures"][0]["ended_on"]

    response = post(clients["reviewer"], f"/{number}/extension/request",
                    {"days": 5, "reason": "需征求卫生部门意见", "expected_version": case["version"]})
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["extensions"][0]["state"] == "requested"
    due_before = case["due_date"]

    response = post(clients["approver"], f"/{number}/extension/decide",
                    {"approve": True, "expected_version": case["version"]})
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["clock"]["extension_days"] == 5 and case["due_date"] > due_before
    assert case["notices"][-1]["kind"] == "extension"


def test_deferred_material_withholds_the_result_until_supplied(clients):
    promised = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    case = accepted(clients["clerk"], materials=[
        {"code": "sqs", "state": "received"}, {"code": "pmt", "state": "received"},
        {"code": "zd", "state": "deferred", "promised_on": promised},
    ])
    case = post(clients["reviewer"], f"/{case['number']}/steps/complete", {"opinion": "同意"}).json()
    case = post(clients["approver"], f"/{case['number']}/decide", {"approve": True, "reason": "同意"}).json()
    assert case["status"] == "12" and case["delivery"] == "withheld"

    response = post(clients["result"], f"/{case['number']}/supplement",
                    {"materials": [{"code": "zd"}], "expected_version": case["version"]})
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["delivery"] == "waiting"
    assert {m["code"]: m["state"] for m in case["materials"]}["zd"] == "received"

    response = post(clients["result"], f"/{case['number']}/deliver", {
        "method": "post", "address": "示例县城关镇人民路 1 号", "recipient": "张小明", "recipient_phone": "13900139000",
        "carrier": "中国邮政 EMS", "tracking_number": "1234567890123"})
    assert response.status_code == 200, response.json()
    record = response.json()["delivery_record"]
    assert record["tracking_number"] == "1234567890123" and record["recipient_phone"] == "139****9000"


def test_withdraw_revoke_and_visits(clients):
    case = accepted(clients["clerk"])
    response = post(clients["clerk"], f"/{case['number']}/visits", {"purpose": "询问进度"})
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["visits"] == 2
    response = post(clients["clerk"], f"/{case['number']}/withdraw",
                    {"reason": "申请人不再经营", "expected_version": case["version"]})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "14"

    other = received(clients["clerk"])
    response = post(clients["supervisor"], f"/{other['number']}/revoke", {"reason": "以欺骗手段取得受理"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "15"


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_upload_a_file_and_download_it_with_a_token(clients, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = received(clients["clerk"])
    content = png_bytes()
    upload = io.BytesIO(content)
    upload.name = "平面图.png"
    response = clients["clerk"].post(f"{BASE}/{case['number']}/files", {"file": upload, "material": "pmt"})
    assert response.status_code == 201, response.json()
    stored = response.json()
    assert stored["material"] == "pmt" and stored["content_type"] == "image/png"
    case_file = CaseFile.objects.get(pk=stored["id"])
    assert "平面图" not in case_file.file.name  # stored under a random name

    detail = get(clients["reviewer"], f"/{case['number']}").json()
    assert [f["id"] for f in detail["files"]] == [stored["id"]]
    download = bearer(staff["reviewer"]).get(detail["files"][0]["download_url"].replace("http://testserver", ""))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    # Outside the case's scope the file does not exist.
    assert get(clients["other_reviewer"], f"/{case['number']}/files/{stored['id']}").status_code == 404


def test_an_upload_that_is_not_what_it_claims_is_refused(clients, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = received(clients["clerk"])
    upload = io.BytesIO(b"MZ\x90\x00 this is a program")
    upload.name = "材料.pdf"
    response = clients["clerk"].post(f"{BASE}/{case['number']}/files", {"file": upload})
    assert response.status_code == 422
    assert has_chinese(response.json()["detail"])
    assert not CaseFile.objects.exists()


# --- refusals --------------------------------------------------------------------------------------


def test_without_a_session_or_token_the_answer_is_401(item):
    anonymous = Client()
    for response in (get(anonymous, ""), get(anonymous, "/inbox"), post(anonymous, "", receive_payload())):
        assert response.status_code == 401
        assert has_chinese(response.json()["detail"])


def test_a_role_that_may_not_act_gets_403(clients):
    case = at_approver(clients)
    # The front-desk clerk sees the case (received at the clerk's centre) but may not decide it.
    response = post(clients["clerk"], f"/{case['number']}/decide", {"approve": True, "reason": "同意"})
    assert response.status_code == 403
    body = response.json()
    assert "决定人员" in body["detail"] and body["errors"][0]["code"] == "role"
    assert Case.objects.get(number=case["number"]).status == "8"


def test_a_case_outside_the_callers_scope_is_404(clients):
    case = accepted(clients["clerk"])
    outsider = clients["other_reviewer"]  # another department's reviewer
    for response in (get(outsider, f"/{case['number']}"), get(outsider, f"/{case['number']}/events"),
                     post(outsider, f"/{case['number']}/steps/complete", {"opinion": "同意"})):
        assert response.status_code == 404
        assert has_chinese(response.json()["detail"])
    assert get(outsider, "", {"q": case["number"]}).json()["count"] == 0
    # A number that does not exist answers exactly the same.
    missing = get(outsider, "/SLX2099010100001")
    assert missing.status_code == 404
    assert missing.json()["detail"].replace("SLX2099010100001", case["number"]) == \
        get(outsider, f"/{case['number']}").json()["detail"]


def test_a_stale_version_is_a_409_and_changes_nothing(clients):
    case = received(clients["clerk"])
    stale = case["version"]
    assert post(clients["clerk"], f"/{case['number']}/accept", {"expected_version": stale}).status_code == 200
    response = post(clients["clerk2"], f"/{case['number']}/refuse", {
        "reason": "x", "legal_basis": "y", "way_forward": "z", "expected_version": stale})
    assert response.status_code == 409
    body = response.json()
    assert "刷新" in body["detail"] and body["errors"][0]["code"] == "conflict"
    assert Case.objects.get(number=case["number"]).status == "3"


def test_bad_input_is_a_422_naming_the_field(clients):
    bad_id = dict(receive_payload()["applicant"], id_number=FIRST17 + ("0" if ID_NUMBER[-1] != "0" else "1"))
    response = post(clients["clerk"], "", receive_payload(applicant=bad_id))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["applicant.id_number"]
    assert "校验位" in response.json()["errors"][0]["message"]

    response = post(clients["clerk"], "", receive_payload(materials=[{"code": "nope", "state": "received"}]))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "materials.0.code"

    response = post(clients["clerk"], "", receive_payload(item_code="NO-SUCH-ITEM"))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "item_code"

    # Schema errors (from the API's validation handler) name the field in Chinese too.
    response = post(clients["clerk"], "", {"applicant": {"kind": "alien", "name": "x"}})
    fields = {e["field"] for e in response.json()["errors"]}
    assert response.status_code == 422 and {"item_code", "applicant.kind"} <= fields

    case = accepted(clients["clerk"])
    response = post(clients["reviewer"], f"/{case['number']}/send-back",
                    {"problems": [{"material": "nope", "problem": "x"}]})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "problems.0.material"

    # A refusal of the engine names the input it is about.
    case = accepted(clients["clerk"])
    response = post(clients["reviewer"], f"/{case['number']}/steps/complete", {"opinion": "   "})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "opinion", "message": "请填写审查意见。", "code": "opinion"}]

    # Materials that keep a case from acceptance are listed one by one.
    case = received(clients["clerk"], materials=[{"code": "pmt", "state": "missing"}])
    response = post(clients["clerk"], f"/{case['number']}/accept", {})
    assert response.status_code == 422
    messages = [e["message"] for e in response.json()["errors"]]
    assert any("经营场所平面图" in m for m in messages) and any("食品经营许可申请书" in m for m in messages)


def test_the_application_form_is_checked_like_the_front_desks_page(clients):
    # shop_name is a required field of the item's form; nothing the form does not ask for is stored.
    response = post(clients["clerk"], "", receive_payload(form_data={"shop_nam": "好味道"}))
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(errors) == {"form_data.shop_nam", "form_data.shop_name"}
    assert "经营者名称" in errors["form_data.shop_name"] and has_chinese(errors["form_data.shop_nam"])
    assert not Case.objects.exists() and not Applicant.objects.exists()
    response = post(clients["clerk"], "", receive_payload(form_data={"shop_name": "  好味道小吃店 "}))
    assert response.status_code == 201
    assert Case.objects.get().form_data == {"shop_name": "好味道小吃店"}


def test_a_session_post_needs_the_csrf_token(staff, item):
    client = session(staff["clerk"], enforce_csrf_checks=True)
    response = post(client, "", receive_payload())
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Case.objects.exists()
    token = get_token(RequestFactory().get("/"))
    client.cookies["csrftoken"] = token
    response = post(client, "", receive_payload(), headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.json()
    # Reads need no CSRF token.
    assert get(session(staff["clerk"], enforce_csrf_checks=True), "").status_code == 200


def test_revoked_and_expired_tokens_are_refused(staff, item):
    token, clear = api_token_create(actor=None, user=staff["reviewer"], name="市场监管局审批系统")
    client = Client(headers={"Authorization": f"Bearer {clear}"})
    assert get(client, "/inbox").status_code == 200
    api_token_revoke(actor=None, token=token)
    response = get(client, "/inbox")
    assert response.status_code == 401 and "吊销" in response.json()["detail"]

    token, clear = api_token_create(actor=None, user=staff["reviewer"], name="过期的令牌",
                                    expires_at=timezone.now() + datetime.timedelta(days=1))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = Client(headers={"Authorization": f"Bearer {clear}"}).get(f"{BASE}/inbox")
    assert response.status_code == 401 and "过期" in response.json()["detail"]

    response = post(Client(headers={"Authorization": "Bearer yc_not-a-token"}), "", {})
    assert response.status_code == 401


def test_a_bad_token_does_not_fall_back_to_the_session(staff, item):
    client = session(staff["clerk"])
    response = client.get(BASE + "/", headers={"Authorization": "Bearer yc_wrong"})
    assert response.status_code == 401


# --- lists ----------------------------------------------------------------------------------------


def test_lists_mask_personal_numbers_and_never_return_the_agents_id(clients):
    case = received(clients["clerk"], agent_name="李代理", agent_id_number=AGENT_ID, agent_power_of_attorney=True)
    listing = get(clients["clerk"], "")
    text = listing.content.decode()
    assert ID_NUMBER not in text and "13800138000" not in text
    row = listing.json()["items"][0]
    assert row["applicant"]["masked_id"] == ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]
    assert row["applicant"]["phone"] == "138****8000"
    detail = get(clients["clerk"], f"/{case['number']}")
    text = detail.content.decode()
    assert ID_NUMBER not in text and AGENT_ID not in text and AGENT_ID[-4:] not in text
    assert detail.json()["agent_name"] == "李代理"
    # The clear number is on record (encrypted), so the masking is the API's doing.
    assert Applicant.objects.get().id_number == ID_NUMBER


def test_list_filters(clients, staff, county):
    first = accepted(clients["clerk"])
    second = received(clients["clerk"])
    clerk = clients["clerk"]

    def numbers(**params):
        response = get(clerk, "", params)
        assert response.status_code == 200, response.json()
        return {row["number"] for row in response.json()["items"]}

    both = {first["number"], second["number"]}
    assert numbers() == both
    assert numbers(status="3") == {first["number"]}
    assert numbers(status="1") == {second["number"]}
    assert numbers(department="SCJG") == both and numbers(department="WJJ") == set()
    assert numbers(item="SCJG-SPJY-001") == both and numbers(item="OTHER") == set()
    assert numbers(alarm="normal") == {first["number"]} and numbers(alarm="none") == {second["number"]}
    due = first["due_date"]
    assert numbers(due_before=due, due_after=due) == {first["number"]}
    assert numbers(due_before=(datetime.date.fromisoformat(due) - datetime.timedelta(days=1)).isoformat()) == set()
    today = timezone.localdate().isoformat()
    assert numbers(received_from=today, received_to=today) == both
    assert numbers(received_to=(timezone.localdate() - datetime.timedelta(days=1)).isoformat()) == set()
    assert numbers(q=second["number"][-5:]) == {second["number"]}

    response = get(clerk, "", {"status": "99", "due_before": "明天", "received_to": "0"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"status", "due_before", "received_to"}


def test_list_paginates(clients):
    numbers = [received(clients["clerk"])["number"] for _ in range(3)]
    page1 = get(clients["clerk"], "", {"page_size": 2}).json()
    page2 = get(clients["clerk"], "", {"page_size": 2, "page": 2}).json()
    assert page1["count"] == page2["count"] == 3
    assert [r["number"] for r in page1["items"] + page2["items"]] == numbers[::-1]
    assert get(clients["clerk"], "", {"page": 3, "page_size": 2}).json()["items"] == []
    # A page number beyond reason is a bad input, not a database error.
    response = get(clients["clerk"], "", {"page": 10**20})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "page"


def test_the_list_costs_the_same_few_queries_for_many_cases(clients, staff, django_assert_max_num_queries):
    for _ in range(6):
        received(clients["clerk"])
    with django_assert_max_num_queries(6):
        response = get(clients["clerk"], "")
    assert response.json()["count"] == 6


def test_the_inbox_and_the_detail_need_no_query_per_row(clients, staff, django_assert_max_num_queries):
    cases = [accepted(clients["clerk"]) for _ in range(4)]
    with django_assert_max_num_queries(7):
        response = get(clients["reviewer"], "/inbox")
    assert response.json()["count"] == 4
    with django_assert_max_num_queries(20):
        assert get(clients["reviewer"], f"/{cases[0]['number']}").status_code == 200


def test_the_inbox_is_only_the_callers_department_and_role(clients):
    accepted(clients["clerk"])
    assert get(clients["reviewer"], "/inbox").json()["count"] == 1
    assert get(clients["approver"], "/inbox").json()["count"] == 0  # the approver's step has not opened
    assert get(clients["other_reviewer"], "/inbox").json()["count"] == 0
    assert get(clients["clerk"], "/inbox").json()["count"] == 0


def test_the_inbox_filters_by_status_item_due_date_and_alarm(clients, staff):
    # A department's own system pulls only what it asks for: one case still waiting for the
    # department, one in a special procedure whose step is still open.
    waiting = accepted(clients["clerk"])
    special = accepted(clients["clerk"])
    response = post(clients["reviewer"], f"/{special['number']}/special/start",
                    {"procedure": "site_survey", "reason": "现场核查", "expected_days": 3,
                     "expected_version": special["version"]})
    assert response.status_code == 200, response.json()
    reviewer = clients["reviewer"]

    def numbers(**params):
        response = get(reviewer, "/inbox", params)
        assert response.status_code == 200, response.json()
        return {row["case"]["number"] for row in response.json()["items"]}

    both = {waiting["number"], special["number"]}
    assert numbers() == both
    assert numbers(status="3") == {waiting["number"]}
    assert numbers(status="9") == {special["number"]}
    assert numbers(item="SCJG-SPJY-001") == both and numbers(item="OTHER") == set()
    step_due = get(reviewer, "/inbox", {"status": "3"}).json()["items"][0]["step"]["due_date"]
    day_before = (datetime.date.fromisoformat(step_due) - datetime.timedelta(days=1)).isoformat()
    assert numbers(due_before=step_due) == both
    assert numbers(due_before=day_before) == set()
    assert numbers(due_after=step_due) == both
    assert numbers(alarm="normal") == both and numbers(alarm="overdue") == set()
    response = get(reviewer, "/inbox", {"status": "99", "due_after": "下周"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"status", "due_after"}


# --- the OpenAPI document ----------------------------------------------------------------------------


def test_openapi_documents_every_case_operation_in_chinese(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    operations = [
        (path_, method, operation)
        for path_, item in document["paths"].items() if path_.startswith("/api/v1/cases")
        for method, operation in item.items()
    ]
    assert len(operations) == 27
    expected_posts = {
        "", "/{number}/accept", "/{number}/correction", "/{number}/correction/approve", "/{number}/correction-supplied",
        "/{number}/refuse",
        "/{number}/immediate", "/{number}/agent", "/{number}/steps/complete", "/{number}/send-back",
        "/{number}/special/start", "/{number}/special/end", "/{number}/extension/request",
        "/{number}/extension/decide", "/{number}/decide", "/{number}/supplement", "/{number}/deliver",
        "/{number}/withdraw", "/{number}/revoke", "/{number}/visits", "/{number}/files",
    }
    posts = {p.removeprefix("/api/v1/cases").rstrip("/") for p, method, _o in operations if method == "post"}
    assert posts == expected_posts
    for path_, method, operation in operations:
        where = f"{method.upper()} {path_}"
        assert has_chinese(operation["summary"]), where
        assert has_chinese(operation["description"]), where
        responses = set(operation["responses"])
        assert "401" in responses, where
        assert {"TokenAuth", "StaffSessionAuth"} <= {name for s in operation["security"] for name in s}, where
        if "{number}" in path_:
            assert "404" in responses, where
        if method == "post":
            assert {"400", "403", "422"} <= responses, where
            # Every action that takes expected_version documents the 409 of a stale one.
            body = next(iter(operation["requestBody"]["content"].values()))["schema"]
            fields = document["components"]["schemas"].get(body.get("$ref", "").rsplit("/", 1)[-1], {})
            if "expected_version" in fields.get("properties", {}):
                assert "409" in responses, where
    versioned = {p for p, m, o in operations if m == "post" and "409" in o["responses"]}
    assert len(versioned) == 19  # every action on a case but the upload
