"""Working hours (SPEC §4, yichun 第十条): off-hours work notices and deferred notices (/通知)."""

from __future__ import annotations

import asyncio

from nonebot import get_driver
from nonebot.adapters import Bot
from nonebot.plugin import PluginMetadata

from bot.plugins.worktime import command, offhours, status  # noqa: F401  (registers command, hook, /状态)
from bot.plugins.worktime.command import USAGE
from bot.plugins.worktime.scheduler import notice_loop

__plugin_meta__ = PluginMetadata(
    name="工作时间",
    description=(
        "非工作时间发布的工作通知：私聊提醒并记录；"
        "/通知 在工作时间内立即发布，否则定时到下一个工作时间开始发布"
    ),
    usage=USAGE,
)

driver = get_driver()

# The intake plugin registers the gateway in its own connect hook, which runs concurrently with
# this one: look for due notices a moment later.
_WAKE_DELAY = 0.3


@driver.on_startup
async def _start_scheduler() -> None:
    notice_loop.start()


@driver.on_shutdown
async def _stop_scheduler() -> None:
    await notice_loop.stop()


@driver.on_bot_connect
async def _bot_connected(bot: Bot) -> None:
    asyncio.get_running_loop().call_later(_WAKE_DELAY, notice_loop.wake)
