"""What a command handler gets: the record, its arguments, the caller's role, and a reply."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from bot.dispatch.commands import Command
from bot.dispatch.roles import Role
from bot.intake.record import MessageRecord
from bot.runtime import Runtime


@dataclass
class CommandContext:
    record: MessageRecord
    command: Command
    args: str
    role: Role
    runtime: Runtime

    @property
    def argv(self) -> list[str]:
        return self.args.split()

    def reply(self, text: str, *, mention: bool = False) -> asyncio.Future[Any]:
        """Answer where the command came from, through the outbound queue."""
        r = self.record
        acts = self.runtime.actions
        if r.is_group:
            return acts.send_group(r.platform, r.group_id, text, mention=(r.user_id,) if mention else ())
        return acts.send_private(r.platform, r.self_id, r.user_id, text)
