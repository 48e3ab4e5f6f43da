"""A OneBot v12 WeChat implementation (ComWeChatBotClient style) as the bot sees it.

It connects to ``ws://…/onebot/v12/ws``, sends ``meta.connect`` first (the adapter closes the socket
otherwise) and then ``meta.status_update`` listing the bot account, and answers actions with the
same recording / fault-injection API as the v11 peer. Ids are strings: ``xxx@chatroom`` groups and
``wxid_…`` users. WeChat has no recall here: ``delete_message`` is answered as unsupported, so the
bot's degradation path is exercised by default.
"""

from __future__ import annotations

import base64
import time as _time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.sim import events as ev
from bot.sim.peer import JSON, ActionError, ActionPeer

__all__ = [
    "OneBotV12Peer",
    "v12_alt_message",
    "v12_connect",
    "v12_file_seg",
    "v12_group_file_notice",
    "v12_group_member_decrease",
    "v12_group_member_increase",
    "v12_group_message",
    "v12_heartbeat",
    "v12_image_seg",
    "v12_mention_all_seg",
    "v12_mention_seg",
    "v12_private_message",
    "v12_status_update",
    "v12_text_seg",
    "wx_app_seg",
    "wx_link_seg",
]

DEFAULT_V12_SELF_ID = "wxid_bot"
DEFAULT_PLATFORM = "wechat"
DEFAULT_IMPL = "ComWechat"

Segment = dict[str, Any]
MessageLike = str | Sequence[Mapping[str, Any]]


def _time_v12(value: int | float | datetime | None) -> float:
    """v12 times are float seconds."""
    if value is None:
        return _time.time()
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value)


# --- segments ----------------------------------------------------------------------------------


def v12_text_seg(text: str) -> Segment:
    return {"type": "text", "data": {"text": text}}


def v12_mention_seg(user_id: str) -> Segment:
    return {"type": "mention", "data": {"user_id": user_id}}


def v12_mention_all_seg() -> Segment:
    return {"type": "mention_all", "data": {}}


def v12_image_seg(file_id: str) -> Segment:
    return {"type": "image", "data": {"file_id": file_id}}


def v12_file_seg(file_id: str, name: str | None = None) -> Segment:
    data: dict[str, Any] = {"file_id": file_id}
    if name is not None:
        data["wx.name"] = name  # extension field: the bot needs the name to check secret markings
    return {"type": "file", "data": data}


def wx_link_seg(title: str, url: str, des: str = "") -> Segment:
    """ComWeChatBotClient's shared-link card (extension segment ``wx.link``), spelt as it spells it:
    ``tittle`` and ``des``."""
    return {"type": "wx.link", "data": {"tittle": title, "des": des, "url": url, "image": ""}}


def wx_app_seg(title: str, url: str = "", appid: str = "gh_0123456789ab@app") -> Segment:
    """ComWeChatBotClient's mini-program card (``wx.app``)."""
    return {"type": "wx.app", "data": {"appid": appid, "title": title, "url": url}}


def v12_group_file_notice(group_id: str, user_id: str, name: str, *, size: int = 1024,
                          message_id: str | None = None, time: float | None = None,
                          self_id: str = DEFAULT_V12_SELF_ID, platform: str = DEFAULT_PLATFORM) -> JSON:
    """ComWeChatBotClient's ``wechat.get_group_file`` notice: a file was sent to the group (name,
    size, md5), before the file message itself (which carries only a file id)."""
    return {**_base("notice", f"{platform}.get_group_file", time=time),
            "self": _self(self_id, platform), "group_id": group_id, "user_id": user_id,
            "file_name": name, "file_length": size, "md5": uuid.uuid4().hex,
            "message_id": message_id or str(uuid.uuid4().int % 10**19)}


def _segments(message: MessageLike) -> list[Segment]:
    if isinstance(message, str):
        return [v12_text_seg(message)]
    return [{"type": str(s["type"]), "data": dict(s.get("data") or {})} for s in message]


def v12_alt_message(segments: Sequence[Mapping[str, Any]]) -> str:
    """A readable stand-in for the message, as implementations fill ``alt_message``."""
    parts: list[str] = []
    for seg in segments:
        data = seg.get("data") or {}
        match seg.get("type"):
            case "text":
                parts.append(str(data.get("text", "")))
            case "mention":
                parts.append(f"@{data.get('user_id', '')}")
            case "mention_all":
                parts.append("@所有人")
            case "image":
                parts.append("[图片]")
            case "file":
                parts.append("[文件]")
            case "wx.link":
                parts.append(f"[链接]{data.get('title', '')}")
            case other:
                parts.append(f"[{other}]")
    return "".join(parts)


# --- events ------------------------------------------------------------------------------------


def _base(type_: str, detail_type: str, *, time: int | float | datetime | None, sub_type: str = "") -> JSON:
    return {"id": str(uuid.uuid4()), "time": _time_v12(time), "type": type_, "detail_type": detail_type,
            "sub_type": sub_type}


