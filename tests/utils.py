"""Helpers shared by the tests."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.gateway.base import Capability, Gateway, GatewayError, GroupInfo, Member
from bot.intake.record import MessageRecord

TESTS = Path(__file__).parent
POLICY_FILE = TESTS / "data" / "policy.toml"
POSTGRES_ENV = "STEWARD_TEST_POSTGRES_URL"


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


class FakeGateway(Gateway):
    """Records what the bot asked; `fail[kind] = n` makes the next n calls of that kind fail."""

    def __init__(self, self_id: str = "999", platform: str = "qq") -> None:
        super().__init__(self_id)
        self.platform = platform
        self.capabilities = Capability.SEND | Capability.RECALL | Capability.MUTE | Capability.KICK
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail: dict[str, int] = {}
        self.members: list[Member] = []
        self.forwards: dict[str, Any] = {}  # forward id → the get_forward_msg answer

    def _do(self, kind: str, **params: Any) -> None:
        self.calls.append((kind, params))
        if self.fail.get(kind, 0) > 0:
            self.fail[kind] -= 1
            raise GatewayError(kind, "injected failure", retcode=100)

    def texts(self, kind: str | None = None) -> list[str]:
        """Texts the bot sent (all, or only `send_group` / `send_private`)."""
        kinds = (kind,) if kind else ("send_group", "send_private")
        return [p["text"] for k, p in self.calls if k in kinds]

    async def send_group(self, group_id: str, text: str, *, mention: tuple[str, ...] = ()) -> str | None:
        self._do("send_group", group_id=group_id, text=text, mention=mention)
        return str(len(self.calls))

    async def send_private(self, user_id: str, text: str) -> str | None:
        self._do("send_private", user_id=user_id, text=text)
        return str(len(self.calls))

    async def recall(self, message_id: str) -> None:
        self._do("recall", message_id=message_id)

    async def mute(self, group_id: str, user_id: str, seconds: int) -> None:
        self._do("mute", group_id=group_id, user_id=user_id, seconds=seconds)

    async def kick(self, group_id: str, user_id: str) -> None:
        self._do("kick", group_id=group_id, user_id=user_id)

    async def answer_join_request(self, flag: str, sub_type: str, approve: bool, reason: str = "") -> None:
        self._do("join_request", flag=flag, approve=approve, reason=reason)

    async def group_info(self, group_id: str) -> GroupInfo:
        self._do("group_info", group_id=group_id)
        return GroupInfo(group_id=group_id, name="测试群")

    async def member_list(self, group_id: str) -> list[Member]:
        self._do("member_list", group_id=group_id)
        return list(self.members)

    async def member_info(self, group_id: str, user_id: str) -> Member:
        self._do("member_info", group_id=group_id, user_id=user_id)
        return Member(user_id=user_id)

    async def forward_messages(self, forward_id: str) -> object:
        self._do("forward_messages", forward_id=forward_id)
        if forward_id not in self.forwards:
            raise GatewayError("get_forward_msg", "消息不存在", retcode=100, retryable=False)
        return self.forwards[forward_id]


def group_record(
    text: str,
    *,
    user_id: str = "30001",
    group_id: str = "100",
    role: str = "member",
    platform: str = "qq",
    self_id: str = "999",
) -> MessageRecord:
    return MessageRecord(
        platform=platform,  # type: ignore[arg-type]
        self_id=self_id,
        chat="group",
        group_id=group_id,
        user_id=user_id,
        message_id="1",
        time=datetime.now(UTC),
        text=text,
        segments=(),
        sender_role=role,
    )


def private_record(
    text: str, *, user_id: str = "30001", platform: str = "qq", self_id: str = "999"
) -> MessageRecord:
    return MessageRecord(
        platform=platform,  # type: ignore[arg-type]
        self_id=self_id,
        chat="private",
        group_id="",
        user_id=user_id,
        message_id="1",
        time=datetime.now(UTC),
        text=text,
        segments=(),
    )


async def forget_groups(*group_ids: str) -> None:
    """Drop what the bot recorded about groups a test invented (other tests count the known groups)."""
    from sqlalchemy import delete

    from bot.models.group import ChatGroup
    from bot.models.register import Filing, FilingDuty
    from bot.store import groups
    from bot.store.db import get_db

    async with get_db().session() as s:
        for table in (FilingDuty, Filing, ChatGroup):
            await s.execute(delete(table).where(table.group_id.in_(group_ids)))  # type: ignore[attr-defined]
    groups.forget_cache()
