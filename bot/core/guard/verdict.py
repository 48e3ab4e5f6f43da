"""One verdict per message: the findings of every rule, the strongest action the policy asks for
(with the finding whose citation the warning gives), then what can and may actually be done.

Three pure steps, each a small table:

1. :func:`decide` — every finding's kind gets its acts from the policy; the message gets the union;
   the *primary* finding is the one with the strongest act (serious kinds first on a tie), and its
   citation is the one the warning quotes. A serious kind always notifies the owner. A *flag*-tier
   finding (ambiguous) only notifies the owner, whatever the policy says for its kind: no public
   action, no strike; a message with flag findings only is :attr:`Verdict.flagged`.
2. :func:`plan` — what happens here: observe-only groups do nothing; exempt senders (owner,
   admins …) only get a private reminder for secret / personal data; a platform without recall or
   mute (WeChat) gets a group warning (and a note to the owner) instead.
3. :func:`escalate` — strikes: a group warning, recall or mute counts one strike (two for a serious
   kind); strikes expire after the preset's ``strike_expiry_days``; crossing the thresholds mutes
   (longer each time), notifies the owner, and finally proposes removal to the owner. Removal for
   content is never automatic.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.core.guard.finding import STRIKING, Act, Finding

MAX_MUTE_SECONDS = 24 * 3600


@dataclass(frozen=True, slots=True)
class Verdict:
    findings: tuple[Finding, ...]
    primary: Finding
    acts: frozenset[Act]
    serious: bool

    @property
    def cite_key(self) -> str:
        return self.primary.cite_key

    @property
    def sensitive(self) -> bool:
        """Whether any finding forbids echoing the message (secret markings, personal data)."""
        return any(f.sensitive for f in self.findings)

    @property
    def flagged(self) -> bool:
        """Only flag-tier findings: the admins are asked to look, nothing else happens."""
        return all(f.flagged for f in self.findings)


FLAG_ACTS: frozenset[Act] = frozenset({Act.NOTIFY})
"""What a flag-tier finding does: a private note to the group's owner (or deputies), nothing public."""


def acts_for(kind: str, actions: Mapping[str, Iterable[Act]]) -> frozenset[Act]:
    return frozenset(actions.get(kind, (Act.LOG,))) or frozenset({Act.LOG})


def decide(
    findings: Sequence[Finding], actions: Mapping[str, Iterable[Act]], serious: Collection[str] = ()
) -> Verdict | None:
    """The verdict over all findings of one message (None when there are none)."""
    if not findings:
        return None
    acts: set[Act] = set()
    best: tuple[int, bool, bool, int] | None = None
    primary = next((f for f in findings if not f.flagged), findings[0])
    only_flagged = all(f.flagged for f in findings)
    for index, finding in enumerate(findings):
        if finding.flagged and not only_flagged:
            continue  # something else acts: the ambiguous finding adds nothing (and is not cited)
        own = FLAG_ACTS if finding.flagged else acts_for(finding.kind, actions)
        acts |= own
        rank = (max(a.strength for a in own), not finding.flagged, finding.kind in serious, -index)
        if best is None or rank > best:
            best, primary = rank, finding
    is_serious = any(f.kind in serious and not f.flagged for f in findings)
    if is_serious:
        acts.add(Act.NOTIFY)
    return Verdict(tuple(findings), primary, frozenset(acts), is_serious)


@dataclass(frozen=True, slots=True)
class Plan:
    """What to do about one message, after observe-only, exemptions and platform limits."""

    outcome: str  # "enforced" | "observed" | "exempt"
    intended: frozenset[Act]  # what the policy asked for (recorded even when nothing is done)
    recall: bool = False
    warn_group: bool = False
    warn_private: bool = False
    mute_seconds: int = 0
    notify_owner: bool = False
    propose_removal: bool = False
    strike_weight: int = 0
    strikes_total: int = 0  # active strike weight including this one (filled by escalate)
    cannot: tuple[str, ...] = ()  # acts the platform cannot perform here ("recall", "mute")

    @property
    def done(self) -> tuple[str, ...]:
        """The acts performed, as keys (for the record)."""
        out = []
        if self.recall:
            out.append(Act.RECALL.value)
        if self.mute_seconds:
            out.append(Act.MUTE.value)
        if self.warn_group:
            out.append(Act.WARN.value)
        if self.warn_private:
            out.append(Act.WARN_PRIVATE.value)
        if self.notify_owner:
            out.append(Act.NOTIFY.value)
        if self.propose_removal:
            out.append("propose_removal")
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Ladder:
    """Strike thresholds (active strike weight at which each step starts)."""

    mute_after: int = 3
    mute_seconds: int = 600
    notify_after: int = 4
    propose_removal_after: int = 5


def plan(
    verdict: Verdict,
    *,
    observe: bool = False,
    exempt: bool = False,
    can_recall: bool = True,
    can_mute: bool = True,
    mute_seconds: int = 600,
) -> Plan:
    """What happens now, before strikes are counted (see :func:`escalate`)."""
    acts = verdict.acts
    if observe:
        return Plan("observed", acts)
    if exempt:
        return Plan("exempt", acts, warn_private=verdict.sensitive)
    cannot: list[str] = []
    recall = Act.RECALL in acts
    if recall and not can_recall:
        recall = False
        cannot.append("recall")
    mute = mute_seconds if Act.MUTE in acts else 0
    if mute and not can_mute:
        mute = 0
        cannot.append("mute")
    # Recalling or muting always comes with a group warning (the member must know why); so does
    # anything the platform cannot do (the warning asks the member to recall it themselves).
    warn_group = bool(acts & STRIKING) or bool(cannot)
    warn_private = Act.WARN_PRIVATE in acts and not warn_group
    weight = 0
    if acts & STRIKING:
        weight = 2 if verdict.serious else 1
    return Plan(
        "enforced",
        acts,
        recall=recall,
        warn_group=warn_group,
        warn_private=warn_private,
        mute_seconds=mute,
        notify_owner=Act.NOTIFY in acts or "mute" in cannot,
        strike_weight=weight,
        cannot=tuple(cannot),
    )


def escalate(current: Plan, before: int, ladder: Ladder, *, can_mute: bool = True) -> Plan:
    """Apply the strike ladder: ``before`` is the active strike weight before this message."""
    if current.outcome != "enforced" or current.strike_weight == 0:
        return dataclasses.replace(current, strikes_total=before)
    after = before + current.strike_weight
    mute = current.mute_seconds
    notify = current.notify_owner
    cannot = current.cannot
    if after >= ladder.mute_after:
        step = min(after - ladder.mute_after, 10)
        ladder_mute = min(ladder.mute_seconds * 2**step, MAX_MUTE_SECONDS)
        if can_mute:
            mute = max(mute, ladder_mute)
        elif "mute" not in cannot:
            cannot = (*cannot, "mute")
            notify = True
    if before < ladder.notify_after <= after:
        notify = True
    propose = before < ladder.propose_removal_after <= after
    return dataclasses.replace(
        current,
        mute_seconds=mute,
        notify_owner=notify or propose,
        propose_removal=propose,
        strikes_total=after,
        cannot=cannot,
    )
