"""Free text that can carry personal data, sealed at rest (SPEC §2, §11).

A :class:`SealedText` column encrypts on write with the personal-data key (AES-256-GCM, the
roster's cipher, a context per column) and decrypts on read, so every store function and every
capability that reads or writes such a column inherits the protection. Without a key the value
is masked on write instead (ID, bank-card and mobile numbers; names in a group card): irreversible,
but nothing personal is kept in plaintext either. Reading gives ``reveal(plaintext)``: a column
whose shown form is masked (suggestions) masks there; a notice that will be posted keeps its text.

The key comes from the running bot's settings (``STEWARD_SECRET_KEY``), or from :func:`use_cipher`
(migrations, tools). A token that cannot be decrypted (the key is missing or was replaced) reads
as a short Chinese placeholder, never as an error on the message path.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from bot.core.crypto import TOKEN_VERSION, DecryptionError, InvalidKeyError, PersonalDataCipher
from bot.core.identity.masking import mask_name
from bot.core.identity.redact import mask_in_text

__all__ = ["SealedText", "current_cipher", "mask_card", "mask_in_text", "seal", "unseal", "use_cipher"]

UNREADABLE = "（已加密保存，当前密钥无法解读）"
_PREFIX = TOKEN_VERSION + ":"
_NAME_LIKE = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff·]{2,4}(?![\u4e00-\u9fff])")

_override: list[PersonalDataCipher | None] = []
_cache: dict[str, PersonalDataCipher] = {}


def mask_card(card: str) -> str:
    """A group card's shown form: every name-like run (2–4 Chinese characters) and number masked.
    Department words are masked too when short (「办*室」): a shown card is for recognising, not
    for reading out."""
    return _NAME_LIKE.sub(lambda m: mask_name(m.group()), mask_in_text(card))


def use_cipher(cipher: PersonalDataCipher | None) -> None:
    """Use this cipher (or explicitly none) instead of the running bot's settings."""
    _override[:] = [cipher]


def _configured_key() -> str | None:
    try:
        from bot.runtime import get_runtime

        secret = get_runtime().settings.steward_secret_key
        return secret.get_secret_value() if secret is not None else None
    except Exception:  # no runtime (a tool, a migration from the CLI): the environment
        return os.environ.get("STEWARD_SECRET_KEY", "").strip() or None


def current_cipher() -> PersonalDataCipher | None:
    if _override:
        return _override[0]
    key = _configured_key()
    if not key:
        return None
    cipher = _cache.get(key)
    if cipher is None:
        try:
            cipher = PersonalDataCipher(key)
        except InvalidKeyError:
            return None  # the start-up check refuses such a key; tools mask instead
        _cache.clear()
        _cache[key] = cipher
    return cipher


def is_sealed(value: str) -> bool:
    return value.startswith(_PREFIX)


def seal(value: str, context: str, mask: Callable[[str], str] = mask_in_text) -> str:
    if not value:
        return value
    cipher = current_cipher()
    return cipher.encrypt(value, context=context) if cipher is not None else mask(value)


def unseal(value: str, context: str) -> str:
    if not value or not is_sealed(value):
        return value  # empty, or masked at write (no key then)
    cipher = current_cipher()
    if cipher is None:
        return UNREADABLE
    try:
        return cipher.decrypt(value, context=context)
    except DecryptionError:
        return UNREADABLE


def _keep(value: str) -> str:
    return value


class SealedText(TypeDecorator[str]):
    """TEXT holding a token (with a key) or the masked value (without); see the module doc."""

    impl = Text
    cache_ok = True

    def __init__(
        self,
        context: str,
        *,
        mask: Callable[[str], str] = mask_in_text,
        reveal: Callable[[str], str] = _keep,
    ) -> None:
        super().__init__()
        self.context = context
        self.mask = mask
        self.reveal = reveal

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else seal(value, self.context, self.mask)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        plain = unseal(value, self.context)
        return plain if plain == UNREADABLE else self.reveal(plain)
