"""OneBot v11 (QQ: NapCat, Lagrange.OneBot, LLOneBot, go-cqhttp) and v12 (WeChat) gateways."""

from __future__ import annotations

from typing import Any

from nonebot.adapters import Bot
from nonebot.exception import ActionFailed, ApiNotAvailable, NetworkError

from bot.gateway.base import Capability, Gateway, GatewayError, GroupInfo, Member, Unsupported, ts_or_none


async def _call(bot: Bot, action: str, **params: Any) -> Any:
    try:
        return await bot.call_api(action, **params)
    except ActionFailed as e:
        info = getattr(e, "info", None) or {}
        retcode = info.get("retcode") if isinstance(info, dict) else None
        # 1404 / 10002 = the implementation does not know the action: retrying cannot help.
        raise GatewayError(
            action, "action failed", retcode=retcode, retryable=retcode not in (1404, 10002)
        ) from e
    except ApiNotAvailable as e:
        raise GatewayError(action, "connection not available", retryable=True) from e
    except NetworkError as e:
        raise GatewayError(action, f"network error or timeout: {type(e).__name__}", retryable=True) from e


def _int(value: str) -> int | str:
    # v11 implementations take numbers; NoneBot passes the value through as JSON.
    return int(value) if value.isdigit() else value


def _member_v11(d: dict[str, Any]) -> Member:
    return Member(
        user_id=str(d.get("user_id", "")),
        nickname=str(d.get("nickname") or ""),
        card=str(d.get("card") or ""),
        role=str(d.get("role") or "member"),
        join_time=ts_or_none(d.get("join_time")),
        last_sent_time=ts_or_none(d.get("last_sent_time")),
        title=str(d.get("title") or ""),
    )


class OneBotV11Gateway(Gateway):
    platform = "qq"
    capabilities = (
        Capability.SEND
        | Capability.RECALL
        | Capability.MUTE
        | Capability.KICK
        | Capability.JOIN_REQUESTS
        | Capability.MEMBER_LIST
        | Capability.GROUP_INFO
    )

    def __init__(self, bot: Bot) -> None:
        super().__init__(bot.self_id)
        self.bot = bot

    async def send_group(self, group_id: str, text: str, *, mention: tuple[str, ...] = ()) -> str | None:
        segs: list[dict[str, Any]] = [{"type": "at", "data": {"qq": str(u)}} for u in mention]
        if mention:
            segs.append({"type": "text", "data": {"text": " "}})
        segs.append({"type": "text", "data": {"text": text}})
        r = await _call(self.bot, "send_group_msg", group_id=_int(group_id), message=segs)
        return str(r["message_id"]) if isinstance(r, dict) and "message_id" in r else None

    async def send_private(self, user_id: str, text: str) -> str | None:
        message = [{"type": "text", "data": {"text": text}}]
        r = await _call(self.bot, "send_private_msg", user_id=_int(user_id), message=message)
        return str(r["message_id"]) if isinstance(r, dict) and "message_id" in r else None

    async def recall(self, message_id: str) -> None:
        await _call(self.bot, "delete_msg", message_id=_int(message_id))

    async def mute(self, group_id: str, user_id: str, seconds: int) -> None:
        await _call(
            self.bot, "set_group_ban", group_id=_int(group_id), user_id=_int(user_id), duration=seconds
        )

    async def kick(self, group_id: str, user_id: str) -> None:
        await _call(
            self.bot,
            "set_group_kick",
            group_id=_int(group_id),
            user_id=_int(user_id),
            reject_add_request=False,
        )

    async def answer_join_request(self, flag: str, sub_type: str, approve: bool, reason: str = "") -> None:
        await _call(
            self.bot, "set_group_add_request", flag=flag, sub_type=sub_type, approve=approve, reason=reason
        )

    async def group_info(self, group_id: str) -> GroupInfo:
        d = await _call(self.bot, "get_group_info", group_id=_int(group_id), no_cache=True) or {}
        return GroupInfo(
            group_id=str(d.get("group_id", group_id)),
            name=str(d.get("group_name") or ""),
            member_count=d.get("member_count"),
            max_member_count=d.get("max_member_count"),
        )

    async def member_list(self, group_id: str) -> list[Member]:
        rows = await _call(self.bot, "get_group_member_list", group_id=_int(group_id), no_cache=True) or []
        return [_member_v11(d) for d in rows if isinstance(d, dict)]

    async def member_info(self, group_id: str, user_id: str) -> Member:
        d = await _call(
            self.bot, "get_group_member_info", group_id=_int(group_id), user_id=_int(user_id), no_cache=True
        )
        return _member_v11(d or {"user_id": user_id})

    async def forward_messages(self, forward_id: str) -> object:
        # go-cqhttp and NapCat read ``message_id`` (NapCat also ``id``), Lagrange.OneBot reads ``id``.
        return await _call(self.bot, "get_forward_msg", message_id=forward_id, id=forward_id)


