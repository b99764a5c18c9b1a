"""National cryptography helpers: SM3 hashing (and, in later modules, SM2 and SM4)."""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

try:
    hashlib.new("sm3")
    _HAVE_OPENSSL_SM3 = True
except ValueError:  # an OpenSSL built without SM3: fall back to the pure-Python one
    _HAVE_OPENSSL_SM3 = False


def sm3_hex(data: bytes) -> str:
    if _HAVE_OPENSSL_SM3:
        return hashlib.new("sm3", data).hexdigest()
    from gmssl import func, sm3

    return sm3.sm3_hash(func.bytes_to_list(data))


# --- Fields at rest -------------------------------------------------------------------------
# Personal numbers (ID card numbers) are stored encrypted with AES-256-GCM, and looked up by a
# keyed hash (HMAC-SM3) so that a search never needs the clear number in the database.


CIPHERTEXT_PREFIX = "v1:"


@lru_cache(maxsize=4)
def _field_key(configured: str, secret_key: str, debug: bool) -> bytes:
    from django.core.exceptions import ImproperlyConfigured

    if configured:
        key = base64.b64decode(configured)
        if len(key) != 32:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY 应为 32 字节密钥的 Base64 编码。")
        return key
    if not debug:
        raise ImproperlyConfigured(
            "请设置 FIELD_ENCRYPTION_KEY（32 字节随机密钥的 Base64 编码，如 "
            "`python -c \"import os,base64;print(base64.b64encode(os.urandom(32)).decode())\"`）。"
        )
    # Development only: a key derived from the (development) secret key.
    return bytes.fromhex(sm3_hex(("field-key:" + secret_key).encode()))


def field_key() -> bytes:
    from django.conf import settings

    return _field_key(settings.FIELD_ENCRYPTION_KEY, settings.SECRET_KEY, settings.DEBUG)


def encrypt_text(plain: str) -> str:
    if plain is None or plain == "":
        return plain
    nonce = os.urandom(12)
    sealed = AESGCM(field_key()).encrypt(nonce, plain.encode("utf-8"), CIPHERTEXT_PREFIX.encode())
    return CIPHERTEXT_PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def decrypt_text(stored: str) -> str:
    if not stored or not stored.startswith(CIPHERTEXT_PREFIX):
        return stored
    raw = base64.b64decode(stored[len(CIPHERTEXT_PREFIX):])
    return AESGCM(field_key()).decrypt(raw[:12], raw[12:], CIPHERTEXT_PREFIX.encode()).decode("utf-8")


def lookup_hash(value: str) -> str:
    """Keyed hash for equality lookups of an encrypted value (normalised to upper case)."""
    if not value:
        return ""
    digest = "sm3" if _HAVE_OPENSSL_SM3 else "sha256"
    return hmac.new(field_key(), value.strip().upper().encode("utf-8"), digest).hexdigest()