def _self(self_id: str, platform: str) -> JSON:
    return {"platform": platform, "user_id": self_id}


def v12_connect(*, impl: str = DEFAULT_IMPL, version: str = "1.2.0", time: float | None = None) -> JSON:
    return {**_base("meta", "connect", time=time),
            "version": {"impl": impl, "version": version, "onebot_version": "12"}}


def v12_status_update(self_id: str = DEFAULT_V12_SELF_ID, *, platform: str = DEFAULT_PLATFORM,
                      online: bool = True, time: float | None = None) -> JSON:
    return {**_base("meta", "status_update", time=time),
            "status": {"good": True, "bots": [{"self": _self(self_id, platform), "online": online}]}}


def v12_heartbeat(*, interval_ms: int = 5000, time: float | None = None) -> JSON:
    return {**_base("meta", "heartbeat", time=time), "interval": interval_ms}


def v12_group_message(
    group_id: str,
    user_id: str,
    message: MessageLike,
    *,
    mention_all: bool = False,
    message_id: str | None = None,
    time: int | float | datetime | None = None,
    self_id: str = DEFAULT_V12_SELF_ID,
    platform: str = DEFAULT_PLATFORM,
    extra: Mapping[str, Any] | None = None,
) -> JSON:
    """A WeChat group message: ``group_id`` ends with ``@chatroom``, ``user_id`` is a wxid."""
    segments = _segments(message)
    if mention_all:
        segments = [v12_mention_all_seg(), v12_text_seg(" "), *segments]
    event: JSON = {
        **_base("message", "group", time=time),
        "self": _self(self_id, platform),
        "message_id": message_id if message_id is not None else str(ev.next_message_id()),
        "message": segments,
        "alt_message": v12_alt_message(segments),
        "user_id": user_id,
        "group_id": group_id,
    }
    if extra:
        event.update(extra)
    return event


def v12_private_message(
    user_id: str,
    message: MessageLike,
    *,
    message_id: str | None = None,
    time: int | float | datetime | None = None,
    self_id: str = DEFAULT_V12_SELF_ID,
    platform: str = DEFAULT_PLATFORM,
    extra: Mapping[str, Any] | None = None,
) -> JSON:
    segments = _segments(message)
    event: JSON = {
        **_base("message", "private", time=time),
        "self": _self(self_id, platform),
        "message_id": message_id if message_id is not None else str(ev.next_message_id()),
        "message": segments,
        "alt_message": v12_alt_message(segments),
        "user_id": user_id,
    }
    if extra:
        event.update(extra)
    return event


def v12_group_member_increase(group_id: str, user_id: str, *, operator_id: str = "",
                              sub_type: str = "join", time: float | None = None,
                              self_id: str = DEFAULT_V12_SELF_ID, platform: str = DEFAULT_PLATFORM) -> JSON:
    return {**_base("notice", "group_member_increase", time=time, sub_type=sub_type),
            "self": _self(self_id, platform), "group_id": group_id, "user_id": user_id,
            "operator_id": operator_id}


def v12_group_member_decrease(group_id: str, user_id: str, *, operator_id: str = "",
                              sub_type: str = "leave", time: float | None = None,
                              self_id: str = DEFAULT_V12_SELF_ID, platform: str = DEFAULT_PLATFORM) -> JSON:
    return {**_base("notice", "group_member_decrease", time=time, sub_type=sub_type),
            "self": _self(self_id, platform), "group_id": group_id, "user_id": user_id,
            "operator_id": operator_id}


# --- the peer ----------------------------------------------------------------------------------


