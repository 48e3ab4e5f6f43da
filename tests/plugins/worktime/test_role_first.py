"""Role before state: a caller who may do nothing with a notice learns nothing about it — not its
state, not even (outside its group) that it exists."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.dispatch.router import handle_message
from bot.models.worktime import DeferredNotice
from bot.runtime import get_runtime
from bot.store.db import get_db
from tests.dispatch.conftest import settle
from tests.plugins.worktime.conftest import REVIEWED, at, msg, pm
from tests.utils import FakeGateway

WORKDAY_MORNING = at(2026, 11, 20, 10, 0)


async def run(fake: FakeGateway, *records: Any) -> list[str]:
    before = len(fake.calls)
    for rec in records:
        await handle_message(rec, get_runtime())
    await settle(get_runtime())
    return [p["text"] for k, p in fake.calls[before:] if k in ("send_group", "send_private")]


async def test_a_member_learns_nothing_about_another_groups_notice(fake: FakeGateway) -> None:
    await run(fake, msg("/通知 请各科室于11月25日前报送年度工作总结。", WORKDAY_MORNING, group_id=REVIEWED))
    async with get_db().session() as s:
        [row] = (await s.execute(select(DeferredNotice))).scalars().all()
    missing = await run(fake, pm("/通知 批准 99999", WORKDAY_MORNING, user_id="30009"))
    for verb in ("批准", "驳回", "取消"):
        [reply] = await run(fake, pm(f"/通知 {verb} {row.id}", WORKDAY_MORNING, user_id="30009"))
        assert "待审核" not in reply and "审核" not in reply.split("。")[0]
        assert reply == missing[0].replace("99999", str(row.id))
    # The reviewer, of course, is told.
    texts = await run(fake, pm(f"/通知 批准 {row.id}", WORKDAY_MORNING, user_id="20002"))
    assert any("已批准" in t for t in texts)
