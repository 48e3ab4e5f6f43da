"""Personal-data protection: authenticated encryption and keyed blind indexes (SPEC §2, §11).

The store never holds a member's name, phone or id in plaintext. It holds

- a **token** from :meth:`PersonalDataCipher.encrypt` (AES-256-GCM), to show the value to an admin, and
- a **blind index** from :meth:`PersonalDataCipher.blind_index` (HMAC-SHA256), to look a value up
  exactly ("is 13812345678 on the roster?") without decrypting every row.

Key
    32 random bytes, URL-safe Base64: 44 characters ending in ``=`` (the padding may be left out).
    The bot reads it from the environment (``STEWARD_SECRET_KEY``); make one with
    ``python -m bot.core.crypto`` or :func:`generate_key`. Losing the key loses the data; changing it
    needs a re-encryption run (tokens name their key, so old keys can be passed as ``previous_keys``).

Token
    ``pd1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`` — ``pd1`` is the format version, the key id
    is 8 characters derived from the key (not the key). The format version, key id and the caller's
    ``context`` (e.g. ``"roster.phone"``) are authenticated as associated data, so a token copied to
    another column or edited in any way fails to decrypt.

Subkeys
    HKDF-SHA256 from the master key, one per use: encryption, key id, and one per blind-index purpose,
    so an index of names cannot be compared with an index of phones.

Exceptions never contain plaintext, keys or tokens, and neither does any repr.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Iterable
from typing import NoReturn

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "TOKEN_VERSION",
    "DecryptionError",
    "InvalidKeyError",
    "PersonalDataCipher",
    "PersonalDataCryptoError",
    "TamperedTokenError",
    "UnknownKeyError",
    "generate_key",
    "normalize_for_index",
]

TOKEN_VERSION = "pd1"
KEY_BYTES = 32
_NONCE_BYTES = 12
_TAG_BYTES = 16
_KEY_ID_CHARS = 8
_KEY_RE = re.compile(r"[A-Za-z0-9_-]{43}=?")
_B64URL_RE = re.compile(r"[A-Za-z0-9_-]+")
_INFO_PREFIX = b"work-group-steward/personal-data/v1/"
_HOW_TO_GENERATE = "可运行 `python -m bot.core.crypto` 生成新密钥"


class PersonalDataCryptoError(Exception):
    """Base of this module's errors. Messages are one line, in Chinese, for the operator."""


class InvalidKeyError(PersonalDataCryptoError, ValueError):
    """The key is missing or not 32 bytes of URL-safe Base64."""


class DecryptionError(PersonalDataCryptoError):
    """A token could not be decrypted."""


class UnknownKeyError(DecryptionError):
    """The token was made with a key this cipher does not have (a wrong or rotated-away key)."""


class TamperedTokenError(DecryptionError):
    """The token is malformed, was altered, or belongs to another context."""


