"""Scene: the weekly review — an unverified member, a member now 调离, a silent one; the owner confirms
/清理 1 2; a suggestion is captured and reaches the leader's digest.

Plays after the admission scene (it uses the demo unit's roster and 新成员丁, who verified there).
Event timestamps make the history: 新成员戊 joined three days ago, 新成员丁 last wrote 40 days ago.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.calendar import TZ
from bot.sim import events as ev
from bot.sim.demo import OPERATOR, Stage, scene

GROUP = 1001  # huangshan-finance-2020, unit "demo", leader 20003, cleanup pace 1 s
OWNER, ADMIN, MEMBER, LEADER = 20001, 20002, 30001, 20003
DING, WU, SUN = 50004, 50005, 50006  # verified in the admission scene; unverified; will be 调离
PRIVATE = ("send_private_msg", "send_msg")
ANY_REPLY = ("send_group_msg", "send_msg")
ROW = "姓名,科室,职务,手机,状态\n孙七,办公室,科员,13900000009,{status}"
SUGGESTION = "建议以后周例会提前一天把会议材料发到群里，大家可以先看。"


@scene("review", "每周巡查：成员检查、确认后清理、意见建议报送领导", order=40)
async def play(stage: Stage) -> None:
    stage.people.update({DING: "新成员丁", WU: "新成员戊", SUN: "孙七", LEADER: "分管领导周局长"})
    stage.peer.set_members(
        GROUP,
        [
            {"user_id": OWNER, "role": "owner"},
            {"user_id": ADMIN, "role": "admin"},
            {"user_id": DING, "role": "member", "card": "陈静-财务科"},
            {"user_id": WU, "role": "member", "card": "新成员戊"},
            {"user_id": SUN, "role": "member", "card": "孙七-办公室"},
        ],
    )
    now = datetime.now(TZ)

    stage.narrate(
        "准备：孙七入群并完成实名认证；新成员戊三天前入群，至今未实名；新成员丁上次发言是 40 天前。"
    )
    await stage.whisper(OPERATOR, f"/花名册 导入 单位=demo\n{ROW.format(status='在岗')}")
    await stage.expect(PRIVATE, lambda c: "已导入" in c.text)
    await stage.send(
        ev.group_increase(GROUP, SUN, sub_type="invite", operator_id=ADMIN, self_id=stage.peer.self_id),
        "管理员邀请孙七入群",
    )
    await stage.expect(PRIVATE, lambda c: c.user_id == SUN and "/实名" in c.text)
    await stage.whisper(SUN, "/实名 孙七 办公室 13900000009")
    await stage.expect(PRIVATE, lambda c: c.user_id == SUN and "实名认证已完成" in c.text)
    await stage.send(
        ev.group_increase(
            GROUP,
            WU,
            sub_type="invite",
            operator_id=ADMIN,
            time=now - timedelta(days=3),
            self_id=stage.peer.self_id,
        ),
        "三天前：管理员邀请新成员戊入群",
    )
    await stage.say(GROUP, DING, "收到", time=now - timedelta(days=40))
    await stage.settle(0.8)

    stage.narrate("孙七调往其他单位：运维人员重新导入花名册，孙七的状态改为「调离」。")
    await stage.whisper(OPERATOR, f"/花名册 导入 单位=demo\n{ROW.format(status='调离')}")
    await stage.expect(PRIVATE, lambda c: "已导入" in c.text)

    stage.narrate("成员张三在群里提出一条建议：机器人自动识别并记录（「建议你先吃饭」这类闲聊不会记录）。")
    await stage.say(GROUP, MEMBER, SUGGESTION)
    await stage.say(GROUP, MEMBER, "建议你先吃饭，别饿着")

    stage.narrate("管理员发起 /巡查（平时每周第一个工作日 09:00 自动进行）：报告私聊发给群主，群内只说结果。")
    await stage.say(GROUP, ADMIN, "/巡查", role="admin")
    report = await stage.expect(
        PRIVATE, lambda c: c.user_id == OWNER and "【每周成员巡查】" in c.text, timeout=20
    )
    assert f"1. {SUN}" in report.text and "调离" in report.text, "应列出花名册状态为调离的成员"
    assert f"2. {WU}" in report.text and "未完成实名认证" in report.text, "应列出逾期未实名的成员"
    assert f"3. {DING}" in report.text and "40 天未发言" in report.text, "应列出长期未发言的成员"
    assert f"{OWNER}（" not in report.text and f"{ADMIN}（" not in report.text, "群主和管理员不应被列入"
    await stage.expect(ANY_REPLY, lambda c: c.group_id == GROUP and "巡查完成" in c.text)

    stage.narrate("群主在群内发送 /清理 1 2：机器人先列出将移出的人员，请群主确认。")
    await stage.say(GROUP, OWNER, "/清理 1 2", role="owner")
    listing = await stage.expect(ANY_REPLY, lambda c: "/清理 确认" in c.text)
    assert str(SUN) in listing.text and str(WU) in listing.text and str(DING) not in listing.text
    await stage.peer.wait_no_call("set_group_kick", within=0.5)

    stage.narrate("群主确认：机器人逐一移出（每人之间留出间隔，以免触发平台风控），并报告每个结果。")
    await stage.say(GROUP, OWNER, "/清理 确认", role="owner")
    kicked = {int((await stage.expect("set_group_kick", timeout=15)).params["user_id"]) for _ in range(2)}
    assert kicked == {SUN, WU}, kicked
    result = await stage.expect(ANY_REPLY, lambda c: c.text.startswith("清理结果"), timeout=15)
    assert "已移出" in result.text

    stage.narrate("管理员把本周的意见建议报送分管领导（平时随每周巡查自动报送）。")
    await stage.say(GROUP, ADMIN, "/建议 周报", role="admin")
    digest = await stage.expect(PRIVATE, lambda c: c.user_id == LEADER and "【意见建议周报】" in c.text)
    assert SUGGESTION in digest.text and "先吃饭" not in digest.text
