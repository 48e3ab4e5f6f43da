"""Commands without a NoneBot matcher each.

NoneBot checks every matcher on every message (~0.8 ms per non-matching `on_command`, NOTES), so
fifteen commands as matchers would cap the bot near 60 messages/s. Instead one message matcher
parses the leading `/name` and looks it up here: a dict lookup, whatever the number of commands.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from bot.dispatch.roles import Role

if TYPE_CHECKING:
    from bot.dispatch.context import CommandContext

Handler = Callable[["CommandContext"], Awaitable[None]]
Scope = Literal["group", "private", "any"]
COMMAND_PREFIXES = ("/", "／")


class UsageError(Exception):
    """Raised by a handler for wrong arguments; the caller gets the reason and the usage back."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Command:
    name: str
    aliases: tuple[str, ...]
    min_role: Role
    summary: str
    usage: str
    handler: Handler
    scope: Scope = "any"
    order: int = 100  # position in /帮助
    # Its arguments quote prohibited content on purpose (lexicon words, a text to test): the content
    # gate leaves it alone when the caller may use it (bot/dispatch/router.py).
    quotes_content: bool = False

    def help_text(self) -> str:
        alias = f"（别名 /{'、/'.join(self.aliases)}）" if self.aliases else ""
        where = {"group": "仅限群内", "private": "仅限私聊", "any": "群内或私聊"}[self.scope]
        role = self.min_role.label
        return f"/{self.name}{alias}：{self.summary}\n用法：{self.usage}\n最低权限：{role}；{where}"


class CommandRegistry:
    def __init__(self) -> None:
        self._by_name: dict[str, Command] = {}
        self._commands: list[Command] = []

    def add(self, cmd: Command) -> None:
        for key in (cmd.name, *cmd.aliases):
            k = key.casefold()
            if k in self._by_name:
                raise ValueError(f"command name /{key} registered twice")
            self._by_name[k] = cmd
        self._commands.append(cmd)

    def get(self, name: str) -> Command | None:
        return self._by_name.get(name.casefold())

    def all(self) -> list[Command]:
        return sorted(self._commands, key=lambda c: (c.order, c.name))


registry = CommandRegistry()


def command(
    name: str,
    *,
    aliases: tuple[str, ...] = (),
    role: Role = Role.MEMBER,
    summary: str,
    usage: str,
    scope: Scope = "any",
    order: int = 100,
    quotes_content: bool = False,
) -> Callable[[Handler], Handler]:
    """Register a command handler: `@command("状态", aliases=("status",), role=Role.ADMIN, ...)`."""

    def deco(fn: Handler) -> Handler:
        registry.add(Command(name, aliases, role, summary, usage, fn, scope, order, quotes_content))
        return fn

    return deco


def split_command(text: str) -> tuple[str, str] | None:
    """'/状态 详细' → ('状态', '详细'); None if the text is not a command."""
    stripped = text.lstrip()
    if not stripped.startswith(COMMAND_PREFIXES):
        return None
    body = stripped[1:]
    name, _, rest = body.partition(" ")
    if not name:
        return None
    # Full-width spaces and newlines separate the name from its arguments too.
    for sep in ("\u3000", "\n", "\t"):
        if sep in name:
            name, _, more = name.partition(sep)
            rest = f"{more} {rest}".strip()
    return name, rest.strip()
