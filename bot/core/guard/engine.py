"""The content pass: every rule over one message, once (SPEC §3, §11).

Cost model — the pass runs on every group message, so the clean path is what matters:

* normalise the text once (one ``str.translate`` and a few C-level passes);
* one scan of the group's matcher stack over the normalised text (keywords and secret markings);
  context rules and tiers only look at the hits (the clean path has none);
* scam patterns: one handle regex over the normalised text (the lures only when a handle is there);
* personal data, links and cards behind cheap pre-checks (three digits in a row; a dot between
  letters or ``://``; a card segment);
* flooding: a deque append per sender; repeats: a trigram sketch and a few dictionary lookups for
  messages long enough to be a notice (the notice classifier runs only when a repeat is found).

No I/O, no clock (the message carries its time), no logging.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.guard.finding import Act, Finding
from bot.core.guard.rules import files, keywords, links, personal_data, repeat_notice, scam
from bot.core.guard.rules.flooding import FloodLimits, FloodTracker
from bot.core.guard.rules.links import LinkPolicy, SegmentLike
from bot.core.guard.rules.repeat_notice import RepeatIndex
from bot.core.guard.rules.scam import ScamPatterns
from bot.core.guard.verdict import Verdict, decide
from bot.core.notice import urgent_marker
from bot.core.text.context import Contexts
from bot.core.text.matcher import MatcherStack

__all__ = ["ContentGuard", "GuardConfig", "GuardInput", "GuardSettingsLike", "compile_config"]


@dataclass(frozen=True, slots=True)
class GuardConfig:
    """One group's compiled guard settings (built from its preset; cached by the caller)."""

    stack: MatcherStack
    actions: Mapping[str, frozenset[Act]] = field(default_factory=dict)
    serious: frozenset[str] = frozenset()
    detect_mobile: bool = False
    links: LinkPolicy = field(default_factory=LinkPolicy)
    blocked_extensions: frozenset[str] = frozenset()
    repeat_window: timedelta = timedelta(days=7)
    repeat_min_chars: int = 20
    flood: FloodLimits | None = field(default_factory=FloodLimits)
    # Tiers and context (bot.core.guard.setup builds them from the packaged data and /词库 changes):
    flagged: frozenset[tuple[str, str]] = frozenset()  # (category, word) of the flag tier
    promoted: frozenset[tuple[str, str]] = frozenset()  # context terms an admin made act
    contexts: Contexts | None = None
    scam: ScamPatterns | None = None


@dataclass(frozen=True, slots=True)
class GuardInput:
    """What the rules read of a message (the plugin builds it from the intake's record).

    This is the content pass's entry point for every source of text: a group message, and text
    extracted from a message (a forwarded record, a card's title and description, a decoded QR
    code, OCR) — pass the extracted text as ``text`` (segments only for link cards) and judge it
    with :meth:`ContentGuard.check` / :meth:`ContentGuard.judge` like a message.
    """

    text: str
    segments: Sequence[SegmentLike] = ()
    group_id: str = ""
    user_id: str = ""
    message_id: str = ""
    at: datetime | None = None  # the event's own time; flooding and repeats need it
    scope: str = ""  # where repeats count: the group's unit, or the group itself
    at_all: bool = False


