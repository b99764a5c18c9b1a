"""The catalogue read API: public, read-only, Chinese errors."""

import pytest
from django.conf import settings

from yichuang.catalog import services

from .public_fixtures import ABOLISHED, FOOD, HOUSEHOLD, SUSPENDED, build_catalogue, food_data

pytestmark = pytest.mark.django_db

BASE = "/api/v1/catalog"


@pytest.fixture
def items():
    return build_catalogue()


def test_item_list_searches_by_part_of_a_name_without_login(client, items):
    response = client.get(f"{BASE}/items", {"q": "经营许可"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["items"][0]
    assert row["implementation_code"] == FOOD and row["name"] == "食品经营许可"
    assert row["department"] == {"code": "SCJG", "name": "示例县市场监督管理局"}
    assert row["item_type"] == {"code": "01", "name": "行政许可"}
    assert (row["statutory_limit"], row["promised_limit"]) == (20, 5)
    assert (row["handling_type"], row["handling_type_label"]) == (2, "承诺件")
    assert (row["visits_required"], row["visits_label"]) == (1, "最多跑一次")
    assert row["guide_url"] == f"http://testserver/guide/{FOOD}/"


def test_item_list_filters_and_omits_abolished_items(client, items):
    codes = [r["implementation_code"] for r in client.get(f"{BASE}/items").json()["items"]]
    assert ABOLISHED not in codes and SUSPENDED in codes and len(codes) == 5
    person = client.get(f"{BASE}/items", {"audience": "person"}).json()
    assert {r["name"] for r in person["items"]} == {"食品经营许可", "户口迁移登记"}
    assert client.get(f"{BASE}/items", {"department": "GA"}).json()["count"] == 1
    assert client.get(f"{BASE}/items", {"topic": "kdcy"}).json()["count"] == 2
    assert client.get(f"{BASE}/items", {"q": "spjy"}).json()["items"][0]["implementation_code"] == FOOD
    suspended = client.get(f"{BASE}/items", {"q": "食品摊贩"}).json()["items"][0]
    assert (suspended["status"], suspended["status_label"]) == ("suspended", "暂停办理")


def test_item_list_is_paginated(client, items):
    body = client.get(f"{BASE}/items", {"page_size": 2, "page": 3}).json()
    assert body["count"] == 5 and len(body["items"]) == 1


def test_item_list_rejects_an_unknown_audience_in_chinese(client, items):
    response = client.get(f"{BASE}/items", {"audience": "martians"})
    assert response.status_code == 422
    assert response.json()["detail"] == "输入有误，请按提示修改。"
    assert response.json()["errors"][0]["field"] == "audience"
    # The message names the fix: the values that are allowed.
    assert response.json()["errors"][0]["message"].startswith("取值无效：可选 person、company")


def test_an_out_of_range_number_says_the_limit(client, items):
    response = client.get(f"{BASE}/items", {"page": 0})
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "数值过小：不能小于 1，请修改。"


def test_item_detail_has_every_element(client, items):
    response = client.get(f"{BASE}/items/{FOOD}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "食品经营许可" and body["basic_code"] == "000117001000"
    assert body["status"] == "published" and body["version_no"] == 1
    assert body["legal_basis"].startswith("《中华人民共和国食品安全法》")
    assert body["refusal_grounds"] == "申请事项依法不需要取得行政许可的"
    assert body["statutory_limit_note"] == "自受理之日起计算"
    assert body["online_depth"] == 5 and body["online_depth_label"] == "办理"
    assert body["fee_free"] is True and body["fees"] == []
    assert body["tongban_scope"] == "county" and body["tongban_scope_label"] == "全县（区）通办"
    assert body["intermediary_services"] == ["食品安全管理制度编制咨询"]
    assert [t["code"] for t in body["topics"]] == ["kdcy", "kbcg"]
    assert body["special_procedures"] == [{
        "code": "site_survey", "name": "现场踏勘", "counts_toward_limit": False, "max_days": 10,
        "note": "现场核查经营场所",
    }]
    assert [m["name"] for m in body["materials"]] == [
        "食品经营许可申请书", "营业执照", "食品安全管理制度文本", "经营场所平面布局图",
    ]
    deferrable = body["materials"][2]
    assert (deferrable["necessity"], deferrable["necessity_label"], deferrable["paper_copies"]) == (
        "deferrable", "容缺后补", 2
    )
    assert body["materials"][1]["source_label"] == "政府部门核发"
    assert [s["name"] for s in body["steps"]] == ["窗口受理", "材料审查", "审批决定", "制证送达"]
    assert body["steps"][0]["role_label"] == "受理"
    assert body["checklist_url"] == f"http://testserver/guide/{FOOD}/checklist.pdf"
    assert body["history"] == []


def test_item_detail_lists_fees_and_history(client, items):
    services.item_upsert(actor=None, data=food_data(conditions="新条件", change_note="修订"))
    body = client.get(f"{BASE}/items/{FOOD}").json()
    assert body["version_no"] == 2
    assert [(h["version_no"], h["url"]) for h in body["history"]] == [(1, f"http://testserver/guide/{FOOD}/v/1/")]
    fees = client.get(f"{BASE}/items/{HOUSEHOLD}").json()["fees"]
    assert fees == [{"name": "工本费", "standard": "每证 10 元", "basis": "价格主管部门文件", "exemption": "首次申领免收"}]


def test_abolished_item_detail_answers_with_its_status_and_no_checklist(client, items):
    body = client.get(f"{BASE}/items/{ABOLISHED}").json()
    assert body["status"] == "abolished" and body["checklist_url"] is None


def test_unknown_item_is_404_with_a_chinese_message(client, items):
    response = client.get(f"{BASE}/items/NO-SUCH-CODE")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到实施编码为「NO-SUCH-CODE」的事项，请核对编码。"}
    assert client.get(f"{BASE}/items/NO-SUCH-CODE/form-schema").status_code == 404


def test_form_schema_lists_the_fields_with_their_rules(client, items):
    body = client.get(f"{BASE}/items/{FOOD}/form-schema").json()
    assert body["implementation_code"] == FOOD and body["version_no"] == 1
    fields = {f["key"]: f for f in body["fields"]}
    assert list(fields) == ["shop_name", "business_kind", "area", "remark"]
    assert fields["shop_name"]["max_length"] == 100 and fields["shop_name"]["required"] is True
    assert fields["business_kind"]["type"] == "multi_choice"
    assert fields["business_kind"]["choices"] == ["热食类食品制售", "冷食类食品制售"]
    assert float(fields["area"]["min_value"]) == 1 and float(fields["area"]["max_value"]) == 100000
    assert fields["area"]["help_text"] == "按房产证或租赁合同填写"
    assert fields["remark"]["required"] is False and fields["remark"]["type_label"] == "多行文本"


def test_abolished_item_has_no_form(client, items):
    response = client.get(f"{BASE}/items/{ABOLISHED}/form-schema")
    assert response.status_code == 404 and "已废止" in response.json()["detail"]


def test_departments_with_counts(client, items):
    body = client.get(f"{BASE}/departments").json()
    assert [(d["code"], d["item_count"]) for d in body] == [("SCJG", 4), ("GA", 1), ("EMPTY", 0)]


def test_topics_with_counts_and_audience(client, items):
    body = client.get(f"{BASE}/topics").json()
    assert {t["code"]: t["item_count"] for t in body} == {"kdcy": 2, "kbcg": 1, "hjbl": 1}
    person = client.get(f"{BASE}/topics", {"audience": "person"}).json()
    assert person == [{"code": "hjbl", "name": "户籍办理", "audience": "person", "audience_label": "个人办事",
                       "item_count": 1}]


def test_the_catalogue_api_is_read_only(client, items):
    assert client.post(f"{BASE}/items", {}).status_code == 405
    assert client.delete(f"{BASE}/items/{FOOD}").status_code == 405


def test_item_list_takes_a_fixed_number_of_queries(client, items, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert client.get(f"{BASE}/items").json()["count"] == 5


def test_openapi_describes_the_catalogue_in_chinese(client):
    schema = client.get("/api/openapi.json").json()
    assert schema["paths"][f"{BASE}/items"]["get"]["summary"] == "事项列表与搜索"
    assert "404" in schema["paths"][f"{BASE}/items/{{code}}"]["get"]["responses"]


def test_the_allowed_values_are_listed_in_english_too(client, items):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(f"{BASE}/items", {"audience": "martians"})
    assert response.json()["errors"][0]["message"].startswith("Invalid value: choose one of person, company")
