"""Decoding one OneBot frame, defensively: the border of the bot.

Whatever a peer sends — deeply nested JSON, NaN, 1e400, lone surrogates, random bytes, truncated
msgpack, megabytes of garbage — `decode` returns a plain dict of JSON types or raises `BadFrame` with
a short reason; it never raises anything else and its cost is bounded by the frame's size (the walk
stops at `MAX_NODES`). Each frame is decoded exactly once, here; the adapters then build NoneBot's
models from the dict.

Repairs that keep the frame (a non-finite number becomes None, a lone surrogate becomes U+FFFD) are
counted in `stats.repaired`; refusals in `stats.unparsed` under ``frame:<reason>``.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import Counter
from typing import Any

import msgpack
from loguru import logger

from bot.intake.stats import stats

MAX_FRAME = 4 * 1024 * 1024
"""Characters (text frames) or bytes (binary frames). OneBot events are kilobytes; a base64 image
segment can be a few hundred kilobytes."""
MAX_DEPTH = 32
"""Containers inside containers. An event is about 5 deep (event → message → segment → data → …);
forwarded-message nodes add a few levels each."""
MAX_NODES = 50_000
"""Values in one frame: bounds the walk's time (a few milliseconds) whatever the frame holds."""


_SURROGATE = re.compile("[\ud800-\udfff]")


class BadFrame(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def decode(raw: str | bytes, *, msgpack_binary: bool) -> dict[str, Any]:
    """The frame as a dict of JSON types (str keys; str, int, float, bool, None, list, dict; bytes
    from msgpack). Binary frames are msgpack when `msgpack_binary` (OneBot 12), else UTF-8 JSON."""
    if len(raw) > MAX_FRAME:
        raise BadFrame("too-large")
    obj: Any
    if isinstance(raw, bytes | bytearray):
        if msgpack_binary:
            try:
                obj = msgpack.unpackb(
                    raw, raw=False, strict_map_key=False, unicode_errors="replace", timestamp=0
                )
            except Exception as e:  # ExtraData, FormatError, StackError, ValueError, …
                raise BadFrame("bad-msgpack") from e
        else:
            try:
                raw = bytes(raw).decode("utf-8")
            except UnicodeDecodeError as e:
                raise BadFrame("bad-utf8") from e
    if isinstance(raw, str):
        try:
            obj = json.loads(raw)
        except RecursionError as e:
            raise BadFrame("too-deep") from e
        except ValueError as e:  # JSONDecodeError; an integer of more than 4300 digits
            raise BadFrame("bad-json") from e
    if not isinstance(obj, dict):
        raise BadFrame("not-an-object")
    _clean(obj)
    return obj


def _clean(root: dict[str, Any]) -> None:
    """Check depth and size and repair values in place, iteratively (no recursion to exhaust)."""
    stack: list[tuple[Any, int]] = [(root, 1)]
    nodes = 0
    while stack:
        container, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BadFrame("too-deep")
        if isinstance(container, dict):
            if not all(isinstance(k, str) for k in container):
                fixed = {_key(k): v for k, v in container.items()}
                container.clear()
                container.update(fixed)
            items: Any = container.items()
        else:
            items = enumerate(container)
        nodes += len(container)
        if nodes > MAX_NODES:
            raise BadFrame("too-large")
        replace: list[tuple[Any, Any]] = []
        for k, v in items:
            if isinstance(v, str):
                if not v.isascii():
                    try:
                        v.encode("utf-8")
                    except UnicodeEncodeError:  # a lone surrogate from a \ud800 escape
                        replace.append((k, _SURROGATE.sub("\ufffd", v)))
                        stats.repaired["surrogate"] += 1
            elif isinstance(v, float):
                if not math.isfinite(v):
                    replace.append((k, None))
                    stats.repaired["non-finite"] += 1
            elif isinstance(v, dict | list):
                stack.append((v, depth + 1))
            elif isinstance(v, msgpack.ExtType):  # a namedtuple: before the tuple case
                replace.append((k, None))
            elif isinstance(v, tuple):  # msgpack arrays come as lists, but be safe
                v = list(v)
                replace.append((k, v))
                stack.append((v, depth + 1))
            elif v is not None and not isinstance(v, int | bool | bytes):
                replace.append((k, None))  # msgpack ext types and the like mean nothing here
        for k, v in replace:
            container[k] = v


def _key(k: Any) -> str:
    if isinstance(k, bytes):
        return k.decode("utf-8", "replace")
    return str(k)


class RateLimitedLog:
    """One warning per key per `interval` seconds; the ones held back are counted into the next."""

    def __init__(self, interval: float = 60.0) -> None:
        self.interval = interval
        self._last: dict[str, float] = {}
        self._held: Counter[str] = Counter()

    def warning(self, key: str, text: str) -> None:
        now = time.monotonic()
        last = self._last.get(key)
        if last is not None and now - last < self.interval:
            self._held[key] += 1
            return
        self._last[key] = now
        held = self._held.pop(key, 0)
        logger.warning(text + (f" (and {held} more like it since the last report)" if held else ""))


log = RateLimitedLog()


def skipped(reason: str, detail: str = "") -> None:
    """Count a frame or event that was not understood and say so in the log, rate-limited."""
    stats.unparsed[reason] += 1
    log.warning(reason, f"skipped a OneBot frame: {reason}" + (f" ({detail})" if detail else ""))
