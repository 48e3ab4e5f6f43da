"""Repair what real OneBot implementations send before NoneBot's typed models read it.

NoneBot's v11 models are strict in places where NapCat, Lagrange.OneBot and LLOneBot deviate
(see NOTES): a numeric `sender.level`, an empty-string `sender.age`, an integer `flag`, a float
`time`, a missing `font`, a non-numeric `message_id`. A payload failing the typed model silently
becomes a base `Event` and group handlers never fire — so we repair it first. Pure functions.
"""

from __future__ import annotations

import math
import time
from datetime import datetime
from typing import Any

RAW_MESSAGE_ID = "steward_raw_message_id"  # where an original non-numeric message id is kept
RECEIVED = "steward_received"  # when the frame arrived here (UNIX seconds), set by the adapter
TIME_REPLACED = "steward_time_replaced"  # set when the event's own time was absurd

# An event time before 2000 or more than a year ahead of its arrival is not a real send time (a
# `"time": 0`, a clock reset, garbage): such an event is treated as sent when it arrived, so that no
# bookkeeping (first seen, deadlines, strikes) starts decades ago and no computation walks that far.
# A time inside that range is kept for the rules that judge by the sender's time (working hours,
# content): implementations replaying history, the simulator and tests set times days ahead, and
# bookkeeping that must not trust the sender's clock reads the record's `received` instead.
EARLIEST_TIME = 946_684_800.0  # 2000-01-01T00:00:00Z
FUTURE_SLACK = 400 * 86_400.0

_SENDER_INT = ("user_id", "age")
_SENDER_STR = ("nickname", "sex", "card", "area", "level", "role", "title")
_V11_ID_FIELDS = ("self_id", "user_id", "group_id", "operator_id", "target_id", "invitor_id")


