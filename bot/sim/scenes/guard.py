"""Scene: content guard — an ad with punctuation between its characters, a traditional-character
variant, an ordinary work message, and a secret-marked line recalled without being repeated."""

from __future__ import annotations

from typing import Any

from bot.sim.demo import Stage, scene

GROUP = 1001  # the demo's huangshan-finance-2020 group: warnings cite 第十二条
OWNER, ADMIN = 20001, 20002
ANY_REPLY = ("send_group_msg", "send_msg")
PRIVATE = ("send_private_msg", "send_msg")
CITATION = "依据《黄山市财政局政务新媒体平台和互联网工作群组管理办法》第十二条"


async def say(stage: Stage, user_id: int, text: str) -> Any:
    """A member writes in the group; returns the message id (to match the bot's recall)."""
    print(f"  [群{GROUP}] {stage.who(user_id)}：{text}", file=stage.out)
    event = await stage.peer.send_group_message(GROUP, user_id, text, card=stage.who(user_id))
    return event["message_id"]


def recalls(message_id: Any) -> Any:
    return lambda c: str(c.params.get("message_id")) == str(message_id)


@scene("guard", "内容巡查：变形广告、繁体变体、正常消息与密级标识", order=20)
async def play(stage: Stage) -> None:
    stage.peer.set_members(
        GROUP,
        [{"user_id": OWNER, "role": "owner"}, {"user_id": ADMIN, "role": "admin"}, {"user_id": 30001}],
    )
    stage.narrate(
        "成员发来一条在字间插了标点的赌博广告：规范化后照样命中，机器人先撤回，再 @ 他说明依据的条款。"
    )
    mid = await say(stage, 30001, "澳门赌.场-线上开户，日结返*利，详情私聊")
    await stage.expect("delete_msg", recalls(mid))
    warning = await stage.expect(ANY_REPLY, lambda c: CITATION in c.text)
    assert "「赌博」类内容" in warning.text and "已被撤回" in warning.text, warning.text

    stage.narrate("另一位成员用繁体字发「網賭」广告：繁体转简体后命中，同样撤回。")
    mid = await say(stage, 30002, "網賭平台上線，首充送彩金")
    await stage.expect("delete_msg", recalls(mid))
    await stage.expect(ANY_REPLY, lambda c: CITATION in c.text)

    stage.narrate("一条普通的工作消息：机器人不做任何事。")
    await say(stage, 30002, "各位同事：请于本周五下班前将上半年工作总结报送至办公室邮箱，谢谢。")
    await stage.peer.wait_no_call(("delete_msg", *ANY_REPLY), within=1.0)

    stage.narrate(
        "成员把带密级标识的文件内容贴进群里：机器人撤回，提醒中只说「带有密级标识」，不复述任何内容，并私聊告知群主。"
    )
    secret = "机密★5年 关于调整部分同志工作分工的通知：经研究决定……"
    mid = await say(stage, 30001, secret)
    await stage.expect("delete_msg", recalls(mid))
    warning = await stage.expect(ANY_REPLY, lambda c: "密级标识" in c.text)
    note = await stage.expect(PRIVATE, lambda c: str(c.user_id) == str(OWNER))
    for sent in (warning.text, note.text):
        assert "分工" not in sent and "5年" not in sent and "经研究" not in sent, "不得复述涉密内容"

    stage.narrate("涉密标识是严重问题：机器人同时立为整改事项，私聊群主督办，并写明整改期限。")
    case = await stage.expect(
        PRIVATE, lambda c: str(c.user_id) == str(OWNER) and "【整改通知】" in c.text, timeout=20
    )
    assert "分工" not in case.text and "经研究" not in case.text, "不得复述涉密内容"
