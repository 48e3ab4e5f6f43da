"""Image bytes from where an implementation says they are: ``http(s)://`` (the platform's CDN URL in
the segment), ``base64://`` and ``file://`` (implementations on the same host, e.g. go-cqhttp's
cache). Bounded in size and time; never follows more than a few redirects.

The URL comes from the OneBot implementation (an authenticated peer), not from members: a member
cannot make the bot fetch an address of their choosing, only the CDN address of a picture they sent.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx

MAX_BYTES = 5 * 1024 * 1024
TIMEOUT = 5.0

_client: httpx.AsyncClient | None = None


class FetchError(Exception):
    """The image could not be had (network, size, form); the reason is safe to log."""


def _http() -> httpx.AsyncClient:
    global _client
    if _client is None or _client.is_closed:
        _client = httpx.AsyncClient(
            timeout=httpx.Timeout(TIMEOUT),
            follow_redirects=True,
            max_redirects=3,
            headers={"User-Agent": "Mozilla/5.0 (work-group-steward)"},
        )
    return _client


async def close() -> None:
    global _client
    if _client is not None:
        await _client.aclose()
        _client = None


async def _get(url: str, limit: int) -> bytes:
    try:
        async with _http().stream("GET", url) as r:
            if r.status_code != 200:
                raise FetchError(f"HTTP {r.status_code}")
            declared = r.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FetchError("too large")
            chunks: list[bytes] = []
            size = 0
            async for chunk in r.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    raise FetchError("too large")
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.HTTPError as e:
        raise FetchError(type(e).__name__) from e


def _read_file(url: str, limit: int) -> bytes:
    path = Path(unquote(urlparse(url).path))
    try:
        if not path.is_file():
            raise FetchError("no such file")
        if path.stat().st_size > limit:
            raise FetchError("too large")
        return path.read_bytes()
    except OSError as e:
        raise FetchError(type(e).__name__) from e


def from_get_file(answer: object, *, limit: int = MAX_BYTES) -> str | bytes:
    """A OneBot v12 ``get_file`` answer as bytes (``data``: bytes over MessagePack, base64 over JSON)
    or as a source for :func:`image_bytes` (``url``, ``path``)."""
    if not isinstance(answer, dict):
        raise FetchError("no answer")
    data = answer.get("data")
    if isinstance(data, bytes | bytearray):
        if len(data) > limit:
            raise FetchError("too large")
        return bytes(data)
    if isinstance(data, str) and data:
        return "base64://" + data
    url = answer.get("url")
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        return url
    path = answer.get("path")
    if isinstance(path, str) and path:
        return "file://" + path
    raise FetchError("no data, url or path")


async def image_bytes(source: str, *, limit: int = MAX_BYTES, timeout: float = TIMEOUT) -> bytes:  # noqa: ASYNC109
    """The bytes at ``source``; :class:`FetchError` when they cannot be had within the bounds."""
    if source.startswith("base64://"):
        raw = source[len("base64://") :]
        if len(raw) > limit * 4 // 3 + 4:
            raise FetchError("too large")
        try:
            return base64.b64decode(raw, validate=False)
        except (binascii.Error, ValueError) as e:
            raise FetchError("bad base64") from e
    if source.startswith("file://"):
        return await asyncio.to_thread(_read_file, source, limit)
    if source.startswith(("http://", "https://")):
        try:
            return await asyncio.wait_for(_get(source, limit), timeout)
        except TimeoutError as e:
            raise FetchError("timeout") from e
    raise FetchError("unknown form")
