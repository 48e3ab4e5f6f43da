"""Command and message dispatch without a matcher per command."""

from bot.dispatch.commands import UsageError, command
from bot.dispatch.context import CommandContext
from bot.dispatch.hooks import on_notice, on_request, status_line
from bot.dispatch.roles import Role
from bot.dispatch.router import on_every_group_message, on_group_message

__all__ = [
    "CommandContext",
    "Role",
    "UsageError",
    "command",
    "on_every_group_message",
    "on_group_message",
    "on_notice",
    "on_request",
    "status_line",
]
