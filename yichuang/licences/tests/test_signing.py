"""Canonical data, key files and the provider interface; seal input and images; licence content rules."""

import datetime
import os
import stat
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from yichuang.core.crypto import sm3_hex
from yichuang.licences import services, signing, sm2
from yichuang.licences.content import add_period, mask_personal_numbers, validate_field_specs, validity_end
from yichuang.licences.errors import LicenceError, LicencePermissionDenied
from yichuang.licences.models import Seal
from yichuang.licences.sealimage import seal_image_png, validate_seal_png

from .conftest import BUREAU_USCC, PERSON_ID


def test_canonical_data_sorts_keys_keeps_chinese_and_has_no_spaces():
    data = signing.canonical_bytes({"b": [1, "经营场所"], "a": {"z": None, "y": True}})
    assert data == '{"a":{"y":true,"z":null},"b":[1,"经营场所"]}'.encode()
    assert signing.digest_hex(data) == sm3_hex(data)


def test_a_generated_key_file_is_private_and_never_silently_replaced(settings, tmp_path):
    settings.LICENCE_SIGNING_KEYS = {"bureau": str(tmp_path / "keys" / "bureau.pem")}
    path, public = signing.key_generate("bureau")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    private = sm2.private_key_from_text(path.read_text())
    assert sm2.public_key_hex(sm2.public_key_from_private(private)) == public
    with pytest.raises(signing.SigningError) as err:
        signing.key_generate("bureau")
    assert "--force" in str(err.value)
    _path, replaced = signing.key_generate("bureau", force=True)
    assert replaced != public


def test_an_unlisted_key_lives_in_the_data_folder(settings, tmp_path):
    settings.LICENCE_SIGNING_KEYS = {}
    settings.DATA_DIR = tmp_path
    assert signing.key_path("bureau") == tmp_path / "keys" / "bureau.pem"


@pytest.mark.parametrize("name", ["../etc/passwd", "Bureau", "", "a" * 41, "bu reau"])
def test_key_names_cannot_point_outside_the_key_folder(name):
    with pytest.raises(signing.SigningError):
        signing.key_path(name)


def test_the_local_provider_signs_what_the_seals_public_key_verifies(signing_keys):
    provider = signing.LocalKeyFileProvider()
    signature = provider.sign(b"licence", "bureau")
    assert provider.verify(b"licence", signature, provider.public_key("bureau"))
    assert not provider.verify(b"licence!", signature, provider.public_key("bureau"))
    assert not provider.verify(b"licence", "zz", provider.public_key("bureau"))


class RecordingProvider(signing.LocalKeyFileProvider):
    """Stands in for an HSM: the same three methods, named in LICENCE_SIGNING_PROVIDER."""

    calls: list[str] = []

    def sign(self, data: bytes, key_ref: str) -> str:
        RecordingProvider.calls.append(key_ref)
        return super().sign(data, key_ref)


def test_the_provider_named_in_settings_does_the_signing(settings, issued_with_provider):
    assert RecordingProvider.calls and set(RecordingProvider.calls) == {"bureau"}


@pytest.fixture
def issued_with_provider(settings, receive, staff, food_type):
    settings.LICENCE_SIGNING_PROVIDER = f"{__name__}.RecordingProvider"
    RecordingProvider.calls = []
    from .conftest import approve

    return approve(receive(), staff)[1]


# --- seals ---------------------------------------------------------------------------------------


def _seal_input(**overrides):
    values = {
        "name": "示例县行政审批局行政审批专用章", "owner_name": "示例县行政审批局", "owner_uscc": BUREAU_USCC,
        "key_ref": "bureau", "valid_from": datetime.date(2026, 1, 1), "valid_to": datetime.date(2030, 12, 31),
    }
    values.update(overrides)
    return values


def test_a_seal_needs_an_admin(signing_keys, staff):
    with pytest.raises(LicencePermissionDenied):
        services.seal_create(actor=staff["approver"], **_seal_input())


