import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from yichuang.core.validators import (
    USCC_ALPHABET,
    id_number_check_char,
    is_valid_id_number,
    is_valid_mobile,
    is_valid_region_code,
    is_valid_uscc,
    mask_id_number,
    region_level,
    uscc_check_char,
    validate_id_number,
    validate_mobile,
    validate_uscc,
)

# The GB 11643-1999 standard's own worked example, and other published samples.
VALID_IDS = ["11010519491231002X", "440524188001010014", "110101199003074477"]
# Codes python-stdnum also accepts (digit-first) ...
VALID_USCC = ["91350100M000100Y43", "91110000802100433B", "91330000142916567N"]
# ... and letter-first codes of the kind 民政 (5), 工会 (8), 宗教 (N), 其他 (Y) registries issue,
# built per GB 32100 with the standard's check character. python-stdnum rejects these.
LETTER_FIRST_USCC = ["N2330102MA27XWTB3A", "Y11100005002000043", "A1330100MA2H0J0P99"]


@pytest.mark.parametrize("number", VALID_IDS)
def test_published_id_numbers_are_valid(number):
    assert validate_id_number(number) == number


def test_lower_case_x_check_char_is_accepted_and_normalised():
    assert validate_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("11010519491231002", "18 位"),
        ("110105491231002", "15 位"),
        ("11010519491231002Y", "数字或字母 X"),
        ("99010519491231002X", "省份代码"),
        ("110105194902300021", "出生日期"),
        ("110105194912310021", "校验位"),
        ("", "请填写"),
    ],
)
def test_bad_id_numbers_say_what_is_wrong(number, fragment):
    with pytest.raises(ValidationError) as err:
        validate_id_number(number)
    assert fragment in err.value.messages[0]


def test_id_birth_date_in_the_future_is_refused():
    first17 = "11010520990101001"
    number = first17 + id_number_check_char(first17)
    with pytest.raises(ValidationError):
        validate_id_number(number, today=datetime.date(2026, 11, 22))


@given(
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_any_id_with_its_computed_check_char_is_valid_and_one_digit_off_is_not(birth, order):
    first17 = f"330102{birth:%Y%m%d}{order:03d}"
    number = first17 + id_number_check_char(first17)
    assert is_valid_id_number(number)
    wrong = "X" if number[-1] != "X" else "0"
    assert not is_valid_id_number(number[:-1] + wrong)


@pytest.mark.parametrize("code", VALID_USCC)
def test_registered_uscc_codes_are_valid(code):
    assert validate_uscc(code) == code


@pytest.mark.parametrize("code", LETTER_FIRST_USCC)
def test_uscc_codes_beginning_with_a_letter_are_valid(code):
    from stdnum.cn import uscc as stdnum_uscc

    assert validate_uscc(code) == code
    # The reason we keep our own check: the library refuses codes a registry really issues.
    assert not stdnum_uscc.is_valid(code)


@pytest.mark.parametrize("code", VALID_USCC + LETTER_FIRST_USCC)
def test_one_mistyped_character_is_caught_by_the_check_char(code):
    swapped = code[:5] + ("7" if code[5] != "7" else "8") + code[6:]
    assert not is_valid_uscc(swapped)


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y4", "18 位"),
        ("91350100M000100Y4I", "I"),
        ("91350100M000100Y44", "校验位"),
        ("9135A100M000100Y43", "行政区划码"),
        ("", "请填写"),
    ],
)
def test_bad_uscc_codes_say_what_is_wrong(code, fragment):
    with pytest.raises(ValidationError) as err:
        validate_uscc(code)
    assert fragment in err.value.messages[0]


@given(st.text(alphabet=USCC_ALPHABET, min_size=2, max_size=2), st.integers(0, 999999),
       st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9))
def test_any_uscc_with_its_computed_check_char_is_valid(head, area, org):
    first17 = f"{head}{area:06d}{org}"
    assert is_valid_uscc(first17 + uscc_check_char(first17))


def test_region_codes_follow_the_hierarchy():
    assert is_valid_region_code("330110000000")
    assert is_valid_region_code("330110001001")
    assert not is_valid_region_code("33011000000")  # 11 digits
    assert not is_valid_region_code("990110000000")  # no province 99
    assert not is_valid_region_code("330100001000")  # town under county 00
    assert region_level("330000000000") == 1
    assert region_level("330100000000") == 2
    assert region_level("330110000000") == 3
    assert region_level("330110001000") == 4
    assert region_level("330110001001") == 5


def test_mobile_numbers():
    assert validate_mobile("13800138000") == "13800138000"
    assert validate_mobile("+86 138-0013-8000") == "13800138000"
    assert not is_valid_mobile("12800138000")
    assert not is_valid_mobile("1380013800")
    with pytest.raises(ValidationError) as err:
        validate_mobile("abc")
    assert "11 位" in err.value.messages[0]


def test_id_numbers_are_masked_to_first_four_and_last_four():
    assert mask_id_number("330102199003074477") == "3301**********4477"
    assert mask_id_number("") == ""
