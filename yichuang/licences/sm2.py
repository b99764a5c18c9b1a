"""SM2 digital signatures (GB/T 32918.1/.2-2016, GM/T 0003) in pure Python, with SM3.

Why our own and not gmssl's `CryptSM2`: gmssl draws the per-signature secret k with Python's
`random` module (a Mersenne Twister, predictable; a predictable k gives away the private key),
strips a public key's "04" prefix with `str.lstrip` (which also eats leading 0 and 4 digits of
x) and does not check that r and s lie in [1, n-1] when verifying. The arithmetic here is the
textbook one in Jacobian coordinates over any prime-field curve, so the same code runs the
recommended curve (sm2p256v1) and the example curve of GB/T 32918.2 Appendix A, whose published
values the tests check.

Python big integers are not constant-time: a local attacker timing many signatures could learn
something about the key. A service centre that needs more signs with an HSM or the provincial
e-seal service through the `SigningProvider` interface (see `signing.py`).

Key files: PKCS#8 PEM ("BEGIN PRIVATE KEY", what `openssl genpkey -algorithm SM2` writes), SEC 1
PEM ("BEGIN EC PRIVATE KEY") or 64 hexadecimal digits. `private_key_pem` writes PKCS#8, which
OpenSSL reads back.
"""

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass

from yichuang.core.crypto import sm3_hex

# GB/T 35276-2017 §10: the user identity when the parties have not agreed another one.
DEFAULT_USER_ID = b"1234567812345678"


@dataclass(frozen=True)
class Curve:
    """y² = x³ + ax + b over F_p, base point G of prime order n."""

    name: str
    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int

    @property
    def size(self) -> int:
        return (self.p.bit_length() + 7) // 8


# GB/T 32918.5-2017: the recommended 256-bit curve.
SM2P256V1 = Curve(
    name="sm2p256v1",
    p=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF,
    a=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC,
    b=0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93,
    gx=0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7,
    gy=0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0,
    n=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123,
)

Point = tuple[int, int]
_Jacobian = tuple[int, int, int]
_INFINITY: _Jacobian = (1, 1, 0)


class SM2Error(ValueError):
    """A key, point or signature that is not usable; the message says which."""


def _to_jacobian(point: Point) -> _Jacobian:
    return point[0], point[1], 1


def _from_jacobian(point: _Jacobian, curve: Curve) -> Point | None:
    x, y, z = point
    if z == 0:
        return None
    p = curve.p
    z_inv = pow(z, -1, p)
    z_inv2 = z_inv * z_inv % p
    return x * z_inv2 % p, y * z_inv2 * z_inv % p


def _double(point: _Jacobian, curve: Curve) -> _Jacobian:
    x, y, z = point
    if z == 0 or y == 0:
        return _INFINITY
    p = curve.p
    yy = y * y % p
    s = 4 * x * yy % p
    zz = z * z % p
    m = (3 * x * x + curve.a * zz * zz) % p
    x3 = (m * m - 2 * s) % p
    y3 = (m * (s - x3) - 8 * yy * yy) % p
    z3 = 2 * y * z % p
    return x3, y3, z3


def _add(first: _Jacobian, second: _Jacobian, curve: Curve) -> _Jacobian:
    if first[2] == 0:
        return second
    if second[2] == 0:
        return first
    p = curve.p
    x1, y1, z1 = first
    x2, y2, z2 = second
    z1z1 = z1 * z1 % p
    z2z2 = z2 * z2 % p
    u1 = x1 * z2z2 % p
    u2 = x2 * z1z1 % p
    s1 = y1 * z2 * z2z2 % p
    s2 = y2 * z1 * z1z1 % p
    if u1 == u2:
        if s1 != s2:
            return _INFINITY
        return _double(first, curve)
    h = (u2 - u1) % p
    r = (s2 - s1) % p
    hh = h * h % p
    hhh = h * hh % p
    v = u1 * hh % p
    x3 = (r * r - hhh - 2 * v) % p
    y3 = (r * (v - x3) - s1 * hhh) % p
    z3 = h * z1 * z2 % p
    return x3, y3, z3


