"""SQLModel tables. Import every table here so that migrations see the whole metadata."""

from bot.models.audit import AuditEntry
from bot.models.group import ChatGroup
from bot.models.worktime import DeferredNotice, OffHoursFinding

__all__ = [
    "AuditEntry",
    "ChatGroup",
    "DeferredNotice",
    "OffHoursFinding",
]
