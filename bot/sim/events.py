"""Builders for OneBot v11 events in the shapes real implementations send.

The bot must accept what NapCat, Lagrange.OneBot, LLOneBot and go-cqhttp really put on the wire,
including their deviations from the standard (see the field notes). Each builder returns a plain
``dict`` ready to be JSON-encoded; nothing here talks to a socket.

Message ids come from one process-wide increasing counter so that ids never repeat within a test
session, and start from a time-derived base so that a second demo run against the same data
directory does not reuse the ids of the first.
"""

from __future__ import annotations

import itertools
import json
import time as _time
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

Impl = Literal["napcat", "lagrange", "llonebot", "gocq"]
Role = Literal["owner", "admin", "member"]
Segment = dict[str, Any]
Event = dict[str, Any]
TimeLike = int | float | datetime | None
MessageLike = str | Sequence[Mapping[str, Any]]

# A realistic QQ number above 2**31: real accounts are, and an id column sized for int32 should fail
# in the tests rather than in production.
DEFAULT_SELF_ID = 3889000001

IMPLS: tuple[Impl, ...] = ("napcat", "lagrange", "llonebot", "gocq")

_message_ids: Iterator[int] = itertools.count(int(_time.time()) % 1_000_000 * 1000 + 1)


def next_message_id() -> int:
    """Return the next message id (unique and increasing within this process)."""
    return next(_message_ids)


def reset_message_ids(start: int) -> None:
    """Restart the message id counter, for tests that want deterministic ids."""
    global _message_ids
    _message_ids = itertools.count(start)


def timestamp(value: TimeLike = None) -> int:
    """OneBot v11 times are integer seconds; accept a datetime (naive = local time) or a number."""
    if value is None:
        return int(_time.time())
    if isinstance(value, datetime):
        return int(value.timestamp())
    return int(value)


# --- message segments (v11 array format) -------------------------------------------------------


def text_seg(text: str) -> Segment:
    return {"type": "text", "data": {"text": text}}


def at_seg(qq: int | str, name: str | None = None) -> Segment:
    data: dict[str, Any] = {"qq": str(qq)}
    if name is not None:
        data["name"] = name
    return {"type": "at", "data": data}


def at_all_seg() -> Segment:
    return {"type": "at", "data": {"qq": "all"}}


def reply_seg(message_id: int | str) -> Segment:
    return {"type": "reply", "data": {"id": str(message_id)}}


def face_seg(face_id: int | str) -> Segment:
    return {"type": "face", "data": {"id": str(face_id)}}


def image_seg(file: str, url: str | None = None, *, summary: str = "") -> Segment:
    data: dict[str, Any] = {"file": file, "url": url or f"https://multimedia.nt.qq.com.cn/download?f={file}"}
    if summary:
        data["summary"] = summary
    return {"type": "image", "data": data}


def file_seg(name: str, *, file_id: str | None = None, size: int = 0) -> Segment:
    return {"type": "file", "data": {"file": name, "file_id": file_id or f"/{name}", "file_size": str(size)}}


def json_card_seg(payload: Mapping[str, Any] | str) -> Segment:
    """A share card / mini-program (``json`` segment); its ``data`` is a JSON *string*, as QQ sends it."""
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return {"type": "json", "data": {"data": data}}


def mini_program_seg(title: str, url: str, *, app: str = "com.tencent.miniapp_01") -> Segment:
    return json_card_seg(
        {"app": app, "prompt": f"[QQ小程序]{title}", "meta": {"detail_1": {"title": title, "qqdocurl": url}}}
    )


def share_link_seg(title: str, url: str) -> Segment:
    return json_card_seg({
        "app": "com.tencent.structmsg",
        "prompt": f"[分享]{title}",
        "meta": {"news": {"title": title, "jumpUrl": url}},
    })


def forward_seg(forward_id: str) -> Segment:
    """A forwarded chat record (合并转发) as NapCat, Lagrange and go-cqhttp deliver it: only an id, the
    content is fetched with ``get_forward_msg``."""
    return {"type": "forward", "data": {"id": forward_id}}


