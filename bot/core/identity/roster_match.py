"""Match a parsed join comment against the unit's roster (花名册).

Outcomes (SPEC §2): exactly one person → ``MATCHED`` (approve, or queue where admins confirm each
entry); several → ``AMBIGUOUS``; none → ``NOT_FOUND``. The latter two carry the closest candidates for
the admins' message: people of the same name in another department, and people of the same department
with a similar name (one character off: a typo or a homophone).

A name matches exactly when it equals the roster name or one of its aliases (spaces, middle dots,
width and case ignored). A department matches, best first, when it is equal (or equal to a department
alias), when one ends with the other (黄山市财政局办公室 ↔ 办公室), or when their cores agree (财务 ↔ 财务科).
Among the people whose name matches, those with the best department level win; a department that does
not match at all never wins. The roster given should already be filtered to people who may join (在岗).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from .join_comment import ParsedComment, Reading, dept_core
from .masking import mask_name

__all__ = [
    "Candidate",
    "CandidateReason",
    "DeptLevel",
    "MatchOutcome",
    "RosterEntry",
    "RosterMatch",
    "dept_level",
    "match_roster",
    "names_similar",
]


@dataclass(frozen=True, slots=True, repr=False)
class RosterEntry:
    """One person on the roster. ``id`` is opaque to this module (the store's primary key, say);
    ``aliases`` are other names of the person (曾用名, the name as commonly written), ``dept_aliases``
    other names of the department (简称)."""

    id: str
    name: str
    dept: str
    aliases: tuple[str, ...] = ()
    dept_aliases: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"RosterEntry(id={self.id!r}, name={mask_name(self.name)!r}, dept={self.dept!r})"


class DeptLevel(IntEnum):
    NONE = 0
    CORE = 1
    ENDS_WITH = 2
    EXACT = 3


class MatchOutcome(StrEnum):
    MATCHED = "matched"
    AMBIGUOUS = "ambiguous"
    NOT_FOUND = "not_found"


class CandidateReason(StrEnum):
    SAME_NAME_SAME_DEPT = "same_name_same_dept"
    SAME_NAME_OTHER_DEPT = "same_name_other_dept"
    SIMILAR_NAME_SAME_DEPT = "similar_name_same_dept"
    SAME_NAME = "same_name"  # the applicant gave no department
    SIMILAR_NAME = "similar_name"  # the applicant gave no department

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]


_REASON_LABELS = {
    CandidateReason.SAME_NAME_SAME_DEPT: "姓名、科室均相符",
    CandidateReason.SAME_NAME_OTHER_DEPT: "同名，但科室不同",
    CandidateReason.SIMILAR_NAME_SAME_DEPT: "同科室，姓名相近",
    CandidateReason.SAME_NAME: "同名（未填写科室）",
    CandidateReason.SIMILAR_NAME: "姓名相近（未填写科室）",
}


@dataclass(frozen=True, slots=True)
class Candidate:
    entry: RosterEntry
    reason: CandidateReason


@dataclass(frozen=True, slots=True)
class RosterMatch:
    """``entry``, ``reading`` and ``level`` (how well the department agreed; None when the reading
    had no department) are set for ``MATCHED``. ``candidates`` lists, for ``AMBIGUOUS``, the tied
    people first, then (for both other outcomes) the closest others, at most ``max_candidates``."""

    outcome: MatchOutcome
    entry: RosterEntry | None = None
    reading: Reading | None = None
    level: DeptLevel | None = None
    candidates: tuple[Candidate, ...] = ()

    @property
    def matched(self) -> bool:
        return self.outcome is MatchOutcome.MATCHED


def _name_key(name: str) -> str:
    s = unicodedata.normalize("NFKC", name)
    return "".join(c for c in s if not c.isspace() and c not in "·•・‧∙⋅-").casefold()


def _dept_key(dept: str) -> str:
    s = unicodedata.normalize("NFKC", dept)
    return "".join(c for c in s if c.isalnum()).casefold()


def dept_level(given: str, roster_dept: str) -> DeptLevel:
    """How well the department an applicant wrote matches a roster department."""
    a, b = _dept_key(given), _dept_key(roster_dept)
    if not a or not b:
        return DeptLevel.NONE
    if a == b:
        return DeptLevel.EXACT
    short, long = sorted((a, b), key=len)
    if len(short) >= 2 and long.endswith(short):
        return DeptLevel.ENDS_WITH
    short_c, long_c = sorted((dept_core(a), dept_core(b)), key=len)
    if len(short_c) >= 2 and long_c.endswith(short_c):
        return DeptLevel.CORE
    return DeptLevel.NONE


def _edit_distance_at_most_one(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def names_similar(a: str, b: str) -> bool:
    """One character apart (a typo or a homophone); two-character names must share the surname."""
    ka, kb = _name_key(a), _name_key(b)
    if ka == kb or min(len(ka), len(kb)) < 2 or not _edit_distance_at_most_one(ka, kb):
        return False
    return ka[0] == kb[0] or min(len(ka), len(kb)) >= 3


def _best_dept(reading_dept: str, entry: RosterEntry) -> DeptLevel:
    return max(dept_level(reading_dept, d) for d in (entry.dept, *entry.dept_aliases))


def _name_exact(key: str, entry: RosterEntry) -> bool:
    return any(_name_key(n) == key for n in (entry.name, *entry.aliases))


def match_roster(
    parsed: ParsedComment | Reading | Sequence[Reading],
    roster: Iterable[RosterEntry],
    *,
    max_candidates: int = 5,
) -> RosterMatch:
    """Find the applicant on the roster.

    Readings are tried in order (the parser's best first); the first that finds anyone decides: one
    person → matched, several → ambiguous. A failed parse (``parsed.ok`` false) never matches, but
    still gets candidates by name so that admins can see who the applicant may be.
    """
    if isinstance(parsed, ParsedComment):
        readings, may_match = parsed.readings, parsed.ok
    elif isinstance(parsed, Reading):
        readings, may_match = (parsed,), True
    else:
        readings, may_match = tuple(parsed), True
    entries = list({e.id: e for e in roster}.values())

    tied: list[RosterEntry] = []
    for reading in readings:
        tied, level = _winners(reading, entries)
        if len(tied) == 1 and may_match:
            return RosterMatch(MatchOutcome.MATCHED, tied[0], reading, level)
        if tied:  # a reading that finds people decides; a later, less likely one may not overrule it
            break

    no_dept = all(r.dept is None for r in readings)
    first = CandidateReason.SAME_NAME if no_dept else CandidateReason.SAME_NAME_SAME_DEPT
    candidates = [Candidate(e, first) for e in tied]
    seen = {e.id for e in tied}
    closer = (
        (CandidateReason.SIMILAR_NAME,)
        if no_dept
        else (CandidateReason.SAME_NAME_OTHER_DEPT, CandidateReason.SIMILAR_NAME_SAME_DEPT)
    )
    for reason in closer:
        for reading in readings:
            for e in _closest(reading, entries, reason):
                if e.id not in seen:
                    seen.add(e.id)
                    candidates.append(Candidate(e, reason))
    outcome = MatchOutcome.AMBIGUOUS if len(tied) > 1 and may_match else MatchOutcome.NOT_FOUND
    return RosterMatch(outcome, candidates=tuple(candidates[: max(0, max_candidates)]))


def _winners(reading: Reading, entries: list[RosterEntry]) -> tuple[list[RosterEntry], DeptLevel | None]:
    """The people whose name matches and whose department matches best (not at all: nobody)."""
    key = _name_key(reading.name)
    same_name = [e for e in entries if _name_exact(key, e)]
    if reading.dept is None:
        return same_name, None
    levels = [(_best_dept(reading.dept, e), e) for e in same_name]
    best = max((lv for lv, _ in levels), default=DeptLevel.NONE)
    if best is DeptLevel.NONE:
        return [], None
    return [e for lv, e in levels if lv == best], best


def _closest(reading: Reading, entries: list[RosterEntry], reason: CandidateReason) -> list[RosterEntry]:
    key = _name_key(reading.name)
    if reason is CandidateReason.SAME_NAME_OTHER_DEPT:
        return [e for e in entries if _name_exact(key, e)]
    if reading.dept is None:
        return [e for e in entries if any(names_similar(reading.name, n) for n in (e.name, *e.aliases))]
    return [
        e
        for e in entries
        if _best_dept(reading.dept, e) is not DeptLevel.NONE
        and any(names_similar(reading.name, n) for n in (e.name, *e.aliases))
    ]
