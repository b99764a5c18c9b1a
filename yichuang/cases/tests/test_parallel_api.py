# ruff: noqa: F811  (pytest fixtures imported from parallel_setup are test arguments)
"""/api/v1/parallel/: a bundle read, applied for, and a meeting convened, answered and refused after its deadline."""

from django.test import Client

from .parallel_setup import FORM, all_received, deciders, departments, restaurant, restaurant_items  # noqa: F401


def test_a_bundle_is_read_and_applied_for_through_the_api(restaurant, staff):
    client = Client(enforce_csrf_checks=False)
    client.force_login(staff["clerk"])
    detail = client.get("/api/v1/parallel/bundles/kaiban-canyin").json()
    assert [f["key"] for f in detail["form"]].count("shop_name") == 1
    body = {"applicant": {"kind": "company", "name": "示例县好味道餐饮有限公司", "uscc": "91350100M000100Y43",
                          "phone": "13800138000"},
            "form_data": FORM, "materials": all_received(restaurant)}
    answer = client.post("/api/v1/parallel/bundles/kaiban-canyin/apply", body, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert len(answer.json()["children"]) == 4
    missing = client.post("/api/v1/parallel/bundles/kaiban-canyin/apply", {**body, "materials": {}},
                          content_type="application/json")
    assert missing.status_code == 422 and "材料不齐全" in missing.json()["detail"]


def test_an_opinion_after_the_deadline_is_refused_by_the_api_with_the_deadline(county, staff, departments):
    client = Client()
    client.force_login(staff["clerk"])
    meeting = client.post("/api/v1/parallel/meetings", {
        "kind": "review", "title": "联审", "departments": ["SCJG"], "held_on": "2026-11-23", "opinion_days": 1,
        "subject_label": "测试项目"}, content_type="application/json")
    assert meeting.status_code == 200, meeting.content
    from yichuang.cases.models import JointMeeting

    JointMeeting.objects.filter(pk=meeting.json()["id"]).update(opinion_deadline="2026-01-05")
    client.force_login(staff["approver"])
    late = client.post(f"/api/v1/parallel/meetings/{meeting.json()['id']}/opinion", {"opinion": "agree"},
                       content_type="application/json")
    assert late.status_code == 422 and "2026年1月5日" in late.json()["detail"]
