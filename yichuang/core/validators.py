"""Validators for the codes a service centre handles every day.

Each raises `django.core.exceptions.ValidationError` with a message that says what is wrong
and how to fix it, and has an `is_valid_*` twin returning a bool.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# GB/T 2260 province-level codes (the first two digits of every region and ID number).
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82".split()
)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"

# GB 32100-2015: 31 characters, without I, O, Z, S, V.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def _clean(value: object) -> str:
    return str(value or "").strip().replace(" ", "")


def id_number_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def validate_id_number(value: object, *, today: datetime.date | None = None) -> str:
    """居民身份证号码 (GB 11643-1999): 6-digit area, 8-digit birth date, 3-digit order, check char."""
    number = _clean(value).upper()
    if not number:
        raise ValidationError(_("请填写身份证号码。"), code="required")
    if len(number) == 15:
        raise ValidationError(_("这是 15 位旧身份证号码，请填写 18 位居民身份证号码。"), code="legacy")
    if len(number) != 18:
        raise ValidationError(
            _("身份证号码应为 18 位，您填写了 %(n)d 位。") % {"n": len(number)}, code="length"
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("身份证号码前 17 位应为数字，最后一位为数字或字母 X。"), code="chars")
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(_("身份证号码前两位（省份代码 %(p)s）不存在，请核对。") % {"p": number[:2]}, code="area")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号码中的出生日期 %(d)s 不是有效日期，请核对第 7–14 位。") % {"d": number[6:14]}, code="birth"
        ) from None
    today = today or datetime.date.today()
    if birth > today or birth.year < 1880:
        raise ValidationError(
            _("身份证号码中的出生日期 %(d)s 不合理，请核对第 7–14 位。") % {"d": birth.isoformat()}, code="birth"
        )
    expected = id_number_check_char(number[:17])
    if number[17] != expected:
        raise ValidationError(_("身份证号码校验位不正确，请逐位核对后重新填写。"), code="checksum")
    return number


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: object) -> str:
    """统一社会信用代码 (GB 32100-2015). Codes that begin with a letter (e.g. 91…, N…, Y…) are valid."""
    code = _clean(value).upper()
    if not code:
        raise ValidationError(_("请填写统一社会信用代码。"), code="required")
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为 18 位，您填写了 %(n)d 位。") % {"n": len(code)}, code="length"
        )
    bad = sorted({ch for ch in code if ch not in _USCC_VALUE})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符 %(chars)s（不使用 I、O、Z、S、V），请核对。")
            % {"chars": "、".join(bad)},
            code="chars",
        )
    if not code[2:8].isdigit():
        raise ValidationError(_("统一社会信用代码第 3–8 位应为登记管理机关的行政区划码（6 位数字）。"), code="area")
    if code[17] != uscc_check_char(code[:17]):
        raise ValidationError(_("统一社会信用代码校验位不正确，请逐位核对后重新填写。"), code="checksum")
    return code


def validate_region_code(value: object) -> str:
    """12-digit statistical division code: 2 province, 2 city, 2 county, 3 town, 3 village."""
    code = _clean(value)
    if not re.fullmatch(r"\d{12}", code):
        raise ValidationError(_("区划代码应为 12 位数字，如 330110000000。"), code="format")
    if code[:2] not in PROVINCE_CODES:
        raise ValidationError(_("区划代码前两位（省份代码 %(p)s）不存在。") % {"p": code[:2]}, code="province")
    # A lower level cannot be set while a higher level is zero (e.g. a town under county 00).
    parts = [code[0:2], code[2:4], code[4:6], code[6:9], code[9:12]]
    seen_zero = False
    for part in parts[1:]:
        if set(part) == {"0"}:
            seen_zero = True
        elif seen_zero:
            raise ValidationError(_("区划代码层级不连续：上一级为 0 时，下一级也应为 0。"), code="hierarchy")
    return code


def region_level(code: str) -> int:
    """1 province … 5 village, from the trailing zeros of a valid 12-digit code."""
    if code[9:] != "000":
        return 5
    if code[6:9] != "000":
        return 4
    if code[4:6] != "00":
        return 3
    if code[2:4] != "00":
        return 2
    return 1


def validate_mobile(value: object) -> str:
    number = _clean(value)
    if number.startswith("+86"):
        number = number[3:]
    number = number.replace("-", "")
    if not MOBILE_RE.fullmatch(number):
        raise ValidationError(_("手机号码应为 11 位，以 13–19 开头，如 13800138000。"), code="format")
    return number


def _is_valid(validator, value: object) -> bool:
    try:
        validator(value)
    except ValidationError:
        return False
    return True


def is_valid_id_number(value: object) -> bool:
    return _is_valid(validate_id_number, value)


def is_valid_uscc(value: object) -> bool:
    return _is_valid(validate_uscc, value)


def is_valid_region_code(value: object) -> bool:
    return _is_valid(validate_region_code, value)


def is_valid_mobile(value: object) -> bool:
    return _is_valid(validate_mobile, value)


def mask_id_number(value: str) -> str:
    """3301**********1234: enough to recognise, not enough to use."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]