def _multiply(k: int, point: _Jacobian, curve: Curve) -> _Jacobian:
    result = _INFINITY
    addend = point
    while k:
        if k & 1:
            result = _add(result, addend, curve)
        addend = _double(addend, curve)
        k >>= 1
    return result


def scalar_multiply(k: int, point: Point, curve: Curve = SM2P256V1) -> Point | None:
    return _from_jacobian(_multiply(k % curve.n, _to_jacobian(point), curve), curve)


def is_on_curve(point: Point, curve: Curve = SM2P256V1) -> bool:
    x, y = point
    if not (0 <= x < curve.p and 0 <= y < curve.p):
        return False
    return (y * y - (x * x * x + curve.a * x + curve.b)) % curve.p == 0


def public_key_from_private(private_key: int, curve: Curve = SM2P256V1) -> Point:
    _check_private_key(private_key, curve)
    point = scalar_multiply(private_key, (curve.gx, curve.gy), curve)
    assert point is not None  # d in [1, n-2] never gives the point at infinity
    return point


def generate_private_key(curve: Curve = SM2P256V1) -> int:
    """A private key d in [1, n-2] (GB/T 32918.1 §6.1), from the operating system's CSPRNG."""
    return secrets.randbelow(curve.n - 2) + 1


def _check_private_key(private_key: int, curve: Curve) -> None:
    if not 1 <= private_key <= curve.n - 2:
        raise SM2Error("SM2 私钥不在 [1, n-2] 范围内。")


def _int_bytes(value: int, curve: Curve) -> bytes:
    return value.to_bytes(curve.size, "big")


# --- the user's hash Z and the message digest e ---------------------------------------------------


def z_value(public_key: Point, user_id: bytes = DEFAULT_USER_ID, curve: Curve = SM2P256V1) -> bytes:
    """Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A) (GB/T 32918.2 §5.5).

    ENTL_A is the bit length of ID_A in two bytes, big-endian.
    """
    bits = len(user_id) * 8
    if bits > 0xFFFF:
        raise SM2Error("SM2 用户身份标识过长（应少于 8192 字节）。")
    data = (
        bits.to_bytes(2, "big") + user_id
        + b"".join(_int_bytes(v, curve) for v in (curve.a, curve.b, curve.gx, curve.gy))
        + _int_bytes(public_key[0], curve) + _int_bytes(public_key[1], curve)
    )
    return bytes.fromhex(sm3_hex(data))


def message_digest(message: bytes, public_key: Point, user_id: bytes = DEFAULT_USER_ID,
                   curve: Curve = SM2P256V1) -> int:
    """e = SM3(Z_A ‖ M) as an integer (GB/T 32918.2 §6.1 steps A1–A2)."""
    return int(sm3_hex(z_value(public_key, user_id, curve) + message), 16)


# --- signing and verifying ------------------------------------------------------------------------


def sign(message: bytes, private_key: int, *, user_id: bytes = DEFAULT_USER_ID, curve: Curve = SM2P256V1,
         public_key: Point | None = None, k: int | None = None) -> tuple[int, int]:
    """The signature (r, s) of `message` (GB/T 32918.2 §6.1).

    `k` is for the published test vectors only: a fixed k used twice reveals the private key.
    """
    _check_private_key(private_key, curve)
    public_key = public_key or public_key_from_private(private_key, curve)
    e = message_digest(message, public_key, user_id, curve)
    n = curve.n
    g = (curve.gx, curve.gy, 1)
    inverse = pow(1 + private_key, -1, n)
    while True:
        nonce = k if k is not None else secrets.randbelow(n - 1) + 1
        x1_y1 = _from_jacobian(_multiply(nonce, g, curve), curve)
        assert x1_y1 is not None
        r = (e + x1_y1[0]) % n
        if r == 0 or r + nonce == n:
            if k is not None:
                raise SM2Error("给定的 k 不能用于签名（r = 0 或 r + k = n）。")
            continue
        s = inverse * (nonce - r * private_key) % n
        if s == 0:
            if k is not None:
                raise SM2Error("给定的 k 不能用于签名（s = 0）。")
            continue
        return r, s


