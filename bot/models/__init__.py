"""SQLModel tables. Import every table here so that migrations see the whole metadata."""

from bot.models.audit import AuditEntry
from bot.models.group import ChatGroup

__all__ = ["AuditEntry", "ChatGroup"]
