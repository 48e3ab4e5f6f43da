"""What a command handler gets: the record, its arguments, the caller's role, and a reply."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
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
    # Replies wait here until the router has committed the command's audit row, so that /审计 sent
    # right after a command shows it (None: replies go out at once).
    held: list[tuple[str, bool, asyncio.Future[Any]]] | None = None
    refused: str = field(default="")  # why the handler refused (audited as refused)

    @property
    def argv(self) -> list[str]:
        return self.args.split()

    def reply(self, text: str, *, mention: bool = False) -> asyncio.Future[Any]:
        """Answer where the command came from, through the outbound queue."""
        if self.held is not None:
            fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            fut.add_done_callback(lambda f: f.cancelled() or f.exception())
            self.held.append((text, mention, fut))
            return fut
        return self._send(text, mention)

    def refuse(self, text: str, *, why: str, mention: bool = False) -> asyncio.Future[Any]:
        """Reply with a refusal; the command is audited as refused, with `why` (no personal data)."""
        self.refused = why
        return self.reply(text, mention=mention)

    def flush(self) -> list[asyncio.Future[Any]]:
        """Send the held replies (in order) and stop holding; returns their futures."""
        held, self.held = self.held or [], None
        for text, mention, fut in held:
            sent = self._send(text, mention)

            def relay(src: asyncio.Future[Any], dst: asyncio.Future[Any] = fut) -> None:
                if dst.done():
                    return
                if src.cancelled():
                    dst.cancel()
                elif (e := src.exception()) is not None:
                    dst.set_exception(e)
                else:
                    dst.set_result(src.result())

            sent.add_done_callback(relay)
        return [fut for _, _, fut in held]

    def _send(self, text: str, mention: bool) -> asyncio.Future[Any]:
        r = self.record
        acts = self.runtime.actions
        if r.is_group:
            return acts.send_group(r.platform, r.group_id, text, mention=(r.user_id,) if mention else ())
        return acts.send_private(r.platform, r.self_id, r.user_id, text)
