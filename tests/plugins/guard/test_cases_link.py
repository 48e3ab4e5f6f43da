"""Serious guard findings open a rectification case (issue 7 × issue 3)."""

from __future__ import annotations

from datetime import timedelta

from bot.dispatch.router import handle_message
from bot.runtime import get_runtime
from bot.store import cases
from tests.dispatch.conftest import settle
from tests.plugins.guard.conftest import HUANGSHAN, T0, msg
from tests.utils import FakeGateway


async def _open_for(user_id: str) -> list:  # type: ignore[type-arg]
    rows = await cases.list_cases(platform="qq", group_ids=[HUANGSHAN], limit=1000)
    return [c for c in rows if c.user_id == user_id]


async def test_secret_marking_opens_a_serious_case_once(fake: FakeGateway) -> None:
    rt = get_runtime()
    rec = msg("机密★ 关于明年预算的内部意见，请勿外传", user_id="30009")
    await handle_message(rec, rt)
    await handle_message(rec, rt)  # the same event delivered twice
    await settle(rt)
    [case] = await _open_for("30009")
    assert case.severity == "serious" and case.source == "guard"
    assert "预算" not in case.summary  # never the message text
    assert case.due_at - T0 <= timedelta(minutes=30)  # kunming 第十五条: serious, received in working hours


async def test_ordinary_message_opens_no_case(fake: FakeGateway) -> None:
    rt = get_runtime()
    await handle_message(msg("收到，下午三点准时参会", user_id="30010"), rt)
    await settle(rt)
    assert await _open_for("30010") == []
