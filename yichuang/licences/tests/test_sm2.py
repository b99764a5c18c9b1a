"""SM2 against the published examples, and against OpenSSL and gmssl as independent implementations."""

import shutil
import subprocess

import pytest

from yichuang.licences import sm2

# GB/T 32918.2-2016 Appendix A (also draft-shen-sm2-ecdsa-02 and OpenSSL's sm2_internal_test):
# the example 256-bit prime field curve, user ALICE123@YAHOO.COM, message "message digest".
EXAMPLE_CURVE = sm2.Curve(
    name="GB/T 32918.2 A.2",
    p=0x8542D69E4C044F18E8B92435BF6FF7DE457283915C45517D722EDB8B08F1DFC3,
    a=0x787968B4FA32C3FD2417842E73BBFEFF2F3C848B6831D7E0EC65228B3937E498,
    b=0x63E4C6D3B23B0C849CF84241484BFE48F61D59A5B16BA06E6E12D1DA27C5249A,
    gx=0x421DEBD61B62EAB6746434EBC3CC315E32220B3BADD50BDC4C4E6C147FEDD43D,
    gy=0x0680512BCBB42C07D47349D2153B70C4E5D7FDFCBFA36EA1A85841B9E46E09A2,
    n=0x8542D69E4C044F18E8B92435BF6FF7DD297720630485628D5AE74EE7C32E79B7,
)
ALICE = b"ALICE123@YAHOO.COM"
ALICE_D = 0x128B2FA8BD433C6C068C8D803DFF79792A519A55171B1B650C23661D15897263
ALICE_P = (0x0AE4C7798AA0F119471BEE11825BE46202BB79E2A5844495E97C04FF4DF2548A,
           0x7C0240F88F1CD4E16352A73C17B7F16F07353E53A176D684A9FE0C6BB798E857)
ALICE_Z = "F4A38489E32B45B6F876E3AC2168CA392362DC8F23459C1D1146FC3DBFB7BC9A"
ALICE_E = 0xB524F552CD82B8B028476E005C377FB19A87E6FC682D48BB5D42E3D9B9EFFE76
ALICE_K = 0x6CB28D99385C175C94F94E934817663FC176D925DD72B727260DBAAE1FB2F96F
ALICE_R = 0x40F1EC59F793D9F49E09DCEF49130D4194F79FB1EED2CAA55BACDB49C4E755D1
ALICE_S = 0x6FC6DAC32C5D5CF10C77DFB20F7C2EB667A457872FB09EC56327A67EC7DEEBE7

# GM/T 0003.5-2012 / GB/T 32918.5 Appendix A: the recommended curve, the default user id
# "1234567812345678", message "message digest".
REC_D = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8
REC_P = (0x09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020,
         0xCCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13)
REC_Z = "B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3"
REC_K = 0x59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21
REC_R = 0xF5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3
REC_S = 0xB1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA

MESSAGE = b"message digest"


def test_example_public_key_is_d_times_g():
    assert sm2.public_key_from_private(ALICE_D, EXAMPLE_CURVE) == ALICE_P
    assert sm2.public_key_from_private(REC_D) == REC_P


def test_z_value_follows_gbt_32918_on_the_published_example():
    # Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA), with ENTL = 0x0090 for the 18-byte id.
    assert sm2.z_value(ALICE_P, ALICE, EXAMPLE_CURVE).hex().upper() == ALICE_Z
    assert sm2.message_digest(MESSAGE, ALICE_P, ALICE, EXAMPLE_CURVE) == ALICE_E


def test_z_value_with_the_default_user_id_on_the_recommended_curve():
    assert sm2.DEFAULT_USER_ID == b"1234567812345678"
    assert sm2.z_value(REC_P).hex().upper() == REC_Z


def test_signature_with_the_published_k_is_the_published_signature():
    assert sm2.sign(MESSAGE, ALICE_D, user_id=ALICE, curve=EXAMPLE_CURVE, k=ALICE_K) == (ALICE_R, ALICE_S)
    assert sm2.sign(MESSAGE, REC_D, k=REC_K) == (REC_R, REC_S)


def test_published_signatures_verify():
    assert sm2.verify(MESSAGE, (ALICE_R, ALICE_S), ALICE_P, user_id=ALICE, curve=EXAMPLE_CURVE)
    assert sm2.verify(MESSAGE, (REC_R, REC_S), REC_P)


def test_a_changed_message_signature_key_or_user_id_does_not_verify():
    assert not sm2.verify(b"message digesT", (REC_R, REC_S), REC_P)
    assert not sm2.verify(MESSAGE, (REC_R, REC_S + 1), REC_P)
    assert not sm2.verify(MESSAGE, (REC_R + 1, REC_S), REC_P)
    assert not sm2.verify(MESSAGE, (REC_R, REC_S), REC_P, user_id=b"8765432187654321")
    other = sm2.public_key_from_private(REC_D + 1)
    assert not sm2.verify(MESSAGE, (REC_R, REC_S), other)


