"""The same notice reposted (yichun 第九条: 禁止同一信息在群内反复发布，多头发布).

Every message long enough to be a notice is sketched and remembered for the policy's window, per
scope — the group, or every group of the group's unit, so a notice pushed into several of the
unit's groups counts. A new message whose normalised text overlaps an earlier one by at least
:data:`SIMILARITY` (Jaccard over character trigrams) is a repeat, whoever posts it. Only a repeat
that reads as a work notice (:func:`bot.core.notice.classify_notice`) is reported, so that chat that
happens to recur (「收到，马上办」) is left alone; the classifier runs only for repeats, never on the
clean path. A message marked as a correction (更正、勘误 …) passes, and so does the author re-posting
their own notice with an urgency mark it did not have (the working-hours reminder tells them to do
exactly that: 「如确属紧急事项，请在消息开头注明【紧急】」).

How, cheaply (the check runs on every message of 20 characters or more):

* The sketch is the :data:`_K` smallest hashed trigrams (a bottom-k MinHash sketch): a few C-level
  passes to build, a few hundred bytes to keep, and an unbiased estimate of the Jaccard
  similarity — exact for texts of up to ``_K + 2`` characters, within a few points above that.
* Candidates come from an exact-text dictionary and from posting lists keyed by *pairs* of the
  smallest hashes: two near-duplicates share most of their smallest hashes, while two unrelated
  messages rarely share two of them even when one trigram is very common (「的时候」), so posting
  lists stay short without a stop list.
* Memory is bounded by ``capacity`` entries (the oldest go first; about 1 KB each) and the window.
  The index lives in memory: after a restart, repeats of notices posted before it are not
  recognised.
"""

from __future__ import annotations

import itertools
import re
from array import array
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.guard.finding import Finding
from bot.core.notice import classify_notice

SIMILARITY = 0.8
"""Jaccard similarity of trigram sets from which two messages are the same notice."""

MAX_CHARS = 1000
"""Only the start of a very long message is sketched (a 100 KB paste costs no more than a notice)."""

_K = 32  # hashes in a sketch
_INDEX_PAIRS = tuple(itertools.combinations(range(3), 2))  # an entry is filed under pairs of its 4 smallest
_PROBE_PAIRS = tuple(itertools.combinations(range(5), 2))  # a new message looks up pairs of its 5 smallest
_BUCKET_LIMIT = 32  # a fuller posting list is skipped (and not extended)
_CORRECTION = re.compile(r"更正|勘误|修正|纠正|订正|以此为准|以本条为准|以此条为准|以这条为准|修订版|最新版")


@dataclass(frozen=True, slots=True)
class Repeat:
    """The earlier message a new one repeats."""

    group_id: str
    user_id: str
    message_id: str
    at: datetime
    similarity: float


@dataclass(slots=True, eq=False)  # compared by identity (posting lists remove this very entry)
class _Entry:
    serial: int
    scope: str
    group_id: str
    user_id: str
    message_id: str
    at: datetime
    sketch: array[int]  # the _K smallest trigram hashes, ascending (8 bytes each, no int objects)
    exact: int
    urgent: bool


