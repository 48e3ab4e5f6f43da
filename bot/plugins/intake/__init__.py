"""Intake plugin: the only NoneBot matchers on the event path (one each for messages, notices and
requests). Everything else registers with the dispatcher (bot.dispatch) or the hook lists here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from loguru import logger
from nonebot import get_driver, on_message, on_notice, on_request
from nonebot.adapters import Bot, Event
from nonebot.adapters.onebot import v11, v12
from nonebot.plugin import PluginMetadata

from bot.dispatch.router import handle_message
from bot.gateway.onebot import OneBotV11Gateway, OneBotV12Gateway
from bot.intake.record import NoticeRecord, RequestRecord, from_event, notice_from_event, request_from_event
from bot.runtime import Runtime, get_runtime

__plugin_meta__ = PluginMetadata(
    name="接入",
    description="把 OneBot v11/v12 事件转换为统一记录，分发给命令和各项规则",
    usage="无需操作",
)

NoticeHook = Callable[[NoticeRecord, Runtime], Awaitable[None]]
RequestHook = Callable[[RequestRecord, Runtime], Awaitable[None]]
notice_hooks: list[NoticeHook] = []
request_hooks: list[RequestHook] = []

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
    get_runtime().registry.remove(platform, bot.self_id)
    logger.warning(f"{bot.type} account {bot.self_id} disconnected")


messages = on_message(priority=1, block=True)


@messages.handle()
async def _on_message(event: Event) -> None:
    rec = from_event(event)
    if rec is not None:
        await handle_message(rec, get_runtime())


notices = on_notice(priority=1, block=True)


@notices.handle()
async def _on_notice(event: Event) -> None:
    rec = notice_from_event(event)
    if rec is None:
        return
    rt = get_runtime()
    rt.registry.note_group(rec.platform, rec.group_id, rec.self_id)
    for hook in notice_hooks:
        try:
            await hook(rec, rt)
        except Exception:
            logger.exception(f"notice hook {getattr(hook, '__qualname__', hook)} failed")


requests = on_request(priority=1, block=True)


@requests.handle()
async def _on_request(event: Event) -> None:
    rec = request_from_event(event)
    if rec is None:
        return
    rt = get_runtime()
    rt.registry.note_group(rec.platform, rec.group_id, rec.self_id)
    for hook in request_hooks:
        try:
            await hook(rec, rt)
        except Exception:
            logger.exception(f"request hook {getattr(hook, '__qualname__', hook)} failed")
