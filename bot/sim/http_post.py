"""OneBot HTTP POST reporting, as an implementation in HTTP mode (or an attacker) would send it.

Stdlib only: the tests post a handful of events, and the bot's own dependencies carry no HTTP client.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

__all__ = ["post_event", "sign"]


def sign(secret: str, body: bytes) -> str:
    """The X-Signature header OneBot v11 implementations send: HMAC-SHA1 of the body."""
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def _post(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> tuple[int, str]:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return int(e.code), e.read().decode("utf-8", "replace")


async def post_event(
    url: str,
    event: Mapping[str, Any] | bytes,
    *,
    self_id: int | str | None = None,
    access_token: str | None = None,
    secret: str | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,  # noqa: ASYNC109 - test-facing API
) -> tuple[int, str]:
    """POST one event; return the status code and the body. ``secret`` adds a right signature."""
    body = event if isinstance(event, bytes) else json.dumps(event, ensure_ascii=False).encode()
    h: dict[str, str] = {}
    if self_id is not None:
        h["X-Self-ID"] = str(self_id)
    if access_token is not None:
        h["Authorization"] = f"Bearer {access_token}"
    if secret is not None:
        h["X-Signature"] = sign(secret, body)
    h.update(headers or {})
    return await asyncio.to_thread(_post, url, body, h, timeout)
