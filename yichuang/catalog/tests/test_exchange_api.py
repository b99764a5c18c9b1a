"""The import/export endpoints and the admin import page: who may use them and what they answer."""

import json
from io import BytesIO

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls import path
from ninja import NinjaAPI
from openpyxl import load_workbook

from yichuang.catalog.admin_import import import_view
from yichuang.catalog.exchange import export_json, export_xlsx
from yichuang.catalog.exchange_api import router
from yichuang.catalog.models import Item, ItemVersion
from yichuang.core.models import AuditEntry
from yichuang.org.models import Role, User

from .test_exchange import HEALTH, catalogue, edit_workbook, reference, row_counts  # noqa: F401

# The router mounted the way the project mounts it, in a URLconf of this module, so the tests
# do not depend on the wiring in yichuang/api.py.
test_api = NinjaAPI(urls_namespace="exchange_test")
test_api.add_router("/v1/catalog/exchange/", router)
urlpatterns = [
    path("api/", test_api.urls),
    path("admin/catalog/import/", import_view, name="catalog_import"),
    path("admin/", admin.site.urls),
]
pytestmark = pytest.mark.urls(__name__)

EXPORT = "/api/v1/catalog/exchange/export"
IMPORT = "/api/v1/catalog/exchange/import"
PAGE = "/admin/catalog/import/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def staff(username: str, *roles: str, superuser: bool = False) -> User:
    user = User.objects.create_user(username=username, password="x", is_staff=True, is_superuser=superuser)
    user.roles.add(*Role.objects.filter(code__in=roles))
    return user


@pytest.fixture
def admin_client(catalogue):  # noqa: F811
    client = Client()
    client.force_login(staff("centre-admin", "admin"))
    return client


@pytest.fixture
def clerk_client(catalogue):  # noqa: F811
    client = Client()
    client.force_login(staff("clerk", "clerk"))
    return client


def upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# ---------------------------------------------------------------- who may


def test_export_and_import_need_a_login(catalogue):  # noqa: F811
    client = Client()
    response = client.get(EXPORT, {"format": "json"})
    assert response.status_code == 401
    assert "请先登录" in response.json()["detail"]
    response = client.post(IMPORT, {"file": upload(export_json(), "x.json")})
    assert response.status_code == 401


def test_a_clerk_may_not_export_or_import(clerk_client):
    before = row_counts()
    response = clerk_client.get(EXPORT, {"format": "xlsx"})
    assert response.status_code == 403
    assert "需要「中心管理员」角色" in response.json()["detail"]
    response = clerk_client.post(IMPORT, {"file": upload(export_json(), "x.json")})
    assert response.status_code == 403
    assert row_counts() == before


def test_an_admin_role_without_staff_status_is_refused(catalogue):  # noqa: F811
    user = staff("former-staff", "admin")
    user.is_staff = False
    user.save()
    client = Client()
    client.force_login(user)
    assert client.get(EXPORT).status_code == 403


def test_a_superuser_may_export(catalogue):  # noqa: F811
    client = Client()
    client.force_login(staff("root", superuser=True))
    assert client.get(EXPORT, {"format": "json"}).status_code == 200