def generate_key() -> str:
    """A new random key in the expected format (44 characters of URL-safe Base64)."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def normalize_for_index(value: str) -> str:
    """The form a value is indexed in: NFKC (full-width → half-width), no whitespace, case-folded.

    Kind-specific canonical forms (a phone without +86 or dashes) are the caller's job, e.g.
    ``canonical_mobile`` from ``bot.core.identity``.
    """
    return "".join(unicodedata.normalize("NFKC", value).split()).casefold()


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    if not _B64URL_RE.fullmatch(text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hkdf(master: bytes, label: bytes, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=_INFO_PREFIX + label).derive(master)


def _bad_key(reason: str) -> NoReturn:
    raise InvalidKeyError(
        f"个人信息加密密钥{reason}：应为 32 字节随机数的 URL 安全 Base64 编码"
        f"（44 个字符，以 = 结尾）。{_HOW_TO_GENERATE}。"
    )


def _decode_key(key: str) -> bytes:
    if not isinstance(key, str):
        raise InvalidKeyError(f"个人信息加密密钥应为字符串。{_HOW_TO_GENERATE}。")
    text = key.strip()
    if not text:
        _bad_key("未设置")
    if not _KEY_RE.fullmatch(text):
        _bad_key("格式不正确")
    try:
        raw = _b64d(text.rstrip("="))
    except (ValueError, binascii.Error):
        _bad_key("格式不正确")
    # A placeholder such as AAAA… decodes to 32 bytes too; random keys have ~30 distinct bytes.
    if len(raw) != KEY_BYTES or len(set(raw)) < 16:
        _bad_key("不是随机生成的")
    return raw


class _Key:
    """One master key and its subkeys."""

    __slots__ = ("_index_keys", "_master", "aead", "key_id")

    def __init__(self, key: str) -> None:
        self._master = _decode_key(key)
        self.aead = AESGCM(_hkdf(self._master, b"encrypt"))
        self.key_id = _b64e(_hkdf(self._master, b"key-id", 6))
        self._index_keys: dict[str, bytes] = {}

    def index_key(self, purpose: str) -> bytes:
        sub = self._index_keys.get(purpose)
        if sub is None:
            sub = self._index_keys[purpose] = _hkdf(self._master, b"blind-index/" + purpose.encode())
        return sub


def _aad(key_id: str, context: str) -> bytes:
    return f"{TOKEN_VERSION}|{key_id}|{context}".encode()


def _check_purpose(purpose: str) -> str:
    if not isinstance(purpose, str) or not purpose.strip():
        raise ValueError("盲索引用途（purpose）不能为空，例如 roster.phone")
    return purpose.strip()


class PersonalDataCipher:
    """Encrypts personal data and computes blind indexes with one master key.

    ``previous_keys`` are older keys that may still have made some tokens: they decrypt, never encrypt.
    Thread-safe after construction; cheap to share for the life of the process.
    """

    __slots__ = ("_keys", "_primary")

    def __init__(self, key: str, *, previous_keys: Iterable[str] = ()) -> None:
        self._primary = _Key(key)
        self._keys = {self._primary.key_id: self._primary}
        for old in previous_keys:
            k = _Key(old)
            self._keys.setdefault(k.key_id, k)

    @property
    def key_id(self) -> str:
        """The 8-character id of the current key, as written into every new token."""
        return self._primary.key_id

    def __repr__(self) -> str:
        return f"PersonalDataCipher(key_id={self.key_id!r}, previous_keys={len(self._keys) - 1})"

    def __reduce__(self) -> NoReturn:
        raise TypeError("PersonalDataCipher 持有密钥，不能序列化")

    # ------------------------------------------------------------ encryption

    def encrypt(self, plaintext: str, *, context: str = "") -> str:
        """A token for ``plaintext``. ``context`` names where the token lives (``"roster.phone"``);
        the same context must be given to :meth:`decrypt`. Each call gives a different token."""
        if not isinstance(plaintext, str):
            raise TypeError("只能加密字符串")
        try:
            data = plaintext.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates; the exception would carry the plaintext
            raise ValueError("无法加密：文本含有无效的 Unicode 字符") from None
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._primary.aead.encrypt(nonce, data, _aad(self.key_id, context))
        return f"{TOKEN_VERSION}:{self.key_id}:{_b64e(nonce + sealed)}"

    def decrypt(self, token: str, *, context: str = "") -> str:
        """The plaintext of a token made by :meth:`encrypt` with this key (or a previous key).

        Raises :class:`UnknownKeyError` for a token of another key, :class:`TamperedTokenError` for a
        malformed or altered token or a wrong ``context``.
        """
        key_id, nonce, sealed = self._split(token)
        key = self._keys.get(key_id)
        if key is None:
            raise UnknownKeyError(
                "无法解密个人信息：数据是用另一把密钥加密的。请确认 STEWARD_SECRET_KEY 与加密时相同，"
                "更换过密钥时请把旧密钥作为 previous_keys 提供。"
            )
        try:
            raw = key.aead.decrypt(nonce, sealed, _aad(key_id, context))
        except InvalidTag:
            raise TamperedTokenError("无法解密个人信息：密文已损坏、被篡改，或不属于这一字段。") from None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:  # authentic but not ours: never echo the bytes
            raise TamperedTokenError("无法解密个人信息：密文内容不是有效的文本。") from None

    def needs_reencryption(self, token: str) -> bool:
        """True when the token was made with a previous key (decrypt and encrypt again to rotate)."""
        return self._split(token)[0] != self.key_id

    @staticmethod
    def _split(token: str) -> tuple[str, bytes, bytes]:
        if not isinstance(token, str):
            raise TamperedTokenError("无法解密个人信息：密文应为字符串。")
        parts = token.strip().split(":")
        if len(parts) != 3 or parts[0] != TOKEN_VERSION:
            version = re.fullmatch(r"pd(\d{1,4})", parts[0]) if len(parts) == 3 else None
            if version is not None and int(version.group(1)) > int(TOKEN_VERSION[2:]):
                raise DecryptionError("无法解密个人信息：密文版本较新，请升级程序。")
            raise TamperedTokenError("无法解密个人信息：密文格式不正确。")
        key_id, payload = parts[1], parts[2]
        try:
            blob = _b64d(payload)
        except (ValueError, binascii.Error):
            raise TamperedTokenError("无法解密个人信息：密文格式不正确。") from None
        if len(key_id) != _KEY_ID_CHARS or len(blob) < _NONCE_BYTES + _TAG_BYTES:
            raise TamperedTokenError("无法解密个人信息：密文格式不正确。")
        return key_id, blob[:_NONCE_BYTES], blob[_NONCE_BYTES:]

    # ------------------------------------------------------------ blind index

    def blind_index(self, value: str, *, purpose: str) -> str:
        """A keyed hash of ``normalize_for_index(value)`` for exact lookups: equal values give equal
        indexes under one key and one ``purpose`` (``"roster.name"``, ``"roster.phone"`` …); nothing
        about the value can be learnt from it without the key. 43 characters of URL-safe Base64."""
        return self._index(self._primary, value, _check_purpose(purpose))

    def blind_indexes(self, value: str, *, purpose: str) -> tuple[str, ...]:
        """The index under the current key and every previous key (current first), for lookups while
        a key rotation is under way."""
        purpose = _check_purpose(purpose)
        return tuple(self._index(k, value, purpose) for k in self._keys.values())

    @staticmethod
    def _index(key: _Key, value: str, purpose: str) -> str:
        if not isinstance(value, str):
            raise TypeError("只能为字符串计算盲索引")
        digest = hmac.new(key.index_key(purpose), normalize_for_index(value).encode("utf-8"), hashlib.sha256)
        return _b64e(digest.digest())


if __name__ == "__main__":
    print(generate_key())
