"""Speed and accuracy of the content guard's text engine (run by hand, not in CI).

Prints one JSON object per line:

* ``build``     — building a matcher from the 64k-word houbb lexicon (seconds, memory);
* ``speed``     — per message: the full pass (every normalisation step + match + resolve) against
                  raw pyahocorasick ``iter()`` over the un-normalised text, same 64k lexicon, same
                  texts, side by side; on corpus lines as they are and on ~120-character messages
                  (the length houbb/sensitive-word publishes its 63k queries/s for); plus the
                  normaliser alone and the full pass with our default lexicons;
* ``false_positives`` — share of ordinary messages our default lexicons hit (target < 0.5 %),
                  on COLD's safe comments and on ``tests/data/office_messages.txt``; the raw houbb
                  list is shown beside it for scale;
* ``evasion``   — detection rate of our default lexicons on evaded forms of their own words,
                  per category and per evasion style.

Run: ``python bench/guard_engine.py [--lexicons DIR] [--corpus FILE]`` (defaults: ``../shared/data/…``
relative to the repository root).
SPEC.md §11 asks for the full pass to stay well under 100 µs a message.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import ahocorasick
import opencc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.text.lexicon import Lexicon, import_plain, load_dir  # noqa: E402
from bot.core.text.matcher import Matcher  # noqa: E402

# The shared data sits beside the checkout (../shared/data from the repository root).
DEFAULT_LEXICONS = ROOT / "../shared/data/lexicons/houbb-sensitive-word"
DEFAULT_CORPUS = ROOT / "../shared/data/corpus/cold-safe.txt"
OFFICE = ROOT / "tests/data/office_messages.txt"


def emit(**record: object) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def lines_of(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def houbb(folder: Path) -> Lexicon:
    words = import_plain(folder / "sensitive_word_dict.txt", "houbb")
    allow = import_plain(folder / "sensitive_word_allow.txt", "allow")
    return words.merge(allow)


def time_per_message(fns: dict[str, Callable[[str], object]], texts: list[str], repeat: int = 5) -> dict:
    """Per message and function: the fastest of ``repeat`` calls (filters out preemption on a busy
    machine), then median and p99 over messages; the functions are interleaved message by message
    so that both sides of a comparison see the same machine. Messages/s = 1 / mean of those times."""
    for text in texts[:200]:
        for fn in fns.values():
            fn(text)  # warm caches
    samples: dict[str, list[int]] = {name: [] for name in fns}
    clock = time.perf_counter_ns
    for text in texts:
        for name, fn in fns.items():
            best = 1 << 62
            for _ in range(repeat):
                t0 = clock()
                fn(text)
                best = min(best, clock() - t0)
            samples[name].append(best)
    out = {}
    for name, values in samples.items():
        values.sort()
        out[name] = {
            "median_us": round(values[len(values) // 2] / 1000, 2),
            "p99_us": round(values[int(len(values) * 0.99)] / 1000, 2),
            "messages_per_s": round(len(values) * 1e9 / sum(values)),
        }
    return out


def raw_automaton(words: Iterable[str]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


def bench_build(lexicon: Lexicon) -> Matcher:
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    matcher = lexicon.matcher()
    seconds = time.perf_counter() - t0
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    emit(
        bench="build",
        words=matcher.word_count,
        skipped=len(matcher.skipped),
        seconds=round(seconds, 3),
        rss_growth_mb=round((rss_after - rss_before) / 1024, 1),
        max_rss_mb=round(rss_after / 1024, 1),
    )
    return matcher


def bench_speed(lexicon: Lexicon, matcher: Matcher, ours: Matcher, corpus: list[str]) -> None:
    raw = raw_automaton(w for ws in lexicon.deny.values() for w in ws)
    long_messages = []
    buf = ""
    for line in corpus:
        buf += line
        if len(buf) >= 120:
            long_messages.append(buf[:120])
            buf = ""
    for name, texts in (("corpus_lines", corpus), ("120_chars", long_messages)):
        emit(
            bench="speed",
            texts=name,
            messages=len(texts),
            mean_chars=round(statistics.mean(map(len, texts)), 1),
            **time_per_message(
                {
                    "full_pass": matcher.scan,
                    "raw_iter": lambda t: list(raw.iter(t)),
                    "normalize_only": matcher.normalizer.text,
                    "full_pass_default_lexicons": ours.scan,
                },
                texts,
            ),
        )


def hit_rate(matcher: Matcher, texts: list[str]) -> tuple[float, list[str]]:
    hits = [t for t in texts if matcher.scan(t)]
    return len(hits) / len(texts), hits


def bench_false_positives(ours: Matcher, theirs: Matcher, corpus: list[str], office: list[str]) -> None:
    for name, texts in (("cold_safe", corpus), ("office_messages", office)):
        rate, hits = hit_rate(ours, texts)
        words: dict[str, int] = {}
        for text in hits:
            for hit in ours.scan(text):
                words[f"{hit.category}:{hit.word}"] = words.get(f"{hit.category}:{hit.word}", 0) + 1
        top = dict(sorted(words.items(), key=lambda kv: -kv[1])[:15])
        emit(
            bench="false_positives",
            texts=name,
            messages=len(texts),
            lexicon="default",
            rate_pct=round(rate * 100, 3),
            target_pct=0.5,
            top_words=top,
        )
        emit(
            bench="false_positives",
            texts=name,
            messages=len(texts),
            lexicon="houbb_64k_raw",
            rate_pct=round(hit_rate(theirs, texts)[0] * 100, 2),
        )


_S2T = opencc.OpenCC("s2t")
_FULLWIDTH = {c: chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
_CYRILLIC = str.maketrans("aceopxyAEOPCX", "асеорхуАЕОРСХ")
_DIGIT_STYLES = str.maketrans("0123456789一二三四五六七八九", "⓪①②③④⑤⑥⑦⑧⑨⑴⑵⑶⑷⑸⑹⑺⑻⑼")

EVASIONS: dict[str, Callable[[str], str]] = {
    "spaces": lambda w: " ".join(w),
    "punctuation": lambda w: ".".join(w),
    "mixed_symbols": lambda w: "".join(c + random.choice("*-_/|~·、") for c in w)[:-1],
    "emoji": lambda w: "💰".join(w),
    "zero_width": lambda w: "\u200b".join(w),
    "traditional": lambda w: _S2T.convert(w),
    "fullwidth": lambda w: w.translate(_FULLWIDTH),
    "uppercase": str.upper,
    "digit_styles": lambda w: w.translate(_DIGIT_STYLES),
    "lookalikes": lambda w: w.translate(_CYRILLIC),
    "repeats": lambda w: "".join(c * 2 for c in w),
    "everything": lambda w: "\u200b".join(_S2T.convert(w).translate(_DIGIT_STYLES).translate(_FULLWIDTH)),
}


def bench_evasion(ours: Matcher, lexicon: Lexicon) -> None:
    random.seed(1)
    by_style: dict[str, list[int]] = {s: [0, 0] for s in EVASIONS}
    for category, words in lexicon.deny.items():
        found = total = 0
        for word in words:
            for style, evade in EVASIONS.items():
                evaded = evade(word)
                if evaded == word:
                    continue  # this style does not apply to this word (e.g. upper case of 赌场)
                text = f"大家看看{evaded}这个"
                ok = any(h.category == category for h in ours.scan(text))
                found += ok
                total += 1
                by_style[style][0] += ok
                by_style[style][1] += 1
        emit(bench="evasion", category=category, cases=total, detected_pct=round(100 * found / total, 1))
    for style, (found, total) in by_style.items():
        emit(bench="evasion", style=style, cases=total, detected_pct=round(100 * found / max(total, 1), 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lexicons", type=Path, default=DEFAULT_LEXICONS, help="houbb-sensitive-word folder")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="one ordinary message a line")
    args = parser.parse_args()

    big = houbb(args.lexicons)
    corpus = lines_of(args.corpus)
    office = lines_of(OFFICE)
    ours_lexicon = load_dir()
    ours = ours_lexicon.matcher()
    emit(bench="setup", houbb_words=big.word_count(), houbb_bad_lines=len(big.errors), corpus=len(corpus))

    theirs = bench_build(big)
    bench_speed(big, theirs, ours, corpus)
    bench_false_positives(ours, theirs, corpus, office)
    bench_evasion(ours, ours_lexicon)


if __name__ == "__main__":
    main()