def forward_node(user_id: int, nickname: str, message: MessageLike, *, impl: Impl = "napcat",
                 time: TimeLike = None) -> dict[str, Any]:
    """One message of a ``get_forward_msg`` answer, in the shape ``impl`` answers with: NapCat and
    LLOneBot ``{sender, message}``, go-cqhttp ``{sender, content}``, Lagrange ``{type: node, data}``."""
    segments = to_segments(message)
    if impl == "lagrange":
        return {"type": "node", "data": {"user_id": str(user_id), "nickname": nickname, "content": segments}}
    sender = {"user_id": user_id, "nickname": nickname}
    body = "content" if impl == "gocq" else "message"
    node: dict[str, Any] = {"sender": sender, "time": timestamp(time), body: segments}
    if impl in ("napcat", "llonebot"):
        node |= {"user_id": user_id, "message_type": "group", "message_format": "array",
                 "message_id": next_message_id()}
    return node


def image_url_seg(url: str, *, file: str | None = None) -> Segment:
    """A received picture as NapCat sends it: the CDN ``url`` the bot downloads it from."""
    return {"type": "image", "data": {"file": file or url.rsplit("/", 1)[-1] or "image.png", "url": url,
                                      "summary": "", "sub_type": 0}}


def to_segments(message: MessageLike) -> list[Segment]:
    """Plain text becomes one text segment; segment lists are copied so callers can reuse theirs."""
    if isinstance(message, str):
        return [text_seg(message)]
    return [{"type": str(seg["type"]), "data": dict(seg.get("data") or {})} for seg in message]


def _cq_escape(value: str, *, comma: bool) -> str:
    value = value.replace("&", "&amp;").replace("[", "&#91;").replace("]", "&#93;")
    return value.replace(",", "&#44;") if comma else value


def to_cq_string(segments: Sequence[Mapping[str, Any]]) -> str:
    """Render segments as a CQ-code string (``raw_message``, and go-cqhttp's ``message``)."""
    parts: list[str] = []
    for seg in segments:
        data = seg.get("data") or {}
        if seg["type"] == "text":
            parts.append(_cq_escape(str(data.get("text", "")), comma=False))
        else:
            params = "".join(
                f",{k}={_cq_escape(str(v), comma=True)}" for k, v in data.items() if v is not None
            )
            parts.append(f"[CQ:{seg['type']}{params}]")
    return "".join(parts)


def plain_text(segments: Sequence[Mapping[str, Any]]) -> str:
    return "".join(str((s.get("data") or {}).get("text", "")) for s in segments if s.get("type") == "text")


# --- helpers -----------------------------------------------------------------------------------


def _sender(
    user_id: int,
    *,
    impl: Impl,
    nickname: str,
    card: str | None,
    role: Role | None,
    level: int | str | None,
    title: str = "",
) -> dict[str, Any]:
    sender: dict[str, Any] = {"user_id": user_id, "nickname": nickname}
    if card is not None:
        sender["card"] = card
    if impl in ("lagrange", "gocq"):
        # Lagrange and go-cqhttp fill the full standard sender, with empty personal fields.
        sender.update({"sex": "unknown", "age": 0, "area": "", "level": "0" if impl == "lagrange" else ""})
    if role is not None:
        sender["role"] = role
        sender["title"] = title
    if level is not None:
        # NapCat has sent the level as a number: the typed NoneBot model then rejects the event.
        sender["level"] = level
    return sender


def _stringify_ids(event: Event, keys: Sequence[str] = ("self_id", "user_id", "group_id", "message_id",
                                                         "operator_id", "target_id", "invitor_id")) -> None:
    for key in keys:
        if key in event and event[key] is not None:
            event[key] = str(event[key])
    sender = event.get("sender")
    if isinstance(sender, dict) and "user_id" in sender:
        sender["user_id"] = str(sender["user_id"])


def _finish(event: Event, *, string_ids: bool, extra: Mapping[str, Any] | None) -> Event:
    if string_ids:
        _stringify_ids(event)
    if extra:
        event.update(extra)
    return event


def _message_body(
    segments: list[Segment], *, impl: Impl, message_id: int
) -> dict[str, Any]:
    raw = to_cq_string(segments)
    body: dict[str, Any] = {
        "message_id": message_id,
        "message": raw if impl == "gocq" else segments,
        "raw_message": raw,
        "font": 14 if impl in ("napcat", "llonebot") else 0,
    }
    if impl in ("napcat", "llonebot"):
        body.update({"message_seq": message_id, "real_id": message_id, "message_format": "array"})
    if impl == "gocq":
        body["message_seq"] = message_id
    return body


