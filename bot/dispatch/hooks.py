"""Where capabilities plug in, besides commands: hooks for notices and join requests, and extra
/状态 lines. Kept outside the plugin packages because NoneBot forbids importing one plugin from
another before it is loaded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from loguru import logger

from bot.intake.record import NoticeRecord, RequestRecord
from bot.runtime import Runtime

if TYPE_CHECKING:
    from bot.dispatch.context import CommandContext

NoticeHook = Callable[[NoticeRecord, Runtime], Awaitable[None]]
RequestHook = Callable[[RequestRecord, Runtime], Awaitable[None]]
StatusProvider = Callable[[Runtime, "CommandContext"], Awaitable[list[str]]]

notice_hooks: list[NoticeHook] = []
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
