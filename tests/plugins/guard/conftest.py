"""Guard plugin tests: a fresh policy and guard state per test, clean guard tables, a fake QQ account
whose member list names the owner, and messages stamped inside working hours (so the working-hours
rule never speaks up).

The plugin's modules are imported inside fixtures and tests, after NoneBot has loaded the plugin.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import delete

from bot.gateway.base import Member
from bot.intake.record import MessageRecord, NoticeRecord, Segment
from bot.models.guard import GuardFinding, GuardSetting, GuardStrike, GuardWord
from bot.policy import load_policy
from bot.runtime import Runtime, get_runtime
from bot.store.db import get_db
from tests.utils import POLICY_FILE, FakeGateway, group_record

HUANGSHAN = "100"  # unit finance, huangshan-finance-2020 (第十二条); deputy 20003, supervisor 20001
YICHUN = "200"  # yichun-2021 (第九条, 第十一条, 第十二条)
OWNER = "40001"
T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Friday 10:00 in Shanghai
_ids = iter(range(1000, 10**9))


def msg(
    text: str,
    *,
    user_id: str = "30001",
    group_id: str = HUANGSHAN,
    role: str = "member",
    at: datetime = T0,
    segments: tuple[Segment, ...] = (),
    platform: str = "qq",
    mentions: tuple[str, ...] = (),
    card: str = "张三-办公室",
) -> MessageRecord:
    rec = group_record(text, user_id=user_id, group_id=group_id, role=role, platform=platform)
    return dataclasses.replace(
        rec,
        time=at,
        message_id=str(next(_ids)),
        segments=segments or (Segment("text", {"text": text}),),
        mentions=mentions,
        card=card,
    )


def upload(
    name: str, *, user_id: str = "30001", group_id: str = HUANGSHAN, at: datetime = T0
) -> NoticeRecord:
    return NoticeRecord(
        platform="qq",
        self_id="999",
        kind="file_upload",
        sub_type="group_upload",
        group_id=group_id,
        user_id=user_id,
        operator_id="",
        time=at,
        extra={"file": {"id": "/abc", "name": name, "size": 1024, "busid": 102}},
    )


def calls(gw: FakeGateway, kind: str) -> list[dict[str, Any]]:
    return [params for k, params in gw.calls if k == kind]


async def clean_tables() -> None:
    async with get_db().session() as s:
        for table in (GuardFinding, GuardStrike, GuardWord, GuardSetting):
            await s.execute(delete(table))


@pytest.fixture(autouse=True)
async def guard_env(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Runtime]:
    from bot.plugins.guard.deep import recent_files
    from bot.plugins.guard.state import state

    rt = get_runtime()
    monkeypatch.setattr(rt, "policy", load_policy(POLICY_FILE))
    await clean_tables()
    state.reset()
    recent_files.clear()
    yield rt
    state.reset()
    await clean_tables()


@pytest.fixture
def fake() -> Iterator[FakeGateway]:
    rt = get_runtime()
    gw = FakeGateway()
    gw.members = [Member(OWNER, role="owner"), Member("30001"), Member("30002", role="admin")]
    rt.registry.add(gw)
    yield gw
    rt.registry.remove(gw.platform, gw.self_id)