# --- message events ----------------------------------------------------------------------------


def group_message(
    group_id: int,
    user_id: int,
    message: MessageLike,
    *,
    role: Role = "member",
    card: str = "",
    nickname: str | None = None,
    title: str = "",
    impl: Impl = "napcat",
    time: TimeLike = None,
    message_id: int | None = None,
    at_all: bool = False,
    level: int | str | None = None,
    group_name: str | None = None,
    self_id: int = DEFAULT_SELF_ID,
    string_ids: bool = False,
    extra: Mapping[str, Any] | None = None,
) -> Event:
    """A group message as ``impl`` sends it.

    ``message`` is plain text or a list of v11 segments; ``at_all`` prepends ``@全体成员``.
    ``level`` adds ``sender.level`` verbatim (an int reproduces NapCat's non-standard number).
    ``string_ids`` sends every id as a string, which NapCat accepts and some forks emit.
    """
    segments = to_segments(message)
    if at_all:
        segments = [at_all_seg(), text_seg(" "), *segments]
    mid = next_message_id() if message_id is None else message_id
    event: Event = {
        "time": timestamp(time),
        "self_id": self_id,
        "post_type": "message",
        "message_type": "group",
        "sub_type": "normal",
        "user_id": user_id,
        "group_id": group_id,
        **_message_body(segments, impl=impl, message_id=mid),
        "sender": _sender(
            user_id, impl=impl, nickname=nickname or card or f"用户{user_id}", card=card, role=role,
            level=level, title=title,
        ),
    }
    if impl in ("lagrange", "gocq"):
        event["anonymous"] = None
    if impl == "napcat":
        event["group_name"] = group_name if group_name is not None else f"工作群{group_id}"
    return _finish(event, string_ids=string_ids, extra=extra)


def private_message(
    user_id: int,
    message: MessageLike,
    *,
    nickname: str | None = None,
    sub_type: Literal["friend", "group", "other"] = "friend",
    impl: Impl = "napcat",
    time: TimeLike = None,
    message_id: int | None = None,
    self_id: int = DEFAULT_SELF_ID,
    string_ids: bool = False,
    extra: Mapping[str, Any] | None = None,
) -> Event:
    """A private (friend or temporary-session) message to the bot."""
    segments = to_segments(message)
    mid = next_message_id() if message_id is None else message_id
    event: Event = {
        "time": timestamp(time),
        "self_id": self_id,
        "post_type": "message",
        "message_type": "private",
        "sub_type": sub_type,
        "user_id": user_id,
        **_message_body(segments, impl=impl, message_id=mid),
        "sender": _sender(
            user_id, impl=impl, nickname=nickname or f"用户{user_id}", card=None, role=None, level=None
        ),
    }
    if impl in ("napcat", "llonebot"):
        event["target_id"] = self_id
    return _finish(event, string_ids=string_ids, extra=extra)


def self_sent_message(
    message: MessageLike,
    *,
    group_id: int | None = None,
    target_id: int | None = None,
    impl: Impl = "napcat",
    time: TimeLike = None,
    message_id: int | None = None,
    self_id: int = DEFAULT_SELF_ID,
    string_ids: bool = False,
    extra: Mapping[str, Any] | None = None,
) -> Event:
    """The bot's own message echoed back (NapCat / LLOneBot ``post_type: "message_sent"``).

    Give ``group_id`` for a group message, else ``target_id`` for a private one.
    """
    segments = to_segments(message)
    mid = next_message_id() if message_id is None else message_id
    event: Event = {
        "time": timestamp(time),
        "self_id": self_id,
        "post_type": "message_sent",
        "message_type": "group" if group_id is not None else "private",
        "sub_type": "normal" if group_id is not None else "friend",
        "user_id": self_id,
        **_message_body(segments, impl=impl, message_id=mid),
        "sender": _sender(self_id, impl=impl, nickname="工作群管家", card="", role=None, level=None),
    }
    if group_id is not None:
        event["group_id"] = group_id
    else:
        event["target_id"] = target_id if target_id is not None else self_id
    return _finish(event, string_ids=string_ids, extra=extra)


