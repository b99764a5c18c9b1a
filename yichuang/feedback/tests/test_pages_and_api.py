import json

import pytest
from django.urls import reverse

from yichuang.feedback import services
from yichuang.feedback.models import Complaint, Rating
from yichuang.org.tokens import api_token_create

from .conftest import at


def test_the_sms_link_opens_the_form_and_an_altered_link_is_refused_with_a_clear_page(client, closed_case):
    url = reverse("feedback:rate_online", kwargs={"number": closed_case.number})
    token = services.rating_link_token(closed_case)
    page = client.get(url, {"t": token})
    assert page.status_code == 200 and "提交评价" in page.content.decode()
    refused = client.get(url, {"t": token + "x"})
    assert refused.status_code == 403 and "无效" in refused.content.decode()
    assert client.get(url).status_code == 403
    done = client.post(url, {"t": token, "level": "2", "comment": "太慢", "real_name": "0"})
    assert "核实整改" in done.content.decode()
    again = client.post(url, {"t": token, "level": "5"})
    assert "只能评价一次" in again.content.decode()
    assert Rating.objects.filter(case=closed_case).count() == 1


def test_public_complaint_form_without_contact_says_it_cannot_answer_by_sms(client, county):
    page = client.post(reverse("feedback:complaint_new_public"), {
        "subject": "态度差", "content": "窗口人员不耐烦，没有说清材料。", "category": "attitude"})
    body = page.content.decode()
    assert page.status_code == 200 and "无法用短信答复" in body
    complaint = Complaint.objects.get()
    lookup = client.post(reverse("feedback:complaint_lookup"), {"number": complaint.number,
                                                               "code": complaint.query_code})
    assert "待受理" in lookup.content.decode()


def test_staff_pages_render(client, closed_case, staff):
    rating = services.rating_submit(actor=None, channel="sms", case=closed_case, level=1, at=at("2026-11-04"))
    client.force_login(staff["supervisor"])
    for name, args in [("feedback:home", []), ("feedback:ratings", []), ("feedback:rating_detail", [rating.pk]),
                       ("feedback:hotline", []), ("feedback:callbacks", []), ("feedback:complaints", []),
                       ("feedback:complaint_new", []), ("feedback:reports", [])]:
        assert client.get(reverse(name, args=args)).status_code == 200, name
    xlsx = client.get(reverse("feedback:reports"), {"format": "xlsx", "start": "2026-11-01", "end": "2026-11-30"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    step = client.post(reverse("feedback:rectification_step", args=[rating.pk]), {"kind": "verify", "note": "已核实"})
    assert step.status_code == 302
    assert rating.rectification.steps.get(kind="verify").state == "done"


@pytest.fixture
def token(staff):
    _token, clear = api_token_create(actor=None, user=staff["supervisor"], name="省好差评平台")
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}


def test_the_provincial_platform_pushes_and_pulls_ratings_by_case_number(client, closed_case, token):
    body = {"case_number": closed_case.number, "level": 1, "comment": "不满意", "external_ref": "ZJ-001"}
    pushed = client.post("/api/v1/feedback/ratings", json.dumps(body), content_type="application/json", **token)
    assert pushed.status_code == 201, pushed.content
    data = pushed.json()
    assert data["channel"] == "platform" and data["rectification"]["total_days"] == 15
    twice = client.post("/api/v1/feedback/ratings", json.dumps(body), content_type="application/json", **token)
    assert twice.status_code == 422 and "只能评价一次" in twice.json()["detail"]
    pulled = client.get(f"/api/v1/feedback/cases/{closed_case.number}/ratings", **token).json()
    assert [r["external_ref"] for r in pulled] == ["ZJ-001"]
    rect_id = data["rectification"]["id"]
    moved = client.post(f"/api/v1/feedback/rectifications/{rect_id}/steps",
                        json.dumps({"kind": "verify", "note": "已核实"}), content_type="application/json", **token)
    assert moved.status_code == 200 and moved.json()["steps"][1]["state"] == "open"


def test_complaints_through_the_api(client, county, token):
    made = client.post("/api/v1/feedback/complaints", json.dumps({
        "source": "transfer", "subject": "转办投诉", "content": "省平台转来：办事多跑了两次。",
        "source_platform": "省 12345 平台", "source_ref": "ZJ12345-9"}), content_type="application/json", **token)
    assert made.status_code == 201, made.content
    number = made.json()["number"]
    moved = client.post(f"/api/v1/feedback/complaints/{number}/advance", json.dumps({"action": "accept"}),
                        content_type="application/json", **token)
    assert moved.json()["stage"] == "accepted"
    bad = client.post(f"/api/v1/feedback/complaints/{number}/advance", json.dumps({"action": "archive"}),
                      content_type="application/json", **token)
    assert bad.status_code == 422
