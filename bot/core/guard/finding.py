"""What a rule reports (:class:`Finding`) and what a policy can do about it (:class:`Act`)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from bot.core.guard.categories import KIND_BY_KEY


class Act(enum.StrEnum):
    """One thing the guard can do about a message. A policy gives each kind a set of these."""

    LOG = "log"  # record only
    NOTIFY = "notify"  # tell the group's owner privately
    WARN_PRIVATE = "warn_private"  # remind the sender privately (no strike)
    WARN = "warn"  # warn the sender in the group with an @ (a strike)
    RECALL = "recall"  # recall the message (and warn)
    MUTE = "mute"  # mute the sender (and warn)

    @property
    def label(self) -> str:
        return ACT_LABELS[self]

    @property
    def strength(self) -> int:
        return _STRENGTH[self]


ACT_LABELS: dict[Act, str] = {
    Act.LOG: "仅记录",
    Act.NOTIFY: "通知群主",
    Act.WARN_PRIVATE: "私聊提醒",
    Act.WARN: "群内提醒",
    Act.RECALL: "撤回",
    Act.MUTE: "禁言",
}
_STRENGTH = {Act.LOG: 0, Act.NOTIFY: 1, Act.WARN_PRIVATE: 2, Act.WARN: 3, Act.RECALL: 4, Act.MUTE: 5}
_BY_LABEL = {label: act for act, label in ACT_LABELS.items()} | {
    "记录": Act.LOG,
    "提醒": Act.WARN,
    "警告": Act.WARN,
    "私聊": Act.WARN_PRIVATE,
    "通知": Act.NOTIFY,
}

STRIKING: frozenset[Act] = frozenset({Act.WARN, Act.RECALL, Act.MUTE})
"""Acts that count a strike against the sender (a private reminder or a note to the owner does not)."""


def parse_act(name: str) -> Act | None:
    """An act from its key (``recall``) or Chinese label (``撤回``); None when unknown."""
    text = name.strip()
    try:
        return Act(text.lower())
    except ValueError:
        return _BY_LABEL.get(text)


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's finding about one message.

    ``excerpt`` is what may be shown and stored: a matched word, a domain, a masked number — never
    the message itself; it is ``""`` for sensitive kinds unless it is already masked.
    ``detail`` is a short Chinese explanation for the warning (e.g. 「10 秒内 12 条」).
    ``tier`` is ``act`` (the policy's actions apply) or ``flag`` (ambiguous: a private note to the
    group's admins, no public action, no strike).
    """

    kind: str
    excerpt: str = ""
    detail: str = ""
    ref: object = field(default=None, compare=False)  # rule-specific context (e.g. the original notice)
    tier: str = "act"

    @property
    def flagged(self) -> bool:
        return self.tier == "flag"

    @property
    def rule(self) -> str:
        return KIND_BY_KEY[self.kind].rule

    @property
    def cite_key(self) -> str:
        return KIND_BY_KEY[self.kind].cite

    @property
    def sensitive(self) -> bool:
        return KIND_BY_KEY[self.kind].sensitive

    @property
    def label(self) -> str:
        return KIND_BY_KEY[self.kind].label

    @property
    def shown(self) -> str:
        """The excerpt if this kind may echo it, else ``""`` (used by warnings)."""
        return self.excerpt if KIND_BY_KEY[self.kind].echo else ""
