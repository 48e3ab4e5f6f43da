"""Register tests: their own policy, a personal-data key, an account that can list members and read
group info, the background loop stopped (tests drive the scheduler with explicit times), clean tables.

The plugin's modules are imported inside fixtures and tests, after NoneBot has loaded the plugin.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import delete

from bot.core.calendar import TZ
from bot.core.crypto import generate_key
from bot.dispatch.router import handle_message, role_book
from bot.gateway.base import Capability, GroupInfo, Member
from bot.intake.record import MessageRecord, NoticeRecord
from bot.models.group import ChatGroup
from bot.models.register import Case, Filing, FilingDuty, FilingHistory, GroupActivity, RegisterRun
from bot.policy import load_policy
from bot.runtime import Runtime, get_runtime
from bot.store import groups
from bot.store.db import get_db
from tests.dispatch.conftest import settle
from tests.utils import FakeGateway, group_record, private_record

POLICY = Path(__file__).parent / "policy.toml"
FROZEN = datetime(2000, 1, 3, 1, 0, tzinfo=UTC)

OFFICE = "700"  # finance (huangshan-finance-2020: 7 working days), supervisor 20001
BUDGET = "701"  # finance
NR = "710"  # nr (huangshi-nr-2021: 2 working days), supervisor 20011
LOOSE = "720"  # not in the policy: default preset, no unit (operators get escalations)
OWNER, ADMIN, MEMBER = "60001", "60002", "60003"
SUPERVISOR, NR_SUPERVISOR, OPERATOR = "20001", "20011", "10001"
GROUPS = (OFFICE, BUDGET, "702", NR, LOOSE)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


class Uploader:
    """Stands in for the NoneBot bot of a OneBot v11 gateway: records upload_*_file calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def call_api(self, api: str, **params: Any) -> Any:
        self.calls.append((api, params))
        return None


class RegisterGateway(FakeGateway):
    """A fake account that can list members (with the owner) and read group info."""

    def __init__(self) -> None:
        super().__init__()
        self.capabilities = self.capabilities | Capability.MEMBER_LIST | Capability.GROUP_INFO
        self.members = [
            Member(OWNER, card="李主任", role="owner"),
            Member(ADMIN, card="王科长", role="admin"),
            Member("999", card="工作群管家", role="admin"),
            Member(MEMBER, card="张三"),
        ]
        self.names: dict[str, str] = {}
        self.counts: dict[str, int] = {}

    async def group_info(self, group_id: str) -> GroupInfo:
        self._do("group_info", group_id=group_id)
        return GroupInfo(
            group_id,
            name=self.names.get(group_id, f"工作群{group_id}"),
            member_count=self.counts.get(group_id, 25),
        )


@pytest.fixture
def reg() -> ModuleType:
    """The plugin package (loaded by NoneBot at session start)."""
    import bot.plugins.register as plugin

    return plugin


async def _clean() -> None:
    async with get_db().session() as s:
        for table in (Filing, FilingDuty, FilingHistory, GroupActivity, RegisterRun, Case):
            await s.execute(delete(table))
        # Other tests' groups too: the daily sync registers every group the router has seen.
        await s.execute(delete(ChatGroup))
    groups.forget_cache()
    for groups_of_user in role_book._seen.values():
        for gid in GROUPS:
            groups_of_user.pop(gid, None)


@pytest.fixture(autouse=True)
async def register_env(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Runtime]:
    from bot.plugins.register import clock, command, lifecycle
    from bot.plugins.register.scheduler import register_loop

    rt = get_runtime()
    was_running = register_loop.running
    await register_loop.stop()
    monkeypatch.setattr(rt, "policy", load_policy(POLICY))
    monkeypatch.setattr(rt.settings, "steward_secret_key", SecretStr(generate_key()))
    monkeypatch.setattr(clock, "now", lambda: FROZEN)
    lifecycle.forget()
    command.forget_selections()
    await _clean()
    yield rt
    lifecycle.forget()
    command.forget_selections()
    await _clean()
    if was_running:
        register_loop.start()


@pytest.fixture
def fake() -> Iterator[RegisterGateway]:
    rt = get_runtime()
    gw = RegisterGateway()
    rt.registry.add(gw)
    yield gw
    rt.registry.remove(gw.platform, gw.self_id)


def msg(
    text: str, when: datetime, *, group_id: str = OFFICE, user_id: str = MEMBER, role: str = "member"
) -> MessageRecord:
    rec = group_record(text, user_id=user_id, group_id=group_id, role=role)
    return dataclasses.replace(rec, time=when.astimezone(UTC))


def pm(text: str, when: datetime, *, user_id: str = OWNER) -> MessageRecord:
    return dataclasses.replace(private_record(text, user_id=user_id), time=when.astimezone(UTC))


def notice(
    kind: str,
    when: datetime,
    *,
    group_id: str = OFFICE,
    user_id: str = "999",
    sub_type: str = "",
    **extra: Any,
) -> NoticeRecord:
    return NoticeRecord(
        platform="qq",
        self_id="999",
        kind=kind,
        sub_type=sub_type or kind,
        group_id=group_id,
        user_id=user_id,
        operator_id="",
        time=when.astimezone(UTC),
        extra=dict(extra),
    )


async def run(fake: FakeGateway, *records: MessageRecord) -> list[dict[str, Any]]:
    """Send the records through the router; return the messages the bot sent meanwhile."""
    rt = get_runtime()
    before = len(fake.calls)
    for rec in records:
        await handle_message(rec, rt)
    await settle(rt)
    return [dict(p, kind=k) for k, p in fake.calls[before:] if k in ("send_group", "send_private")]


def sent(fake: FakeGateway, kind: str | None = None, to: str | None = None) -> list[str]:
    """Texts sent (optionally only of one kind, or privately to one user)."""
    out = []
    for k, p in fake.calls:
        if k not in ("send_group", "send_private") or (kind and k != kind):
            continue
        if to is not None and p.get("user_id") != to:
            continue
        out.append(p["text"])
    return out
