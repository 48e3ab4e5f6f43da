"""Manual moderation: a deputy (分管, no QQ admin rights) mutes, unmutes, recalls and removes with a
reason and an audit row; wrong arguments get the usage; protected members are refused; a platform
without the action says so."""

from __future__ import annotations

import dataclasses

import pytest

from bot.dispatch.router import handle_message
from bot.intake.record import MessageRecord, Segment
from bot.runtime import get_runtime
from bot.store import audit
from tests.dispatch.conftest import settle
from tests.utils import FakeGateway, forget_groups, group_record

DEPUTY = "20003"  # deputy of group 100 in tests/data/policy.toml


def cmd(
    text: str,
    *,
    mentions: tuple[str, ...] = (),
    user: str = DEPUTY,
    role: str = "member",
    reply_to: str = "",
    platform: str = "qq",
    group_id: str = "100",
) -> MessageRecord:
    rec = group_record(text, user_id=user, role=role, platform=platform, group_id=group_id)
    segs = (Segment("reply", {"id": reply_to}),) if reply_to else ()
    return dataclasses.replace(rec, mentions=mentions, segments=segs)


async def run(fake: FakeGateway, *records: MessageRecord) -> list[str]:
    rt = get_runtime()
    before = len(fake.calls)
    for r in records:
        await handle_message(r, rt)
    await settle(rt)
    return [p["text"] for k, p in fake.calls[before:] if k == "send_group"]


def calls(fake: FakeGateway, kind: str) -> list[dict[str, object]]:
    return [p for k, p in fake.calls if k == kind]


async def test_deputy_mutes_and_unmutes_with_a_reason_and_an_audit_row(fake: FakeGateway) -> None:
    [reply] = await run(fake, cmd("/禁言 @30001 10分钟 刷屏", mentions=("30001",)))
    assert reply == "已禁言 30001 10 分钟，理由：刷屏。"
    assert calls(fake, "mute") == [{"group_id": "100", "user_id": "30001", "seconds": 600}]
    [row] = [r for r in await audit.recent(20) if r.action == "moderation.mute"]
    assert (
        row.actor == DEPUTY and row.target == "30001" and "刷屏" in row.reason and "分管管理员" in row.reason
    )
    [reply] = await run(fake, cmd("/解禁 @30001", mentions=("30001",)))
    assert reply == "已解除 30001 的禁言。" and calls(fake, "mute")[-1]["seconds"] == 0


@pytest.mark.parametrize(
    ("text", "mentions", "expected"),
    [
        ("/禁言", (), "请 @ 一位成员。"),
        ("/禁言 @30001", ("30001",), "缺少禁言时长。"),
        ("/禁言 @30001 很久", ("30001",), "「很久」不是时长。"),
        ("/禁言 @30001 31天", ("30001",), "禁言最长 30 天。"),
        ("/禁言 @30001 @30002 1h", ("30001", "30002"), "一次只能处置一位成员。"),
        ("/撤回", (), "请回复要撤回的那条消息再发送 /撤回。"),
        ("/移出", (), "请 @ 一位成员。"),
    ],
)
async def test_wrong_arguments_get_the_usage(
    fake: FakeGateway, text: str, mentions: tuple[str, ...], expected: str
) -> None:
    [reply] = await run(fake, cmd(text, mentions=mentions))
    assert reply.startswith(expected) and "用法：/" in reply
    assert not calls(fake, "mute") and not calls(fake, "kick") and not calls(fake, "recall")


async def test_recall_as_a_reply(fake: FakeGateway) -> None:
    [reply] = await run(fake, cmd("/撤回 与工作无关", reply_to="777"))
    assert reply == "已撤回该消息，理由：与工作无关。"
    assert calls(fake, "recall") == [{"message_id": "777"}]


async def test_removal_needs_a_confirmation(fake: FakeGateway) -> None:
    [ask] = await run(fake, cmd("/移出 @30001 已调离", mentions=("30001",)))
    assert "确认将 30001 移出本群吗？理由：已调离。" in ask and not calls(fake, "kick")
    [done] = await run(fake, cmd("/移出 确认"))
    assert done == "已将 30001 移出本群，理由：已调离。"
    assert calls(fake, "kick") == [{"group_id": "100", "user_id": "30001"}]
    [again] = await run(fake, cmd("/移出 确认"))
    assert again.startswith("没有待确认的移出操作") and len(calls(fake, "kick")) == 1
    [ask] = await run(fake, cmd("/移出 @30001", mentions=("30001",)))
    [cancelled] = await run(fake, cmd("/移出 取消"))
    assert cancelled == "已取消移出操作。" and len(calls(fake, "kick")) == 1


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("999", "不能对机器人自身执行此操作。"),
        ("10001", "10001 是运维人员，不能被处置。"),
        ("30003", "30003 是群主，不能被处置。"),
        ("20003", "不能对自己执行此操作。"),
    ],
)
async def test_protected_members_are_refused(fake: FakeGateway, target: str, expected: str) -> None:
    from bot.dispatch.rolestore import note_platform_role

    await note_platform_role("qq", "100", "30003", "owner", by="test", now=group_record("").received)
    [reply] = await run(fake, cmd(f"/移出 @{target}", mentions=(target,)))
    assert reply == expected and not calls(fake, "kick")


async def test_a_member_is_refused_and_nothing_happens(fake: FakeGateway) -> None:
    [reply] = await run(fake, cmd("/禁言 @30002 10分钟", mentions=("30002",), user="30001"))
    assert reply.startswith("抱歉，/禁言 需要「分管管理员」及以上权限") and not calls(fake, "mute")


async def test_a_platform_without_the_action_says_so() -> None:
    rt = get_runtime()
    wx = FakeGateway(self_id="wxid_bot", platform="wechat")
    wx.capabilities = wx.capabilities & ~(wx.capabilities.MUTE | wx.capabilities.RECALL)
    rt.registry.add(wx)
    try:
        rec = cmd(
            "/禁言 @wxid_a 10分钟",
            mentions=("wxid_a",),
            user="10001",
            platform="wechat",
            group_id="1@chatroom",
        )
        await handle_message(dataclasses.replace(rec, self_id="wxid_bot"), rt)
        await settle(rt)
        [reply] = [p["text"] for k, p in wx.calls if k == "send_group"]
        assert reply == "抱歉，微信平台不支持由机器人禁言，本次未做任何操作。"
        assert not [k for k, _ in wx.calls if k == "mute"]
    finally:
        rt.registry.remove("wechat", "wxid_bot")
        await forget_groups("1@chatroom")
