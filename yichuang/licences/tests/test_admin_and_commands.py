"""The admin keeps seals and licence types through the services; the console command; the demo seed."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from yichuang.cases import services as case_services
from yichuang.catalog.services import item_upsert
from yichuang.licences.demo import seed_demo_licences
from yichuang.licences.models import Licence, LicenceReuse, LicenceType, Seal
from yichuang.licences.selectors import licence_verify
from yichuang.org.models import Department, User

from .conftest import BUREAU_USCC, PERSON_ID, approve, at, food_licence_data


@pytest.fixture
def admin_client(client, db):
    admin = User.objects.create_superuser("root", password="x")
    client.force_login(admin)
    return client


def test_the_admin_adds_a_seal_through_the_service_and_draws_its_image(admin_client, signing_keys, county):
    response = admin_client.post(reverse("admin:licences_seal_add"), {
        "name": "示例县行政审批局行政审批专用章", "owner_name": "示例县行政审批局", "owner_uscc": BUREAU_USCC,
        "scope": "bureau", "key_ref": "bureau", "public_key": "", "certificate": "", "valid_from": "2026-01-01",
        "valid_to": "2030-12-31", "purpose": "行政审批专用章",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    seal = Seal.objects.get()
    assert bytes(seal.image_png).startswith(b"\x89PNG") and len(seal.public_key) == 128
    page = admin_client.get(reverse("admin:licences_seal_change", args=[seal.pk])).content.decode()
    assert reverse("licences:seal_image", args=[seal.pk]) in page


def test_the_admin_shows_what_is_wrong_with_a_seal(admin_client, signing_keys, county):
    response = admin_client.post(reverse("admin:licences_seal_add"), {
        "name": "印章", "owner_name": "示例县行政审批局", "owner_uscc": BUREAU_USCC, "scope": "bureau",
        "key_ref": "nokey", "valid_from": "2026-01-01", "valid_to": "2030-12-31",
    })
    assert response.status_code == 200 and "yichuang licences keygen nokey" in response.content.decode()
    assert not Seal.objects.exists()


def test_the_admin_saves_a_licence_type_with_checked_fields(admin_client, seal, item):
    url = reverse("admin:licences_licencetype_add")
    form = {
        "code": "spjy009", "name": "食品经营许可证", "title": "", "items": [item.item_id],
        "fields": '[{"key": "holder", "label": "名称", "source": "case:holder_name"}]',
        "validity_years": "5", "validity_months": "0", "validity_days": "0", "template": "portrait",
        "seal": seal.pk, "auto_issue": "on", "satisfies_materials": "食品经营许可证\nspjyxkz", "is_active": "on",
    }
    bad = admin_client.post(url, {**form, "fields": '[{"key": "holder", "label": "名称", "source": "sql:1"}]'})
    assert bad.status_code == 200 and "sql:1" in bad.content.decode()
    assert admin_client.post(url, form).status_code == 302
    licence_type = LicenceType.objects.get()
    assert licence_type.code == "SPJY009" and licence_type.satisfies_materials == ["食品经营许可证", "spjyxkz"]
    assert list(licence_type.items.all()) == [item.item]


def test_licences_are_read_only_in_the_admin_and_never_show_the_id_number(admin_client, issued):
    page = admin_client.get(reverse("admin:licences_licence_change", args=[issued.pk])).content.decode()
    assert issued.identifier in page and "holder_id_number" not in page
    assert admin_client.post(reverse("admin:licences_licence_delete", args=[issued.pk]), {"post": "yes"}).status_code == 403


def test_keygen_writes_a_key_and_prints_its_public_key(settings, tmp_path):
    settings.LICENCE_SIGNING_KEYS = {"county": str(tmp_path / "county.pem")}
    out = io.StringIO()
    call_command("licences", "keygen", "county", stdout=out)
    assert (tmp_path / "county.pem").exists() and "公钥" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("licences", "keygen", "county", stdout=io.StringIO())


def test_the_console_verifies_and_the_sweep_expires(issued):
    out = io.StringIO()
    call_command("licences", "verify", issued.identifier, stdout=out)
    assert "有效" in out.getvalue()
    Licence.objects.filter(pk=issued.pk).update(holder_name="冒名")
    with pytest.raises(CommandError):
        call_command("licences", "verify", issued.identifier, stdout=io.StringIO())
    Licence.objects.filter(pk=issued.pk).update(holder_name=issued.holder_name)
    out = io.StringIO()
    call_command("licences", "expire", "--date", "2031-11-04", stdout=out)
    assert "1 份" in out.getvalue()


# --- the demo ------------------------------------------------------------------------------------------


@pytest.fixture
def demo_county(county, staff, settings, tmp_path):
    """The pieces of the demo that the licence seed looks for: the bureau and licence-result items."""
    settings.LICENCE_SIGNING_KEYS = {"bureau": str(tmp_path / "bureau.pem")}
    Department.objects.create(code="SPJ", name="示例县行政审批服务局", uscc="11339901MB2076965L",
                              region=county["county"], centre=county["centre"])
    business, _ = item_upsert(actor=None, data=food_licence_data(
        implementation_code="SCJG-GTGSH-001", name="个体工商户设立登记", result_name="营业执照（个体工商户）",
        for_persons=True, materials=[{"code": "sqs", "name": "个体工商户登记申请书"}],
        form_fields=[{"key": "trade_name", "label": "个体工商户名称"}],
    ))
    eatery, _ = item_upsert(actor=None, data=food_licence_data(
        implementation_code="SCJG-XCY-002", name="小餐饮店登记", result_name="小餐饮店登记证", result_type="filing",
        for_persons=True, materials=[
            {"code": "sqs", "name": "小餐饮店登记申请书"},
            {"code": "yyzz", "name": "营业执照", "source": "government", "form": "electronic"},
        ],
    ))
    return {"business": business, "eatery": eatery}


def test_the_demo_signs_a_licence_for_every_approved_case_and_reuses_one_idempotently(demo_county, staff, person):
    case = case_services.case_receive(
        actor=staff["clerk"], item_version=demo_county["business"], applicant=person, centre=staff["clerk"].centre,
        materials={m.pk: {"state": "received"} for m in demo_county["business"].materials.all()},
        form_data={"trade_name": "李四小吃店"}, at=at("2026-11-02", 9),
    )
    approve(case, staff)  # no licence type yet: the approval issues nothing
    report = seed_demo_licences(today=datetime.date(2026, 11, 20))
    assert report.seals == 1 and report.types_created == 1 and report.issued == 1 and report.reused == 1
    licence = Licence.objects.get(case=case)
    assert licence.title == "营业执照（个体工商户）" and licence_verify(licence.identifier).is_valid
    assert licence.issuer_name == "示例县行政审批服务局" and licence.holder_id_masked == "3399**********0026"
    reuse = LicenceReuse.objects.select_related("case", "requirement").get()
    assert reuse.licence == licence and reuse.case.item_version == demo_county["eatery"]
    assert reuse.requirement.name == "营业执照" and reuse.case.applicant == person
    material = reuse.case.materials.get(requirement=reuse.requirement)
    assert material.state == "received" and "电子证照库" in material.note
    again = seed_demo_licences(today=datetime.date(2026, 11, 21))
    assert (again.seals, again.types_created, again.types_updated, again.issued, again.reused) == (0, 0, 0, 0, 0)
    assert PERSON_ID not in licence.canonical
