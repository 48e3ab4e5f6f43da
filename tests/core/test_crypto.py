"""Personal-data encryption and blind indexes (bot.core.crypto)."""

from __future__ import annotations

import base64
import pickle

import pytest

from bot.core.crypto import (
    TOKEN_VERSION,
    DecryptionError,
    InvalidKeyError,
    PersonalDataCipher,
    PersonalDataCryptoError,
    TamperedTokenError,
    UnknownKeyError,
    generate_key,
    normalize_for_index,
)

# Fixed keys so that failures are reproducible; never use these anywhere else.
KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()
OTHER_KEY = base64.urlsafe_b64encode(bytes(range(100, 132))).decode()
SECRET = "13812345678"


@pytest.fixture(scope="module")
def cipher() -> PersonalDataCipher:
    return PersonalDataCipher(KEY)


# ------------------------------------------------------------------ keys


def test_generate_key_format() -> None:
    key = generate_key()
    assert len(key) == 44 and key.endswith("=")
    assert len(base64.urlsafe_b64decode(key)) == 32
    assert generate_key() != key
    PersonalDataCipher(key)


def test_key_without_padding_and_with_whitespace_is_accepted() -> None:
    a = PersonalDataCipher(KEY)
    b = PersonalDataCipher(" " + KEY.rstrip("=") + "\n")
    assert a.key_id == b.key_id
    assert b.decrypt(a.encrypt(SECRET)) == SECRET


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "secret",
        KEY[:-2],  # too short
        KEY + "AAAA",  # too long
        base64.b64encode(bytes(range(250, 256)) + bytes(range(26))).decode(),  # standard alphabet (+ /)
        KEY[:10] + "!" + KEY[11:],
        "A" * 43 + "=",  # all-zero placeholder
        base64.urlsafe_b64encode(b"\x01\x02" * 16).decode(),  # not random
    ],
)
def test_malformed_key_says_how_to_generate(bad: str) -> None:
    with pytest.raises(InvalidKeyError) as exc:
        PersonalDataCipher(bad)
    message = str(exc.value)
    assert "python -m bot.core.crypto" in message
    if bad.strip():
        assert bad.strip() not in message
    assert isinstance(exc.value, ValueError) and isinstance(exc.value, PersonalDataCryptoError)


def test_non_string_key() -> None:
    with pytest.raises(InvalidKeyError):
        PersonalDataCipher(b"x" * 32)  # type: ignore[arg-type]


# ------------------------------------------------------------------ encryption


@pytest.mark.parametrize("plaintext", [SECRET, "张三", "阿依古丽·买买提", "", "x" * 5000, "😀\u0000\ufffd"])
def test_roundtrip(cipher: PersonalDataCipher, plaintext: str) -> None:
    token = cipher.encrypt(plaintext, context="roster.phone")
    assert cipher.decrypt(token, context="roster.phone") == plaintext


def test_token_shape(cipher: PersonalDataCipher) -> None:
    token = cipher.encrypt(SECRET)
    version, key_id, payload = token.split(":")
    assert version == TOKEN_VERSION == "pd1"
    assert key_id == cipher.key_id and len(key_id) == 8
    assert token.isascii() and "=" not in payload
    assert len(token) < 80  # compact for short values
    assert SECRET not in token


def test_each_encryption_differs(cipher: PersonalDataCipher) -> None:
    assert cipher.encrypt(SECRET) != cipher.encrypt(SECRET)


def test_wrong_key(cipher: PersonalDataCipher) -> None:
    token = cipher.encrypt(SECRET)
    with pytest.raises(UnknownKeyError) as exc:
        PersonalDataCipher(OTHER_KEY).decrypt(token)
    assert isinstance(exc.value, DecryptionError)
    assert SECRET not in str(exc.value) and token not in str(exc.value)


def test_wrong_context(cipher: PersonalDataCipher) -> None:
    token = cipher.encrypt(SECRET, context="roster.phone")
    with pytest.raises(TamperedTokenError):
        cipher.decrypt(token, context="roster.name")
    with pytest.raises(TamperedTokenError):
        cipher.decrypt(token)


