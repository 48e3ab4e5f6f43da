"""A command is no way around the content rules: the guard sees every group message first, and a
command whose arguments would be recalled as a plain message is refused and handled as that
violation (recalled, warned, struck); the command itself does not run."""

from __future__ import annotations

from sqlalchemy import select

from bot.dispatch.router import handle_message
from bot.models.guard import GuardFinding
from bot.models.review import Suggestion
from bot.runtime import get_runtime
from bot.store.db import get_db
from tests.dispatch.conftest import settle
from tests.plugins.guard.conftest import HUANGSHAN, calls, msg
from tests.utils import FakeGateway

ID_NUMBER = "11010519491231002X"


async def send(rec) -> None:  # type: ignore[no-untyped-def]
    rt = get_runtime()
    await handle_message(rec, rt)
    await settle(rt)


async def kinds() -> list[str]:
    async with get_db().session() as s:
        return [r.kind for r in (await s.execute(select(GuardFinding))).scalars()]


async def test_help_with_an_id_number_is_recalled_and_not_answered(fake: FakeGateway) -> None:
    rec = msg(f"/帮助 {ID_NUMBER}")
    await send(rec)
    assert fake.calls[0] == ("recall", {"message_id": rec.message_id})
    [warning] = calls(fake, "send_group")
    text = warning["text"]
    assert "身份证号码" in text and "已被撤回" in text and ID_NUMBER[:6] not in text
    sent = calls(fake, "send_group") + calls(fake, "send_private")
    assert "可用命令" not in "".join(c["text"] for c in sent)
    assert "id_number" in await kinds()


async def test_english_alias_with_a_secret_marking_is_recalled(fake: FakeGateway) -> None:
    rec = msg("/help 机密★ 关于机构改革的实施方案")
    await send(rec)
    assert ("recall", {"message_id": rec.message_id}) in fake.calls
    assert all("可用命令" not in c["text"] for c in calls(fake, "send_group"))


async def test_suggestion_with_a_secret_marking_is_not_stored(fake: FakeGateway) -> None:
    rec = msg("/建议 機密★10年 干部调整名单请大家看看")
    await send(rec)
    assert ("recall", {"message_id": rec.message_id}) in fake.calls
    async with get_db().session() as s:
        assert list((await s.execute(select(Suggestion))).scalars()) == []


async def test_a_clean_command_still_runs(fake: FakeGateway) -> None:
    await send(msg("/帮助"))
    assert not [c for c in fake.calls if c[0] == "recall"]
    assert any("可用命令" in c["text"] for c in calls(fake, "send_group"))


async def test_an_owner_may_add_a_banned_word(fake: FakeGateway) -> None:
    """/词库 quotes prohibited words on purpose: not screened for someone who may use it."""
    await send(msg("/词库 添加 赌博 澳门赌场", role="owner"))
    assert not [c for c in fake.calls if c[0] == "recall"]
    assert await kinds() == []


async def test_a_member_quoting_gambling_in_words_is_still_recalled(fake: FakeGateway) -> None:
    rec = msg("/词库 添加 赌博 澳门赌场上线了，首充送彩金")
    await send(rec)
    assert ("recall", {"message_id": rec.message_id}) in fake.calls
    assert all("权限" not in c["text"] for c in calls(fake, "send_group"))  # refused for content, not role


async def test_observe_only_lets_the_command_run(fake: FakeGateway) -> None:
    get_runtime().policy.set_group_overrides(HUANGSHAN, {"guard": {"observe_only": True}})
    await send(msg(f"/帮助 状态 {ID_NUMBER}"))
    assert not [c for c in fake.calls if c[0] == "recall"]
    [reply] = calls(fake, "send_group")
    assert "/状态" in reply["text"] and ID_NUMBER[:6] not in reply["text"]
