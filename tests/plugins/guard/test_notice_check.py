"""/通知 must not let the bot post what the guard would recall from a member (issue 3 × issue 5)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, func, select

from bot.dispatch.router import handle_message
from bot.models.worktime import DeferredNotice
from bot.runtime import get_runtime
from bot.store.db import get_db
from tests.dispatch.conftest import settle
from tests.plugins.guard.conftest import msg
from tests.utils import FakeGateway


@pytest.fixture(autouse=True)
async def _no_notices_left() -> AsyncIterator[None]:
    """Other capabilities' tests expect an empty notice table."""
    yield
    async with get_db().session() as s:
        await s.execute(delete(DeferredNotice))


async def _notices() -> int:
    async with get_db().session() as s:
        return int((await s.execute(select(func.count()).select_from(DeferredNotice))).scalar() or 0)


async def test_prohibited_notice_is_refused_and_not_posted(fake: FakeGateway) -> None:
    rt = get_runtime()
    before = await _notices()
    await handle_message(msg("/通知 澳门赌场线上开户，日结返利", role="admin"), rt)
    await settle(rt)
    replies = fake.texts("send_group")
    assert any(t.startswith("通知未发布") and "赌博" in t and "第十二条" in t for t in replies), replies
    assert not any("澳门" in t for t in replies)  # neither posted nor echoed
    assert await _notices() == before


async def test_secret_marked_notice_is_refused_without_echo(fake: FakeGateway) -> None:
    rt = get_runtime()
    await handle_message(msg("/通知 机密★ 明年人事调整方案，请各科室传阅", role="admin"), rt)
    await settle(rt)
    [reply] = [t for t in fake.texts("send_group") if t.startswith("通知未发布")]
    assert "人事调整" not in reply


async def test_ordinary_notice_still_goes_out(fake: FakeGateway) -> None:
    rt = get_runtime()
    await handle_message(msg("/通知 请各科室于本周五前报送上半年工作总结", role="admin"), rt)
    await settle(rt)
    assert not any(t.startswith("通知未发布") for t in fake.texts("send_group"))
    assert any("工作总结" in t for t in fake.texts("send_group"))
