"""Scene: working hours — a notice at 22:40 on a workday, /通知 queued past a holiday, urgency passes.

The simulated messages carry their own timestamps (the bot judges by the event's time, not its
clock): 22:40 on the last working day before the next public holiday, which lies in the future,
so the queued notice is still waiting when the demo ends.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from bot.core.calendar import TZ, DayCalendar, WorkCalendar
from bot.sim.demo import Stage, scene

GROUP = 1002  # the demo's yichun-2021 group (08:30–17:30)
MEMBER = 30001
ADMIN = 20002
_WEEKDAYS = "一二三四五六日"
NOTICE = "各科室：请于下周三前报送本年度安全生产工作总结，逾期不候。"
ANY_REPLY = ("send_group_msg", "send_msg")
PRIVATE = ("send_private_msg", "send_msg")


def _day(d: date) -> str:
    return f"{d.month}月{d.day}日（周{_WEEKDAYS[d.weekday()]}）"


def evening_before_a_holiday(cal: WorkCalendar, today: date) -> tuple[datetime, date]:
    """22:40 on the first working day after ``today`` that is followed by a public holiday (a
    weekday off, not just a weekend), and the next working day after it."""
    day = today + timedelta(days=1)
    for _ in range(400):
        if cal.is_working_day(day):
            following = cal.next_working_day(day)
            gap = [day + timedelta(days=n) for n in range(1, (following - day).days)]
            if any(d.weekday() < 5 for d in gap):
                return datetime.combine(day, time(22, 40), tzinfo=TZ), following
        day += timedelta(days=1)
    raise AssertionError("no public holiday within a year: check the holiday data")


@scene("worktime", "工作时间：非工作时间的工作通知与定时发布", order=30)
async def play(stage: Stage) -> None:
    cal = WorkCalendar(DayCalendar())
    evening, morning = evening_before_a_holiday(cal, datetime.now(TZ).date())
    due = f"{_day(morning)}08:30"
    stage.narrate(
        f"模拟时间：{evening.year}年{_day(evening.date())}22:40，节假日前最后一个工作日的晚上"
        f"（下一个工作日是 {morning.year}年{_day(morning)}）。"
        "宜春规范第十条：非紧急任务原则上不在非工作时间发布工作信息。"
    )

    stage.narrate("成员在晚上发布一条工作通知：机器人私聊提醒他，说明依据的条款，并建议改用 /通知 定时发布。")
    await stage.say(GROUP, MEMBER, NOTICE, time=evening)
    reminder = await stage.expect(PRIVATE, lambda c: "第十条" in c.text)
    assert "/通知" in reminder.text and due in reminder.text, "提醒应给出下一个工作时间开始的时刻"

    stage.narrate("成员改用 /通知：机器人把通知排到节后第一个工作日 08:30，并告诉他编号和时间。")
    await stage.say(GROUP, MEMBER, f"/通知 {NOTICE}", time=evening)
    queued = await stage.expect(ANY_REPLY, lambda c: "自动发布" in c.text)
    assert due in queued.text, f"应定于 {due} 发布"
    match = re.search(r"通知 #(\d+)", queued.text)
    assert match, "回复中应有通知编号"

    stage.narrate("查看待发布的通知。")
    await stage.say(GROUP, MEMBER, "/通知 列表", time=evening + timedelta(minutes=1))
    await stage.expect(ANY_REPLY, lambda c: f"#{match.group(1)}" in c.text)

    stage.narrate("管理员发布一条标注【紧急】的通知：紧急事项不受工作时间限制，机器人不提醒。")
    await stage.say(
        GROUP,
        ADMIN,
        "【紧急】请各科室今晚23点前上报值班人员名单。",
        role="admin",
        time=evening + timedelta(minutes=2),
    )
    await stage.peer.wait_no_call(PRIVATE, lambda c: "第十条" in c.text, within=1.0)

    stage.narrate("/通知 紧急 …：确属紧急，机器人立即代为发布。")
    await stage.say(
        GROUP,
        ADMIN,
        "/通知 紧急 明早7点前各科室负责人到岗。",
        role="admin",
        time=evening + timedelta(minutes=3),
    )
    await stage.expect(ANY_REPLY, lambda c: c.text.startswith("【紧急】明早7点前"))

    stage.narrate(
        "/通知 定时 …：管理员指定发布时间。机器人先复述它理解的时间；所选时间不在工作时间时，"
        "顺延到下一个工作时间开始并说明依据。"
    )
    await stage.say(
        GROUP,
        ADMIN,
        "/通知 定时 明天 7:30 请各科室上班后查收年终考核通知。",
        role="admin",
        time=evening + timedelta(minutes=4),
    )
    scheduled = await stage.expect(ANY_REPLY, lambda c: "定时通知 #" in c.text)
    assert "理解为「明天 7:30」" in scheduled.text and "不在本群工作时间" in scheduled.text

    stage.narrate("/通知 每周一 9:00 …：周期通知。节假日的周一不发，调休上班日照常；可暂停、恢复、取消。")
    await stage.say(
        GROUP,
        ADMIN,
        "/通知 每周一 9:00 请各科室于今天下班前报送上周工作小结。",
        role="admin",
        time=evening + timedelta(minutes=5),
    )
    weekly = await stage.expect(ANY_REPLY, lambda c: "周期通知 #" in c.text)
    assert "每周一 09:00" in weekly.text and "首次发布" in weekly.text
