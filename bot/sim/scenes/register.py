"""Scene: the filing register — the bot joins a new group and reminds the owner to file; /备案 guided
filing; the special group is past its end date and is reminded to dissolve; the register is exported;
the group is disbanded and deregistered.

The register's reminders come from its scheduler, which uses the real clock here: the group's end
date is chosen so that its first dissolution reminder is already due whatever the time of the run.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook  # type: ignore[import-untyped]

from bot.core.calendar import TZ, DayCalendar, WorkCalendar
from bot.core.register import dissolve_starts
from bot.sim import events as ev
from bot.sim.demo import BOT_ID, OPERATOR, Stage, scene
from bot.sim.peer import Call

GROUP = 1003  # a new group, not in the demo policy: default preset (2 working days, cites its own rules)
OWNER, ADMIN, MEMBER = 20001, 20002, 30001
GROUP_NAME = "年度预算编制专项群"
ANY_REPLY = ("send_group_msg", "send_msg")
PRIVATE = ("send_private_msg", "send_msg")


def ended_work_day(cal: WorkCalendar, now: datetime) -> date:
    """The latest day before today whose first dissolution reminder (the start of the next working
    day) has already come."""
    day = now.astimezone(TZ).date() - timedelta(days=1)
    while dissolve_starts(day, cal) > now:
        day -= timedelta(days=1)
    return day


def containing(text: str) -> Callable[[Call], bool]:
    return lambda call: text in call.text


def _sheets(path: str) -> str:
    wb = load_workbook(io.BytesIO(Path(path).read_bytes()))
    return "、".join(f"「{ws.title}」{ws.max_row - 2} 个群" for ws in wb.worksheets)


@scene("register", "登记备案：新群提醒备案、逐项填写、临时群到期提醒解散、导出登记备案表", order=50)
async def play(stage: Stage) -> None:
    peer = stage.peer
    peer.groups[GROUP] = {"group_name": GROUP_NAME}
    peer.set_members(
        GROUP,
        [
            {"user_id": OWNER, "role": "owner"},
            {"user_id": ADMIN, "role": "admin"},
            {"user_id": MEMBER, "role": "member"},
            {"user_id": BOT_ID, "role": "admin"},
        ],
    )
    peer.on("upload_private_file", lambda params: None)  # NapCat on the same machine: the file is readable

    stage.narrate(
        "群主新建「年度预算编制专项群」并拉入机器人。通用规范（从严）：工作群须在 2 个工作日内登记备案；"
        "机器人立即私聊群主，说明要备案什么、期限到哪天。"
    )
    await stage.send(
        ev.group_increase(GROUP, BOT_ID, sub_type="invite", operator_id=OWNER, self_id=peer.self_id),
        f"{stage.who(OWNER)}把机器人拉进新群「{GROUP_NAME}」",
    )
    reminder = await stage.expect(PRIVATE, lambda c: "尚未备案" in c.text and str(c.user_id) == str(OWNER))
    # A group without a regulation of its own cites its own rules, never another city's regulation.
    assert "依据《工作群管理通用规范》" in reminder.text and "/备案" in reminder.text, reminder.text

    stage.narrate("群主在群里发送 /备案：群名、成员规模由机器人自动获取，其余各项逐一提问。")
    await stage.say(GROUP, OWNER, "/备案", role="owner")
    await stage.expect(ANY_REPLY, lambda c: "备案信息（未备案）" in c.text)
    await stage.expect(ANY_REPLY, lambda c: "本群归属哪个科室" in c.text)
    answers = [
        ("预算科", "服务于哪项工作"),
        ("年度预算编制", "常设群，还是临时群或专项群"),
        ("专项", "哪天结束"),
    ]
    for answer, next_question in answers:
        await stage.say(GROUP, OWNER, f"/备案 {answer}", role="owner")
        await stage.expect(ANY_REPLY, containing(next_question))

    cal = WorkCalendar(DayCalendar())
    ended = ended_work_day(cal, datetime.now(TZ))
    stage.narrate(
        f"专项工作已于 {ended.month}月{ended.day}日 完成。群主如实填写结束日期："
        "专项群须在工作完成后 2 个工作日内解散并注销登记，机器人给出解散期限。"
    )
    await stage.say(GROUP, OWNER, f"/备案 {ended.isoformat()}", role="owner")
    due = await stage.expect(ANY_REPLY, lambda c: "解散本群" in c.text)
    assert "结束日期已过" in due.text and "成员通过什么方式入群" in due.text, due.text
    await stage.say(GROUP, OWNER, "/备案 管理员审核后入群", role="owner")
    await stage.expect(ANY_REPLY, lambda c: "群规群纪是什么" in c.text)
    await stage.say(GROUP, OWNER, "/备案 只谈预算编制工作，不闲聊", role="owner")
    await stage.expect(ANY_REPLY, lambda c: "已私聊您填写" in c.text)

    stage.narrate("群主姓名和联系电话属于个人信息：在私聊中填写，加密保存，显示时脱敏。")
    await stage.expect(PRIVATE, lambda c: "群主（管理者）的姓名" in c.text)
    await stage.whisper(OWNER, "/备案 李明 13812345678")
    await stage.expect(PRIVATE, lambda c: "备案完成" in c.text)

    stage.narrate("机器人的定时任务发现这个专项群已过结束日期，私聊提醒群主按期解散。")
    await stage.expect(
        PRIVATE, lambda c: "结束日期为" in c.text and "解散" in c.text and str(c.user_id) == str(OWNER)
    )

    stage.narrate("运维人员（兼监管单位）导出登记备案表：每个单位一张工作表，个人信息脱敏。")
    await stage.whisper(OPERATOR, "/备案 导出")
    upload = await stage.expect("upload_private_file")
    await stage.expect(PRIVATE, lambda c: "已发送" in c.text)
    stage.narrate(f"登记备案表 {upload.params.get('name')}：{_sheets(str(upload.params['file']))}。")

    stage.narrate(
        "工作结束，群主解散了专项群（NapCat 报告 group_decrease/disband）：机器人自动注销登记并报告。"
    )
    await stage.send(
        ev.group_decrease(GROUP, BOT_ID, sub_type="disband", operator_id=OWNER, self_id=peer.self_id),
        f"{stage.who(OWNER)}解散了「{GROUP_NAME}」",
    )
    await stage.expect(PRIVATE, lambda c: "群已解散" in c.text and "自动注销登记" in c.text)