def sketch(normalized: str) -> tuple[int, ...]:
    """The smallest hashed character trigrams of a normalised text, ascending (process-local
    hashes: never persisted)."""
    t = normalized[:MAX_CHARS]
    return tuple(sorted(set(map(hash, map("".join, zip(t, t[1:], t[2:], strict=False)))))[:_K])


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Jaccard similarity estimated from two bottom-k sketches (exact when both are complete)."""
    sa, sb = set(a), set(b)
    union = sorted(sa | sb)[:_K]
    return sum(1 for h in union if h in sa and h in sb) / len(union)


def _keys(scope: str, marks: Sequence[int]) -> list[int]:
    return [hash((scope, marks[i], marks[j])) for i, j in _INDEX_PAIRS if j < len(marks)]


def is_correction(normalized: str) -> bool:
    return _CORRECTION.search(normalized[:200]) is not None


class RepeatIndex:
    """Recent long messages per scope, for near-duplicate lookups."""

    def __init__(self, capacity: int = 20_000) -> None:
        self.capacity = capacity
        self._entries: deque[_Entry] = deque()
        self._postings: dict[int, list[_Entry]] = {}  # hash((scope, h1, h2)) → entries
        self._exact: dict[tuple[str, int], _Entry] = {}
        self._serial = 0

    def __len__(self) -> int:
        return len(self._entries)

    def check(
        self,
        scope: str,
        *,
        group_id: str,
        user_id: str,
        message_id: str,
        normalized: str,
        at: datetime,
        window: timedelta,
        min_chars: int,
        urgent: bool = False,
    ) -> Repeat | None:
        """The earlier message this one repeats within ``window``, or None; remembers this one
        (unless it is itself a repeat: the original stays the reference). ``urgent``: the message
        carries an urgency mark (see :func:`bot.core.notice.urgent_marker`)."""
        if len(normalized) < max(min_chars, 6) or window <= timedelta(0):
            return None
        self._expire(at - window)
        marks = sketch(normalized)
        exact = hash(normalized[:MAX_CHARS])
        found = None
        if not is_correction(normalized):
            entry, score = self._lookup(scope, exact, marks, at, window)
            if entry is not None and not (urgent and not entry.urgent and entry.user_id == user_id):
                found = Repeat(entry.group_id, entry.user_id, entry.message_id, entry.at, score)
        if found is None:
            self._add(scope, group_id, user_id, message_id, at, marks, exact, urgent)
        return found

    def _lookup(
        self, scope: str, exact: int, marks: tuple[int, ...], at: datetime, window: timedelta
    ) -> tuple[_Entry | None, float]:
        same = self._exact.get((scope, exact))
        if same is not None and timedelta(0) <= at - same.at <= window:
            return same, 1.0
        best: tuple[datetime, float, _Entry] | None = None
        seen: set[int] = set()
        for i, j in _PROBE_PAIRS:
            if j >= len(marks):
                continue
            bucket = self._postings.get(hash((scope, marks[i], marks[j])))
            if not bucket or len(bucket) >= _BUCKET_LIMIT:
                continue
            for entry in bucket:
                if entry.serial in seen:
                    continue
                seen.add(entry.serial)
                if entry.scope != scope or not (timedelta(0) <= at - entry.at <= window):
                    continue
                score = similarity(marks, entry.sketch)
                if score >= SIMILARITY and (best is None or entry.at < best[0]):
                    best = (entry.at, score, entry)
        if best is None:
            return None, 0.0
        return best[2], round(best[1], 3)

    def _add(
        self,
        scope: str,
        group_id: str,
        user_id: str,
        message_id: str,
        at: datetime,
        marks: tuple[int, ...],
        exact: int,
        urgent: bool,
    ) -> None:
        self._serial += 1
        entry = _Entry(
            self._serial, scope, group_id, user_id, message_id, at, array("q", marks), exact, urgent
        )
        for key in _keys(scope, marks):
            bucket = self._postings.setdefault(key, [])
            if len(bucket) < _BUCKET_LIMIT:
                bucket.append(entry)
        self._exact.setdefault((scope, exact), entry)
        self._entries.append(entry)
        while len(self._entries) > self.capacity:
            self._drop(self._entries.popleft())

    def _expire(self, before: datetime) -> None:
        # Entries arrive in (roughly) time order: drop from the old end while they are too old.
        while self._entries and self._entries[0].at < before:
            self._drop(self._entries.popleft())

    def _drop(self, entry: _Entry) -> None:
        for key in _keys(entry.scope, entry.sketch):
            bucket = self._postings.get(key)
            if bucket is not None and entry in bucket:  # (not filed where the list was full)
                bucket.remove(entry)
                if not bucket:
                    del self._postings[key]
        if self._exact.get((entry.scope, entry.exact)) is entry:
            del self._exact[(entry.scope, entry.exact)]


def findings(repeat: Repeat | None, text: str, *, at_all: bool = False) -> list[Finding]:
    """A finding when ``text`` repeats an earlier message and reads as a work notice."""
    if repeat is None or not classify_notice(text, at_all=at_all).is_notice:
        return []
    return [Finding("repeat_notice", ref=repeat)]