def verify(message: bytes, signature: tuple[int, int], public_key: Point, *, user_id: bytes = DEFAULT_USER_ID,
           curve: Curve = SM2P256V1) -> bool:
    """Check (r, s) against `message` and the signer's public key (GB/T 32918.2 §7.1)."""
    r, s = signature
    n = curve.n
    if not (1 <= r <= n - 1 and 1 <= s <= n - 1):
        return False
    if not is_on_curve(public_key, curve):
        return False
    t = (r + s) % n
    if t == 0:
        return False
    e = message_digest(message, public_key, user_id, curve)
    point = _add(
        _multiply(s, (curve.gx, curve.gy, 1), curve), _multiply(t, _to_jacobian(public_key), curve), curve
    )
    affine = _from_jacobian(point, curve)
    if affine is None:
        return False
    return (e + affine[0]) % n == r


# --- encodings ---------------------------------------------------------------------------------------


def signature_hex(signature: tuple[int, int], curve: Curve = SM2P256V1) -> str:
    """r ‖ s, each as many bytes as the curve's field, in hexadecimal (128 digits for 256 bits)."""
    return (_int_bytes(signature[0], curve) + _int_bytes(signature[1], curve)).hex()


def signature_from_hex(text: str, curve: Curve = SM2P256V1) -> tuple[int, int]:
    """Read r ‖ s (hex) or a DER SEQUENCE { INTEGER r, INTEGER s } (hex)."""
    try:
        raw = bytes.fromhex((text or "").strip())
    except ValueError:
        raise SM2Error("签名值不是十六进制。") from None
    if len(raw) == 2 * curve.size:
        return int.from_bytes(raw[: curve.size], "big"), int.from_bytes(raw[curve.size:], "big")
    if raw[:1] == b"\x30":
        return signature_from_der(raw)
    raise SM2Error(f"签名值长度不对：应为 r‖s（各 {curve.size} 字节）或 DER 编码。")


def signature_der(signature: tuple[int, int]) -> bytes:
    return _tlv(0x30, _der_integer(signature[0]) + _der_integer(signature[1]))


def signature_from_der(raw: bytes) -> tuple[int, int]:
    tag, body, rest = _read_tlv(raw)
    if tag != 0x30 or rest:
        raise SM2Error("签名值不是 DER 编码的 SEQUENCE。")
    tag_r, r, body = _read_tlv(body)
    tag_s, s, body = _read_tlv(body)
    if tag_r != 0x02 or tag_s != 0x02 or body:
        raise SM2Error("签名值的 DER 结构不对。")
    return int.from_bytes(r, "big"), int.from_bytes(s, "big")


def public_key_hex(point: Point, curve: Curve = SM2P256V1) -> str:
    """x ‖ y in hexadecimal (128 digits), without the 04 prefix."""
    return (_int_bytes(point[0], curve) + _int_bytes(point[1], curve)).hex().upper()


def public_key_from_hex(text: str, curve: Curve = SM2P256V1) -> Point:
    """Read x ‖ y or 04 ‖ x ‖ y (hex) and check that the point lies on the curve."""
    cleaned = re.sub(r"\s+", "", text or "")
    try:
        raw = bytes.fromhex(cleaned)
    except ValueError:
        raise SM2Error("公钥不是十六进制。") from None
    if len(raw) == 2 * curve.size + 1 and raw[0] == 4:
        raw = raw[1:]
    if len(raw) != 2 * curve.size:
        raise SM2Error(f"公钥长度不对：应为 {4 * curve.size} 位十六进制（x‖y），可带 04 前缀。")
    point = int.from_bytes(raw[: curve.size], "big"), int.from_bytes(raw[curve.size:], "big")
    if not is_on_curve(point, curve):
        raise SM2Error("公钥不是 SM2 曲线上的点，请核对。")
    return point


# --- key files -----------------------------------------------------------------------------------------
# Minimal DER: enough for PKCS#8 / SEC 1 EC private keys on the SM2 curve.

