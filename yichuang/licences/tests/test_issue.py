"""Issuing: an approved case gets a signed licence, or a clear refusal and nothing half-written."""

import datetime

import pytest
from django.db import connection

from yichuang.cases import services as case_services
from yichuang.core.models import AuditEntry
from yichuang.licences import services, sm2
from yichuang.licences.errors import LicenceError, LicencePermissionDenied
from yichuang.licences.identifiers import ROOT, parse_identifier
from yichuang.licences.models import Licence, LicenceEvent, LicenceType, Seal
from yichuang.licences.selectors import licence_verify, licences_for_case
from yichuang.licences.signing import canonical_bytes, digest_hex, key_generate

from .conftest import BUREAU_USCC, PERSON_ID, approve, at


def test_an_approved_case_gets_a_signed_licence_linked_to_case_and_holder(issued, applicant):
    licence = issued
    parsed = parse_identifier(licence.identifier)
    assert licence.identifier.startswith(f"{ROOT}.SPJY001.{BUREAU_USCC}.2026")
    assert parsed.version == 1 and licence.serial == parsed.serial
    assert licence.case.status == "11" and licence.applicant == applicant
    assert licence.holder_name == "示例县好味道餐饮有限公司" and licence.holder_uscc == "91350100M000100Y43"
    assert licence.issuer_name == "示例县行政审批局"
    values = {row["key"]: row["value"] for row in licence.data}
    assert values["operator"] == "示例县好味道餐饮有限公司"
    assert values["legal_rep"] == "王小明"
    assert values["scope"] == "预包装食品销售"
    assert values["decided"] == "2026-11-04"
    # A five-year licence from the decision day is valid to the day before its fifth anniversary.
    assert licence.valid_from == datetime.date(2026, 11, 4)
    assert licence.valid_to == datetime.date(2031, 11, 3)
    assert licence.digest == digest_hex(licence.canonical.encode())
    assert sm2.verify(licence.canonical.encode(), sm2.signature_from_hex(licence.signature),
                      sm2.public_key_from_hex(licence.seal.public_key))
    assert licence_verify(licence.identifier).is_valid


def test_issuing_writes_an_event_and_an_audit_entry(issued):
    event = issued.events.get()
    assert event.action == LicenceEvent.Action.ISSUE and event.to_status == Licence.Status.VALID
    assert AuditEntry.objects.filter(action="licence.issue", object_id=str(issued.pk)).exists()


def test_the_hook_is_harmless_when_called_twice(issued, staff):
    again = services.licence_issue_for_case(actor=staff["approver"], case=issued.case)
    assert again == issued
    assert licences_for_case(issued.case).count() == 1


def test_the_hook_does_nothing_for_an_item_without_a_licence_type(receive, staff, seal):
    case, licence = approve(receive(), staff)
    assert licence is None
    assert not Licence.objects.exists()


def test_an_item_whose_result_clerk_issues_leaves_it_to_the_result_window(receive, staff, food_type):
    services.licence_type_save(actor=None, code=food_type.code, name=food_type.name, fields=food_type.fields,
                               validity_years=5, template="portrait", seal=food_type.seal, auto_issue=False)
    case, licence = approve(receive(), staff)
    assert licence is None
    with pytest.raises(LicencePermissionDenied):
        services.licence_issue(actor=staff["clerk"], case=case)
    licence = services.licence_issue(actor=staff["result"], case=case, at=at("2026-11-05"))
    assert licence.issued_by == staff["result"]
    with pytest.raises(LicenceError) as err:
        services.licence_issue(actor=staff["result"], case=case)
    assert "不能重复签发" in err.value.messages[0]


def test_the_type_is_found_by_result_name_when_no_item_is_linked(receive, staff, seal, item):
    services.licence_type_save(actor=None, code="SPJY002", name=item.result_name, fields=[], template="landscape",
                               seal=seal)
    _case, licence = approve(receive(), staff)
    assert licence is not None and licence.type.code == "SPJY002"
    assert licence.valid_to is None  # no validity rule: 长期有效


def _refused_without_trace(receive, staff, message):
    before = AuditEntry.objects.count()
    case = receive()
    with pytest.raises(LicenceError) as err:
        approve(case, staff)
    assert message in " ".join(err.value.messages)
    assert not Licence.objects.exists() and not LicenceEvent.objects.exists()
    assert AuditEntry.objects.filter(action__endswith="refused").count() >= 1
    assert AuditEntry.objects.count() > before
    return case


def test_an_expired_seal_refuses_to_issue(receive, staff, food_type):
    Seal.objects.filter(pk=food_type.seal_id).update(valid_to=datetime.date(2026, 10, 31))
    _refused_without_trace(receive, staff, "已过期")


def test_a_suspended_seal_refuses_to_issue(receive, staff, food_type):
    services.seal_update(actor=None, seal=food_type.seal, status=Seal.Status.SUSPENDED, reason="印章更换")
    _refused_without_trace(receive, staff, "停用")


