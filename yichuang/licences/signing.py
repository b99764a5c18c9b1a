"""Signing licences: the canonical data, SM3, and the SM2 signing provider.

In the spirit of GB/T 38540 (安全电子签章): what is signed is the licence's canonical data —
JSON with sorted keys, UTF-8, no spaces — hashed with SM3 and signed with SM2 under the user
identity "1234567812345678".

Where the private key lives is the provider's business. Settings:

    LICENCE_SIGNING_PROVIDER = "yichuang.licences.signing.LocalKeyFileProvider"   # the default
    LICENCE_SIGNING_KEYS = {"bureau": "/etc/yichuang/keys/bureau.pem"}

The built-in `LocalKeyFileProvider` reads PKCS#8 PEM (or hex) key files named in
`LICENCE_SIGNING_KEYS`; a key name that is not listed is looked for in `<DATA_DIR>/keys/<name>.pem`
(where `yichuang licences keygen NAME` writes). An HSM (PKCS#11) or a provincial e-seal service
is another class with the same three methods, named in `LICENCE_SIGNING_PROVIDER`: it signs
where the key is and returns r‖s in hexadecimal.

Keys and their paths never go to the database or the log; errors name the key, never its content.
"""

import json
import os
import re
import threading
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from yichuang.core.crypto import sm3_hex

from . import sm2

DEFAULT_PROVIDER = "yichuang.licences.signing.LocalKeyFileProvider"
KEY_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def canonical_bytes(payload: Any) -> bytes:
    """Sorted keys, UTF-8 (no \\u escapes), no spaces: the same data always gives the same bytes."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode("utf-8")


def digest_hex(data: bytes) -> str:
    return sm3_hex(data)


class SigningError(Exception):
    """The provider could not sign: the message says what an administrator should do."""


class SigningProvider(Protocol):
    """Where seals' private keys live. Signatures are r‖s in hexadecimal (GB/T 32918.2)."""

    def sign(self, data: bytes, key_ref: str) -> str: ...

    def verify(self, data: bytes, signature: str, public_key: str) -> bool: ...

    def public_key(self, key_ref: str) -> str: ...


def sm2_verify_hex(data: bytes, signature: str, public_key: str) -> bool:
    """Verification needs no secret: every provider may use this one."""
    try:
        point = sm2.public_key_from_hex(public_key)
        pair = sm2.signature_from_hex(signature)
    except sm2.SM2Error:
        return False
    return sm2.verify(data, pair, point)


def validate_key_name(name: str) -> str:
    name = (name or "").strip()
    if not KEY_NAME_RE.match(name):
        raise SigningError(_("密钥名称「%(n)s」无效：只用小写字母、数字、- 和 _，最长 40 个字符，如 bureau。") % {"n": name})
    return name


def key_path(name: str) -> Path:
    """The key file for `name`: from LICENCE_SIGNING_KEYS, else <DATA_DIR>/keys/<name>.pem."""
    name = validate_key_name(name)
    configured = getattr(settings, "LICENCE_SIGNING_KEYS", {}) or {}
    if name in configured:
        return Path(configured[name])
    return Path(settings.DATA_DIR) / "keys" / f"{name}.pem"


class LocalKeyFileProvider:
    """Pure-Python SM2 with private keys read from files; the default for a single centre."""

    _cache: dict[tuple[str, float], int] = {}
    _lock = threading.Lock()

    def _private_key(self, key_ref: str) -> int:
        path = key_path(key_ref)
        try:
            stamp = path.stat().st_mtime
        except FileNotFoundError:
            raise SigningError(
                _("签名密钥「%(k)s」的密钥文件不存在：请运行 `yichuang licences keygen %(k)s` 生成，"
                  "或在 LICENCE_SIGNING_KEYS 中配置该密钥文件的路径。") % {"k": key_ref}
            ) from None
        cache_key = (str(path), stamp)
        with self._lock:
            if cache_key in self._cache:
                return self._cache[cache_key]
        try:
            private = sm2.private_key_from_text(path.read_text(encoding="ascii"))
        except (OSError, UnicodeDecodeError, sm2.SM2Error) as err:
            raise SigningError(
                _("签名密钥「%(k)s」的密钥文件无法读取或格式不对：%(why)s") % {"k": key_ref, "why": _reason(err)}
            ) from None
        with self._lock:
            self._cache.clear()  # one key per file; an edited file replaces its old key
            self._cache[cache_key] = private
        return private

    def sign(self, data: bytes, key_ref: str) -> str:
        private = self._private_key(key_ref)
        return sm2.signature_hex(sm2.sign(data, private))

    def verify(self, data: bytes, signature: str, public_key: str) -> bool:
        return sm2_verify_hex(data, signature, public_key)

    def public_key(self, key_ref: str) -> str:
        return sm2.public_key_hex(sm2.public_key_from_private(self._private_key(key_ref)))


def _reason(err: Exception) -> str:
    # An SM2Error message is ours and names no key material; an OSError names only the failure.
    if isinstance(err, sm2.SM2Error):
        return str(err)
    return type(err).__name__


_provider_lock = threading.Lock()
_provider_cache: dict[str, SigningProvider] = {}


def signing_provider() -> SigningProvider:
    path = getattr(settings, "LICENCE_SIGNING_PROVIDER", "") or DEFAULT_PROVIDER
    with _provider_lock:
        provider = _provider_cache.get(path)
        if provider is None:
            try:
                provider = import_string(path)()
            except ImportError as err:
                raise ImproperlyConfigured(f"LICENCE_SIGNING_PROVIDER「{path}」无法导入：{err}") from err
            _provider_cache[path] = provider
    return provider


def key_generate(name: str, *, force: bool = False) -> tuple[Path, str]:
    """Write a new SM2 key file for `name` (mode 0600); return its path and the public key (hex).

    Refuses to replace an existing key unless `force`: licences signed with the old key would
    no longer verify against a seal that was given the new public key.
    """
    path = key_path(name)
    if path.exists() and not force:
        raise SigningError(
            _("密钥「%(k)s」已存在（%(p)s）。更换密钥会使原印章签发的证照无法用新公钥验证；确需更换请加 --force。")
            % {"k": name, "p": path}
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    private = sm2.generate_private_key()
    pem = sm2.private_key_pem(private)
    temporary = path.with_suffix(path.suffix + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(pem)
    os.replace(temporary, path)
    return path, sm2.public_key_hex(sm2.public_key_from_private(private))
