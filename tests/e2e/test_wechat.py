"""WeChat end to end over the OneBot v12 endpoint, with a ComWeChatBotClient-like peer that sends no
member notices: the periodic member-list diff finds an arrival, who is invited to /实名 and binds; a
departure; the bot removed from the group (gone from get_group_list) deregisters it. v12 member notices,
where an implementation sends them, take the same path."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.crypto import generate_key
from bot.sim.peer_v12 import (
    OneBotV12Peer,
    v12_group_file_notice,
    v12_group_member_decrease,
    v12_group_member_increase,
    v12_mention_seg,
    v12_text_seg,
)
from bot.sim.process import BotProcess
from tests.utils import POLICY_FILE

pytestmark = pytest.mark.e2e

GROUP = "100"  # unit finance (supervisor 20001)
OPERATOR, SUPERVISOR = "10001", "20001"
OLD, NEW, NOTICED = "wxid_old01", "wxid_new01", "wxid_new02"
ROSTER = """姓名,科室,职务,手机,状态
欧阳明月,办公室,科员,13912340001,在岗
司马青云,信息中心,工程师,13912340003,在岗
"""


def _private_to(user: str, needle: str):  # type: ignore[no-untyped-def]
    return lambda c: c.params.get("detail_type") == "private" and c.user_id == user and needle in c.text


async def test_member_list_diff_arrival_verification_and_removal() -> None:
    bot = BotProcess(
        superusers=[OPERATOR], policy_file=POLICY_FILE, secret_key=generate_key(),
        env={"STEWARD_WECHAT_MEMBER_POLL": "1"},
    )  # fmt: skip
    async with bot:
        members = {GROUP: [{"user_id": OLD, "user_name": "老成员", "user_displayname": ""}]}
        async with OneBotV12Peer(bot.ws_url_v12, access_token=bot.access_token, members=members) as peer:
            await peer.send_private_message(OPERATOR, f"/花名册 导入 单位=finance\n{ROSTER}")
            await peer.wait_call("send_message", lambda c: "已导入" in c.text, timeout=15)
            await peer.send_group_message(GROUP, OLD, "大家好")  # the group is on the register
            # The first list is the baseline: nobody already there is treated as an arrival.
            await peer.wait_call("get_group_member_list", timeout=15)
            await asyncio.sleep(1.5)
            assert not peer.calls_of("send_message", _private_to(OLD, "/实名"))

            # An arrival found by the diff: an @ in the group and a private invitation.
            peer.set_members(
                GROUP, [*members[GROUP], {"user_id": NEW, "user_name": "新人", "user_displayname": ""}]
            )
            await peer.wait_call("send_message", _private_to(NEW, "/实名"), timeout=15)
            ask = await peer.wait_call("send_message", lambda c: c.group_id == GROUP and "/实名" in c.text)
            assert NEW in str(ask.params.get("message"))
            await peer.send_private_message(NEW, "/实名 欧阳明月 办公室 13912340001")
            await peer.wait_call("send_message", _private_to(NEW, "实名认证已完成"), timeout=15)

            # A v12 member notice (an implementation that sends them) goes the same way, once.
            await peer.send_event(
                v12_group_member_increase(GROUP, NOTICED, sub_type="invite", operator_id=OLD)
            )
            await peer.wait_call("send_message", _private_to(NOTICED, "/实名"), timeout=15)
            # … and the list shows them at the next poll (after the notice, as on a real client)
            peer.set_members(
                GROUP,
                [*peer.members[GROUP], {"user_id": NOTICED, "user_name": "通知", "user_displayname": ""}],
            )
            await asyncio.sleep(2.5)  # two more polls: the diff does not invite them again
            assert len(peer.calls_of("send_message", _private_to(NOTICED, "/实名"))) == 1
            await peer.send_event(v12_group_member_decrease(GROUP, NOTICED, sub_type="leave"))

            # The bot removed: the group is gone from get_group_list twice in a row → deregistered.
            peer.members.pop(GROUP)
            peer.groups.pop(GROUP, None)
            await bot.wait_log(f"group {GROUP} deregistered (removed)", timeout=20)
    assert bot.stopped_cleanly, bot.log_tail()


async def test_owner_named_by_command_runs_admin_commands_and_is_never_proposed() -> None:
    owner, stranger = "wxid_owner1", "wxid_stranger"
    async with BotProcess(superusers=[OPERATOR], policy_file=POLICY_FILE, secret_key=generate_key()) as bot:
        members = {GROUP: [{"user_id": u, "user_name": u} for u in (OPERATOR, owner, stranger)]}
        async with OneBotV12Peer(bot.ws_url_v12, access_token=bot.access_token, members=members) as peer:
            # No owner known yet: /状态 says so (and where owner mail goes meanwhile).
            await peer.send_group_message(GROUP, OPERATOR, "/状态")
            status = await peer.wait_call("send_message", lambda c: "群主：尚未指定" in c.text, timeout=15)
            assert "监管人员" in status.text
            # … owner mail goes to the unit's supervisor privately, never into the group.
            await peer.send_event(v12_group_file_notice(GROUP, stranger, "（机密）干部考察材料.docx"))
            await peer.wait_call("send_message", _private_to(SUPERVISOR, "文件"), timeout=15)
            assert not peer.calls_of("send_message", lambda c: c.group_id == GROUP and "请群主" in c.text)
            # /帮助 says what works in a WeChat group and what cannot.
            await peer.send_group_message(GROUP, stranger, "/帮助")
            help_ = await peer.wait_call("send_message", lambda c: "微信群中不可用" in c.text, timeout=15)
            assert "审核入群申请" in help_.text and "禁言" in help_.text and "合并转发" in help_.text
            # Before being named, the owner is a plain member.
            await peer.send_group_message(GROUP, owner, "/巡查")
            await peer.wait_call(
                "send_message", lambda c: c.group_id == GROUP and "抱歉" in c.text, timeout=15
            )

            await peer.send_group_message(
                GROUP, OPERATOR, [v12_text_seg("/规则 群主 "), v12_mention_seg(owner)]
            )
            await peer.wait_call("send_message", lambda c: f"已指定 {owner} 为本群群主" in c.text, timeout=15)
            await peer.send_group_message(GROUP, owner, "/巡查")
            await peer.wait_call("send_message", lambda c: "正在检查本群成员" in c.text, timeout=15)
            report = await peer.wait_call("send_message", _private_to(owner, "每周成员巡查"), timeout=30)
            assert owner not in report.text.split("每周成员巡查", 1)[1]  # the owner is never listed
            assert OPERATOR not in report.text.split("每周成员巡查", 1)[1]
            await peer.send_group_message(GROUP, OPERATOR, "/状态")
            status = await peer.wait_call("send_message", lambda c: "新成员发现" in c.text, timeout=15)
            assert "群主：尚未指定" not in status.text
    assert bot.stopped_cleanly, bot.log_tail()
