"""SQLModel tables. Import every table here so that migrations see the whole metadata."""

from bot.models.admission import Admission, MemberIdentity, RosterPerson
from bot.models.audit import AuditEntry
from bot.models.dayone import GroupSight, MemberRole
from bot.models.group import ChatGroup
from bot.models.guard import GuardFinding, GuardSetting, GuardStrike, GuardWord
from bot.models.register import Case, Filing, FilingDuty, FilingHistory, GroupActivity, RegisterRun
from bot.models.review import (
    GroupDayCount,
    MemberActivity,
    ReviewFinding,
    ReviewRun,
    Suggestion,
)
from bot.models.web import WebSetting, WebUser
from bot.models.wechat import MemberSnapshot
from bot.models.worktime import DeferredNotice, OffHoursFinding

__all__ = [
    "Admission",
    "AuditEntry",
    "Case",
    "ChatGroup",
    "DeferredNotice",
    "Filing",
    "FilingDuty",
    "FilingHistory",
    "GroupActivity",
    "GroupDayCount",
    "GroupSight",
    "GuardFinding",
    "GuardSetting",
    "GuardStrike",
    "GuardWord",
    "MemberActivity",
    "MemberIdentity",
    "MemberRole",
    "MemberSnapshot",
    "OffHoursFinding",
    "RegisterRun",
    "ReviewFinding",
    "ReviewRun",
    "RosterPerson",
    "Suggestion",
    "WebSetting",
    "WebUser",
]
