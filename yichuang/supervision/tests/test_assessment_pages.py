"""The assessment's pages and API: supervisors only, except the public honours page and its JSON."""

import datetime

import pytest

from yichuang.org.tokens import api_token_create
from yichuang.supervision.services_assessment import assessment_compute, assessment_confirm

from .test_assessment import NOW, OCTOBER, feedback, hall  # noqa: F401 - fixtures

API = "/api/v1/supervision"


@pytest.fixture
def rated(hall, feedback):  # noqa: F811
    feedback.ratings[("window", hall["A01"].pk)] = {"very_satisfied": 6, "dissatisfied": 1}
    feedback.ratings[("staff", hall["clerk"].pk)] = {"very_satisfied": 6, "dissatisfied": 1}
    return hall


def test_the_public_page_shows_only_confirmed_months_without_login(client, rated, staff):
    assessment_compute(actor=staff["supervisor"], month=OCTOBER, at=NOW)
    page = client.get("/assessment/").content.decode()
    assert "暂无公示" in page and "A01" not in page
    assessment_confirm(actor=staff["supervisor"], month=OCTOBER, at=NOW)
    page = client.get("/assessment/").content.decode()
    assert 'data-month="2026-10"' in page and "示例县政务服务中心 A01 综合受理" in page
    assert 'data-honour="star"' in page
    honours = client.get(f"{API}/public/honours").json()
    assert honours[0]["month"] == "2026-10" and honours[0]["red_flag_windows"][0]["label"].endswith("A01 综合受理")
    lines = honours[0]["red_flag_windows"][0]["lines"]
    assert sum(float(line["points"]) for line in lines) + 100 == float(honours[0]["red_flag_windows"][0]["score"])


def test_the_staff_pages_are_for_supervisors(client, rated, staff):
    client.force_login(staff["clerk"])
    assert client.get("/supervision/assessment/").status_code == 403
    assert client.post("/supervision/assessment/compute/", {"month": "2026-10"}).status_code == 403
    client.force_login(staff["supervisor"])
    assert client.get("/supervision/assessment/").status_code == 200
    response = client.post("/supervision/assessment/compute/", {"month": "2026-10"})
    assert response.status_code == 302 and response["Location"].endswith("/supervision/assessment/2026-10/")
    page = client.get("/supervision/assessment/2026-10/").content.decode()
    assert "建议：红旗窗口" in page and "得分明细" in page
    assert client.get("/supervision/assessment/2026-10/", {"format": "xlsx"}).status_code == 200
    response = client.post("/supervision/assessment/2026-10/confirm/", {"red_flag": [str(rated["A01"].pk)],
                                                                        "star": [str(rated["clerk"].pk)]}, follow=True)
    assert "已确认并公示" in response.content.decode()


def test_attendance_page_records_and_refuses_in_chinese(client, rated, staff):
    client.force_login(staff["supervisor"])
    today = datetime.date.today()
    response = client.post("/supervision/attendance/record/", {"staff": rated["clerk"].pk, "day": str(today),
                                                                "kind": "late", "note": "迟到 10 分钟"}, follow=True)
    assert "已登记" in response.content.decode()
    response = client.post("/supervision/attendance/record/", {"staff": rated["clerk"].pk, "day": str(today),
                                                                "kind": "late"}, follow=True)
    assert "已登记过" in response.content.decode()


def test_the_api_computes_shows_and_confirms_a_month(client, rated, staff):
    _token, clear = api_token_create(actor=None, user=staff["supervisor"], name="省电子监察平台")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {clear}"}
    rules = client.get(f"{API}/assessment/rules", **auth).json()
    assert rules["base_score"] == "100.00" and rules["tie_rule"] and rules["rules"][0]["text"]
    computed = client.post(f"{API}/assessments/2026-10/compute", **auth)
    assert computed.status_code == 200, computed.content
    data = client.get(f"{API}/assessments/2026-10", **auth).json()
    a01 = next(r for r in data["windows"] if r["window_id"] == rated["A01"].pk)
    assert a01["proposed"] == "red_flag" and a01["score"] == "93.00"  # 6 of 7 = 85.7% < 95: −5; one 差评: −2
    refused = client.post(f"{API}/assessments/2026-10/confirm", {"red_flag_window_ids": [rated["A02"].pk]},
                          content_type="application/json", **auth)
    assert refused.status_code == 422 and "评价" in refused.json()["detail"]
    confirmed = client.post(f"{API}/assessments/2026-10/confirm", {}, content_type="application/json", **auth)
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"
    again = client.post(f"{API}/assessments/2026-10/compute", **auth)
    assert again.status_code == 422 and "已确认" in again.json()["detail"]
    assert client.get(f"{API}/assessments/2026-13", **auth).status_code == 422
    clerk_token = api_token_create(actor=None, user=staff["clerk"], name="x")[1]
    assert client.get(f"{API}/assessments", HTTP_AUTHORIZATION=f"Bearer {clerk_token}").status_code == 403


def test_rules_are_changed_through_the_service_and_audited(admin_client, db):
    from yichuang.core.models import AuditEntry
    from yichuang.supervision.models import AssessmentRule

    rule = AssessmentRule.objects.get(metric="satisfaction_below")
    response = admin_client.post(f"/admin/supervision/assessmentrule/{rule.pk}/change/", {
        "metric": "satisfaction_below", "label": "", "applies_to": "both", "points": "-8", "threshold": "90",
        "cap": "", "is_active": "on", "sort_order": "10"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.points == -8 and AuditEntry.objects.filter(action="supervision.assessment_rule").count() == 1
    refused = admin_client.post(f"/admin/supervision/assessmentrule/{rule.pk}/change/", {
        "metric": "satisfaction_below", "label": "", "applies_to": "both", "points": "-8", "threshold": "",
        "cap": "", "is_active": "on", "sort_order": "10"})
    assert refused.status_code == 403
    rule.refresh_from_db()
    assert rule.threshold == 90


def test_the_public_page_speaks_english_too(client, db):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/assessment/").content.decode()
    assert "Red-flag windows and service stars" in page and "Nothing published yet." in page
