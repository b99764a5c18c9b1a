"""E-licence identifiers in the shape of GB/T 36904-2018 (电子证照 标识规范).

    1.2.156.3005.2 . 证照类型代码 . 颁发机构代码 . 流水号 . 版本号 . 校验位
    root (OID)       type code      issuer USCC    serial   3 digits  1 character

The check character is ISO/IEC 7064 MOD 37,36 (GB/T 17710-2008), computed over the type code,
issuer code, serial and version written together without dots. The root is left out: that is
what the identifiers that departments really issue carry (see the tests, which check published
ones), and a root that never changes would add nothing to the check.

MOD 37,36 is a *hybrid* system of ISO/IEC 7064: its check character is one of the same 36
characters as the data (0–9, A–Z). The supplementary character "*" belongs to the *pure* system
MOD 37-2 and never appears here.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ROOT = "1.2.156.3005.2"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MODULUS = 36  # M; the hybrid system computes modulo M and M + 1
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_PART = re.compile(r"^[0-9A-Z]+$")


def _values(text: str) -> list[int]:
    try:
        return [_VALUE[ch] for ch in text]
    except KeyError as missing:
        raise ValueError(f"character {missing} is not in 0-9 A-Z") from None


def mod37_36_check(data: str) -> str:
    """The check character for `data` (ISO/IEC 7064 §10, hybrid system, M = 36).

    P₁ = M; for each character a_j: S_j = (P_j mod (M+1)) + a_j, P_{j+1} = ((S_j mod M) or M) × 2
    mod (M+1). The check character a makes (P_{n+1} + a) mod M = 1.
    """
    product = MODULUS
    for value in _values(data):
        total = product % (MODULUS + 1) + value
        product = ((total % MODULUS) or MODULUS) * 2 % (MODULUS + 1)
    return ALPHABET[(MODULUS + 1 - product) % MODULUS]


def mod37_36_is_valid(text: str) -> bool:
    """Data followed by its check character: running the recursion over all of it ends at 1."""
    try:
        values = _values(text)
    except ValueError:
        return False
    if len(values) < 2:
        return False
    product = MODULUS
    total = 0
    for value in values:
        total = product % (MODULUS + 1) + value
        product = ((total % MODULUS) or MODULUS) * 2 % (MODULUS + 1)
    return total % MODULUS == 1


@dataclass(frozen=True)
class LicenceIdentifier:
    type_code: str
    issuer_code: str
    serial: str
    version: int
    check: str

    @property
    def checked_part(self) -> str:
        return f"{self.type_code}{self.issuer_code}{self.serial}{self.version:03d}"

    def __str__(self) -> str:
        return f"{ROOT}.{self.type_code}.{self.issuer_code}.{self.serial}.{self.version:03d}.{self.check}"


def build_identifier(*, type_code: str, issuer_code: str, serial: str, version: int) -> str:
    for label, part in ((_("证照类型代码"), type_code), (_("颁发机构代码"), issuer_code), (_("流水号"), serial)):
        if not part or not _PART.match(part):
            raise ValidationError(
                _("%(l)s「%(v)s」只能由数字和大写字母组成。") % {"l": label, "v": part}, code="identifier_part"
            )
    if not 1 <= version <= 999:
        raise ValidationError(_("版本号应在 1–999 之间。"), code="identifier_version")
    body = f"{type_code}{issuer_code}{serial}{version:03d}"
    return str(LicenceIdentifier(type_code, issuer_code, serial, version, mod37_36_check(body)))


def parse_identifier(value: object) -> LicenceIdentifier:
    """Split and check an identifier someone typed; the error says what to look at."""
    text = re.sub(r"\s+", "", str(value or "")).upper()
    if not text:
        raise ValidationError(_("请填写电子证照标识。"), code="required")
    if not text.startswith(ROOT + "."):
        raise ValidationError(
            _("电子证照标识应以根代码 %(root)s 开头，如 %(root)s.……。请核对。") % {"root": ROOT}, code="root"
        )
    parts = text[len(ROOT) + 1:].split(".")
    if len(parts) != 5:
        raise ValidationError(
            _("电子证照标识应由根代码和 5 段组成：证照类型代码.颁发机构代码.流水号.版本号.校验位，您填写的有 %(n)d 段。")
            % {"n": len(parts)}, code="parts",
        )
    type_code, issuer_code, serial, version, check = parts
    if not all(_PART.match(p) for p in parts):
        raise ValidationError(_("电子证照标识只能含数字、大写字母和圆点。"), code="chars")
    if not re.fullmatch(r"\d{3}", version):
        raise ValidationError(_("版本号应为 3 位数字，如 001。"), code="version")
    if len(check) != 1:
        raise ValidationError(_("校验位应为 1 个字符。"), code="check_length")
    identifier = LicenceIdentifier(type_code, issuer_code, serial, int(version), check)
    if mod37_36_check(identifier.checked_part) != check:
        raise ValidationError(_("电子证照标识校验位不正确，可能输错了某一位：请逐位核对后重新输入。"), code="checksum")
    return identifier


def validate_identifier(value: object) -> str:
    """The identifier in its normal form (upper case, no spaces), or a ValidationError."""
    return str(parse_identifier(value))


def is_valid_identifier(value: object) -> bool:
    try:
        parse_identifier(value)
    except ValidationError:
        return False
    return True
