"""Scene: the bot is connected; members and admins ask it what it does and how it is."""

from __future__ import annotations

from bot.sim import events as ev
from bot.sim.demo import Stage, scene

GROUP = 1001


@scene("foundation", "连接与基础命令", order=0)
async def play(stage: Stage) -> None:
    stage.narrate("成员发送 /帮助：机器人说明本群依据的规定和成员可用的命令。")
    await stage.say(GROUP, 30001, "/帮助")
    call = await stage.expect(("send_group_msg", "send_msg"), lambda c: "可用命令" in c.text)
    assert "/状态" not in call.text, "成员不应看到管理命令"

    stage.narrate("成员尝试 /状态：权限不足，机器人礼貌拒绝，不做任何操作。")
    await stage.say(GROUP, 30001, "/状态")
    await stage.expect(("send_group_msg", "send_msg"), lambda c: "权限" in c.text)

    stage.narrate("管理员发送 /状态（NapCat 的原样报文：sender.level 是数字、id 是字符串）。")
    print(f"  [群{GROUP}] {stage.who(20002)}：/状态", file=stage.out)
    await stage.peer.send_event(
        ev.group_message(
            GROUP,
            20002,
            "/状态",
            role="admin",
            level=5,
            string_ids=True,
            card=stage.who(20002),
            self_id=stage.peer.self_id,
        )
    )
    await stage.expect(("send_group_msg", "send_msg"), lambda c: "已处理消息" in c.text)

    stage.narrate("群主查看审计日志：每条命令都有记录，且逐条哈希相连。")
    await stage.say(GROUP, 20001, "/审计 3", role="owner")
    await stage.expect(("send_group_msg", "send_msg"), lambda c: "审计记录" in c.text)
