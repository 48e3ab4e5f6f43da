"""Where capabilities plug in, besides commands: hooks for notices and join requests, and extra
/状态 lines. Kept outside the plugin packages because NoneBot forbids importing one plugin from
another before it is loaded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from loguru import logger

from bot.intake.record import MessageRecord, NoticeRecord, RequestRecord
from bot.runtime import Runtime

if TYPE_CHECKING:
    from bot.dispatch.context import CommandContext

NoticeHook = Callable[[NoticeRecord, Runtime], Awaitable[None]]
RequestHook = Callable[[RequestRecord, Runtime], Awaitable[None]]
StatusProvider = Callable[[Runtime, "CommandContext"], Awaitable[list[str]]]

# A content check reads text the bot is asked to post on someone's behalf (e.g. /通知) and returns
# a refusal to show them, or None when the text may be posted.
ContentCheck = Callable[[Runtime, MessageRecord, str], Awaitable[str | None]]

notice_hooks: list[NoticeHook] = []
content_checks: list[ContentCheck] = []
request_hooks: list[RequestHook] = []
status_providers: list[StatusProvider] = []


def on_notice(hook: NoticeHook) -> NoticeHook:
    """Register a hook for group notices (joins, departures, disbands, uploads …)."""
    notice_hooks.append(hook)
    return hook


def on_request(hook: RequestHook) -> RequestHook:
    """Register a hook for join requests and invitations."""
    request_hooks.append(hook)
    return hook


def status_line(provider: StatusProvider) -> StatusProvider:
    """Register a function that returns extra /状态 lines (e.g. a capability's queue length)."""
    status_providers.append(provider)
    return provider


async def run_hooks(hooks: list[Any], record: Any, rt: Runtime) -> None:
    """Run each hook; one failing hook is logged and does not stop the others."""
    for hook in hooks:
        try:
            await hook(record, rt)
        except Exception:
            logger.exception(f"hook {getattr(hook, '__qualname__', hook)} failed")


def content_check(check: ContentCheck) -> ContentCheck:
    """Register a check for text the bot posts on someone's behalf (the content guard registers one)."""
    content_checks.append(check)
    return check


async def check_content(rt: Runtime, rec: MessageRecord, text: str) -> str | None:
    """The first refusal of the registered checks, or None: the bot must not post for a member what
    the member could not post themselves."""
    for check in content_checks:
        refusal = await check(rt, rec, text)
        if refusal:
            return refusal
    return None