OID_EC_PUBLIC_KEY = bytes.fromhex("2A8648CE3D0201")  # 1.2.840.10045.2.1
OID_SM2_CURVE = bytes.fromhex("2A811CCF5501822D")  # 1.2.156.10197.1.301


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _tlv(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _der_length(len(body)) + body


def _der_integer(value: int) -> bytes:
    body = value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big")
    return _tlv(0x02, body)


def _read_tlv(data: bytes) -> tuple[int, bytes, bytes]:
    if len(data) < 2:
        raise SM2Error("密钥文件的 DER 结构不完整。")
    tag, first = data[0], data[1]
    offset = 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or len(data) < 2 + count:
            raise SM2Error("密钥文件的 DER 长度字段无效。")
        length = int.from_bytes(data[2: 2 + count], "big")
        offset = 2 + count
    if len(data) < offset + length:
        raise SM2Error("密钥文件的 DER 结构不完整。")
    return tag, data[offset: offset + length], data[offset + length:]


def _ec_private_key_der(private_key: int, curve: Curve) -> bytes:
    point = public_key_from_private(private_key, curve)
    public = b"\x04" + _int_bytes(point[0], curve) + _int_bytes(point[1], curve)
    return _tlv(0x30, _der_integer(1) + _tlv(0x04, _int_bytes(private_key, curve))
                + _tlv(0xA1, _tlv(0x03, b"\x00" + public)))


def private_key_pem(private_key: int, curve: Curve = SM2P256V1) -> str:
    """PKCS#8 PEM of an SM2 private key (the form `openssl genpkey -algorithm SM2` writes)."""
    algorithm = _tlv(0x30, _tlv(0x06, OID_EC_PUBLIC_KEY) + _tlv(0x06, OID_SM2_CURVE))
    der = _tlv(0x30, _der_integer(0) + algorithm + _tlv(0x04, _ec_private_key_der(private_key, curve)))
    body = base64.encodebytes(der).decode("ascii").replace("\n", "")
    lines = [body[i: i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END PRIVATE KEY-----\n"


def _private_from_sec1(der: bytes) -> int:
    tag, body, _rest = _read_tlv(der)
    if tag != 0x30:
        raise SM2Error("EC 私钥结构无效。")
    _tag, _version, body = _read_tlv(body)
    tag, secret, _body = _read_tlv(body)
    if tag != 0x04:
        raise SM2Error("EC 私钥结构无效。")
    return int.from_bytes(secret, "big")


def private_key_from_text(text: str, curve: Curve = SM2P256V1) -> int:
    """The private key in a key file's text: PKCS#8 PEM, SEC 1 PEM or 64 hex digits."""
    stripped = (text or "").strip()
    match = re.search(r"-----BEGIN ([A-Z ]+)-----(.*?)-----END \1-----", stripped, re.S)
    if match:
        kind = match.group(1)
        try:
            der = base64.b64decode("".join(match.group(2).split()), validate=True)
        except ValueError:
            raise SM2Error("密钥文件的 PEM 内容不是有效的 Base64。") from None
        if kind == "EC PRIVATE KEY":
            key = _private_from_sec1(der)
        elif kind == "PRIVATE KEY":
            tag, body, _rest = _read_tlv(der)
            if tag != 0x30:
                raise SM2Error("PKCS#8 结构无效。")
            _tag, _version, body = _read_tlv(body)
            tag, algorithm, body = _read_tlv(body)
            if tag != 0x30 or OID_SM2_CURVE not in algorithm:
                raise SM2Error("密钥不是 SM2 曲线（1.2.156.10197.1.301）上的密钥。")
            tag, inner, _body = _read_tlv(body)
            if tag != 0x04:
                raise SM2Error("PKCS#8 结构无效。")
            key = _private_from_sec1(inner)
        else:
            raise SM2Error(f"不支持的密钥文件类型「{kind}」：请使用 PKCS#8（BEGIN PRIVATE KEY）。")
    else:
        cleaned = re.sub(r"\s+", "", stripped)
        if len(cleaned) != 2 * curve.size or not re.fullmatch(r"[0-9A-Fa-f]+", cleaned):
            raise SM2Error(f"密钥文件格式无法识别：应为 PEM 或 {2 * curve.size} 位十六进制私钥。")
        key = int(cleaned, 16)
    _check_private_key(key, curve)
    return key


def key_fingerprint(public_key: Point, curve: Curve = SM2P256V1) -> str:
    """A short name for a public key (first 16 hex digits of its SHA-256), for people to compare keys."""
    return hashlib.sha256(bytes.fromhex(public_key_hex(public_key, curve))).hexdigest()[:16].upper()
