"""SQLModel tables. Import every table here so that migrations see the whole metadata."""

from bot.models.admission import Admission, MemberIdentity, RosterPerson
from bot.models.audit import AuditEntry
from bot.models.group import ChatGroup
from bot.models.worktime import DeferredNotice, OffHoursFinding

__all__ = [
    "Admission",
    "AuditEntry",
    "ChatGroup",
    "DeferredNotice",
    "MemberIdentity",
    "OffHoursFinding",
    "RosterPerson",
]
