"""Recurring notices end to end: two real bot processes on one PostgreSQL database post each
occurrence exactly once between them, and a restart does not post it again."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.models.worktime import DeferredNotice, NoticeKind
from bot.sim.peer import OneBotV11Peer
from bot.sim.process import BotProcess
from bot.store.db import Database
from tests.utils import POSTGRES_ENV, postgres_url

pytestmark = pytest.mark.e2e

POLICY = Path(__file__).resolve().parents[1] / "plugins" / "worktime" / "policy.toml"
GROUP = 300  # yichun-2021
DEPUTY = 20003
# Urgent, so that the occurrence posts whatever the wall clock's hour in Shanghai (the test cannot
# choose when it runs); the exactly-once path is the same.
CONTENT = "【紧急】请各科室于每周一下班前报送上周工作小结。"
GROUP_SEND = ("send_group_msg", "send_msg")


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    base = postgres_url()
    if not base:
        pytest.skip(f"two bot processes share a database only on PostgreSQL: set {POSTGRES_ENV}")
    name = f"steward_e2e_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def _bring_forward(url: str, number: int) -> None:
    """Make the series' next occurrence a minute ago (as if its Monday 09:00 had just come)."""
    db = Database(url)
    try:
        async with db.session() as s:
            await s.execute(
                update(DeferredNotice)
                .where(DeferredNotice.id == number)  # type: ignore[arg-type]
                .values(due_at=datetime.now(UTC) - timedelta(minutes=1))
            )
    finally:
        await db.dispose()


async def _children(url: str, number: int) -> list[DeferredNotice]:
    db = Database(url)
    try:
        async with db.session() as s:
            q = select(DeferredNotice).where(DeferredNotice.parent_id == number)  # type: ignore[arg-type]
            return list((await s.execute(q)).scalars())
    finally:
        await db.dispose()


async def test_two_processes_post_each_occurrence_once(pg_url: str, tmp_path: Path) -> None:
    one = BotProcess(policy_file=POLICY, database_url=pg_url, data_dir=tmp_path / "one")
    two = BotProcess(policy_file=POLICY, database_url=pg_url, data_dir=tmp_path / "two")
    async with one, two:
        async with (
            OneBotV11Peer(one.ws_url_v11, access_token=one.access_token, self_id=900001) as peer_one,
            OneBotV11Peer(two.ws_url_v11, access_token=two.access_token, self_id=900002) as peer_two,
        ):
            await peer_one.send_group_message(GROUP, DEPUTY, f"/通知 每周一 9:00 {CONTENT}", role="member")
            reply = await peer_one.wait_call(GROUP_SEND, lambda c: "周期通知 #" in c.text, timeout=10)
            match = re.search(r"周期通知 #(\d+)", reply.text)
            assert match, reply.text
            number = int(match.group(1))

            def posted(c: object) -> bool:
                return str(getattr(c, "text", "")).startswith(CONTENT)

            await _bring_forward(pg_url, number)

            def count() -> int:
                return sum(
                    1 for p in (peer_one, peer_two) for c in p.calls if c.action in GROUP_SEND and posted(c)
                )

            # Both processes poll every few seconds; exactly one of them posts the occurrence.
            for _ in range(75):
                if count():
                    break
                await asyncio.sleep(0.2)
            assert count() == 1, "no process posted the occurrence"
            await asyncio.sleep(4.0)  # several more polls of both processes
            assert count() == 1

        # A restart of one process does not post the occurrence again.
        await one.restart()
        async with OneBotV11Peer(one.ws_url_v11, access_token=one.access_token, self_id=900001) as peer:
            await peer.wait_no_call(GROUP_SEND, lambda c: c.text.startswith(CONTENT), within=4.0)

    children = await _children(pg_url, number)
    assert len(children) == 1 and children[0].kind == NoticeKind.ONCE
    assert children[0].state == "posted" and children[0].attempts == 1
