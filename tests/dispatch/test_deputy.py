"""A deputy (分管, config/bot.toml groups.X.deputies) has every admin-level bot command that needs no
platform right (SPEC §8), in the group and in private chat — and not the owner's or the platform
admin's own commands."""

from __future__ import annotations

import pytest

from bot.dispatch.commands import registry
from bot.dispatch.roles import Role
from bot.dispatch.router import handle_message
from bot.runtime import get_runtime
from tests.dispatch.conftest import settle
from tests.utils import FakeGateway, group_record, private_record

DEPUTY = "20003"
DEPUTY_COMMANDS = ["巡查", "审批", "花名册", "词库", "处理", "禁言", "解禁", "撤回", "移出"]
NOT_DEPUTY = ["清理", "规则", "审计", "状态", "警告"]


def test_the_commands_a_deputy_may_use() -> None:
    for name in DEPUTY_COMMANDS:
        assert registry.get(name) is not None and registry.get(name).min_role <= Role.DEPUTY, name  # type: ignore[union-attr]
    for name in NOT_DEPUTY:
        assert registry.get(name).min_role > Role.DEPUTY, name  # type: ignore[union-attr]


@pytest.mark.parametrize("name", [*DEPUTY_COMMANDS, "建议 列表"])
async def test_deputy_is_not_refused_in_the_group(fake: FakeGateway, name: str) -> None:
    rt = get_runtime()
    await handle_message(group_record(f"/{name}", user_id=DEPUTY), rt)
    await settle(rt)
    texts = fake.texts()
    assert texts and not any(t.startswith("抱歉，/") and "权限" in t for t in texts), texts


@pytest.mark.parametrize("name", ["审批", "花名册 查看", "处理", "建议 列表"])
async def test_deputy_is_not_refused_in_private_chat(fake: FakeGateway, name: str) -> None:
    rt = get_runtime()
    await handle_message(private_record(f"/{name}", user_id=DEPUTY), rt)
    await settle(rt)
    texts = fake.texts()
    assert texts and not any(t.startswith("抱歉，/") and "权限" in t for t in texts), texts


@pytest.mark.parametrize("name", NOT_DEPUTY)
async def test_deputy_is_refused_the_owners_and_admins_commands(fake: FakeGateway, name: str) -> None:
    rt = get_runtime()
    await handle_message(group_record(f"/{name}", user_id=DEPUTY), rt)
    await settle(rt)
    [text] = fake.texts()
    assert text.startswith(f"抱歉，/{name} 需要") and "分管管理员" in text
