"""Recall and false positives of the whole content pass on an independent evaluation set (run by
hand, not in CI).

The set (``bench/data/guard_eval.jsonl``, see ``bench/data/README.md``) was written by hand as
violators and office staff would write, not derived from the lexicons. Every message goes through
the engine exactly as a group message does (default preset, packaged lexicons, every rule on; a
dry run, so repeats and flooding do not count). Prints one JSON object per line:

* ``category`` — per category: violating messages *acted on* (a finding of the act tier: recall /
  warn / private reminder / note to the owner per the preset) and *flagged* (only flag-tier
  findings: a private note to the admins, no public action); official and ordinary messages about
  the same topic acted on and flagged;
* ``total`` — the same over every category, and the evasion subset;
* ``cold_safe`` / ``office`` — the share of ordinary messages acted on and flagged
  (``../shared/data/corpus/cold-safe.txt``, ``tests/data/office_messages.txt``);
* ``speed`` — median / p99 of the content pass on ~120-character messages with the 64k-word houbb
  list as a base layer under ours (as an imported unit list would sit), and with ours alone.

``bench/data/guard_holdout.jsonl`` (130 messages, same labels) was written after the rules and
lexicons were done, as a check that the figures on the main set are not an artefact of writing both
at the same time: ``--set bench/data/guard_holdout.jsonl``.

Run: ``python bench/guard_eval.py [--corpus FILE] [--lexicons DIR] [--show N] [--set FILE]``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.guard import ContentGuard, GuardInput, compile_config  # noqa: E402
from bot.core.guard.finding import Act  # noqa: E402
from bot.core.text import MatcherStack, load_dir  # noqa: E402
from bot.core.text.lexicon import import_plain  # noqa: E402
from bot.policy import load_policy  # noqa: E402

EVAL = ROOT / "bench/data/guard_eval.jsonl"
DEFAULT_CORPUS = ROOT / "../shared/data/corpus/cold-safe.txt"
DEFAULT_LEXICONS = ROOT / "../shared/data/lexicons/houbb-sensitive-word"
OFFICE = ROOT / "tests/data/office_messages.txt"


def emit(**record: object) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def lines_of(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


_BASE: dict[str, object] = {}


def guard_and_config(extra_base: object = None):  # type: ignore[no-untyped-def]
    """The engine and the default preset's compiled config, as the plugin builds them."""
    settings = load_policy(None).preset("default").guard
    try:  # the tiered engine (guard tiers, context rules, scam patterns)
        from bot.core.guard.setup import config_for, load_guard_data

        if "data" not in _BASE:
            _BASE["data"] = data = load_guard_data(None)
            _BASE["matcher"] = data.matcher()
        layers = (extra_base,) if extra_base is not None else ()
        return ContentGuard(), config_for(_BASE["data"], settings, _BASE["matcher"], *layers)  # type: ignore[arg-type]
    except ImportError:  # the engine before tiers: keywords of the default lexicons only
        layers = [load_dir().matcher()]
        if extra_base is not None:
            layers.insert(0, extra_base)  # type: ignore[arg-type]
        return ContentGuard(), compile_config(settings, MatcherStack(layers))


def outcome(guard: ContentGuard, cfg, text: str) -> tuple[str, list]:  # type: ignore[no-untyped-def]
    """``("act" | "flag" | "pass", findings)``."""
    found = guard.check(GuardInput(text), cfg, remember=False)
    # A finding whose kind the preset only records (link_unknown: log) does nothing visible.
    found = [f for f in found if set(cfg.actions.get(f.kind, ())) - {Act.LOG}]
    if not found:
        return "pass", found
    if any(getattr(f, "tier", "act") == "act" for f in found):
        return "act", found
    return "flag", found


def pct(n: int, d: int) -> float:
    return round(100 * n / d, 1) if d else 0.0