# --- requests ----------------------------------------------------------------------------------


def group_request_add(
    group_id: int,
    user_id: int,
    comment: str,
    flag: str | None = None,
    invitor_id: int | None = None,
    *,
    sub_type: Literal["add", "invite"] = "add",
    impl: Impl = "napcat",
    time: TimeLike = None,
    self_id: int = DEFAULT_SELF_ID,
    string_ids: bool = False,
    extra: Mapping[str, Any] | None = None,
) -> Event:
    """A join request (``request.group``).

    Lagrange adds ``invitor_id`` when a member invited the applicant; LLOneBot always sends it with
    0 meaning "nobody". ``sub_type="invite"`` is an invitation of the bot itself into a group.
    """
    event: Event = {
        "time": timestamp(time),
        "self_id": self_id,
        "post_type": "request",
        "request_type": "group",
        "sub_type": sub_type,
        "group_id": group_id,
        "user_id": user_id,
        "comment": comment,
        "flag": flag if flag is not None else f"{group_id}-{user_id}-{next_message_id()}",
    }
    if impl == "llonebot":
        event["invitor_id"] = invitor_id or 0
    elif invitor_id is not None:
        event["invitor_id"] = invitor_id
    return _finish(event, string_ids=string_ids, extra=extra)


# --- notices -----------------------------------------------------------------------------------


def _notice(notice_type: str, *, time: TimeLike, self_id: int, **fields: Any) -> Event:
    return {"time": timestamp(time), "self_id": self_id, "post_type": "notice", "notice_type": notice_type,
            **fields}


def group_increase(
    group_id: int,
    user_id: int,
    *,
    sub_type: Literal["approve", "invite"] = "approve",
    operator_id: int = 0,
    time: TimeLike = None,
    self_id: int = DEFAULT_SELF_ID,
    string_ids: bool = False,
    extra: Mapping[str, Any] | None = None,
) -> Event:
    """A member joined: ``approve`` (an admin or the bot approved) or ``invite`` (``operator_id`` invited)."""
    event = _notice("group_increase", time=time, self_id=self_id, sub_type=sub_type, group_id=group_id,
                    user_id=user_id, operator_id=operator_id)
    return _finish(event, string_ids=string_ids, extra=extra)


def group_decrease(
    group_id: int,
    user_id: int,
    *,
    sub_type: Literal["leave", "kick", "kick_me", "disband"] = "leave",
    operator_id: int | None = None,
    time: TimeLike = None,
    self_id: int = DEFAULT_SELF_ID,
    string_ids: bool = False,
    extra: Mapping[str, Any] | None = None,
) -> Event:
    """A member left or was removed; ``disband`` is how NapCat and Lagrange report a dissolved group.

    ``operator_id`` defaults to the member for ``leave`` (as go-cqhttp sends it), else 0.
    """
    if operator_id is None:
        operator_id = user_id if sub_type == "leave" else 0
    event = _notice("group_decrease", time=time, self_id=self_id, sub_type=sub_type, group_id=group_id,
                    user_id=user_id, operator_id=operator_id)
    return _finish(event, string_ids=string_ids, extra=extra)


def group_dismiss(
    group_id: int,
    user_id: int,
    *,
    time: TimeLike = None,
    self_id: int = DEFAULT_SELF_ID,
    string_ids: bool = False,
    extra: Mapping[str, Any] | None = None,
) -> Event:
    """LLOneBot's own notice for a dissolved group; ``user_id`` is who dissolved it (the owner)."""
    event = _notice("group_dismiss", time=time, self_id=self_id, group_id=group_id, user_id=user_id)
    return _finish(event, string_ids=string_ids, extra=extra)


