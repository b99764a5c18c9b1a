"""The centre admin edits a published item: it is revised into a new version, the old one stays readable."""

import re

import pytest

from yichuang.catalog.models import Item, ItemVersion
from yichuang.catalog.tests.public_fixtures import FOOD, build_catalogue

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def catalogue(django_user_model):
    build_catalogue()
    django_user_model.objects.create_superuser("centreadmin", "admin@example.cn", "pw-Centre-2026")


def test_admin_revises_a_published_item_into_a_new_version(page, live_server, catalogue):
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "centreadmin")
    page.fill("#id_password", "pw-Centre-2026")
    page.locator("input[type=submit]").click()

    page.goto(live_server.url + "/admin/catalog/itemversion/?q=食品经营")
    page.locator("#result_list a", has_text="食品经营许可").first.click()
    # A published version is read-only: the only way to change it is a new version.
    assert page.locator("input[name=_save]").count() == 0
    assert page.locator("input[name=promised_limit_note]").count() == 0
    page.locator("input[name=change_note]").fill("现场核查时限说明更新")
    page.get_by_role("button", name="修订（生成新版本）").click()
    page.locator(".messagelist", has_text="已生成第 2 版草稿").wait_for()

    page.fill("#id_promised_limit_note", "现场核查时间不计入，核查在 3 个工作日内完成")
    page.locator("input[name=_continue]").click()
    page.locator(".messagelist .success").wait_for()
    page.get_by_role("button", name="发布此版本").click()
    page.locator(".messagelist", has_text="第 2 版已发布").wait_for()

    item = Item.objects.get(implementation_code=FOOD)
    assert item.current.version_no == 2
    assert item.versions.get(version_no=1).status == ItemVersion.Status.SUPERSEDED

    # The public guide shows the new text; the first version is still there to read.
    page.goto(live_server.url + f"/guide/{FOOD}/")
    assert page.get_by_text("核查在 3 个工作日内完成").count() >= 1
    page.get_by_role("link", name=re.compile("第 1 版")).click()
    page.wait_for_url(f"**/guide/{FOOD}/v/1/")
    assert page.get_by_text("这是历史版本（第 1 版）").is_visible()
    assert page.get_by_text("核查在 3 个工作日内完成").count() == 0
