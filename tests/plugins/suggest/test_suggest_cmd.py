"""Suggestions through the router: captured from chat, /建议 内容, list, reported, reply, export, digest."""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete

from bot.dispatch.router import handle_message
from bot.models.review import Suggestion
from bot.models.web import WebUser
from bot.runtime import get_runtime
from bot.store import suggest as store
from bot.store import web as web_store
from bot.store.db import get_db
from tests.dispatch.conftest import settle
from tests.utils import FakeGateway, group_record

GROUP = "100"  # leader 20002
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
async def clean() -> AsyncIterator[None]:
    yield
    async with get_db().session() as s:
        await s.execute(delete(Suggestion))


@pytest.fixture
def fake() -> AsyncIterator[FakeGateway]:  # type: ignore[misc]
    rt = get_runtime()
    gw = FakeGateway()
    rt.registry.add(gw)
    yield gw  # type: ignore[misc]
    rt.registry.remove(gw.platform, gw.self_id)


_n = 0


def msg(text: str, user: str = "30001", role: str = "member"):  # type: ignore[no-untyped-def]
    global _n
    _n += 1
    rec = group_record(text, user_id=user, group_id=GROUP, role=role)
    return dataclasses.replace(rec, time=NOW, message_id=str(1000 + _n), card="张三-办公室")


async def say(fake: FakeGateway, *records) -> list[str]:  # type: ignore[no-untyped-def]
    before = len(fake.calls)
    for r in records:
        await handle_message(r, get_runtime())
    await settle(get_runtime())
    return [p["text"] for k, p in fake.calls[before:] if k in ("send_group", "send_private")]


async def test_capture_command_list_report_reply_export_digest(fake: FakeGateway) -> None:
    assert await say(fake, msg("建议以后周例会提前一天把材料发到群里，大家可以先看。")) == []
    assert await say(fake, msg("建议你先吃饭")) == []
    [thanks] = await say(fake, msg("/建议 希望统一报送模板", user="30002"))
    assert "已记录为 #" in thanks
    rows = await store.list_for([GROUP])
    assert [r.source for r in rows] == ["command", "auto"]
    auto, cmd = rows[1], rows[0]

    [refused] = await say(fake, msg("/建议 列表"))
    assert "需要「分管管理员」" in refused
    [listing] = await say(fake, msg("/建议 列表", user="40002", role="admin"))
    assert f"#{auto.id} [待报送]" in listing and "周例会" in listing

    [marked] = await say(fake, msg(f"/建议 已报送 {auto.id}", user="40002", role="admin"))
    assert "已标记为已报送" in marked
    [again] = await say(fake, msg(f"/建议 已报送 {auto.id}", user="40002", role="admin"))
    assert "此前已报送" in again

    texts = await say(fake, msg(f"/建议 回复 {cmd.id} 已采纳，下月起执行", user="40002", role="admin"))
    private = [p for k, p in fake.calls if k == "send_private" and p["user_id"] == "30002"]
    assert private and "已采纳，下月起执行" in private[0]["text"] and f"#{cmd.id}" in private[0]["text"]
    assert any("私聊转达" in t for t in texts)

    [bad] = await say(fake, msg("/建议 已报送 abc", user="40002", role="admin"))
    assert "用法：" in bad

    [exported] = await say(fake, msg("/建议 导出", user="40002", role="admin"))
    assert "已导出 2 条" in exported
    exports = Path(get_runtime().settings.steward_data_dir) / "exports"
    csv_file = sorted(exports.glob("suggestions-100-*.csv"))[-1]
    with csv_file.open(encoding="utf-8-sig") as fh:
        table = list(csv.reader(fh))
    assert table[0][0] == "编号" and len(table) == 3
    ws = load_workbook(csv_file.with_suffix(".xlsx")).active
    assert ws is not None and ws.max_row == 3
    # Once the dashboard has an account, the export answers with its downloads page instead.
    await web_store.create_user("op", "operator", "x", NOW)
    try:
        [linked] = await say(fake, msg("/建议 导出", user="40002", role="admin"))
    finally:
        async with get_db().session() as s:
            await s.execute(delete(WebUser))
    assert "共有 2 条意见建议可导出" in linked and "/steward/downloads" in linked and "exports/" not in linked

    texts = await say(fake, msg("/建议 周报", user="40002", role="admin"))
    assert any("已把 2 条" in t for t in texts)
    to_leader = [p["text"] for k, p in fake.calls if k == "send_private" and p["user_id"] == "20002"]
    assert to_leader and "【意见建议周报】" in to_leader[0] and "周例会" in to_leader[0]
    [none] = await say(fake, msg("/建议 周报", user="40002", role="admin"))
    assert "没有尚未报送" in none


async def test_usage(fake: FakeGateway) -> None:
    [usage] = await say(fake, msg("/建议"))
    assert "用法：/建议 内容" in usage