def test_tampered_payload(cipher: PersonalDataCipher) -> None:
    token = cipher.encrypt(SECRET)
    head, payload = token.rsplit(":", 1)
    for i in (0, len(payload) // 2, len(payload) - 1):
        flipped = payload[:i] + ("A" if payload[i] != "A" else "B") + payload[i + 1 :]
        with pytest.raises(TamperedTokenError) as exc:
            cipher.decrypt(f"{head}:{flipped}")
        assert SECRET not in str(exc.value)


def test_key_id_swapped_in_token_fails(cipher: PersonalDataCipher) -> None:
    other = PersonalDataCipher(OTHER_KEY)
    both = PersonalDataCipher(KEY, previous_keys=[OTHER_KEY])
    token = cipher.encrypt(SECRET)
    forged = token.replace(cipher.key_id, other.key_id, 1)
    with pytest.raises(TamperedTokenError):
        both.decrypt(forged)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "pd1:abc",
        "pd1:abcdefgh:",
        "pd1:abcdefgh:!!!!",
        "pd1:abcdefgh:QUJD",
        "pd0:abcdefgh:QUJD",
    ],
)
def test_malformed_token(cipher: PersonalDataCipher, token: str) -> None:
    with pytest.raises(TamperedTokenError):
        cipher.decrypt(token)


def test_newer_version_is_a_clear_error(cipher: PersonalDataCipher) -> None:
    token = cipher.encrypt(SECRET).replace("pd1:", "pd2:", 1)
    with pytest.raises(DecryptionError, match="版本"):
        cipher.decrypt(token)


def test_unencodable_text_error_does_not_carry_it(cipher: PersonalDataCipher) -> None:
    with pytest.raises(ValueError) as exc:
        cipher.encrypt("13812345678\ud800")
    assert "138" not in str(exc.value)
    assert exc.value.__suppress_context__  # a traceback does not show the encoder error either


def test_non_string_inputs(cipher: PersonalDataCipher) -> None:
    with pytest.raises(TypeError):
        cipher.encrypt(12345)  # type: ignore[arg-type]
    with pytest.raises(TamperedTokenError):
        cipher.decrypt(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cipher.blind_index(None, purpose="x")  # type: ignore[arg-type]


# ------------------------------------------------------------------ key rotation


def test_previous_keys_decrypt_but_never_encrypt() -> None:
    old = PersonalDataCipher(OTHER_KEY)
    old_token = old.encrypt(SECRET)
    rotated = PersonalDataCipher(KEY, previous_keys=[OTHER_KEY])
    assert rotated.decrypt(old_token) == SECRET
    assert rotated.needs_reencryption(old_token)
    new_token = rotated.encrypt(rotated.decrypt(old_token))
    assert not rotated.needs_reencryption(new_token)
    assert new_token.split(":")[1] == rotated.key_id == PersonalDataCipher(KEY).key_id
    with pytest.raises(UnknownKeyError):
        old.decrypt(new_token)


def test_blind_indexes_during_rotation() -> None:
    rotated = PersonalDataCipher(KEY, previous_keys=[OTHER_KEY])
    current, previous = rotated.blind_indexes(SECRET, purpose="roster.phone")
    assert current == PersonalDataCipher(KEY).blind_index(SECRET, purpose="roster.phone")
    assert previous == PersonalDataCipher(OTHER_KEY).blind_index(SECRET, purpose="roster.phone")


# ------------------------------------------------------------------ blind index


def test_blind_index_is_deterministic_and_normalised(cipher: PersonalDataCipher) -> None:
    a = cipher.blind_index("张三", purpose="roster.name")
    assert a == cipher.blind_index(" 张 三 ", purpose="roster.name")
    assert a == PersonalDataCipher(KEY).blind_index("张三", purpose="roster.name")
    assert len(a) == 43 and "张三" not in a
    assert cipher.blind_index("ＡＢＣ１２３", purpose="x") == cipher.blind_index("abc123", purpose="x")


def test_blind_index_separates_values_purposes_and_keys(cipher: PersonalDataCipher) -> None:
    a = cipher.blind_index(SECRET, purpose="roster.phone")
    assert a != cipher.blind_index("13812345679", purpose="roster.phone")
    assert a != cipher.blind_index(SECRET, purpose="roster.qq")
    assert a != PersonalDataCipher(OTHER_KEY).blind_index(SECRET, purpose="roster.phone")


def test_blind_index_needs_a_purpose(cipher: PersonalDataCipher) -> None:
    with pytest.raises(ValueError):
        cipher.blind_index(SECRET, purpose="")


@pytest.mark.parametrize(
    ("value", "normal"),
    [("张 三", "张三"), ("ＡＢＣ", "abc"), ("Straße", "strasse"), ("\u3000李四\t", "李四"), ("", "")],
)
def test_normalize_for_index(value: str, normal: str) -> None:
    assert normalize_for_index(value) == normal


# ------------------------------------------------------------------ nothing leaks


def test_repr_shows_no_key(cipher: PersonalDataCipher) -> None:
    text = repr(cipher)
    assert KEY not in text and KEY.rstrip("=") not in text
    assert cipher.key_id in text


def test_cipher_cannot_be_pickled(cipher: PersonalDataCipher) -> None:
    with pytest.raises(TypeError):
        pickle.dumps(cipher)