class ContentGuard:
    """Runs the rules. Holds the bounded memory of the rules that remember (repeats, flooding)."""

    def __init__(self, *, repeat_capacity: int = 20_000, flood_capacity: int = 20_000) -> None:
        self.repeats = RepeatIndex(repeat_capacity)
        self.floods = FloodTracker(flood_capacity)

    def check(
        self, msg: GuardInput, cfg: GuardConfig, *, remember: bool = True, exempt: bool = False
    ) -> list[Finding]:
        """Findings of every rule. ``remember=False`` leaves the repeat and flood memory alone (a
        dry run, e.g. /词库 测试); an ``exempt`` sender's notices are remembered (so that others'
        reposts are recognised) but their own repeats and bursts are not findings."""
        text = msg.text
        found: list[Finding] = []
        normalized = cfg.stack.normalizer.text(text) if text else ""
        if normalized:
            found.extend(self.text_findings(text, normalized, cfg))
            found.extend(personal_data.findings(normalized, mobile=cfg.detect_mobile))
        if text or msg.segments:
            found.extend(links.findings(text, msg.segments, cfg.links))
        if remember and msg.at is not None:
            if cfg.flood is not None and not exempt:
                flood = self.floods.check(
                    (msg.group_id, msg.user_id), normalized, msg.at.timestamp(), cfg.flood
                )
                if flood is not None:
                    found.append(flood)
            if cfg.repeat_window and normalized:
                repeat = self.repeats.check(
                    msg.scope or msg.group_id,
                    group_id=msg.group_id,
                    user_id=msg.user_id,
                    message_id=msg.message_id,
                    normalized=normalized,
                    at=msg.at,
                    window=cfg.repeat_window,
                    min_chars=cfg.repeat_min_chars,
                    urgent="急" in text and urgent_marker(text) is not None,
                )
                if repeat is not None and not exempt:
                    found.extend(repeat_notice.findings(repeat, text, at_all=msg.at_all))
        return found

    @staticmethod
    def text_findings(text: str, normalized: str, cfg: GuardConfig) -> list[Finding]:
        """Keyword, secret-marking and scam findings of one text (tiers and context applied)."""
        found: list[Finding] = []
        hits = keywords.scan(cfg.stack, text, normalized)
        if hits:
            decided = keywords.decide(
                hits, text, normalized, flagged=cfg.flagged, promoted=cfg.promoted, contexts=cfg.contexts
            )
            found.extend(keywords.findings_of(decided))
        if cfg.scam is not None:
            ctx = cfg.contexts
            passes = {k: ctx.pass_cue(k, normalized, term=True) for k in ("fraud", "ads")} if ctx else {}
            for finding, _ in scam.findings(text, normalized, cfg.scam, cfg.links, passes):
                same = next((f for f in found if f.kind == finding.kind), None)
                if same is None:
                    found.append(finding)
                elif same.flagged and not finding.flagged:
                    found[found.index(same)] = finding
        return found

    @staticmethod
    def explain(text: str, cfg: GuardConfig) -> list[str]:
        """Which entry and which cue decided, one Chinese line per keyword hit or scam pattern (for
        /词库 测试). Secret markings are named by their category only."""
        normalized = cfg.stack.normalizer.text(text) if text else ""
        if not normalized:
            return []
        lines = []
        hits = keywords.scan(cfg.stack, text, normalized)
        decided = keywords.decide(
            hits, text, normalized, flagged=cfg.flagged, promoted=cfg.promoted, contexts=cfg.contexts
        )
        tiers = {"act": "处理", "flag": "待核实", "pass": "不处理"}
        for d in decided:
            word = "密级标识" if d.hit.category == keywords.SECRET else d.hit.word
            lines.append(f"{d.hit.category}：{d.decision.explain(word)} → {tiers[d.decision.tier]}")
        if cfg.scam is not None:
            m = cfg.scam.phishing_link(text, normalized, cfg.links) or cfg.scam.match(normalized)
            if m is not None:
                cue = cfg.contexts.pass_cue(m.kind, normalized, term=True) if cfg.contexts else ""
                verdict = f"与官方/提醒用语「{cue}」同现 → 不处理" if cue else f"→ {tiers[m.tier]}"
                lines.append(f"{m.kind}：{m.explain()} {verdict}")
        return lines

    def judge(
        self, msg: GuardInput, cfg: GuardConfig, *, remember: bool = True, exempt: bool = False
    ) -> Verdict | None:
        """The verdict over :meth:`check`'s findings (None for a clean message)."""
        return decide(self.check(msg, cfg, remember=remember, exempt=exempt), cfg.actions, cfg.serious)

    @staticmethod
    def check_file(name: str, cfg: GuardConfig) -> list[Finding]:
        """Findings for a file uploaded to the group, by its name."""
        bare = cfg.contexts.terms().get("secret", ()) if cfg.contexts is not None else ()
        return files.findings(name, cfg.stack, cfg.blocked_extensions, frozenset(bare))


class GuardSettingsLike(Protocol):
    """What :func:`compile_config` reads: the shape of ``bot.policy.model.GuardSettings`` (read-only,
    as the frozen model's fields are)."""

    @property
    def actions(self) -> Mapping[str, Sequence[str]]: ...

    @property
    def serious(self) -> Sequence[str]: ...

    @property
    def detect_mobile(self) -> bool: ...

    @property
    def link_allow(self) -> Sequence[str]: ...

    @property
    def link_shorteners(self) -> Sequence[str]: ...

    @property
    def blocked_extensions(self) -> Sequence[str]: ...

    @property
    def repeat_window_days(self) -> int: ...

    @property
    def repeat_min_chars(self) -> int: ...

    @property
    def flood_messages(self) -> int: ...

    @property
    def flood_seconds(self) -> int: ...

    @property
    def flood_same_text(self) -> int: ...

    @property
    def flood_same_seconds(self) -> int: ...


def compile_config(
    settings: GuardSettingsLike,
    stack: MatcherStack,
    *,
    flagged: frozenset[tuple[str, str]] = frozenset(),
    promoted: frozenset[tuple[str, str]] = frozenset(),
    contexts: Contexts | None = None,
    scam: ScamPatterns | None = None,
) -> GuardConfig:
    """A group's :class:`GuardConfig` from its preset's guard settings and its matcher stack (plus
    the tiers, context rules and scam patterns; without them every hit acts, as a bare lexicon)."""
    return GuardConfig(
        flagged=flagged,
        promoted=promoted,
        contexts=contexts,
        scam=scam,
        stack=stack,
        actions={kind: frozenset(Act(a) for a in acts) for kind, acts in settings.actions.items()},
        serious=frozenset(settings.serious),
        detect_mobile=settings.detect_mobile,
        links=LinkPolicy(frozenset(settings.link_allow), frozenset(settings.link_shorteners)),
        blocked_extensions=frozenset(settings.blocked_extensions),
        repeat_window=timedelta(days=settings.repeat_window_days),
        repeat_min_chars=settings.repeat_min_chars,
        flood=FloodLimits(
            settings.flood_messages,
            settings.flood_seconds,
            settings.flood_same_text,
            settings.flood_same_seconds,
        ),
    )
