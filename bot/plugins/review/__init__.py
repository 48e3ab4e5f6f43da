"""Weekly review (SPEC §5, huangshan 第十一条): member checks on a schedule and with /巡查, the owner's
private report, and removals with /清理 after a confirmation, each exactly once."""

from __future__ import annotations

import asyncio

from nonebot import get_driver
from nonebot.adapters import Bot
from nonebot.plugin import PluginMetadata

from bot.plugins.review import commands, sections, status  # noqa: F401  (registers commands, hooks)
from bot.plugins.review.scheduler import review_loop
from bot.plugins.review.texts import CLEANUP_USAGE, REVIEW_USAGE

__plugin_meta__ = PluginMetadata(
    name="每周巡查",
    description=(
        "每周检查群成员（未实名、已调离、不在花名册、邀请入群、群名片、一人多号、长期未发言），"
        "报告私聊发送给群主；/清理 经确认后逐一移出"
    ),
    usage=f"{REVIEW_USAGE}\n{CLEANUP_USAGE}",
)

driver = get_driver()
_WAKE_DELAY = 0.3


@driver.on_startup
async def _start_scheduler() -> None:
    review_loop.start()


@driver.on_shutdown
async def _stop_scheduler() -> None:
    await review_loop.stop()


@driver.on_bot_connect
async def _bot_connected(bot: Bot) -> None:
    asyncio.get_running_loop().call_later(_WAKE_DELAY, review_loop.wake)