def test_a_type_without_a_template_refuses_to_issue(receive, staff, food_type):
    LicenceType.objects.filter(pk=food_type.pk).update(template="")
    _refused_without_trace(receive, staff, "没有设置打印版式")


def test_a_signature_that_does_not_verify_refuses_to_issue(receive, staff, food_type, signing_keys):
    # The seal's registered public key is not the key's: the fresh signature cannot verify.
    _path, other_public = key_generate("other")
    Seal.objects.filter(pk=food_type.seal_id).update(public_key=other_public)
    _refused_without_trace(receive, staff, "签名完成后验证未通过")


def test_a_missing_key_file_says_how_to_make_one(receive, staff, food_type, signing_keys, tmp_path):
    (tmp_path / "bureau.pem").unlink()
    _refused_without_trace(receive, staff, "yichuang licences keygen bureau")


def test_a_required_field_without_value_refuses_and_names_it(receive, staff, food_type):
    fields = [*food_type.fields, {"key": "area", "label": "经营面积", "source": "form:floor_area", "required": True}]
    LicenceType.objects.filter(pk=food_type.pk).update(fields=fields)
    _refused_without_trace(receive, staff, "经营面积（form:floor_area）")


def test_a_refused_licence_rolls_the_approval_back_when_the_engine_calls_it_inside(receive, staff, food_type):
    # As the case engine will call the hook inside case_decide: one transaction for both.
    from django.db import transaction

    Seal.objects.filter(pk=food_type.seal_id).update(valid_to=datetime.date(2026, 10, 31))
    case = receive()
    case = case_services.case_accept(actor=staff["clerk"], case=case, expected_version=case.version, at=at("2026-11-02"))
    case = case_services.case_step_complete(actor=staff["reviewer"], case=case, opinion="同意",
                                            expected_version=case.version, at=at("2026-11-03"))
    with pytest.raises(LicenceError):
        with transaction.atomic():
            decided = case_services.case_decide(actor=staff["approver"], case=case, approve=True, reason="同意",
                                                expected_version=case.version, at=at("2026-11-04"))
            services.licence_issue_for_case(actor=staff["approver"], case=decided, at=at("2026-11-04"))
    case.refresh_from_db()
    assert case.status == "8" and case.decided_at is None


def test_a_person_holders_id_is_stored_encrypted_and_shown_masked(receive, staff, food_type, person, item):
    case = case_services.case_receive(
        actor=staff["clerk"], item_version=item, applicant=person, centre=staff["clerk"].centre,
        materials={m.pk: {"state": "received"} for m in item.materials.all()}, at=at("2026-11-02", 9),
    )
    _case, licence = approve(case, staff)
    assert licence.holder_kind == "person" and licence.holder_uscc == ""
    assert licence.holder_id_masked == "3399**********0026"
    with connection.cursor() as cursor:  # the column as stored, not through the decrypting field
        cursor.execute("SELECT holder_id_number FROM licences_licence WHERE id = %s", [licence.pk])
        stored = cursor.fetchone()[0]
    assert PERSON_ID not in stored and stored.startswith("v1:")
    assert PERSON_ID not in canonical_bytes(licence.data).decode()
    assert PERSON_ID not in licence.canonical
    values = {row["key"]: row["value"] for row in licence.data}
    assert values["code"] == "3399**********0026"


def test_serials_increase_per_type_issuer_and_year(receive, staff, food_type):
    first = approve(receive(), staff)[1]
    second = approve(receive(), staff)[1]
    assert int(second.serial) == int(first.serial) + 1


def test_a_denied_case_cannot_get_a_licence(receive, staff, food_type):
    case = receive()
    case = case_services.case_accept(actor=staff["clerk"], case=case, expected_version=case.version, at=at("2026-11-02"))
    case = case_services.case_step_complete(actor=staff["reviewer"], case=case, opinion="不符合",
                                            expected_version=case.version, at=at("2026-11-03"))
    case = case_services.case_decide(actor=staff["approver"], case=case, approve=False, reason="场所不符合要求",
                                     legal_basis="第三十五条", way_forward="整改后重新申请", expected_version=case.version)
    with pytest.raises(LicenceError) as err:
        services.licence_issue(actor=staff["approver"], case=case)
    assert "只有准予许可的办件" in err.value.messages[0]


def test_a_rongque_case_gets_its_licence_only_when_the_materials_arrive(receive, staff, food_type, item):
    from .conftest import material_ids

    promised = {"state": "deferred", "promised_on": "2026-11-20"}
    case, licence = approve(receive(zd=promised), staff)
    assert case.delivery == "withheld" and licence is None
    with pytest.raises(LicenceError) as err:
        services.licence_issue(actor=staff["result"], case=case)
    assert "容缺材料补齐前" in err.value.messages[0]
    case = case_services.case_supplement_deferred(actor=staff["result"], case=case,
                                                  requirement_ids=[material_ids(item)["zd"]], at=at("2026-11-10"))
    licence = services.licence_issue_for_case(actor=staff["result"], case=case, at=at("2026-11-10"))
    assert licence is not None and licence.valid_from.isoformat() == "2026-11-10"
