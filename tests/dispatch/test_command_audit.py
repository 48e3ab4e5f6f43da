"""A command's audit row is committed before its reply goes out, and a refusal is audited as one."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.dispatch.router import handle_message
from bot.runtime import get_runtime
from bot.store import audit
from tests.dispatch.conftest import settle
from tests.utils import FakeGateway, group_record


class AuditingGateway(FakeGateway):
    """Looks at the audit log at the moment each reply is sent."""

    def __init__(self) -> None:
        super().__init__()
        self.seen_at_send: list[list[str]] = []

    async def send_group(self, group_id: str, text: str, *, mention: tuple[str, ...] = ()) -> str | None:
        rows = await audit.recent(3, group_id=group_id)
        self.seen_at_send.append([r.action for r in rows])
        return await super().send_group(group_id, text, mention=mention)


@pytest.fixture
async def gw() -> AsyncIterator[AuditingGateway]:
    rt = get_runtime()
    g = AuditingGateway()
    rt.registry.add(g)
    yield g
    rt.registry.remove(g.platform, g.self_id)


async def test_the_audit_row_is_there_when_the_reply_goes_out(gw: AuditingGateway) -> None:
    rt = get_runtime()
    await handle_message(group_record("/审计 1", user_id="39001", role="admin", group_id="777"), rt)
    await settle(rt)
    [seen] = gw.seen_at_send
    assert seen and seen[0] == "command.审计"


async def test_a_command_refused_for_the_role_is_audited_as_refused(gw: AuditingGateway) -> None:
    rt = get_runtime()
    await handle_message(group_record("/巡查", role="member", group_id="778"), rt)
    await settle(rt)
    [entry] = await audit.recent(1, group_id="778")
    assert entry.action == "command.巡查.refused"
    assert "被拒绝" in entry.reason and "群成员" in entry.reason
    assert gw.seen_at_send[0][0] == "command.巡查.refused"
    assert "本次未做任何操作" in gw.texts()[0]


async def test_a_refusal_by_the_handler_is_audited_as_refused(gw: AuditingGateway) -> None:
    rt = get_runtime()
    await handle_message(group_record("/建议 列表", user_id="39002", group_id="779"), rt)
    await settle(rt)
    [entry] = await audit.recent(1, group_id="779")
    assert entry.action == "command.建议.refused" and "管理员" in entry.reason
    assert "本次未做任何操作" in gw.texts()[0]
