"""Filing register and group lifecycle (SPEC §6), cases (SPEC §9).

/备案 records each work group's filing (huangshan 第十条, huangshi 第九条, yichun 第三条) with
deadlines in working days, reminders to the owner and escalations to the unit's supervisors;
temporary groups are reminded to dissolve after their end date (huangshi 第九条, yichun 第五条);
disbanded groups are deregistered automatically; duplicate and dormant groups (huaibei 第十五条) go to
the supervisors' weekly summary; the register exports as the 登记备案表. /处理 lists and closes
rectification cases, whose deadlines follow kunming 第十五条 and whose quarterly summary kunming
第十九条. Other capabilities open cases through :func:`bot.store.cases.open_case`.

Wiring: one group-message hook (activity, first sight), one notice hook (bot added, disbanded, bot
removed, renamed), two commands, a /状态 line, and a scheduler loop started on driver start-up.
"""

from __future__ import annotations

import asyncio

from nonebot import get_driver
from nonebot.adapters import Bot
from nonebot.plugin import PluginMetadata

from bot.dispatch import on_group_message, on_notice
from bot.plugins.register import cases_cmd, command, status  # noqa: F401  (register commands, /状态)
from bot.plugins.register.command import USAGE
from bot.plugins.register.lifecycle import on_notice_record, watch
from bot.plugins.register.scheduler import register_loop

__plugin_meta__ = PluginMetadata(
    name="登记备案",
    description=(
        "工作群登记备案：按工作日计算备案、变更备案和临时群解散期限，提醒群主并向监管单位报告逾期；"
        "群解散自动注销；重复建群、休眠群列入周报；导出登记备案表；整改事项按时限督办"
    ),
    usage=USAGE,
)

on_group_message(watch)
on_notice(on_notice_record)

driver = get_driver()

# The intake plugin registers the gateway in its own connect hook, which runs concurrently with
# this one: look for due work a moment later.
_WAKE_DELAY = 0.3


@driver.on_startup
async def _start_scheduler() -> None:
    register_loop.start()


@driver.on_shutdown
async def _stop_scheduler() -> None:
    await register_loop.stop()


@driver.on_bot_connect
async def _bot_connected(bot: Bot) -> None:
    asyncio.get_running_loop().call_later(_WAKE_DELAY, register_loop.wake)
