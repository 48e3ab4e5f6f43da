"""Checks on the register: what changed since a group was filed, duplicate groups for one unit and
matter, dormant groups, and the activity shown in the filing.

- Change detection: a filed group whose platform name or owner differs from what was filed must be
  refiled (huangshan 第十条: 变更 … 7个工作日内备案). The matter cannot change on the platform; it
  changes when the owner updates the filing.
- Duplicates: huangshi 第九条 / yichun 第一条: 同一单位、同类事项原则上只建一个工作群. Temporary and
  special groups are exempt (they exist for a task and end with it).
- Dormant groups: huaibei 第十五条 (「休眠」「僵尸」 accounts are closed): no message for N days.

Pure: time is passed in.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "ACTIVITY_WINDOW_DAYS",
    "Change",
    "GroupFacts",
    "Observed",
    "activity_label",
    "detect_changes",
    "dormant_groups",
    "duplicate_groups",
    "matter_key",
]

ACTIVITY_WINDOW_DAYS = 30


@dataclass(frozen=True, slots=True)
class Observed:
    """What the platform says about a group (empty: unknown, never a change)."""

    name: str = ""
    owner_id: str = ""


@dataclass(frozen=True, slots=True)
class Change:
    field: str  # "name" | "owner"
    label: str
    old: str
    new: str


def detect_changes(filed: Observed, observed: Observed) -> list[Change]:
    """Differences between the platform values recorded at filing and those observed now.

    A value that is unknown on either side (empty) is not a change: a failed lookup must not ask an
    owner to refile.
    """
    changes = []
    if filed.name and observed.name and filed.name.strip() != observed.name.strip():
        changes.append(Change("name", "群名称", filed.name, observed.name))
    if filed.owner_id and observed.owner_id and filed.owner_id != observed.owner_id:
        changes.append(Change("owner", "群主", filed.owner_id, observed.owner_id))
    return changes


_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
_SUFFIXES = ("工作群", "工作", "群组", "群", "事项", "相关")


def matter_key(matter: str) -> str:
    """A comparison key for a matter: width and case folded, punctuation and spaces dropped, and the
    common suffixes (「…工作群」「…工作」「…事项」) removed, so 「预算编制工作」 equals 「预算编制」."""
    s = unicodedata.normalize("NFKC", matter).casefold()
    s = _NOISE.sub("", s)
    changed = True
    while changed and s:
        changed = False
        for suffix in _SUFFIXES:
            if s.endswith(suffix) and len(s) > len(suffix):
                s = s[: -len(suffix)]
                changed = True
    return s


@dataclass(frozen=True, slots=True)
class GroupFacts:
    """One registered group as the unit checks see it."""

    platform: str
    group_id: str
    unit: str  # the policy unit key ("" for groups without one)
    name: str
    matter: str = ""
    temporary: bool = False
    filed: bool = False
    last_message: datetime | None = None
    first_seen: datetime | None = None


def duplicate_groups(groups: Iterable[GroupFacts]) -> list[tuple[str, list[GroupFacts]]]:
    """Filed standing groups that share a unit and a matter: ``[(matter, groups), …]``.

    Groups without a unit are compared among themselves only if they name the same matter too; the
    result is sorted by unit and matter so that reports are stable.
    """
    buckets: dict[tuple[str, str], list[GroupFacts]] = defaultdict(list)
    first_name: dict[tuple[str, str], str] = {}
    for g in groups:
        if not g.filed or g.temporary or not g.matter.strip():
            continue
        key = (g.unit, matter_key(g.matter))
        if not key[1]:
            continue
        buckets[key].append(g)
        first_name.setdefault(key, g.matter.strip())
    out = [
        (first_name[key], sorted(members, key=lambda g: (g.platform, g.group_id)))
        for key, members in sorted(buckets.items())
        if len(members) > 1
    ]
    return out


def dormant_groups(
    groups: Iterable[GroupFacts], now: datetime, days: int | dict[str, int]
) -> list[tuple[GroupFacts, int]]:
    """Groups with no message for at least ``days`` days (per group id when a dict): ``[(group, idle)]``.

    Idle time counts from the last message the bot saw, or from when it first saw the group if it has
    seen none; a group seen for less than ``days`` days is not dormant yet.
    """
    out = []
    for g in groups:
        limit = days.get(g.group_id, 0) if isinstance(days, dict) else days
        since = g.last_message or g.first_seen
        if limit <= 0 or since is None:
            continue
        idle = (now - since).days
        if idle >= limit:
            out.append((g, idle))
    return sorted(out, key=lambda item: (-item[1], item[0].group_id))


def activity_label(messages: int, observed_days: int, window: int = ACTIVITY_WINDOW_DAYS) -> str:
    """The 「活跃程度」 of a filing, from messages the bot saw in the last ``window`` days.

    ``observed_days``: how long the bot has been seeing the group (the window is shortened to it).
    """
    span = max(1, min(window, observed_days))
    per_day = messages / span
    if messages == 0:
        level = "无消息" if span < window else "休眠"
    elif per_day < 1:
        level = "较少"
    elif per_day < 10:
        level = "一般"
    else:
        level = "活跃"
    return f"{level}（近{span}天 {messages} 条）"
