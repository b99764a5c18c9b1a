import pytest

pytestmark = pytest.mark.django_db


def test_a_missing_and_a_malformed_parameter_are_named_in_chinese(client):
    response = client.get("/api/v1/calendar/deadline", {"start": "2026-13-40"})
    assert response.status_code == 422
    body = response.json()
    fields = {problem["field"] for problem in body["errors"]}
    assert {"start", "days"} <= fields
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in p["message"]) for p in body["errors"])


def test_a_body_that_is_not_json_gets_a_chinese_400(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "r@example.cn", "pw")
    client.force_login(user)
    response = client.post("/api/v1/cases/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert "无法解析" in response.json()["detail"]


def test_a_multipart_body_without_its_boundary_gets_a_400_not_a_500(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "r@example.cn", "pw")
    client.force_login(user)
    response = client.post("/api/v1/cases/SLX1/files", data=b"--x\r\n", content_type="multipart/form-data")
    assert response.status_code == 400
