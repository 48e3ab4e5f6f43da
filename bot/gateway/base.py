"""The platform gateway: everything the bot does to a chat, behind one interface (DESIGN: plugins
never build raw action dicts). Implementations: OneBot v11 (QQ) and OneBot v12 (WeChat)."""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime


class Capability(enum.Flag):
    SEND = enum.auto()
    RECALL = enum.auto()
    MUTE = enum.auto()
    KICK = enum.auto()
    JOIN_REQUESTS = enum.auto()
    MEMBER_LIST = enum.auto()
    GROUP_INFO = enum.auto()


CAPABILITY_LABELS: dict[Capability, str] = {
    Capability.RECALL: "撤回消息",
    Capability.MUTE: "禁言",
    Capability.KICK: "移出群聊",
    Capability.JOIN_REQUESTS: "审核入群申请",
}


class GatewayError(Exception):
    """An action failed. `retryable` says whether trying again may help (timeouts, network)."""

    def __init__(self, action: str, message: str, *, retcode: int | None = None, retryable: bool = True):
        super().__init__(f"{action}: {message}" + (f" (retcode={retcode})" if retcode is not None else ""))
        self.action = action
        self.retcode = retcode
        self.retryable = retryable


class Unsupported(GatewayError):
    def __init__(self, action: str, platform: str):
        super().__init__(action, f"not supported on {platform}", retryable=False)


@dataclass(frozen=True, slots=True)
class Member:
    user_id: str
    nickname: str = ""
    card: str = ""
    role: str = "member"  # owner | admin | member
    join_time: datetime | None = None
    # Implementations fill this with 0 or "now" when unknown; the review must not trust it.
    last_sent_time: datetime | None = None
    title: str = ""


@dataclass(frozen=True, slots=True)
class GroupInfo:
    group_id: str
    name: str = ""
    member_count: int | None = None
    max_member_count: int | None = None


def ts_or_none(value: object) -> datetime | None:
    """OneBot timestamps: 0, "", None or junk → None."""
    try:
        t = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(t, UTC) if t > 0 else None


class Gateway(ABC):
    platform: str
    capabilities: Capability

    def __init__(self, self_id: str) -> None:
        self.self_id = self_id

    def can(self, cap: Capability) -> bool:
        return cap in self.capabilities

    @abstractmethod
    async def send_group(self, group_id: str, text: str, *, mention: tuple[str, ...] = ()) -> str | None: ...

    @abstractmethod
    async def send_private(self, user_id: str, text: str) -> str | None: ...

    @abstractmethod
    async def recall(self, message_id: str) -> None: ...

    @abstractmethod
    async def mute(self, group_id: str, user_id: str, seconds: int) -> None: ...

    @abstractmethod
    async def kick(self, group_id: str, user_id: str) -> None: ...

    @abstractmethod
    async def answer_join_request(
        self, flag: str, sub_type: str, approve: bool, reason: str = ""
    ) -> None: ...

    @abstractmethod
    async def group_info(self, group_id: str) -> GroupInfo: ...

    @abstractmethod
    async def member_list(self, group_id: str) -> list[Member]: ...

    @abstractmethod
    async def member_info(self, group_id: str, user_id: str) -> Member: ...

    async def forward_messages(self, forward_id: str) -> object:
        """The raw answer of the platform's "get forwarded record" action (合并转发), for
        ``bot.core.guard.carried.forwarded_messages`` to read; Unsupported where there is none."""
        raise Unsupported("get_forward_msg", self.platform)

    async def file_data(self, file_id: str) -> object:
        """The raw answer of the platform's "get file" action for a file id (OneBot v12 ``get_file``:
        ``url``, ``path`` or ``data``), for pictures that arrive as an id only."""
        raise Unsupported("get_file", self.platform)
