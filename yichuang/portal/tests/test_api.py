"""The portal's JSON API: sign in for a token, apply, track — the same rules as the pages."""

import json

import pytest

from yichuang.portal.models import AccountToken

from .conftest import ZHANG_ID, apply_online, last_code, pdf_upload

pytestmark = pytest.mark.django_db
BASE = "/api/v1/portal/"


def _token(client, mobile="13800000001"):
    assert client.post(BASE + "auth/code", {"mobile": mobile}, content_type="application/json").status_code == 200
    response = client.post(BASE + "auth/verify", {"mobile": mobile, "code": last_code(mobile)},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def test_sign_in_with_a_code_gives_a_token_kept_only_as_a_hash(client, zhang):
    body = _token(client)
    assert body["registered"] is False and body["account"]["id_number"] == ZHANG_ID[:4] + "*" * 10 + ZHANG_ID[-4:]
    assert not AccountToken.objects.filter(token_hash=body["token"]).exists()
    me = client.get(BASE + "me", HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert me.status_code == 200 and me.json()["real_name"] == "张三"


def test_a_wrong_code_answers_422_with_the_field(client, county):
    client.post(BASE + "auth/code", {"mobile": "13900001111"}, content_type="application/json")
    code = last_code("13900001111")
    response = client.post(BASE + "auth/verify", {"mobile": "13900001111", "code": "000000" if code != "000000"
                                                  else "111111"}, content_type="application/json")
    assert response.status_code == 422 and "验证码不正确" in response.json()["errors"]["code"][0]


def test_a_second_code_within_the_minute_answers_429_with_the_time(client, county):
    client.post(BASE + "auth/code", {"mobile": "13900001111"}, content_type="application/json")
    response = client.post(BASE + "auth/code", {"mobile": "13900001111"}, content_type="application/json")
    assert response.status_code == 429 and response.json()["retry_at"]


def test_without_a_token_the_api_answers_401(client):
    response = client.get(BASE + "cases")
    assert response.status_code == 401 and "Bearer" in response.json()["detail"]


def test_apply_upload_submit_and_track_through_the_api(client, zhang, zero_item):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {_token(client)['token']}"}
    schema = client.get(BASE + "items/SCJG-SPJY-ZERO/form").json()
    assert {f["key"] for f in schema} >= {"shop_name", "staff_count"}
    created = client.post(BASE + "cases", {"item_code": "SCJG-SPJY-ZERO"}, content_type="application/json", **auth)
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    bad = client.put(BASE + f"cases/{number}/form", {"form_data": {"staff_count": "很多"}},
                     content_type="application/json", **auth)
    assert bad.status_code == 422 and "staff_count" in bad.json()["errors"]
    ok = client.put(BASE + f"cases/{number}/form", {"form_data": {"shop_name": "好味道餐厅", "staff_count": 4,
                    "kind": "餐饮服务", "contact_mobile": "13800138000"}}, content_type="application/json", **auth)
    assert ok.status_code == 200
    for row in ok.json()["materials"]:
        if row["necessity"] == "required":
            up = client.post(BASE + f"cases/{number}/files", {"material": row["material"], "file": pdf_upload()}, **auth)
            assert up.status_code == 200, up.content
    submitted = client.post(BASE + f"cases/{number}/submit", **auth)
    assert submitted.status_code == 200, submitted.content
    new_number = submitted.json()["number"]
    assert submitted.json()["status"] == "prereview" and new_number != number
    events = client.get(BASE + f"cases/{new_number}/events", **auth).json()
    assert events[-1]["action"] == "submit_online" and events[-1]["actor"] == "张三"
    listed = client.get(BASE + "cases", **auth).json()
    assert [c["number"] for c in listed] == [new_number]
    assert ZHANG_ID not in json.dumps(listed, ensure_ascii=False)


def test_another_applicants_case_answers_404_in_the_api(client, zhang, li, zero_item):
    case = apply_online(zhang, zero_item)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {_token(client, li.mobile)['token']}"}
    assert client.get(BASE + f"cases/{case.number}", **auth).status_code == 404
    assert client.get(BASE + f"cases/{case.number}/events", **auth).status_code == 404
    assert client.post(BASE + f"cases/{case.number}/withdraw", {"reason": "x"}, content_type="application/json",
                       **auth).status_code == 404


def test_a_revoked_token_is_refused(client, zhang):
    token = _token(client)["token"]
    assert client.post(BASE + "auth/logout", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 204
    assert client.get(BASE + "me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
