"""The staff pre-review API (/api/v1/prereview/): list, detail, pass, return, refuse with a token."""

import json

import pytest
from django.test import Client

from yichuang.cases.models import Case
from yichuang.org.tokens import api_token_create

from .online_fixtures import *  # noqa: F403 (fixtures)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/prereview"


def bearer(user) -> Client:
    _token, clear = api_token_create(actor=None, user=user, name=f"test-{user.username}")
    return Client(HTTP_AUTHORIZATION=f"Bearer {clear}")


def post(client, path, body):
    return client.post(BASE + path, data=json.dumps(body), content_type="application/json")


def test_the_department_lists_pre_reviews_soonest_due_first(submitted, once_item, staff):
    later = submitted(once_item, when="2026-11-04")
    sooner = submitted(once_item, when="2026-11-02")
    response = bearer(staff["reviewer"]).get(BASE + "/")
    assert response.status_code == 200
    rows = response.json()
    assert [r["number"] for r in rows] == [sooner.number, later.number]
    assert rows[0]["prereview_due_date"] == "2026-11-04" and rows[0]["prereview_returns"] == 0
    assert bearer(staff["other_reviewer"]).get(BASE + "/").json() == []


def test_return_then_pass_through_the_api(submitted, once_item, staff):
    case = submitted(once_item)
    client = bearer(staff["reviewer"])
    detail = client.get(f"{BASE}/{case.number}").json()
    pmt = next(m for m in detail["materials"] if m["name"] == "经营场所平面图")
    response = post(client, f"/{case.number}/return", {
        "expected_version": detail["version"],
        "items": [{"material": pmt["requirement_id"], "problem": "未标注面积"}, {"field": "shop_name", "problem": "名称有误"}]})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == Case.Status.PREREVIEW_RETURNED
    again = post(client, f"/{case.number}/pass", {"expected_version": detail["version"]})
    assert again.status_code in (409, 422)


def test_a_stale_version_is_a_409_and_another_department_a_404(submitted, once_item, staff):
    case = submitted(once_item)
    assert post(bearer(staff["other_reviewer"]), f"/{case.number}/pass", {}).status_code == 404
    client = bearer(staff["reviewer"])
    response = post(client, f"/{case.number}/pass", {"expected_version": case.version - 1})
    assert response.status_code == 409 and "请刷新" in response.json()["detail"]
    ok = post(client, f"/{case.number}/pass", {"expected_version": case.version})
    assert ok.status_code == 200 and ok.json()["status"] == Case.Status.PREREVIEW_PASSED


def test_a_refusal_without_the_way_forward_is_a_422_naming_the_field(submitted, once_item, staff):
    case = submitted(once_item)
    response = post(bearer(staff["reviewer"]), f"/{case.number}/refuse", {"reason": "不属于本部门职权", "way_forward": ""})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["way_forward"]


def test_no_token_no_list(client):
    assert client.get(BASE + "/").status_code == 401
