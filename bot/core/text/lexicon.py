"""Lexicon files: the packaged defaults, the operator's additions and imported external lists.

The default lexicons ship inside the package (``bot/core/text/lexicons/*.txt``) and are read through
:mod:`importlib.resources`, so a wheel install finds them wherever it lives. An operator may add words
without touching the package: ``*.txt`` files of the same format in ``config/lexicons/`` (relative to
the working directory, like ``config/bot.toml``) are merged on top (:func:`load_default`).

Formats:

* category files — one word a line (``<category>.txt`` for the *act* tier, ``flag/<category>.txt``
  for the *flag* tier: ambiguous words that only earn a private note to the admins), ``#`` starts
  a comment (whole line, or after whitespace),
  blank lines ignored; the file stem is the category key, ``allow.txt`` is the allow list;
* plain external lists — the same, loaded into a category the caller names;
* tagged external lists — ``word TAG,TAG`` lines as in houbb/sensitive-word, tags mapped to our
  categories (:data:`~bot.core.text.categories.HOUBB_TAGS` by default).

A bad line (undecodable, control characters, too long, missing or unknown tag) is reported with
its line number and skipped; the rest of the file still loads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from bot.core.text.categories import ALLOW_KEY, BY_KEY, HOUBB_TAGS
from bot.core.text.matcher import Matcher
from bot.core.text.normalize import Normalizer

DEFAULT_LEXICON_DIR: Traversable = resources.files("bot.core.text") / "lexicons"
"""The packaged default lexicons (a resource folder: iterate it, don't assume a file system path)."""

OPERATOR_LEXICON_DIR = Path("config") / "lexicons"
"""The operator's additions, relative to the working directory; absent is fine."""

MAX_WORD_LENGTH = 64
"""Longer lines are almost always a paste accident (a paragraph, a binary file), not a keyword."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_COMMENT = re.compile(r"\s#.*$")
_TAGGED = re.compile(r"^(.*\S)\s+(\S+)$")


@dataclass(frozen=True, slots=True)
class LineError:
    """A line that was skipped, and why. ``source`` is the file name (never a full path)."""

    source: str
    line: int
    text: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}: {self.text[:40]!r}"


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Deny words per category (act tier), allow words, the lines that could not be read, and the
    flag-tier words per category (matched like deny words; :meth:`flagged` says which they are)."""

    deny: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    allow: tuple[str, ...] = ()
    errors: tuple[LineError, ...] = ()
    flag: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def merge(self, other: Lexicon) -> Lexicon:
        """Both lexicons together (words de-duplicated, order kept)."""
        return Lexicon(
            _merge(self.deny, other.deny),
            _unique([*self.allow, *other.allow]),
            (*self.errors, *other.errors),
            _merge(self.flag, other.flag),
        )

    def word_count(self) -> int:
        words = sum(len(v) for v in self.deny.values()) + sum(len(v) for v in self.flag.values())
        return words + len(self.allow)

    def all_deny(self) -> dict[str, tuple[str, ...]]:
        """Deny words of both tiers by category."""
        return _merge(self.deny, self.flag)

    def flagged(self) -> frozenset[tuple[str, str]]:
        """``(category, word)`` of the flag tier (a word in both tiers acts)."""
        out: set[tuple[str, str]] = set()
        for cat, words in self.flag.items():
            act = set(self.deny.get(cat, ()))
            out.update((cat, w) for w in words if w not in act)
        return frozenset(out)

    def matcher(self, normalizer: Normalizer | None = None) -> Matcher:
        return Matcher.build(self.all_deny(), self.allow, normalizer=normalizer)


def _merge(a: Mapping[str, Iterable[str]], b: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    out = {k: list(v) for k, v in a.items()}
    for key, words in b.items():
        out.setdefault(key, []).extend(words)
    return {k: _unique(v) for k, v in out.items()}


def _unique(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(words))


def read_lines(path: Path | Traversable) -> Iterator[tuple[int, str | None]]:
    """``(line number, text)`` per line; text is ``None`` when the line is not valid UTF-8."""
    data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            yield number, raw.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError:
            yield number, None


def _clean(number: int, text: str | None, source: str) -> str | LineError | None:
    """The content of a line, ``None`` for blanks and comments, or the reason it is bad."""
    if text is None:
        return LineError(source, number, "", "不是有效的 UTF-8 文本")
    text = _COMMENT.sub("", text).strip()
    if not text or text.startswith("#"):
        return None
    if _CONTROL.search(text):
        return LineError(source, number, text, "含有控制字符")
    return text


def parse_plain(lines: Iterable[tuple[int, str | None]], source: str) -> tuple[list[str], list[LineError]]:
    """Words of a one-word-a-line list."""
    words: list[str] = []
    errors: list[LineError] = []
    for number, text in lines:
        item = _clean(number, text, source)
        if isinstance(item, LineError):
            errors.append(item)
        elif item is None:
            continue
        elif "\t" in item:
            errors.append(LineError(source, number, item, "含有制表符（是否为带标签的词表？）"))
        elif len(item) > MAX_WORD_LENGTH:
            errors.append(LineError(source, number, item, f"超过 {MAX_WORD_LENGTH} 个字符"))
        else:
            words.append(item)
    return words, errors


def parse_tagged(
    lines: Iterable[tuple[int, str | None]], source: str, tags: Mapping[str, str] = HOUBB_TAGS
) -> tuple[dict[str, list[str]], list[LineError]]:
    """Words of a ``word TAG,TAG`` list, grouped by the categories their tags map to."""
    out: dict[str, list[str]] = {}
    errors: list[LineError] = []
    for number, text in lines:
        item = _clean(number, text, source)
        if item is None or isinstance(item, LineError):
            if item is not None:
                errors.append(item)
            continue
        m = _TAGGED.match(item)
        if m is None:
            errors.append(LineError(source, number, item, "缺少标签（应为「词 标签,标签」）"))
            continue
        word, tag_text = m.groups()
        if len(word) > MAX_WORD_LENGTH:
            errors.append(LineError(source, number, item, f"超过 {MAX_WORD_LENGTH} 个字符"))
            continue
        unknown = [t for t in tag_text.split(",") if t.strip() not in tags]
        if unknown:
            errors.append(LineError(source, number, item, f"未知标签 {','.join(unknown)}"))
            continue
        for tag in dict.fromkeys(t.strip() for t in tag_text.split(",")):
            out.setdefault(tags[tag], []).append(word)
    return out, errors


def import_plain(path: Path | Traversable, category: str) -> Lexicon:
    """An external one-word-a-line list, every word into ``category`` (or the allow list)."""
    words, errors = parse_plain(read_lines(path), path.name)
    if category == ALLOW_KEY:
        return Lexicon({}, _unique(words), tuple(errors))
    return Lexicon({category: _unique(words)}, (), tuple(errors))


def import_tagged(path: Path, tags: Mapping[str, str] = HOUBB_TAGS) -> Lexicon:
    """An external ``word TAG,TAG`` list."""
    found, errors = parse_tagged(read_lines(path), path.name, tags)
    return Lexicon({k: _unique(v) for k, v in found.items()}, (), tuple(errors))


def load_dir(folder: Path | Traversable = DEFAULT_LEXICON_DIR, known: Iterable[str] = BY_KEY) -> Lexicon:
    """Every ``<category>.txt`` in ``folder`` plus ``allow.txt``, and ``flag/<category>.txt`` as the
    flag tier. A file whose stem is not a known category is reported (line 0) and skipped: its words
    would have no action and no citation. A missing folder raises :class:`FileNotFoundError`: an
    empty guard must not pass unnoticed."""
    if not folder.is_dir():
        raise FileNotFoundError(f"lexicon folder not found: {folder.name}")
    known = set(known)
    lexicon = _load_files(folder, known, allow=True)
    flag_dir = folder / "flag"
    if flag_dir.is_dir():
        flags = _load_files(flag_dir, known, allow=False)
        lexicon = lexicon.merge(Lexicon(errors=flags.errors, flag=flags.deny))
    return lexicon


def _load_files(folder: Path | Traversable, known: set[str], *, allow: bool) -> Lexicon:
    lexicon = Lexicon()
    for path in sorted((p for p in folder.iterdir() if p.is_file() and p.name.endswith(".txt")), key=_name):
        stem = path.name.removesuffix(".txt")
        if (stem != ALLOW_KEY or not allow) and stem not in known:
            error = LineError(path.name, 0, stem, "未知的类别（文件名应为类别代码）")
            lexicon = lexicon.merge(Lexicon(errors=(error,)))
            continue
        lexicon = lexicon.merge(import_plain(path, stem))
    return lexicon


def _name(path: Path | Traversable) -> str:
    return path.name


def default_files() -> list[Traversable]:
    """The packaged default lexicon files, by name."""
    return sorted((p for p in DEFAULT_LEXICON_DIR.iterdir() if p.name.endswith(".txt")), key=_name)


def load_default(operator_dir: Path | None = OPERATOR_LEXICON_DIR, known: Iterable[str] = BY_KEY) -> Lexicon:
    """The packaged lexicons, with the operator's ``config/lexicons/*.txt`` (if that folder exists)
    merged on top: their words are added to the same categories and the allow list."""
    known = tuple(known)
    lexicon = load_dir(DEFAULT_LEXICON_DIR, known)
    if operator_dir is not None and operator_dir.is_dir():
        lexicon = lexicon.merge(load_dir(operator_dir, known))
    return lexicon
