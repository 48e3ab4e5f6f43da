"""The one place that turns "do X to chat Y" into a paced, retried action on the right gateway.

The gateway is resolved when the action runs, not when it is queued, so a bot that reconnects in
between still gets the action.
"""

from __future__ import annotations

import asyncio
import time
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from bot.gateway.base import Gateway
from bot.gateway.outbound import Action, OutboundQueue, Priority
from bot.gateway.registry import GatewayRegistry

# Set by the intake matcher around one event: a recall, mute or kick requested while handling it
# marks the event "acted on", so a host bot's own matchers do not also react to it.
_acted: ContextVar[list[bool] | None] = ContextVar("steward_acted", default=None)


def track_acted() -> tuple[list[bool], Any]:
    """Start tracking for the current event: returns the flag box and the token to reset."""
    box = [False]
    return box, _acted.set(box)


def untrack_acted(token: Any) -> None:
    _acted.reset(token)


def note_acted() -> None:
    box = _acted.get()
    if box is not None:
        box[0] = True


#: QQ lets a group admin recall a member's message for 2 minutes after it was sent (the same limit
#: as for one's own messages); past it, delete_msg fails. Used when no setting says otherwise.
RECALL_WINDOW = 120.0


class Actions:
    def __init__(
        self,
        registry: GatewayRegistry,
        queue: OutboundQueue,
        *,
        recall_window: float = RECALL_WINDOW,
        urgent_timeout: float | None = None,
    ) -> None:
        self.registry, self.queue = registry, queue
        self.recall_window = recall_window
        # Recalls and mutes are small and urgent: a shorter wait per attempt gets the retries going.
        self.urgent_timeout = urgent_timeout

    def _group(
        self,
        platform: str,
        group_id: str,
        kind: str,
        call: Any,
        *,
        target: str = "",
        priority: Priority = Priority.REPLY,
        not_after: float | None = None,
    ) -> asyncio.Future[Any]:
        def run() -> Any:
            gw: Gateway = self.registry.for_group(platform, group_id)
            return call(gw)

        timeout = self.urgent_timeout if priority is Priority.URGENT else None
        return self.queue.submit(
            Action(
                kind,
                run,
                group_id=group_id,
                platform=platform,
                target=target,
                priority=priority,
                timeout=timeout,
                not_after=not_after,
            )
        )

    def send_group(
        self,
        platform: str,
        group_id: str,
        text: str,
        *,
        mention: tuple[str, ...] = (),
        priority: Priority = Priority.REPLY,
    ) -> asyncio.Future[Any]:
        return self._group(
            platform,
            group_id,
            "send_group",
            lambda gw: gw.send_group(group_id, text, mention=mention),
            priority=priority,
        )

    def send_private(
        self,
        platform: str,
        self_id: str,
        user_id: str,
        text: str,
        *,
        priority: Priority = Priority.REPLY,
        report: bool = True,
    ) -> asyncio.Future[Any]:
        def run() -> Any:
            return self.registry.for_account(platform, self_id).send_private(user_id, text)

        return self.queue.submit(
            Action("send_private", run, platform=platform, target=user_id, priority=priority, report=report)
        )

    def recall(
        self, platform: str, group_id: str, message_id: str, *, sent_at: datetime | None = None
    ) -> asyncio.Future[Any]:
        """Recall a message. While the platform is offline the recall is held and redone after the
        reconnect, but only within `recall_window` seconds of `sent_at` (default: now)."""
        note_acted()
        age = 0.0
        if sent_at is not None:
            # An age outside the window means the clocks disagree (or the time is forged): count
            # from now, the receive time, rather than give the recall up or keep it forever.
            age = (datetime.now(UTC) - sent_at).total_seconds()
            if not 0.0 <= age <= self.recall_window:
                age = 0.0
        not_after = time.monotonic() + self.recall_window - age
        return self._group(
            platform,
            group_id,
            "recall",
            lambda gw: gw.recall(message_id),
            target=message_id,
            priority=Priority.URGENT,
            not_after=not_after,
        )

    def mute(self, platform: str, group_id: str, user_id: str, seconds: int) -> asyncio.Future[Any]:
        note_acted()
        return self._group(
            platform,
            group_id,
            "mute",
            lambda gw: gw.mute(group_id, user_id, seconds),
            target=user_id,
            priority=Priority.URGENT,
        )

    def kick(self, platform: str, group_id: str, user_id: str) -> asyncio.Future[Any]:
        note_acted()
        return self._group(
            platform,
            group_id,
            "kick",
            lambda gw: gw.kick(group_id, user_id),
            target=user_id,
            priority=Priority.BULK,
        )

    def member_list(
        self, platform: str, group_id: str, *, priority: Priority = Priority.BULK
    ) -> asyncio.Future[Any]:
        """Reads go through the queue too: implementations rate-limit them like any other call."""
        return self._group(
            platform, group_id, "member_list", lambda gw: gw.member_list(group_id), priority=priority
        )

    def group_info(
        self, platform: str, group_id: str, *, priority: Priority = Priority.BULK
    ) -> asyncio.Future[Any]:
        return self._group(
            platform, group_id, "group_info", lambda gw: gw.group_info(group_id), priority=priority
        )

    def forward_messages(
        self, platform: str, group_id: str, forward_id: str, *, priority: Priority = Priority.REPLY
    ) -> asyncio.Future[Any]:
        """A forwarded record's content (合并转发), for the content guard; paced like any read."""
        return self._group(
            platform,
            group_id,
            "forward_messages",
            lambda gw: gw.forward_messages(forward_id),
            priority=priority,
        )

    def file_data(
        self, platform: str, group_id: str, file_id: str, *, priority: Priority = Priority.BULK
    ) -> asyncio.Future[Any]:
        """A file's content by its id (v12 pictures arrive as an id only), for the content guard."""
        return self._group(
            platform, group_id, "file_data", lambda gw: gw.file_data(file_id), priority=priority
        )

    def answer_join_request(
        self, platform: str, group_id: str, flag: str, sub_type: str, approve: bool, reason: str = ""
    ) -> asyncio.Future[Any]:
        note_acted()
        return self._group(
            platform,
            group_id,
            "join_request",
            lambda gw: gw.answer_join_request(flag, sub_type, approve, reason),
        )