class OneBotV12Peer(ActionPeer):
    """A ComWeChatBotClient-like OneBot v12 implementation connected to ``ws://…/onebot/v12/ws``.

    ``groups`` maps ``xxx@chatroom`` to info (``group_name``); ``members`` maps it to member dicts
    (``user_id``, ``user_name``, ``user_displayname``).
    """

    unsupported_retcode = 10002
    bad_request_retcode = 10003

    # ComWeChat cannot recall or mute: keep these unsupported unless a test installs a responder.
    UNSUPPORTED = frozenset({"delete_message", "set_group_ban", "wx.set_group_ban"})

    def __init__(
        self,
        url: str,
        *,
        self_id: str = DEFAULT_V12_SELF_ID,
        platform: str = DEFAULT_PLATFORM,
        impl: str = DEFAULT_IMPL,
        nickname: str = "工作群管家",
        access_token: str | None = None,
        groups: Mapping[str, Mapping[str, Any]] | None = None,
        members: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
        status_update_on_connect: bool = True,
        open_timeout: float = 10.0,
    ) -> None:
        super().__init__(url, access_token=access_token, open_timeout=open_timeout)
        self.self_id = self_id
        self.platform = platform
        self.impl = impl
        self.nickname = nickname
        self.status_update_on_connect = status_update_on_connect
        self.groups: dict[str, dict[str, Any]] = {g: dict(i) for g, i in (groups or {}).items()}
        self.members: dict[str, list[dict[str, Any]]] = {}
        # Files the peer holds (pictures and files arrive as an id only): id → (name, bytes).
        self.files: dict[str, tuple[str, bytes]] = {}
        for gid, entries in (members or {}).items():
            self.set_members(gid, entries)

    async def _after_connect(self) -> None:
        # The adapter drops the connection unless meta.connect is the very first frame.
        await self.send_event(v12_connect(impl=self.impl))
        if self.status_update_on_connect:
            await self.send_event(v12_status_update(self.self_id, platform=self.platform))

    async def send_heartbeat(self, interval_ms: int = 5000) -> JSON:
        return await self.send_event(v12_heartbeat(interval_ms=interval_ms))

    async def send_group_message(self, group_id: str, user_id: str, message: MessageLike,
                                 **kwargs: Any) -> JSON:
        return await self.send_event(v12_group_message(group_id, user_id, message, self_id=self.self_id,
                                                       platform=self.platform, **kwargs))

    async def send_private_message(self, user_id: str, message: MessageLike, **kwargs: Any) -> JSON:
        return await self.send_event(v12_private_message(user_id, message, self_id=self.self_id,
                                                         platform=self.platform, **kwargs))

    def set_members(self, group_id: str, entries: Iterable[Mapping[str, Any]]) -> None:
        self.members[group_id] = [
            {"user_id": str(e["user_id"]), "user_name": e.get("user_name", str(e["user_id"])),
             "user_displayname": e.get("user_displayname", ""), **dict(e)}
            for e in entries
        ]

    def add_file(self, data: bytes, name: str = "image.png") -> str:
        """Hold a file (e.g. a picture to send as ``v12_image_seg``); returns its id."""
        fid = uuid.uuid4().hex
        self.files[fid] = (name, data)
        return fid

    def remove_member(self, group_id: str, user_id: str) -> None:
        self.members[group_id] = [m for m in self.members.get(group_id, []) if m["user_id"] != user_id]

    def _envelope(self, *, ok: bool, retcode: int, data: Any, message: str, echo: Any) -> JSON:
        # v12 responses must carry exactly these keys; the adapter rejects a response without "message".
        frame: JSON = {"status": "ok" if ok else "failed", "retcode": retcode, "data": data,
                       "message": message}
        if echo is not None:
            frame["echo"] = echo
        return frame

    def _group_info(self, group_id: str) -> JSON:
        return {"group_id": group_id, "group_name": f"工作群{group_id.split('@')[0]}",
                **self.groups.get(group_id, {})}

    def default_response(self, action: str, params: JSON) -> Any:
        if action in self.UNSUPPORTED:
            raise ActionError(self.unsupported_retcode, f"unsupported action: {action}")
        match action:
            case "send_message":
                return {"message_id": str(self.next_message_id()), "time": _time.time()}
            case "wx.delete_groupmember":
                for uid in params.get("user_list") or []:
                    self.remove_member(str(params["group_id"]), str(uid))
                return None
            case "set_group_name" | "leave_group" | "wx.set_group_announcement":
                return None
            case "get_self_info":
                return {"user_id": self.self_id, "user_name": self.nickname, "user_displayname": ""}
            case "get_user_info":
                uid = str(params["user_id"])
                return {"user_id": uid, "user_name": uid, "user_displayname": "", "user_remark": ""}
            case "get_friend_list":
                return []
            case "get_group_info":
                return self._group_info(str(params["group_id"]))
            case "get_group_list":
                return [self._group_info(g) for g in sorted(set(self.groups) | set(self.members))]
            case "get_group_member_list":
                return [dict(m) for m in self.members.get(str(params["group_id"]), [])]
            case "get_group_member_info":
                gid, uid = str(params["group_id"]), str(params["user_id"])
                for member in self.members.get(gid, []):
                    if member["user_id"] == uid:
                        return dict(member)
                raise ActionError(35001, "群成员不存在")
            case "get_version":
                return {"impl": self.impl, "version": "1.2.0", "onebot_version": "12"}
            case "get_file":
                fid = str(params.get("file_id") or "")
                if fid not in self.files:
                    raise ActionError(32001, "文件不存在")
                name, data = self.files[fid]
                if params.get("type") != "data":
                    raise ActionError(10003, "only type=data is held by the simulator")
                return {"name": name, "data": base64.b64encode(data).decode()}  # JSON: base64
            case "get_status":
                return {"good": True, "bots": [{"self": _self(self.self_id, self.platform), "online": True}]}
            case "get_supported_actions":
                return ["send_message", "get_self_info", "get_user_info", "get_friend_list", "get_group_info",
                        "get_group_list", "get_group_member_info", "get_group_member_list", "set_group_name",
                        "leave_group", "get_version", "get_status", "get_file", "wx.delete_groupmember"]
            case _:
                return super().default_response(action, params)
