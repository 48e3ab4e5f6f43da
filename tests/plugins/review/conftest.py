"""Review tests: the session runtime with a fake gateway, the background loop stopped (tests drive
the scheduler and the cleanup with explicit times), clean tables after each test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete

from bot.gateway.base import Member
from bot.models.admission import Admission, MemberIdentity, RosterPerson
from bot.models.group import ChatGroup
from bot.models.review import GroupDayCount, MemberActivity, ReviewFinding, ReviewRun, Suggestion
from bot.runtime import Runtime, get_runtime
from bot.store import activity, groups
from bot.store.db import get_db
from tests.utils import FakeGateway

GROUP = "100"  # tests/data/policy.toml: huangshan-finance-2020, unit finance (supervisor 20001, leader 20002)
OWNER, ADMIN = "40001", "40002"
UNVERIFIED, TRANSFERRED, SILENT, FINE = "50001", "50002", "50003", "50004"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 Shanghai, after the 09:00 review time


@pytest.fixture(autouse=True)
async def review_env(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Runtime]:
    from bot.plugins.review import clock
    from bot.plugins.review.scheduler import review_loop

    rt = get_runtime()
    was_running = review_loop.running
    await review_loop.stop()
    monkeypatch.setattr(clock, "now", lambda: NOW)
    await _clean()
    yield rt
    await _clean()
    if was_running:
        review_loop.start()


async def _clean() -> None:
    async with get_db().session() as s:
        for table in (
            ReviewFinding,
            ReviewRun,
            Suggestion,
            MemberActivity,
            GroupDayCount,
            Admission,
            MemberIdentity,
            RosterPerson,
            ChatGroup,
        ):
            await s.execute(delete(table))
    activity.buffer.clear()
    groups.forget_cache()


@pytest.fixture
def fake() -> Iterator[FakeGateway]:
    rt = get_runtime()
    gw = FakeGateway()
    gw.members = [
        Member(OWNER, card="李主任", role="owner"),
        Member(ADMIN, card="王科长", role="admin"),
        Member("999", card="工作群管家", role="admin"),
        Member(UNVERIFIED, card="新成员"),
        Member(TRANSFERRED, card="调走的人"),
        Member(SILENT, card="沉默的人"),
        Member(FINE, card="正常成员"),
    ]
    rt.registry.add(gw)
    rt.registry.note_group("qq", GROUP, gw.self_id)
    yield gw
    rt.registry.remove(gw.platform, gw.self_id)


async def seed(now: datetime = NOW) -> None:
    """Group known for 60 days; one unverified arrival (2 days), one bound person now 调离, one
    bound person silent for 60 days, one bound person who wrote yesterday."""
    old = now - timedelta(days=60)
    async with get_db().session() as s:
        s.add(ChatGroup(platform="qq", group_id=GROUP, self_id="999", first_seen=old, last_seen=now))
        people = []
        for n, status in enumerate(("调离", "在岗", "在岗"), 1):
            p = RosterPerson(
                unit="finance",
                name_enc=f"enc{n}",
                name_index=f"n{n}",
                dept="办公室",
                phone_enc=f"p{n}",
                phone_index=f"pi{n}",
                status=status,
                status_changed_at=old,
                created_at=old,
                updated_at=old,
            )
            s.add(p)
            people.append(p)
        await s.flush()
        for uid, p in zip((TRANSFERRED, SILENT, FINE), people, strict=True):
            s.add(
                MemberIdentity(
                    platform="qq",
                    group_id=GROUP,
                    user_id=uid,
                    person_id=p.id,
                    method="verify",
                    verified_by="bot",
                    verified_at=old,
                )
            )
        s.add(
            Admission(
                dedup_key=f"arrival:{UNVERIFIED}",
                kind="arrival",
                platform="qq",
                group_id=GROUP,
                user_id=UNVERIFIED,
                state="reminded",
                created_at=now - timedelta(days=2),
                updated_at=now - timedelta(days=2),
            )
        )
    for uid in (TRANSFERRED, UNVERIFIED, FINE):
        activity.note("qq", GROUP, uid, now - timedelta(days=1))
    await activity.flush()


def calls(gw: FakeGateway, kind: str) -> list[dict[str, Any]]:
    return [p for k, p in gw.calls if k == kind]