def test_import_with_a_session_needs_the_csrf_token(catalogue):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff("centre-admin", "admin"))
    content = export_json()
    response = client.post(IMPORT, {"file": upload(content, "x.json")})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    token = get_token(RequestFactory().get("/"))
    client.cookies["csrftoken"] = token
    response = client.post(IMPORT, {"file": upload(content, "x.json")}, headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.json()


# ---------------------------------------------------------------- export


def test_admin_downloads_the_catalogue_as_excel(admin_client):
    response = admin_client.get(EXPORT, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".xlsx" in response["Content-Disposition"]
    workbook = load_workbook(BytesIO(response.content))
    assert workbook["事项"].max_row == 3


def test_admin_downloads_one_department_as_json(admin_client):
    response = admin_client.get(EXPORT, {"format": "json", "department": "WJW"})
    assert response.status_code == 200
    document = json.loads(response.content)
    assert [d["implementation_code"] for d in document["items"]] == [HEALTH]


def test_export_of_an_unknown_department_answers_422(admin_client):
    response = admin_client.get(EXPORT, {"format": "json", "department": "NOPE"})
    assert response.status_code == 422
    assert "部门编码「NOPE」不存在" in response.json()["detail"]


# ---------------------------------------------------------------- import


def test_admin_imports_an_edited_workbook(admin_client):
    content = edit_workbook(export_xlsx(), [("事项", 3, "事项名称", "公共场所卫生许可（新办）")])
    response = admin_client.post(IMPORT, {"file": upload(content, "目录.xlsx")})
    assert response.status_code == 200
    body = response.json()
    assert (body["ok"], body["created"], body["updated"], body["unchanged"]) == (True, 0, 1, 1)
    assert body["format"] == "xlsx"
    assert Item.objects.get(implementation_code=HEALTH).current.name == "公共场所卫生许可（新办）"
    entry = AuditEntry.objects.get(action="catalog.import")
    assert entry.actor.username == "centre-admin"


def test_a_bad_file_answers_422_with_every_problem_and_changes_nothing(admin_client):
    content = edit_workbook(export_xlsx(), [("申请材料", 3, "必要性", "需要"), ("事项", 2, "面向法人", "也许")])
    before = row_counts()
    response = admin_client.post(IMPORT, {"file": upload(content, "目录.xlsx")})
    assert response.status_code == 422
    body = response.json()
    assert body["ok"] is False
    assert [(p["sheet"], p["row"], p["field"]) for p in body["problems"]] == [
        ("事项", 2, "面向法人"), ("申请材料", 3, "必要性"),
    ]
    assert body["problems"][1]["text"] == "「申请材料」第 3 行「必要性」：值「需要」无效，可选：必要、非必要、容缺后补。"
    assert row_counts() == before


def test_a_text_file_renamed_xlsx_is_refused(admin_client):
    response = admin_client.post(IMPORT, {"file": upload(b"name,code\nfoo,1\n", "catalog.xlsx")})
    assert response.status_code == 422
    assert "不是 Excel 工作簿（.xlsx）也不是 JSON 文件" in response.json()["problems"][0]["message"]


def test_a_dry_run_changes_nothing(admin_client):
    content = edit_workbook(export_xlsx(), [("事项", 3, "事项名称", "公共场所卫生许可（新办）")])
    before = row_counts()
    response = admin_client.post(IMPORT, {"file": upload(content, "目录.xlsx"), "dry_run": "true"})
    assert response.status_code == 200
    body = response.json()
    assert (body["dry_run"], body["updated"]) == (True, 1)
    assert row_counts() == before
    assert Item.objects.get(implementation_code=HEALTH).current.name == "公共场所卫生许可"


def test_a_draft_import_does_not_publish(admin_client):
    content = edit_workbook(export_xlsx(), [("事项", 3, "事项名称", "公共场所卫生许可（新办）")])
    response = admin_client.post(IMPORT, {"file": upload(content, "目录.xlsx"), "draft": "true"})
    assert response.status_code == 200
    item = Item.objects.get(implementation_code=HEALTH)
    assert item.current.name == "公共场所卫生许可"
    assert item.versions.filter(status=ItemVersion.Status.DRAFT).exists()


def test_an_upload_over_the_limit_answers_413(admin_client, settings):
    settings.YICHUANG_UPLOAD_MAX_BYTES = 100
    response = admin_client.post(IMPORT, {"file": upload(export_json(), "x.json")})
    assert response.status_code == 413
    assert "文件过大" in response.json()["detail"]


# ---------------------------------------------------------------- the admin page


def test_the_import_page_sends_anonymous_users_to_the_admin_login(catalogue):  # noqa: F811
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_import_page_refuses_staff_without_the_admin_role(clerk_client):
    response = clerk_client.get(PAGE)
    assert response.status_code == 403
    assert "需要「中心管理员」角色" in response.content.decode()
    assert clerk_client.get(PAGE, {"export": "json"}).status_code == 403


def test_the_import_page_shows_the_form_and_exports(admin_client):
    response = admin_client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'type="file"' in page and "csrfmiddlewaretoken" in page
    response = admin_client.get(PAGE, {"export": "xlsx", "department": "WJW"})
    assert response["Content-Type"] == XLSX
    assert load_workbook(BytesIO(response.content))["事项"].max_row == 2
    response = admin_client.get(PAGE, {"export": "template"})
    assert load_workbook(BytesIO(response.content))["事项"].max_row == 1


def test_the_import_page_lists_every_problem(admin_client):
    content = edit_workbook(export_xlsx(), [("申请材料", 3, "必要性", "需要"), ("事项", 2, "实施主体编码", "NOPE")])
    before = row_counts()
    response = admin_client.post(PAGE, {"file": upload(content, "目录.xlsx")})
    page = response.content.decode()
    assert "发现 2 个问题" in page
    assert "「申请材料」第 3 行" in page and "「事项」第 2 行" in page
    assert "值「需要」无效，可选：必要、非必要、容缺后补。" in page
    assert "部门「NOPE」不存在" in page
    assert row_counts() == before


def test_the_import_page_summarises_what_was_imported(admin_client):
    content = edit_workbook(export_xlsx(), [("事项", 3, "事项名称", "公共场所卫生许可（新办）")])
    response = admin_client.post(PAGE, {"file": upload(content, "目录.xlsx")})
    page = response.content.decode()
    assert "导入完成：新增 0 项，更新 1 项，1 项没有变化。" in page
    assert "公共场所卫生许可（新办）" in page
    assert Item.objects.get(implementation_code=HEALTH).current.name == "公共场所卫生许可（新办）"
