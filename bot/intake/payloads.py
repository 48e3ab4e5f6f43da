"""Repair what real OneBot implementations send before NoneBot's typed models read it.

NoneBot's v11 models are strict in places where NapCat, Lagrange.OneBot and LLOneBot deviate
(see NOTES): a numeric `sender.level`, an empty-string `sender.age`, an integer `flag`, a float
`time`, a missing `font`, a non-numeric `message_id`. A payload failing the typed model silently
becomes a base `Event` and group handlers never fire — so we repair it first. Pure functions.
"""

from __future__ import annotations

from typing import Any

RAW_MESSAGE_ID = "steward_raw_message_id"  # where an original non-numeric message id is kept

_SENDER_INT = ("user_id", "age")
_SENDER_STR = ("nickname", "sex", "card", "area", "level", "role", "title")
_V11_ID_FIELDS = ("self_id", "user_id", "group_id", "operator_id", "target_id", "invitor_id")


def _is_intlike(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return True
    return isinstance(v, str) and v.strip().lstrip("-").isdigit()


def sanitize_v11(data: dict[str, Any]) -> dict[str, Any]:
    """Return a repaired copy (the input is left alone)."""
    d = dict(data)
    t = d.get("time")
    if isinstance(t, float):
        d["time"] = int(t)
    elif isinstance(t, str):
        try:
            d["time"] = int(float(t))
        except ValueError:
            pass
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
        d.setdefault("font", 0)
        d.setdefault("sub_type", "normal" if d.get("message_type") == "group" else "friend")
        if d.get("message") is None:
            d["message"] = d.get("raw_message") or ""
        if d.get("raw_message") is None:
            d["raw_message"] = d["message"] if isinstance(d["message"], str) else ""
        sender = d.get("sender")
        if isinstance(sender, dict):
            d["sender"] = _sanitize_sender(sender)
        elif sender is None:
            d["sender"] = {}

    if d.get("post_type") == "notice" and d.get("notice_type") in ("group_increase", "group_decrease"):
        d.setdefault("operator_id", 0)
        d.setdefault("sub_type", "")
    return d


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


def sanitize_v12(data: dict[str, Any]) -> dict[str, Any]:
    """v12 ids are strings; some implementations send numbers."""
    d = dict(data)
    for k, v in list(d.items()):
        if (k.endswith("_id") or k == "self.user_id") and isinstance(v, int) and not isinstance(v, bool):
            d[k] = str(v)
    self_ = d.get("self")
    if isinstance(self_, dict) and isinstance(self_.get("user_id"), int):
        d["self"] = {**self_, "user_id": str(self_["user_id"])}
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
