"""Versioning rules: a published item is never edited in place; revising makes a new version."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from yichuang.catalog import services
from yichuang.catalog.models import ItemVersion
from yichuang.core.audit import audit_verify
from yichuang.core.models import AuditEntry
from yichuang.org.models import Department, Region

pytestmark = pytest.mark.django_db


def item_data(**overrides):
    data = {
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
        "materials": [
            {"code": "sqs", "name": "食品经营许可申请书"},
            {"code": "zdsm", "name": "食品安全管理制度", "necessity": "deferrable"},
        ],
        "steps": [
            {"name": "受理", "role": "clerk", "budget_days": 1},
            {"name": "审查", "role": "reviewer", "budget_days": 2},
            {"name": "决定", "role": "approver", "budget_days": 1},
        ],
        "form_fields": [{"key": "shop_name", "label": "经营者名称"}],
    }
    data.update(overrides)
    return data


@pytest.fixture
def department():
    region = Region.objects.create(code="339901000000", name="示例县", level=3)
    return Department.objects.create(code="SCJG", name="示例县市场监督管理局", region=region)


def test_loading_the_same_item_twice_changes_nothing(department):
    version, changed = services.item_upsert(actor=None, data=item_data())
    entries = AuditEntry.objects.count()
    again, changed_again = services.item_upsert(actor=None, data=item_data())
    assert changed and not changed_again
    assert again.pk == version.pk
    assert AuditEntry.objects.count() == entries


def test_changing_a_published_item_creates_a_new_version_and_keeps_the_old(department):
    first, _ = services.item_upsert(actor=None, data=item_data())
    second, _ = services.item_upsert(actor=None, data=item_data(promised_limit=4))
    first.refresh_from_db()
    assert second.version_no == 2 and second.status == ItemVersion.Status.PUBLISHED
    assert first.status == ItemVersion.Status.SUPERSEDED and first.promised_limit == 5
    assert first.item.versions.count() == 2
    assert second.item.current_id == second.pk


def test_revise_copies_every_child_row_into_a_draft(department):
    published, _ = services.item_upsert(actor=None, data=item_data())
    draft = services.item_version_revise(actor=None, version=published)
    assert draft.status == ItemVersion.Status.DRAFT and draft.version_no == 2
    assert list(draft.materials.values_list("name", "necessity")) == list(
        published.materials.values_list("name", "necessity")
    )
    assert draft.steps.count() == 3 and draft.form_fields.count() == 1
    # The public version is untouched until the draft is published.
    published.refresh_from_db()
    assert published.item.current_id == published.pk


def test_an_item_gets_its_pinyin_initials(department):
    version, _ = services.item_upsert(actor=None, data=item_data())
    assert version.pinyin_initials == "spjyxk"


def test_promised_limit_longer_than_statutory_cannot_be_published(department):
    with pytest.raises(ValidationError) as err:
        services.item_upsert(actor=None, data=item_data(promised_limit=30))
    assert "承诺时限" in " ".join(err.value.messages)


def test_an_item_no_applicant_could_use_cannot_be_published(department):
    data = item_data(
        tongban_scope="listed", accepting_centres=[],
        form_fields=[
            {"key": "kind", "label": "经营项目", "type": "choice", "choices": []},
            {"key": "area", "label": "经营面积", "type": "decimal", "min_value": 500, "max_value": 10},
        ],
    )
    with pytest.raises(ValidationError) as err:
        services.item_upsert(actor=None, data=data)
    text = " ".join(err.value.messages)
    assert "可受理的中心和站点" in text
    assert "「经营项目」是单选，请填写选项" in text
    assert "「经营面积」的最小值（500" in text
    assert not ItemVersion.objects.filter(name=data["name"]).exists()


def test_suspending_needs_a_reason(department):
    version, _ = services.item_upsert(actor=None, data=item_data())
    with pytest.raises(ValidationError):
        services.item_version_set_status(actor=None, version=version, status="suspended", reason=" ")
    services.item_version_set_status(actor=None, version=version, status="suspended", reason="办理系统升级")
    version.refresh_from_db()
    assert version.status == ItemVersion.Status.SUSPENDED
    assert audit_verify() is None


@pytest.fixture
def admin_client_logged_in(client, django_user_model):
    user = django_user_model.objects.create_superuser("centreadmin", "a@example.cn", "pw-123456")
    client.force_login(user)
    return client


def test_admin_edits_a_published_item_through_a_new_version(admin_client_logged_in, department):
    client = admin_client_logged_in
    published, _ = services.item_upsert(actor=None, data=item_data())
    change_url = reverse("admin:catalog_itemversion_change", args=[published.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert "修订（生成新版本）" in page.content.decode()

    response = client.post(reverse("admin:catalog_itemversion_revise", args=[published.pk]), {"change_note": "缩短承诺时限"})
    draft = published.item.versions.get(status=ItemVersion.Status.DRAFT)
    assert response.status_code == 302 and response["Location"].endswith(f"/{draft.pk}/change/")

    response = client.post(reverse("admin:catalog_itemversion_publish", args=[draft.pk]))
    draft.refresh_from_db()
    published.refresh_from_db()
    assert draft.status == ItemVersion.Status.PUBLISHED and draft.version_no == 2
    assert published.status == ItemVersion.Status.SUPERSEDED
    assert AuditEntry.objects.filter(action="catalog.version.publish", object_id=str(draft.pk)).exists()


def test_admin_cannot_post_changes_to_a_published_version(admin_client_logged_in, department):
    published, _ = services.item_upsert(actor=None, data=item_data())
    change_url = reverse("admin:catalog_itemversion_change", args=[published.pk])
    response = admin_client_logged_in.get(change_url)
    # Every element is read-only on a published version: no input named after a field,
    # and no save button that could only fail.
    html = response.content.decode()
    assert 'name="promised_limit"' not in html
    assert 'name="_save"' not in html and 'name="_continue"' not in html

    # A stale tab posting the form anyway is told what to do, and nothing changes.
    response = admin_client_logged_in.post(change_url, {"implementation_code": "X", "name": "改名"}, follow=True)
    assert response.status_code == 200
    assert "修订（生成新版本）" in [str(m) for m in response.context["messages"]][0]
    published.refresh_from_db()
    assert published.name == item_data()["name"] and published.status == ItemVersion.Status.PUBLISHED
    assert published.item.versions.count() == 1


def test_the_catalogue_list_links_to_import_and_export(admin_client_logged_in, department):
    response = admin_client_logged_in.get(reverse("admin:catalog_itemversion_changelist"))
    assert reverse("catalog_import") in response.content.decode()