class OneBotV12Gateway(Gateway):
    """WeChat over OneBot v12: no mute, no recall, no join requests; kick via the `wx.` extension.
    No forwarded records either: OneBot v12 has no ``get_forward_msg`` and ComWeChatBotClient does not
    deliver WeChat chat records (聊天记录) at all."""

    platform = "wechat"
    capabilities = Capability.SEND | Capability.KICK | Capability.MEMBER_LIST | Capability.GROUP_INFO

    def __init__(self, bot: Bot) -> None:
        super().__init__(bot.self_id)
        self.bot = bot

    async def _send(
        self, detail_type: str, target: dict[str, str], text: str, mention: tuple[str, ...]
    ) -> str | None:
        segs: list[dict[str, Any]] = [{"type": "mention", "data": {"user_id": u}} for u in mention]
        segs.append({"type": "text", "data": {"text": (" " if mention else "") + text}})
        r = await _call(self.bot, "send_message", detail_type=detail_type, message=segs, **target)
        return str(r["message_id"]) if isinstance(r, dict) and "message_id" in r else None

    async def send_group(self, group_id: str, text: str, *, mention: tuple[str, ...] = ()) -> str | None:
        return await self._send("group", {"group_id": group_id}, text, mention)

    async def send_private(self, user_id: str, text: str) -> str | None:
        return await self._send("private", {"user_id": user_id}, text, ())

    async def recall(self, message_id: str) -> None:
        raise Unsupported("recall", self.platform)

    async def mute(self, group_id: str, user_id: str, seconds: int) -> None:
        raise Unsupported("mute", self.platform)

    async def kick(self, group_id: str, user_id: str) -> None:
        await _call(self.bot, "wx.delete_groupmember", group_id=group_id, user_list=[user_id])

    async def answer_join_request(self, flag: str, sub_type: str, approve: bool, reason: str = "") -> None:
        raise Unsupported("join requests", self.platform)

    async def group_info(self, group_id: str) -> GroupInfo:
        d = await _call(self.bot, "get_group_info", group_id=group_id) or {}
        return GroupInfo(group_id=str(d.get("group_id", group_id)), name=str(d.get("group_name") or ""))

    async def member_list(self, group_id: str) -> list[Member]:
        rows = await _call(self.bot, "get_group_member_list", group_id=group_id) or []
        return [
            Member(
                user_id=str(d.get("user_id", "")),
                nickname=str(d.get("user_name") or ""),
                card=str(d.get("user_displayname") or ""),
            )
            for d in rows
            if isinstance(d, dict)
        ]

    async def group_list(self) -> list[str]:
        """The groups this account is in (the member-list diff deregisters a group gone from it)."""
        rows = await _call(self.bot, "get_group_list") or []
        return [str(d["group_id"]) for d in rows if isinstance(d, dict) and d.get("group_id")]

    async def file_data(self, file_id: str) -> object:
        # ``data``: the bot may not share a file system (path) or a network (url) with the implementation.
        return await _call(self.bot, "get_file", file_id=file_id, type="data")

    async def member_info(self, group_id: str, user_id: str) -> Member:
        d = await _call(self.bot, "get_group_member_info", group_id=group_id, user_id=user_id) or {}
        return Member(
            user_id=user_id, nickname=str(d.get("user_name") or ""), card=str(d.get("user_displayname") or "")
        )