def test_r_and_s_outside_one_to_n_minus_one_are_refused():
    n = sm2.SM2P256V1.n
    for pair in ((0, REC_S), (REC_R, 0), (n, REC_S), (REC_R, n), (REC_R + n, REC_S)):
        assert not sm2.verify(MESSAGE, pair, REC_P)


def test_a_point_off_the_curve_is_refused():
    assert not sm2.verify(MESSAGE, (REC_R, REC_S), (REC_P[0], REC_P[1] + 1))
    with pytest.raises(sm2.SM2Error):
        sm2.public_key_from_hex(sm2.public_key_hex(REC_P)[:-1] + "0")


def test_random_signatures_round_trip_and_differ_each_time():
    d = sm2.generate_private_key()
    point = sm2.public_key_from_private(d)
    first, second = sm2.sign(MESSAGE, d), sm2.sign(MESSAGE, d)
    assert first != second  # a fresh k each time
    assert sm2.verify(MESSAGE, first, point) and sm2.verify(MESSAGE, second, point)


def test_hex_and_der_encodings_round_trip():
    text = sm2.signature_hex((REC_R, REC_S))
    assert len(text) == 128
    assert sm2.signature_from_hex(text) == (REC_R, REC_S)
    assert sm2.signature_from_hex(sm2.signature_der((REC_R, REC_S)).hex()) == (REC_R, REC_S)
    assert sm2.public_key_from_hex("04" + sm2.public_key_hex(REC_P)) == REC_P


def test_key_files_round_trip_in_pem_and_hex():
    pem = sm2.private_key_pem(REC_D)
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert sm2.private_key_from_text(pem) == REC_D
    assert sm2.private_key_from_text(f"{REC_D:064x}\n") == REC_D
    with pytest.raises(sm2.SM2Error):
        sm2.private_key_from_text("not a key")


OPENSSL = shutil.which("openssl")


def _openssl_has_sm2() -> bool:
    if not OPENSSL:
        return False
    done = subprocess.run([OPENSSL, "list", "-public-key-algorithms"], capture_output=True, text=True, check=False)
    return "SM2" in done.stdout


needs_openssl = pytest.mark.skipif(not _openssl_has_sm2(), reason="OpenSSL with SM2 is not installed")


@needs_openssl
def test_openssl_reads_our_key_file_and_verifies_our_signature(tmp_path):
    d = sm2.generate_private_key()
    (tmp_path / "key.pem").write_text(sm2.private_key_pem(d))
    message = "食品经营许可证 · 数据".encode()
    (tmp_path / "msg").write_bytes(message)
    (tmp_path / "sig").write_bytes(sm2.signature_der(sm2.sign(message, d)))
    subprocess.run([OPENSSL, "pkey", "-in", tmp_path / "key.pem", "-pubout", "-out", tmp_path / "pub.pem"], check=True)
    done = subprocess.run(
        [OPENSSL, "pkeyutl", "-verify", "-pubin", "-inkey", tmp_path / "pub.pem", "-rawin", "-digest", "sm3",
         "-pkeyopt", "distid:1234567812345678", "-in", tmp_path / "msg", "-sigfile", tmp_path / "sig"],
        capture_output=True, text=True, check=False,
    )
    assert "Signature Verified Successfully" in done.stdout, done.stdout + done.stderr


@needs_openssl
def test_we_read_an_openssl_key_and_verify_its_signature(tmp_path):
    subprocess.run([OPENSSL, "genpkey", "-algorithm", "SM2", "-out", tmp_path / "key.pem"], check=True, capture_output=True)
    message = "证照标识 1.2.156.3005.2".encode()
    (tmp_path / "msg").write_bytes(message)
    subprocess.run(
        [OPENSSL, "pkeyutl", "-sign", "-inkey", tmp_path / "key.pem", "-rawin", "-digest", "sm3",
         "-pkeyopt", "distid:1234567812345678", "-in", tmp_path / "msg", "-out", tmp_path / "sig"],
        check=True, capture_output=True,
    )
    d = sm2.private_key_from_text((tmp_path / "key.pem").read_text())
    signature = sm2.signature_from_der((tmp_path / "sig").read_bytes())
    assert sm2.verify(message, signature, sm2.public_key_from_private(d))


def test_gmssl_verifies_our_signature_and_we_verify_gmssls():
    from gmssl.sm2 import CryptSM2

    # gmssl strips a leading "04" with str.lstrip, which also eats a leading 0 or 4 of x:
    # choose a key whose x does not start with one.
    while True:
        d = sm2.generate_private_key()
        public_hex = sm2.public_key_hex(sm2.public_key_from_private(d))
        if public_hex[0] not in "04":
            break
    theirs = CryptSM2(private_key=f"{d:064x}", public_key=public_hex.lower())
    ours = sm2.sign(MESSAGE, d)
    assert theirs.verify_with_sm3(sm2.signature_hex(ours), MESSAGE)
    their_signature = theirs.sign_with_sm3(MESSAGE)
    assert sm2.verify(MESSAGE, sm2.signature_from_hex(their_signature), sm2.public_key_from_private(d))
