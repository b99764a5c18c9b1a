"""GB/T 36904 identifiers and their ISO/IEC 7064 MOD 37,36 check character."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.iso7064 import mod_37_36 as stdnum_mod_37_36

from yichuang.licences.identifiers import (
    ALPHABET,
    ROOT,
    build_identifier,
    is_valid_identifier,
    mod37_36_check,
    mod37_36_is_valid,
    parse_identifier,
    validate_identifier,
)

# Identifiers that departments published (interface specifications and real licence files).
PUBLISHED_IDENTIFIERS = [
    # 住房和城乡建设部 certificate exchange specification, "格式参考" for 关联证照标识
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
    # 浙江 investment project approval file name (投资项目在线审批监管平台)
    "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
    # 合肥 licence-making interface test data
    "1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.9",
]


def test_mod37_36_matches_the_grid_handbook_example():
    # The GRid (Global Release Identifier) standard, which uses ISO 7064 MOD 37,36, publishes
    # A1-2425G-ABC1234002-M: the check character of A12425GABC1234002 is M.
    assert mod37_36_check("A12425GABC1234002") == "M"
    assert mod37_36_is_valid("A12425GABC1234002M")
    assert not mod37_36_is_valid("A12425GABC1234002Q")


@pytest.mark.parametrize("identifier", PUBLISHED_IDENTIFIERS)
def test_published_identifiers_pass_the_check(identifier):
    parsed = parse_identifier(identifier)
    assert str(parsed) == identifier
    assert mod37_36_check(parsed.checked_part) == identifier[-1]


def test_the_check_covers_type_issuer_serial_and_version_not_the_root():
    # Over the whole string without dots the published identifiers would not check: the root
    # is outside the computation, as the departments' systems compute it.
    identifier = PUBLISHED_IDENTIFIERS[0]
    assert mod37_36_check(identifier[:-2].replace(".", "")) != identifier[-1]


@pytest.mark.parametrize("identifier", PUBLISHED_IDENTIFIERS)
def test_every_single_mistyped_character_is_rejected(identifier):
    # MOD 37,36 detects every single substitution: change any character of the checked part or
    # the check character itself and the validator refuses.
    body_start = len(ROOT) + 1
    for position in range(body_start, len(identifier)):
        if identifier[position] == ".":
            continue
        for replacement in ALPHABET:
            if replacement == identifier[position]:
                continue
            mistyped = identifier[:position] + replacement + identifier[position + 1:]
            assert not is_valid_identifier(mistyped), mistyped


@pytest.mark.parametrize("identifier", PUBLISHED_IDENTIFIERS)
def test_every_swap_of_two_neighbouring_characters_is_rejected(identifier):
    body = identifier[len(ROOT) + 1:]
    for position in range(len(body) - 1):
        a, b = body[position], body[position + 1]
        if a == b or "." in (a, b):
            continue
        swapped = body[:position] + b + a + body[position + 2:]
        assert not is_valid_identifier(f"{ROOT}.{swapped}"), swapped


@given(st.text(alphabet=ALPHABET, min_size=1, max_size=60))
def test_check_character_agrees_with_an_independent_implementation(data):
    # python-stdnum's iso7064.mod_37_36 is written independently of ours.
    assert mod37_36_check(data) == stdnum_mod_37_36.calc_check_digit(data)
    assert mod37_36_is_valid(data + mod37_36_check(data))


def test_the_check_character_is_never_the_pure_systems_star():
    checks = {mod37_36_check(format(n, "X")) for n in range(5000)}
    assert "*" not in checks and checks <= set(ALPHABET)


def test_built_identifiers_validate_and_carry_their_parts():
    identifier = build_identifier(type_code="SPJY001", issuer_code="11339901MB00012340", serial="2026000001", version=1)
    assert identifier.startswith(ROOT + ".SPJY001.11339901MB00012340.2026000001.001.")
    assert validate_identifier(identifier.lower()) == identifier


@pytest.mark.parametrize("typed, message", [
    ("", "请填写"),
    ("1.2.156.3005.3.SPJY001.11339901MB00012340.2026000001.001.X", "根代码"),
    ("1.2.156.3005.2.SPJY001.2026000001.001.X", "5 段"),
    ("1.2.156.3005.2.SPJY001.11339901MB00012340.2026000001.1.X", "3 位数字"),
    ("1.2.156.3005.2.SPJY-01.11339901MB00012340.2026000001.001.X", "大写字母"),
])
def test_malformed_identifiers_say_what_is_wrong(typed, message):
    with pytest.raises(ValidationError) as err:
        parse_identifier(typed)
    assert message in err.value.messages[0]


def test_a_wrong_check_character_says_to_check_each_character():
    good = build_identifier(type_code="SPJY001", issuer_code="11339901MB00012340", serial="2026000001", version=1)
    wrong = good[:-1] + ("A" if good[-1] != "A" else "B")
    with pytest.raises(ValidationError) as err:
        parse_identifier(wrong)
    assert "校验位不正确" in err.value.messages[0]


def test_spaces_and_lower_case_are_forgiven():
    good = PUBLISHED_IDENTIFIERS[0]
    assert validate_identifier("  " + good.lower().replace(".001.", ". 001.") + " ") == good