def bench_eval(guard: ContentGuard, cfg, show: int, path: Path = EVAL) -> None:  # type: ignore[no-untyped-def]
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    emit(bench="set", file=path.name, messages=len(rows))
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    misses: list[str] = []
    wrongly: list[str] = []
    evasion: Counter[str] = Counter()
    for row in rows:
        result, found = outcome(guard, cfg, row["text"])
        counts[(row["category"], row["label"])][result] += 1
        counts[("*", row["label"])][result] += 1
        if row.get("evasion"):
            evasion[result] += 1
        if row["label"] == "violating" and result != "act":
            misses.append(f"{row['category']} {result}: {row['text']}")
        if row["label"] != "violating" and result == "act":
            wrongly.append(f"{row['category']}/{row['label']} {[f.kind for f in found]}: {row['text']}")
    categories = sorted({c for c, _ in counts if c != "*"})
    for cat in [*categories, "*"]:
        v, o, n = counts[(cat, "violating")], counts[(cat, "official")], counts[(cat, "ordinary")]
        emit(
            bench="category" if cat != "*" else "total",
            category=cat,
            violating=v.total(),
            recall_act_pct=pct(v["act"], v.total()),
            recall_act_or_flag_pct=pct(v["act"] + v["flag"], v.total()),
            official=o.total(),
            official_acted=o["act"],
            official_flagged=o["flag"],
            ordinary=n.total(),
            ordinary_acted=n["act"],
            ordinary_flagged=n["flag"],
        )
    emit(bench="evasion_subset", cases=evasion.total(), acted_pct=pct(evasion["act"], evasion.total()))
    for line in misses[:show]:
        emit(miss=line)
    for line in wrongly[:show]:
        emit(wrongly_acted=line)


def bench_ordinary(guard: ContentGuard, cfg, name: str, lines: list[str], show: int) -> None:  # type: ignore[no-untyped-def]
    result: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    examples = []
    for text in lines:
        r, found = outcome(guard, cfg, text)
        result[r] += 1
        if r == "act":
            kinds.update(f.kind for f in found if getattr(f, "tier", "act") == "act")
            if len(examples) < show:
                examples.append(f"{[(f.kind, f.excerpt) for f in found]}: {text[:60]}")
    emit(
        bench=name,
        messages=len(lines),
        acted=result["act"],
        acted_pct=round(100 * result["act"] / len(lines), 2),
        flagged=result["flag"],
        flagged_pct=round(100 * result["flag"] / len(lines), 2),
        acted_by_kind=dict(kinds.most_common()),
    )
    for line in examples:
        emit(example=line)


def bench_speed(corpus: list[str], lexicons: Path) -> None:
    rng = random.Random(7)
    texts = []
    while len(texts) < 2000:
        line = ""
        while len(line) < 120:
            line += rng.choice(corpus)
        texts.append(line[:120])
    big = import_plain(lexicons / "sensitive_word_dict.txt", "illegal")
    setups = {"ours": guard_and_config(), "ours_plus_64k": guard_and_config(big.matcher())}
    for name, (guard, cfg) in setups.items():
        for text in texts[:200]:
            guard.check(GuardInput(text), cfg, remember=False)
        samples = []
        clock = time.perf_counter_ns
        for text in texts:
            best = 1 << 62
            for _ in range(5):
                t0 = clock()
                guard.check(GuardInput(text), cfg, remember=False)
                best = min(best, clock() - t0)
            samples.append(best)
        samples.sort()
        emit(
            bench="speed",
            setup=name,
            chars=120,
            messages=len(texts),
            median_us=round(statistics.median(samples) / 1000, 1),
            p99_us=round(samples[int(len(samples) * 0.99)] / 1000, 1),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="one ordinary message a line")
    parser.add_argument("--lexicons", type=Path, default=DEFAULT_LEXICONS, help="houbb-sensitive-word folder")
    parser.add_argument("--show", type=int, default=0, help="print up to N misses and false positives")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--set", type=Path, default=EVAL, help="labelled messages (JSON lines)")
    args = parser.parse_args()
    guard, cfg = guard_and_config()
    bench_eval(guard, cfg, args.show, args.set)
    if args.corpus.is_file():
        bench_ordinary(guard, cfg, "cold_safe", lines_of(args.corpus), args.show)
    bench_ordinary(guard, cfg, "office", lines_of(OFFICE), args.show)
    if not args.no_speed and args.corpus.is_file() and args.lexicons.is_dir():
        bench_speed(lines_of(args.corpus), args.lexicons)


if __name__ == "__main__":
    main()