def _is_intlike(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return True
    return isinstance(v, str) and v.strip().lstrip("-").isdigit()


def plausible_time(value: Any, received: float) -> float | None:
    """The event's own time in UNIX seconds when it is a believable send time, else None.

    Accepts numbers, numeric strings and ISO 8601 strings; rejects non-finite and out-of-range values
    (NaN, Infinity, 1e400, "inf", 1e20, 0) without any work that grows with their size.
    """
    t: float | None = None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if not -(2**53) < value < 2**53:
            return None
        t = float(value)
    elif isinstance(value, float):
        t = value
    elif isinstance(value, str) and len(value) <= 40:
        try:
            t = float(value)
        except ValueError:
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                return None
            if parsed.tzinfo is None:
                return None  # a naive time names no instant
            t = parsed.timestamp()
    if t is None or not math.isfinite(t):
        return None
    if t < EARLIEST_TIME or t > received + FUTURE_SLACK:
        return None
    return t


def _settle_time(d: dict[str, Any], received: float) -> float:
    d[RECEIVED] = received
    t = plausible_time(d.get("time"), received)
    if t is None:
        d[TIME_REPLACED] = True
        t = received
    return t


def sanitize_v11(data: dict[str, Any], received: float | None = None) -> dict[str, Any]:
    """Return a repaired copy (the input is left alone). `received` is the arrival time (UNIX
    seconds); an absurd event time is replaced by it (see `plausible_time`)."""
    d = dict(data)
    d["time"] = int(_settle_time(d, _received(received)))
    for key in _V11_ID_FIELDS:
        v = d.get(key)
        if isinstance(v, str) and v.strip() == "" and key != "self_id":
            d[key] = 0  # LLOneBot / Lagrange send "" for "none"
    if "flag" in d and not isinstance(d["flag"], str):
        d["flag"] = str(d["flag"])

    if d.get("post_type") in ("message", "message_sent"):
        mid = d.get("message_id")
        if mid is not None and not _is_intlike(mid):
            d[RAW_MESSAGE_ID] = str(mid)
            d["message_id"] = _stable_int(str(mid))
        if not _is_intlike(d.get("font")):
            d["font"] = 0
        if not isinstance(d.get("sub_type"), str):
            d["sub_type"] = "normal" if d.get("message_type") == "group" else "friend"
        if d.get("message") is None:
            d["message"] = d.get("raw_message") or ""
        d["message"] = _message(d["message"])
        if not isinstance(d.get("raw_message"), str):
            d["raw_message"] = d["message"] if isinstance(d["message"], str) else ""
        sender = d.get("sender")
        d["sender"] = _sanitize_sender(sender) if isinstance(sender, dict) else {}

    if d.get("post_type") == "notice" and d.get("notice_type") in ("group_increase", "group_decrease"):
        d.setdefault("operator_id", 0)
        d.setdefault("sub_type", "")
    return d


def _message(message: Any) -> str | list[dict[str, Any]]:
    """A message is a CQ-code string or a list of ``{"type": str, "data": dict}`` segments. Other
    shapes are repaired where the meaning is plain (a number is its text, a lone segment a list of
    one); segments that are not segments are dropped, a segment's non-dict data becomes empty."""
    if isinstance(message, str):
        return message
    if isinstance(message, int | float) and not isinstance(message, bool):
        return str(message)
    if isinstance(message, dict):
        message = [message]
    if not isinstance(message, list):
        return ""
    segments: list[dict[str, Any]] = []
    for seg in message:
        if not isinstance(seg, dict) or not isinstance(seg.get("type"), str):
            continue
        data = seg.get("data")
        if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
            seg = {**seg, "data": {}}
        if seg["type"] == "text" and not isinstance(seg["data"].get("text"), str):
            text = seg["data"].get("text")  # NoneBot reads data["text"] of every text segment
            seg = {**seg, "data": {**seg["data"], "text": "" if text is None else str(text)}}
        segments.append(seg)
    return segments


def _sanitize_sender(sender: dict[str, Any]) -> dict[str, Any]:
    s = dict(sender)
    for k in _SENDER_INT:
        if k in s and s[k] is not None and not _is_intlike(s[k]):
            s.pop(k)
    for k in _SENDER_STR:
        if k in s and s[k] is not None and not isinstance(s[k], str):
            s[k] = str(s[k])
    return s


def _stable_int(text: str) -> int:
    # A deterministic stand-in for NoneBot's int field; the original travels in RAW_MESSAGE_ID.
    h = 0
    for ch in text.encode():
        h = (h * 131 + ch) & 0x7FFFFFFF
    return h


def _received(received: float | None) -> float:
    if received is None or not math.isfinite(received):
        return time.time()  # a caller that did not stamp the frame on arrival
    return received


def sanitize_v12(data: dict[str, Any], received: float | None = None) -> dict[str, Any]:
    """v12 ids are strings; some implementations send numbers. Time as in `sanitize_v11`."""
    d = dict(data)
    d["time"] = _settle_time(d, _received(received))
    for k, v in list(d.items()):
        if (k.endswith("_id") or k == "self.user_id") and isinstance(v, int) and not isinstance(v, bool):
            d[k] = str(v)
    self_ = d.get("self")
    if isinstance(self_, dict) and isinstance(self_.get("user_id"), int):
        d["self"] = {**self_, "user_id": str(self_["user_id"])}
    if d.get("type") == "message":
        alt = d.get("alt_message")
        message = d.get("message")
        if message is None:
            message = alt if isinstance(alt, str) else ""
        d["message"] = _message(message)
        if not isinstance(alt, str):
            d["alt_message"] = d["message"] if isinstance(d["message"], str) else ""
    return d


def event_kind(data: dict[str, Any]) -> str:
    """A short type label for logs and counters, e.g. `message.group`, `notice.group_dismiss`."""
    post = data.get("post_type") or data.get("type") or "?"
    detail = (
        data.get("message_type")
        or data.get("notice_type")
        or data.get("request_type")
        or data.get("meta_event_type")
        or data.get("detail_type")
        or ""
    )
    return f"{post}.{detail}" if detail else str(post)