def group_upload(
    group_id: int,
    user_id: int,
    name: str,
    size: int = 1024,
    url: str | None = None,
    *,
    file_id: str | None = None,
    impl: Impl = "napcat",
    time: TimeLike = None,
    self_id: int = DEFAULT_SELF_ID,
    string_ids: bool = False,
    extra: Mapping[str, Any] | None = None,
) -> Event:
    """A file uploaded to the group; Lagrange adds ``file.url``."""
    file: dict[str, Any] = {
        "id": file_id or f"/{next_message_id():x}", "name": name, "size": size, "busid": 102,
    }
    if url is not None or impl == "lagrange":
        file["url"] = url or f"https://grouptalk.c2c.qq.com/download/{file['id'].lstrip('/')}"
    event = _notice("group_upload", time=time, self_id=self_id, group_id=group_id, user_id=user_id, file=file)
    return _finish(event, string_ids=string_ids, extra=extra)


def group_recall(
    group_id: int,
    user_id: int,
    message_id: int,
    *,
    operator_id: int | None = None,
    time: TimeLike = None,
    self_id: int = DEFAULT_SELF_ID,
    string_ids: bool = False,
    extra: Mapping[str, Any] | None = None,
) -> Event:
    """A message was recalled; ``operator_id`` defaults to the author (recalled their own message)."""
    event = _notice("group_recall", time=time, self_id=self_id, group_id=group_id, user_id=user_id,
                    operator_id=user_id if operator_id is None else operator_id, message_id=message_id)
    return _finish(event, string_ids=string_ids, extra=extra)


def group_admin(
    group_id: int,
    user_id: int,
    *,
    sub_type: Literal["set", "unset"] = "set",
    time: TimeLike = None,
    self_id: int = DEFAULT_SELF_ID,
    extra: Mapping[str, Any] | None = None,
) -> Event:
    """A member became (``set``) or stopped being (``unset``) a group admin."""
    event = _notice("group_admin", time=time, self_id=self_id, sub_type=sub_type, group_id=group_id,
                    user_id=user_id)
    return _finish(event, string_ids=False, extra=extra)


def group_card(
    group_id: int,
    user_id: int,
    card_new: str,
    card_old: str = "",
    *,
    time: TimeLike = None,
    self_id: int = DEFAULT_SELF_ID,
    extra: Mapping[str, Any] | None = None,
) -> Event:
    """go-cqhttp / NapCat extension: a member's group card changed."""
    event = _notice("group_card", time=time, self_id=self_id, group_id=group_id, user_id=user_id,
                    card_new=card_new, card_old=card_old)
    return _finish(event, string_ids=False, extra=extra)


# --- meta events -------------------------------------------------------------------------------


def lifecycle(
    sub_type: Literal["connect", "enable", "disable"] = "connect",
    *,
    time: TimeLike = None,
    self_id: int = DEFAULT_SELF_ID,
) -> Event:
    return {"time": timestamp(time), "self_id": self_id, "post_type": "meta_event",
            "meta_event_type": "lifecycle", "sub_type": sub_type}


def heartbeat(*, interval_ms: int = 30_000, time: TimeLike = None, self_id: int = DEFAULT_SELF_ID) -> Event:
    return {"time": timestamp(time), "self_id": self_id, "post_type": "meta_event",
            "meta_event_type": "heartbeat", "status": {"online": True, "good": True}, "interval": interval_ms}


# --- API data shapes ---------------------------------------------------------------------------


def member_info(
    group_id: int,
    user_id: int,
    *,
    nickname: str | None = None,
    card: str = "",
    role: Role = "member",
    join_time: int | None = None,
    last_sent_time: int | None = None,
    level: int | str = "1",
    title: str = "",
    impl: Impl = "napcat",
) -> dict[str, Any]:
    """One entry of ``get_group_member_list`` / ``get_group_member_info`` as ``impl`` returns it.

    When a time is unknown NapCat fills "now" and LLOneBot (older versions) 0 — the bot must not
    trust ``last_sent_time`` for activity, so the simulator reproduces that.
    """
    now = int(_time.time())
    unknown_time = 0 if impl == "llonebot" else now
    return {
        "group_id": group_id,
        "user_id": user_id,
        "nickname": nickname or card or f"用户{user_id}",
        "card": card,
        "sex": "unknown",
        "age": 0,
        "area": "",
        "join_time": join_time if join_time is not None else unknown_time,
        "last_sent_time": last_sent_time if last_sent_time is not None else unknown_time,
        "level": level,
        "role": role,
        "unfriendly": False,
        "title": title,
        "title_expire_time": 0,
        "card_changeable": True,
        "shut_up_timestamp": 0,
    }
