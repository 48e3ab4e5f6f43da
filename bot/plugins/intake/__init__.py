"""Intake plugin: the only NoneBot matcher on the event path. Everything else registers with the
dispatcher (bot.dispatch: commands, message hooks, notice and request hooks)."""

from __future__ import annotations

from loguru import logger
from nonebot import get_driver
from nonebot.adapters import Bot, Event
from nonebot.adapters.onebot import v11, v12
from nonebot.plugin import PluginMetadata, on

from bot.dispatch.hooks import notice_hooks, request_hooks, run_hooks
from bot.dispatch.router import handle_message
from bot.gateway.onebot import OneBotV11Gateway, OneBotV12Gateway
from bot.intake.record import from_event, notice_from_event, request_from_event
from bot.runtime import get_runtime

__plugin_meta__ = PluginMetadata(
    name="接入",
    description="把 OneBot v11/v12 事件转换为统一记录，分发给命令和各项规则",
    usage="无需操作",
)

# Re-exported for older imports; new code registers with bot.dispatch.hooks.on_notice / on_request.
__all__ = ["notice_hooks", "request_hooks"]

driver = get_driver()


@driver.on_bot_connect
async def _connected(bot: Bot) -> None:
    rt = get_runtime()
    if isinstance(bot, v11.Bot):
        rt.registry.add(OneBotV11Gateway(bot))
    elif isinstance(bot, v12.Bot):
        rt.registry.add(OneBotV12Gateway(bot))
    logger.info(f"{bot.type} account {bot.self_id} connected")


@driver.on_bot_disconnect
async def _disconnected(bot: Bot) -> None:
    platform = "qq" if isinstance(bot, v11.Bot) else "wechat"
    registry = get_runtime().registry
    gw = registry.find(platform, bot.self_id)
    if gw is not None and getattr(gw, "bot", None) is bot:
        registry.remove(platform, bot.self_id, gw)
    logger.warning(f"{bot.type} account {bot.self_id} disconnected")


# One matcher for every event type: NoneBot spawns a task per matcher per event, so three typed
# matchers (message, notice, request) cost three spawns on every message.
events = on(priority=1, block=True)


@events.handle()
async def _on_event(event: Event) -> None:
    rt = get_runtime()
    rec = from_event(event)
    if rec is not None:
        await handle_message(rec, rt)
        return
    notice = notice_from_event(event)
    if notice is not None:
        rt.registry.note_group(notice.platform, notice.group_id, notice.self_id)
        await run_hooks(notice_hooks, notice, rt)
        return
    request = request_from_event(event)
    if request is not None:
        rt.registry.note_group(request.platform, request.group_id, request.self_id)
        await run_hooks(request_hooks, request, rt)