def test_a_seal_takes_its_public_key_from_the_key_and_draws_its_image(signing_keys, county):
    seal = services.seal_create(actor=None, purpose="行政审批专用章", **_seal_input())
    assert seal.public_key == signing.LocalKeyFileProvider().public_key("bureau")
    assert bytes(seal.image_png).startswith(b"\x89PNG")
    assert seal.status == Seal.Status.ACTIVE


@pytest.mark.parametrize("overrides, field", [
    ({"owner_uscc": "11339901MB00012341"}, "owner_uscc"),
    ({"key_ref": "../x"}, "key_ref"),
    ({"key_ref": "missing"}, "key_ref"),
    ({"valid_to": datetime.date(2025, 1, 1)}, "valid_to"),
    ({"scope": "department"}, "department"),
    ({"name": " "}, "name"),
    ({"image_png": b"GIF89a not a png"}, "image_png"),
])
def test_a_seal_with_bad_input_says_which_field(signing_keys, county, overrides, field):
    with pytest.raises(LicenceError) as err:
        services.seal_create(actor=None, **_seal_input(**overrides))
    assert field in err.value.message_dict


def test_a_public_key_that_is_not_the_keys_is_refused(signing_keys, county):
    _path, other = signing.key_generate("other")
    with pytest.raises(LicenceError) as err:
        services.seal_create(actor=None, public_key=other, **_seal_input())
    assert "不匹配" in err.value.message_dict["public_key"][0]


def test_a_revoked_seal_cannot_be_brought_back(seal):
    services.seal_update(actor=None, seal=seal, status=Seal.Status.REVOKED, reason="印章遗失")
    with pytest.raises(LicenceError):
        services.seal_update(actor=None, seal=seal, status=Seal.Status.ACTIVE)


def _png(width=200, height=200, fmt="PNG") -> bytes:
    buffer = BytesIO()
    Image.new("RGBA" if fmt == "PNG" else "RGB", (width, height), (200, 0, 0)).save(buffer, format=fmt)
    return buffer.getvalue()


def test_a_seal_image_is_checked_by_its_content():
    assert validate_seal_png(_png()) == _png()
    assert validate_seal_png(seal_image_png("示例县行政审批局", "行政审批专用章"))
    for bad in (b"", _png(fmt="JPEG"), _png(20, 20), b"\x89PNG\r\n\x1a\n" + b"\x00" * 40):
        with pytest.raises(ValidationError):
            validate_seal_png(bad)


# --- content ---------------------------------------------------------------------------------------


def test_field_specs_list_every_problem():
    with pytest.raises(ValidationError) as err:
        validate_field_specs([
            {"key": "Bad Key", "label": "甲", "source": "form:a"},
            {"key": "b", "label": "", "source": "case:nope"},
            {"key": "c", "label": "丙", "source": "sql:drop"},
            {"key": "c", "label": "丁", "source": "decision:date"},
        ])
    text = " ".join(err.value.messages)
    assert "Bad Key" in text and "缺少名称" in text and "case:nope" in text and "sql:drop" in text and "重复" in text


def test_validity_ends_the_day_before_the_anniversary_and_clamps_month_ends():
    assert validity_end(datetime.date(2026, 11, 4), years=5, months=0, days=0) == datetime.date(2031, 11, 3)
    assert validity_end(datetime.date(2028, 2, 29), years=1, months=0, days=0) == datetime.date(2029, 2, 27)
    assert add_period(datetime.date(2026, 1, 31), months=1) == datetime.date(2026, 2, 28)
    assert validity_end(datetime.date(2026, 1, 1), years=0, months=0, days=0) is None


def test_id_numbers_inside_values_are_masked_and_other_numbers_are_not():
    assert mask_personal_numbers(f"负责人身份证 {PERSON_ID}") == "负责人身份证 3399**********0026"
    assert mask_personal_numbers("面积 123456789012345678 平方米") == "面积 123456789012345678 平方米"
