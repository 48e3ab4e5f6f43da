"""Intake plugin: the only NoneBot matcher on the event path. Everything else registers with the
dispatcher (bot.dispatch: commands, message hooks, notice and request hooks).

Loaded into someone else's NoneBot bot (``nonebot.load_plugin("bot.plugins.intake")``, then the
capabilities), it builds the runtime from the host's config and starts it from the driver's start-up
hook, and it does not block the host's matchers: an event goes on to them unless one of our commands
answered it or the bot recalled, muted or removed because of it. ``STEWARD_INTAKE_PRIORITY`` (default
1) places the matcher among the host's.
"""

from __future__ import annotations

from loguru import logger
from nonebot import get_driver
from nonebot.adapters import Bot
from nonebot.adapters.onebot import v11, v12
from nonebot.matcher import current_event, current_matcher
from nonebot.plugin import PluginMetadata, on

from bot.app import ensure_runtime
from bot.dispatch.hooks import notice_hooks, request_hooks, run_hooks
from bot.dispatch.router import handle_message
from bot.gateway.actions import track_acted, untrack_acted
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

_runtime = ensure_runtime()  # raises StartupError (plugin not loaded) with one clear line
driver = get_driver()


@driver.on_bot_connect
async def _connected(bot: Bot) -> None:
    rt = get_runtime()
    if isinstance(bot, v11.Bot):
        rt.registry.add(OneBotV11Gateway(bot))
    elif isinstance(bot, v12.Bot):
        rt.registry.add(OneBotV12Gateway(bot))
    logger.info(f"{bot.type} account {bot.self_id} connected")
    if rt.queue is not None:  # recalls and other actions held while the platform was offline
        platform = "qq" if isinstance(bot, v11.Bot) else "wechat"
        if n := rt.queue.resume(platform):
            logger.info(f"{n} held action(s) queued again after the reconnect")


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
# Not blocking: a host bot's own matchers see the event too, unless we acted on it (below).
events = on(priority=_runtime.settings.steward_intake_priority, block=False)


@events.handle()
async def _on_event() -> None:
    # No parameters: NoneBot checks and solves each handler parameter in a task of its own (an anyio
    # task group per check and per solve), which cost more than the rest of the message path; the
    # event and the matcher come from NoneBot's context variables instead, at no cost.
    event, matcher = current_event.get(), current_matcher.get()
    rt = get_runtime()
    rec = from_event(event)
    if rec is not None:
        acted, token = track_acted()
        try:
            answered = await handle_message(rec, rt)
        finally:
            untrack_acted(token)
        if answered or acted[0]:
            matcher.stop_propagation()
        return
    notice = notice_from_event(event)
    if notice is not None:
        rt.registry.note_group(notice.platform, notice.group_id, notice.self_id)
        await run_hooks(notice_hooks, notice, rt)
        return
    request = request_from_event(event)
    if request is not None:
        rt.registry.note_group(request.platform, request.group_id, request.self_id)
        acted, token = track_acted()
        try:
            await run_hooks(request_hooks, request, rt)
        finally:
            untrack_acted(token)
        if acted[0]:  # we approved or rejected it: the host must not answer it too
            matcher.stop_propagation()
