"""The neutral record every rule reads: who, where, when, text, segments — platform-free."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from nonebot.adapters import Event
from nonebot.adapters.onebot import v11, v12

from bot.intake.payloads import RAW_MESSAGE_ID, RECEIVED, TIME_REPLACED


def _now() -> datetime:
    return datetime.now(UTC)


def _received(event: Event) -> datetime:
    """When the frame arrived (stamped by the adapter); the clock when the event did not come
    through it (tests, other adapters)."""
    stamp = (getattr(event, "model_extra", None) or {}).get(RECEIVED)
    if isinstance(stamp, int | float) and not isinstance(stamp, bool):
        try:
            return datetime.fromtimestamp(stamp, UTC)
        except (OverflowError, ValueError, OSError):
            pass
    return _now()


def _event_time(event: Event, received: datetime) -> datetime:
    """The event's own time, which the adapter has already bounded (absurd → arrival time)."""
    raw = getattr(event, "time", None)
    try:
        if isinstance(raw, datetime):
            return (raw if raw.tzinfo else raw.replace(tzinfo=UTC)).astimezone(UTC)
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return datetime.fromtimestamp(raw, UTC)
    except (OverflowError, ValueError, OSError):
        pass
    return received


@dataclass(frozen=True, slots=True)
class Segment:
    type: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class MessageRecord:
    platform: Literal["qq", "wechat"]
    self_id: str
    chat: Literal["group", "private"]
    group_id: str  # "" in private chat
    user_id: str
    message_id: str
    time: datetime  # the event's own timestamp (UTC); the arrival time when that one was absurd
    text: str  # the plain text of the text segments
    segments: tuple[Segment, ...]
    sender_role: str = ""  # owner | admin | member | "" (unknown, e.g. v12)
    card: str = ""
    nickname: str = ""
    at_all: bool = False
    mentions: tuple[str, ...] = ()
    # When the frame arrived here (UTC). Bookkeeping that must not trust the sender's clock (first
    # seen, deadlines, strikes) uses this; `time` is what the implementation says.
    received: datetime = field(default_factory=_now)
    time_replaced: bool = False  # the event's own time was absurd and `time` is `received`

    @property
    def is_group(self) -> bool:
        return self.chat == "group"


def _v11_segments(msg: v11.Message) -> tuple[tuple[Segment, ...], bool, tuple[str, ...]]:
    segs = tuple(Segment(s.type, dict(s.data)) for s in msg)
    ats = [str(s.data.get("qq", "")) for s in segs if s.type == "at"]
    return segs, "all" in ats, tuple(a for a in ats if a and a != "all")


def from_event(event: Event) -> MessageRecord | None:
    """Build the record from a typed message event; None for anything else."""
    if isinstance(event, v11.GroupMessageEvent | v11.PrivateMessageEvent):
        segs, at_all, mentions = _v11_segments(event.message)
        extra = event.model_extra or {}
        received = _received(event)
        sender = event.sender
        is_group = isinstance(event, v11.GroupMessageEvent)
        return MessageRecord(
            platform="qq",
            self_id=str(event.self_id),
            chat="group" if is_group else "private",
            group_id=str(event.group_id) if is_group else "",  # type: ignore[union-attr]
            user_id=str(event.user_id),
            message_id=str(extra.get(RAW_MESSAGE_ID, event.message_id)),
            time=_event_time(event, received),
            text=event.message.extract_plain_text(),
            segments=segs,
            sender_role=sender.role or "",
            card=sender.card or "",
            nickname=sender.nickname or "",
            at_all=at_all,
            mentions=mentions,
            received=received,
            time_replaced=bool(extra.get(TIME_REPLACED)),
        )
    if isinstance(event, v12.GroupMessageEvent | v12.PrivateMessageEvent):
        segs = tuple(Segment(s.type, dict(s.data)) for s in event.message)
        is_group = isinstance(event, v12.GroupMessageEvent)
        received = _received(event)
        return MessageRecord(
            platform="wechat",
            self_id=str(event.self.user_id),
            chat="group" if is_group else "private",
            group_id=str(event.group_id) if is_group else "",  # type: ignore[union-attr]
            user_id=str(event.user_id),
            message_id=str(event.message_id),
            time=_event_time(event, received),
            text=event.message.extract_plain_text(),
            segments=segs,
            at_all=any(s.type == "mention_all" for s in segs),
            mentions=tuple(str(s.data.get("user_id")) for s in segs if s.type == "mention"),
            received=received,
            time_replaced=bool((event.model_extra or {}).get(TIME_REPLACED)),
        )
    return None


@dataclass(frozen=True, slots=True)
class NoticeRecord:
    """A group notice, with the implementations' variants folded into one `kind`.

    kind: member_join | member_leave | member_kicked | bot_kicked | group_disbanded | file_upload |
    recall | admin_change | other. `disband` (NapCat, Lagrange) and `group_dismiss` (LLOneBot) both become
    group_disbanded.
    """

    platform: Literal["qq", "wechat"]
    self_id: str
    kind: str
    sub_type: str
    group_id: str
    user_id: str
    operator_id: str
    time: datetime
    extra: dict[str, Any]
    received: datetime = field(default_factory=_now)  # arrival time, as in MessageRecord


