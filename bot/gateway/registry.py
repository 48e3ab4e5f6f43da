"""Which connected bot account serves which group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.gateway.base import Gateway, GatewayError


@dataclass(frozen=True)
class Connection:
    gateway: Gateway
    since: datetime


class GatewayRegistry:
    def __init__(self) -> None:
        self._conns: dict[tuple[str, str], Connection] = {}
        self._group_bot: dict[tuple[str, str], str] = {}

    def add(self, gw: Gateway) -> None:
        self._conns[(gw.platform, gw.self_id)] = Connection(gw, datetime.now(UTC))

    def remove(self, platform: str, self_id: str, gateway: Gateway | None = None) -> None:
        """Forget a connection. With `gateway`, only if it is still the registered one: when an
        implementation reconnects, the old connection's late disconnect must not remove the new."""
        conn = self._conns.get((platform, self_id))
        if conn is not None and (gateway is None or conn.gateway is gateway):
            del self._conns[(platform, self_id)]

    def find(self, platform: str, self_id: str) -> Gateway | None:
        conn = self._conns.get((platform, self_id))
        return conn.gateway if conn else None

    def online(self, platform: str) -> bool:
        """Whether any account of the platform is connected."""
        return any(p == platform for p, _ in self._conns)

    def connections(self) -> list[Connection]:
        return list(self._conns.values())

    def note_group(self, platform: str, group_id: str, self_id: str) -> None:
        """Remember the account that last delivered an event from this group."""
        self._group_bot[(platform, group_id)] = self_id

    def for_group(self, platform: str, group_id: str) -> Gateway:
        self_id = self._group_bot.get((platform, group_id))
        conn = self._conns.get((platform, self_id)) if self_id else None
        if conn is None:  # fall back to any account of the platform (a single-account install)
            conn = next((c for (p, _), c in self._conns.items() if p == platform), None)
        if conn is None:
            raise GatewayError("resolve", f"no {platform} connection for group {group_id}", retryable=True)
        return conn.gateway

    def for_account(self, platform: str, self_id: str) -> Gateway:
        conn = self._conns.get((platform, self_id)) or next(
            (c for (p, _), c in self._conns.items() if p == platform), None
        )
        if conn is None:
            raise GatewayError("resolve", f"no {platform} connection", retryable=True)
        return conn.gateway
