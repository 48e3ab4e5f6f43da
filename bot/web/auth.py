"""Passwords, sessions, CSRF and the login rate limit of the dashboard.

- Passwords: argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), salted per hash.
- Sessions: a cookie signed with itsdangerous (HMAC-SHA1 over a per-installation key kept in the
  database), HttpOnly, SameSite=Lax, Secure when served over HTTPS, limited to ``/steward/``. It
  carries the account id, the account's ``epoch`` (raised by logout and password changes, which ends
  every older session) and a random nonce from which the CSRF token is derived.
- CSRF: every form carries ``csrf`` = HMAC(key, nonce); a POST whose token does not match the
  session's nonce is refused. The login form has a nonce too (an anonymous session cookie).
- Rate limit: failed logins per account name and per client address in a sliding window.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from bot.store import web as store

COOKIE = "steward_session"
COOKIE_PATH = "/steward/"
SESSION_SECONDS = 8 * 3600
SECRET_KEY_NAME = "session_key"

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_dummy_hash: str | None = None  # made on first use, not at start-up


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists (a missing account checks a dummy hash)."""
    global _dummy_hash
    if password_hash is None and _dummy_hash is None:
        _dummy_hash = _hasher.hash(secrets.token_urlsafe(16))
    try:
        return _hasher.verify(password_hash or _dummy_hash or "", password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """16 characters from an alphabet without look-alikes (about 90 bits)."""
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def password_problem(password: str) -> str | None:
    """Why a chosen password is refused, in Chinese, or None."""
    if len(password) < 10:
        return "密码至少 10 个字符"
    if len(set(password)) < 4:
        return "密码过于简单（重复字符太多）"
    return None


@dataclass
class Signer:
    key: str

    def __post_init__(self) -> None:
        self._session = URLSafeTimedSerializer(self.key, salt="steward-session")

    def dump(self, data: dict[str, Any]) -> str:
        return self._session.dumps(data)

    def load(self, value: str) -> dict[str, Any] | None:
        try:
            data = self._session.loads(value, max_age=SESSION_SECONDS)
        except BadSignature:
            return None
        return data if isinstance(data, dict) and isinstance(data.get("n"), str) else None

    def csrf(self, nonce: str) -> str:
        return hmac.new(self.key.encode(), f"csrf:{nonce}".encode(), hashlib.sha256).hexdigest()[:40]

    def csrf_ok(self, nonce: str, token: str) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf(nonce), token)


_signer: Signer | None = None


async def signer() -> Signer:
    """The installation's signer (its key made on first use and shared by every process)."""
    global _signer
    if _signer is None:
        _signer = Signer(await store.setting_or_create(SECRET_KEY_NAME, secrets.token_urlsafe(48)))
    return _signer


def forget_signer() -> None:
    global _signer
    _signer = None


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


@dataclass
class RateLimiter:
    """At most ``per_name`` failures per account name and ``per_address`` per client address within
    ``window`` seconds; a login is refused (without checking the password) while over either."""

    per_name: int = 5
    per_address: int = 20
    window: float = 300.0
    clock: Any = time.monotonic
    _fails: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, key: str) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        cutoff = self.clock() - self.window
        while q and q[0] < cutoff:
            q.popleft()
        return q

    def retry_after(self, name: str, address: str) -> int:
        """Seconds until a login may be tried again (0 = now)."""
        waits = []
        for key, limit in ((f"n:{name.casefold()}", self.per_name), (f"a:{address}", self.per_address)):
            q = self._recent(key)
            if len(q) >= limit:
                waits.append(q[len(q) - limit] + self.window - self.clock())
        return max(0, int(max(waits) + 0.999)) if waits else 0

    def failed(self, name: str, address: str) -> None:
        now = self.clock()
        for key in (f"n:{name.casefold()}", f"a:{address}"):
            self._recent(key).append(now)
        if len(self._fails) > 10_000:  # bound memory under a spray of names
            for key in [k for k, q in self._fails.items() if not q][:5000]:
                del self._fails[key]

    def succeeded(self, name: str) -> None:
        self._fails.pop(f"n:{name.casefold()}", None)