@dataclass(frozen=True, slots=True)
class RequestRecord:
    platform: Literal["qq", "wechat"]
    self_id: str
    kind: Literal["group_add", "group_invite"]
    group_id: str
    user_id: str
    comment: str
    flag: str
    invitor_id: str  # "" when nobody invited the applicant (LLOneBot sends 0)
    time: datetime
    received: datetime = field(default_factory=_now)  # arrival time, as in MessageRecord


_DECREASE = {
    "leave": "member_leave",
    "kick": "member_kicked",
    "kick_me": "bot_kicked",
    "disband": "group_disbanded",
}


def _v12_file_notice(event: v12.NoticeEvent) -> NoticeRecord | None:
    """ComWeChatBotClient announces a file sent to a group as ``wechat.get_group_file`` (name, size,
    md5, message id) before the ``file`` message itself, which carries only a file id."""
    if not event.detail_type.endswith(".get_group_file"):
        return None
    d = event.model_extra or {}
    if not d.get("group_id"):
        return None
    received = _received(event)
    return NoticeRecord(
        platform="wechat",
        self_id=str(event.self.user_id),
        kind="file_upload",
        sub_type=event.detail_type,
        group_id=str(d["group_id"]),
        user_id=str(d.get("user_id") or ""),
        operator_id="",
        time=_event_time(event, received),
        extra={
            "file": {"name": str(d.get("file_name") or ""), "size": d.get("file_length")},
            "message_id": str(d.get("message_id") or ""),
        },
        received=received,
    )


_V12_MEMBER = {"group_member_increase": "member_join", "group_member_decrease": "member_leave"}


def _v12_member_notice(event: v12.NoticeEvent) -> NoticeRecord | None:
    """``group_member_increase`` (join | invite) and ``group_member_decrease`` (leave | kick, and the
    bot's own id as the member: it was removed) as the v12 spec defines them."""
    d = event.model_dump()
    gid, uid = str(d.get("group_id") or ""), str(d.get("user_id") or "")
    if not gid or not uid:
        return None
    self_id = str(event.self.user_id)
    sub_type = str(d.get("sub_type") or "")
    kind = _V12_MEMBER[event.detail_type]
    if kind == "member_leave":
        kind = "bot_kicked" if uid == self_id or sub_type == "kick_me" else _DECREASE.get(sub_type, kind)
    received = _received(event)
    known = {"id", "time", "type", "detail_type", "sub_type", "self", "group_id", "user_id", "operator_id",
             RECEIVED, TIME_REPLACED}  # fmt: skip
    return NoticeRecord(
        platform="wechat",
        self_id=self_id,
        kind=kind,
        sub_type=sub_type or event.detail_type,
        group_id=gid,
        user_id=uid,
        operator_id=str(d.get("operator_id") or ""),
        time=_event_time(event, received),
        extra={k: v for k, v in d.items() if k not in known},
        received=received,
    )


def notice_from_event(event: Event) -> NoticeRecord | None:
    if isinstance(event, v12.NoticeEvent):
        if event.detail_type in _V12_MEMBER:
            return _v12_member_notice(event)
        return _v12_file_notice(event)
    if not isinstance(event, v11.NoticeEvent):
        return None
    d = event.model_dump()
    notice_type = str(d.get("notice_type", ""))
    sub_type = str(d.get("sub_type") or "")
    kind = {
        "group_increase": "member_join",
        "group_decrease": _DECREASE.get(sub_type, "member_leave"),
        "group_dismiss": "group_disbanded",
        "group_upload": "file_upload",
        "group_recall": "recall",
        "group_admin": "admin_change",  # sub_type set | unset
    }.get(notice_type, "other")
    if "group_id" not in d:
        return None
    known = {
        "time", "self_id", "post_type", "notice_type", "sub_type", "group_id", "user_id", "operator_id",
        RECEIVED, TIME_REPLACED,
    }  # fmt: skip
    received = _received(event)
    return NoticeRecord(
        platform="qq",
        self_id=str(event.self_id),
        kind=kind,
        sub_type=sub_type or notice_type,
        group_id=str(d["group_id"]),
        user_id=str(d.get("user_id") or ""),
        operator_id=str(d.get("operator_id") or ""),
        time=_event_time(event, received),
        extra={k: v for k, v in d.items() if k not in known},
        received=received,
    )


def request_from_event(event: Event) -> RequestRecord | None:
    if not isinstance(event, v11.GroupRequestEvent):
        return None
    extra = event.model_extra or {}
    invitor = str(extra.get("invitor_id") or "")
    received = _received(event)
    return RequestRecord(
        platform="qq",
        self_id=str(event.self_id),
        kind="group_add" if event.sub_type == "add" else "group_invite",
        group_id=str(event.group_id),
        user_id=str(event.user_id),
        comment=event.comment or "",
        flag=event.flag,
        invitor_id="" if invitor in ("", "0") else invitor,
        time=_event_time(event, received),
        received=received,
    )
