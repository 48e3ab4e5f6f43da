"""Working-hours tests: their own policy, a frozen scheduler clock, and a clean notice table.

The plugin's modules are imported inside fixtures and tests, after NoneBot has loaded the plugin:
importing a plugin package before that would load it a second time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import delete

from bot.core.calendar import TZ
from bot.intake.record import MessageRecord
from bot.models.worktime import DeferredNotice, OffHoursFinding
from bot.policy import load_policy
from bot.runtime import Runtime, get_runtime
from bot.store.db import get_db
from tests.utils import FakeGateway, group_record, private_record

POLICY = Path(__file__).parent / "policy.toml"
# The background scheduler polls with the module clock; frozen long before any test's notices, it
# never posts on its own, and the tests drive scheduler.post_due with explicit times.
FROZEN = datetime(2000, 1, 3, 1, 0, tzinfo=UTC)

YICHUN = "300"  # yichun-2021, 08:30–17:30
RECALLING = "301"  # yichun-2021 with off_hours_recall and a 12:00–14:00 lunch break
REVIEWED = "400"  # huaibei-2021: notice_review
KUNMING = "500"  # kunming: no off-hours rule


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A Shanghai wall-clock time."""
    return datetime(year, month, day, hour, minute, second, tzinfo=TZ)


def msg(
    text: str,
    when: datetime,
    *,
    group_id: str = YICHUN,
    user_id: str = "30001",
    role: str = "member",
    card: str = "张三-办公室",
    at_all: bool = False,
    message_id: str = "501",
) -> MessageRecord:
    rec = group_record(text, user_id=user_id, group_id=group_id, role=role)
    return dataclasses.replace(
        rec, time=when.astimezone(UTC), card=card, at_all=at_all, message_id=message_id
    )


def pm(text: str, when: datetime, *, user_id: str = "30001") -> MessageRecord:
    return dataclasses.replace(private_record(text, user_id=user_id), time=when.astimezone(UTC))


@pytest.fixture
def wt() -> ModuleType:
    """The plugin package (loaded by NoneBot at session start)."""
    import bot.plugins.worktime as plugin

    return plugin


@pytest.fixture(autouse=True)
async def worktime_env(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Runtime]:
    from bot.plugins.worktime import clock, offhours

    rt = get_runtime()
    monkeypatch.setattr(rt, "policy", load_policy(POLICY))
    monkeypatch.setattr(clock, "now", lambda: FROZEN)
    offhours._last_reminder.clear()
    yield rt
    async with get_db().session() as s:
        await s.execute(delete(DeferredNotice))
        await s.execute(delete(OffHoursFinding))
    offhours._last_reminder.clear()


@pytest.fixture
def fake() -> Iterator[FakeGateway]:
    rt = get_runtime()
    gw = FakeGateway()
    rt.registry.add(gw)
    yield gw
    rt.registry.remove(gw.platform, gw.self_id)


def calls(gw: FakeGateway, kind: str) -> list[dict[str, Any]]:
    return [params for k, params in gw.calls if k == kind]
