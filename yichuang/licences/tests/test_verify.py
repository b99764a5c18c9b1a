"""Verification tells a valid licence from an expired, revoked, superseded or tampered one."""

import datetime
import logging

import pytest
from django.core.exceptions import ValidationError

from yichuang.core.models import AuditEntry
from yichuang.licences import services
from yichuang.licences.models import Licence, Seal
from yichuang.licences.selectors import TAMPERED, licence_verify
from yichuang.licences.signing import key_generate, key_path

from .conftest import approve, at


def test_a_fresh_licence_verifies_as_valid(issued):
    result = licence_verify(issued.identifier)
    assert result.found and result.is_valid and result.check.intact
    assert result.status_label == "有效"


def test_a_field_altered_in_the_database_fails_verification(issued):
    data = [dict(row) for row in issued.data]
    data[3]["value"] = "示例县城关镇另一条街 1 号"
    Licence.objects.filter(pk=issued.pk).update(data=data)
    result = licence_verify(issued.identifier)
    assert result.tampered and not result.check.digest_ok and not result.check.signature_ok
    assert result.status_label == "数据被篡改，验证不通过"


@pytest.mark.parametrize("column, value", [
    ("holder_name", "冒名公司"),
    ("valid_to", datetime.date(2099, 12, 31)),
    ("issuer_name", "别的机关"),
    ("holder_uscc", "91350100M000200Y4T"),
])
def test_any_signed_column_altered_fails_verification(issued, column, value):
    Licence.objects.filter(pk=issued.pk).update(**{column: value})
    assert licence_verify(issued.identifier).status == TAMPERED


def test_a_forged_signature_fails_verification(issued):
    forged = issued.signature[:-2] + ("00" if issued.signature[-2:] != "00" else "11")
    Licence.objects.filter(pk=issued.pk).update(signature=forged)
    result = licence_verify(issued.identifier)
    assert result.tampered and result.check.digest_ok and not result.check.signature_ok


def test_a_swapped_seal_key_fails_verification(issued, signing_keys):
    _path, other_public = key_generate("other")
    Seal.objects.filter(pk=issued.seal_id).update(public_key=other_public)
    assert licence_verify(issued.identifier).tampered


def test_a_revoked_licence_set_back_to_valid_by_hand_is_caught(issued, staff):
    services.licence_revoke(actor=staff["supervisor"], licence=issued, reason="以欺骗手段取得许可")
    Licence.objects.filter(pk=issued.pk).update(status=Licence.Status.VALID)
    result = licence_verify(issued.identifier)
    assert result.tampered and not result.check.history_ok


def test_revocation_shows_at_once(issued, staff):
    services.licence_revoke(actor=staff["approver"], licence=issued, reason="申请人隐瞒有关情况，依法撤销")
    result = licence_verify(issued.identifier)
    assert result.status == Licence.Status.REVOKED and result.status_label == "已撤销"
    assert result.check.intact  # revoked, but still the genuine licence


def test_a_licence_past_its_last_day_verifies_as_expired(issued):
    assert licence_verify(issued.identifier, today=datetime.date(2031, 11, 3)).is_valid
    result = licence_verify(issued.identifier, today=datetime.date(2031, 11, 4))
    assert result.status == Licence.Status.EXPIRED and result.status_label == "已过有效期"


def test_a_changed_licence_points_to_its_new_version(issued, staff):
    new = services.licence_change(actor=staff["approver"], licence=issued, changes={"shop": "解放街 38 号"},
                                  reason="经营场所门牌号调整")
    old = licence_verify(issued.identifier)
    assert old.status == Licence.Status.SUPERSEDED and old.newer == new
    assert licence_verify(new.identifier).is_valid


def test_a_mistyped_identifier_is_refused_before_looking_it_up(issued, django_assert_num_queries):
    wrong = issued.identifier[:-1] + ("A" if issued.identifier[-1] != "A" else "B")
    with django_assert_num_queries(0), pytest.raises(ValidationError):
        licence_verify(wrong)


def test_a_well_formed_unknown_identifier_is_not_found(issued):
    from yichuang.licences.identifiers import build_identifier

    other = build_identifier(type_code="SPJY001", issuer_code=issued.issuer_uscc, serial="2026999999", version=1)
    assert not licence_verify(other).found


def test_the_private_key_never_reaches_the_database_or_the_log(receive, staff, food_type, caplog):
    caplog.set_level(logging.DEBUG)
    _case, licence = approve(receive(), staff)
    services.licence_revoke(actor=staff["supervisor"], licence=licence, reason="撤销")
    secret_text = key_path("bureau").read_text()
    secret_body = "".join(secret_text.strip().splitlines()[1:-1])
    from yichuang.licences import sm2

    private_hex = f"{sm2.private_key_from_text(secret_text):064x}"
    stored = [str(row) for model in (Seal, Licence) for row in model.objects.values()]
    stored += [str(row) for row in AuditEntry.objects.values()]
    everything = " ".join(stored + [caplog.text]).lower()
    assert private_hex not in everything and secret_body.lower() not in everything
    assert str(key_path("bureau")).lower() not in everything


def test_verification_needs_a_handful_of_queries(issued, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        result = licence_verify(issued.identifier)
        assert result.is_valid and result.licence.type.name and result.licence.seal.name


def test_a_licence_signed_before_the_seal_expired_still_verifies_after(issued):
    Seal.objects.filter(pk=issued.seal_id).update(valid_to=datetime.date(2026, 11, 30))
    assert licence_verify(issued.identifier, today=datetime.date(2027, 6, 1)).is_valid
    assert at  # the conftest helper is importable for other tests
