"""The English catalogue: a visitor who chose English gets English pages, messages and API errors."""

import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from yichuang.catalog import services
from yichuang.core.validators import validate_uscc
from yichuang.org.models import Department, Region

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_catalogue_is_compiled_and_complete():
    locale = settings.LOCALE_PATHS[0] / "en" / "LC_MESSAGES"
    assert (locale / "django.mo").exists(), "run `yichuang compilemessages` and commit django.mo"
    po = (locale / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    # No entry may be left with an empty translation (the header is the only empty msgid).
    entries = po.split("\n\n")[1:]
    untranslated = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""$(?!\n")', e, re.M)]
    assert untranslated == []


def test_the_home_page_navigation_is_english(english):
    response = english.get("/")
    page = response.content.decode()
    assert response["Content-Language"] == "en"
    nav = page.split('<nav class="top-nav">', 1)[1].split("</nav>", 1)[0]
    assert "Service guide" in nav and "Progress enquiry" in nav
    assert not CJK.search(nav)
    assert "Staff login" in page
    assert "进度查询" not in page


def test_a_validator_message_is_english():
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            validate_uscc("91330100MA27XYZ")
        message = " ".join(caught.value.messages)
    assert "unified social credit code" in message
    assert not CJK.search(message)


def test_an_api_validation_error_is_english(english):
    response = english.get("/api/v1/calendar/deadline")
    assert response.status_code in (400, 422)
    body = response.json()
    assert body["detail"] == "Some input is invalid; please correct it as indicated."
    messages = [error["message"] for error in body["errors"]]
    assert any("days" in m and "missing" in m for m in messages), messages
    assert not any(CJK.search(m) for m in messages), messages


def test_the_api_error_stays_chinese_without_the_cookie(client):
    response = client.get("/api/v1/calendar/deadline")
    assert response.json()["detail"] == "输入有误，请按提示修改。"


def test_the_catalogue_admin_change_page_is_english(english, django_user_model):
    region = Region.objects.create(code="339901000000", name="示例县", level=3)
    Department.objects.create(code="SCJG", name="示例县市场监督管理局", region=region)
    version, _ = services.item_upsert(
        actor=None,
        data={
            "implementation_code": "11330100MB0000001X4000117001000",
            "basic_code": "000117001000",
            "name": "食品经营许可",
            "item_type": "01",
            "department": "SCJG",
            "legal_basis": "《中华人民共和国食品安全法》第三十五条",
            "conditions": "有与经营的食品品种、数量相适应的经营场所",
            "statutory_limit": 10,
            "promised_limit": 5,
            "place": "示例县政务服务中心一楼",
            "hours": "工作日 9:00–17:00",
            "consult_channel": "0571-12345678",
            "complaint_channel": "12345",
            "result_name": "食品经营许可证",
            "materials": [{"code": "sqs", "name": "食品经营许可申请书"}],
            "steps": [
                {"name": "受理", "role": "clerk", "budget_days": 1},
                {"name": "审查", "role": "reviewer", "budget_days": 2},
                {"name": "决定", "role": "approver", "budget_days": 1},
            ],
        },
    )
    user = django_user_model.objects.create_superuser("centreadmin", "a@example.cn", "pw-123456")
    english.force_login(user)
    response = english.get(reverse("admin:catalog_itemversion_change", args=[version.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Revise (create a new version)" in page
    assert "修订（生成新版本）" not in page
    assert "Implementation code" in page
