"""Scene: real-name admission — the roster, three join requests, an invited newcomer who verifies."""

from __future__ import annotations

import re

from bot.sim import events as ev
from bot.sim.demo import OPERATOR, Stage, scene

GROUP = 1001  # the demo's huangshan-finance-2020 group, unit "demo": a roster match is approved at once
OWNER, ADMIN, MEMBER = 20001, 20002, 30001
PRIVATE = ("send_private_msg", "send_msg")
ANY_REPLY = ("send_group_msg", "send_msg")
ROSTER = """姓名,科室,职务,手机,状态
欧阳明月,办公室,科员,13900000001,在岗
王伟,办公室,科员,13900000002,在岗
王伟,办公室,副主任,13900000003,在岗
陈静,财务科,会计,13900000004,在岗
"""
NEWCOMERS = {50001: "申请人甲", 50002: "申请人乙", 50003: "申请人丙", 50004: "新成员丁"}


@scene("admission", "实名准入：花名册、入群申请与入群后实名认证", order=10)
async def play(stage: Stage) -> None:
    stage.people.update(NEWCOMERS)
    stage.peer.set_members(
        GROUP,
        [
            {"user_id": OWNER, "role": "owner"},
            {"user_id": ADMIN, "role": "admin"},
            {"user_id": MEMBER, "role": "member"},
        ],
    )

    stage.narrate("运维人员私聊机器人，粘贴本单位花名册（姓名、手机号加密保存，按手机号识别同一人）。")
    await stage.whisper(OPERATOR, f"/花名册 导入 单位=demo\n{ROSTER}")
    done = await stage.expect(PRIVATE, lambda c: "已导入" in c.text)
    assert "新增 4 人" in done.text, done.text

    stage.narrate("申请人甲的入群申请备注「您好，我是办公室的欧阳明月」：与花名册唯一匹配，机器人直接同意。")
    await stage.send(
        ev.group_request_add(GROUP, 50001, "您好，我是办公室的欧阳明月", self_id=stage.peer.self_id),
        "申请人甲申请入群，备注「您好，我是办公室的欧阳明月」",
    )
    call = await stage.expect("set_group_add_request")
    assert call.params["approve"] is True, "花名册唯一匹配应直接同意"

    stage.narrate("申请人乙写「办公室王伟」：办公室有两位王伟，机器人私聊管理员，列出候选，等待一条命令。")
    await stage.send(
        ev.group_request_add(GROUP, 50002, "办公室王伟", self_id=stage.peer.self_id),
        "申请人乙申请入群，备注「办公室王伟」",
    )
    note = await stage.expect(PRIVATE, lambda c: "入群待审批" in c.text and c.user_id == ADMIN)
    number = re.search(r"#(\d+)", note.text)
    deputy = re.search(r"#(\d+) 王伟 办公室 副主任", note.text)
    assert number and deputy, "通知中应有审批编号和候选人员"
    await stage.peer.wait_no_call("set_group_add_request", within=0.5)
    stage.narrate("管理员核实后私聊回复一条命令：同意，并绑定为花名册中的副主任王伟。")
    await stage.whisper(ADMIN, f"/审批 通过 {number.group(1)} {deputy.group(1)}")
    call = await stage.expect("set_group_add_request")
    assert call.params["approve"] is True
    await stage.expect(PRIVATE, lambda c: "已同意入群申请" in c.text)

    stage.narrate("申请人丙的备注是「加群加群！！」：无法识别，机器人拒绝，并在理由中告诉他应怎样填写。")
    await stage.send(
        ev.group_request_add(GROUP, 50003, "加群加群！！", self_id=stage.peer.self_id),
        "申请人丙申请入群，备注「加群加群！！」",
    )
    call = await stage.expect("set_group_add_request")
    assert call.params["approve"] is False and "姓名-科室" in call.params["reason"], "拒绝理由应给出填写格式"

    stage.narrate(
        "成员张三（不是管理员）直接把新成员丁拉进群：机器人在群里 @ 新成员并私聊他，"
        "请他私聊完成实名认证；同时提醒管理员。"
    )
    await stage.send(
        ev.group_increase(GROUP, 50004, sub_type="invite", operator_id=MEMBER, self_id=stage.peer.self_id),
        "成员张三邀请新成员丁入群",
    )
    await stage.expect(ANY_REPLY, lambda c: c.group_id == GROUP and "/实名" in c.text)
    await stage.expect(PRIVATE, lambda c: c.user_id == 50004 and "/实名" in c.text)
    await stage.expect(PRIVATE, lambda c: c.user_id == ADMIN and "邀请入群提醒" in c.text)

    stage.narrate("新成员丁私聊机器人完成实名认证（后台实名：只有机器人和管理员能看到）。")
    await stage.whisper(50004, "/实名 陈静 财务科 13900000004")
    await stage.expect(PRIVATE, lambda c: c.user_id == 50004 and "实名认证已完成" in c.text)

    stage.narrate("管理员在群里查看花名册：群内只显示脱敏姓名。")
    await stage.say(GROUP, ADMIN, "/花名册", role="admin")
    shown = await stage.expect(ANY_REPLY, lambda c: "花名册：共" in c.text)
    assert "欧**月" in shown.text and "欧阳明月" not in shown.text, "群内应脱敏"
