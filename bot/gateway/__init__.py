"""Platform gateway: one interface for acting on chats, OneBot v11/v12 implementations, pacing."""

from bot.gateway.base import Capability, Gateway, GatewayError, GroupInfo, Member, Unsupported

__all__ = ["Capability", "Gateway", "GatewayError", "GroupInfo", "Member", "Unsupported"]
