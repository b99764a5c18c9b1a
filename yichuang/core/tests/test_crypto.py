import pytest
from cryptography.exceptions import InvalidTag

from yichuang.core.crypto import decrypt_text, encrypt_text, lookup_hash, sm3_hex


def test_sm3_matches_the_gbt_32905_examples():
    # GB/T 32905-2016 Appendix A: "abc" and "abcd" repeated 16 times.
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm3_hex(b"abcd" * 16) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_personal_numbers_are_encrypted_with_a_fresh_nonce_and_decrypt_back():
    first, second = encrypt_text("330102199003074477"), encrypt_text("330102199003074477")
    assert first != second and "330102" not in first
    assert decrypt_text(first) == decrypt_text(second) == "330102199003074477"


def test_altered_ciphertext_is_refused():
    sealed = encrypt_text("330102199003074477")
    tampered = sealed[:-4] + ("AAAA" if sealed[-4:] != "AAAA" else "BBBB")
    with pytest.raises((InvalidTag, ValueError)):
        decrypt_text(tampered)


def test_lookup_hash_is_stable_case_insensitive_and_not_the_number():
    assert lookup_hash("11010519491231002x") == lookup_hash("11010519491231002X")
    assert lookup_hash("110105194912310021") != lookup_hash("11010519491231002X")
    assert "110105" not in lookup_hash("11010519491231002X")
