"""The content guard as the bot runs it (run by hand, not in CI). JSON lines on stdout.

* ``pass``      — the WHOLE content pass per message (every rule: normalise once, keywords and
                  secret markings over the base + overlay stack, personal data, links and cards,
                  flooding, repeats), with the 64k-word houbb lexicon layered under our default
                  lexicons and every normaliser on, against raw pyahocorasick ``iter()`` over the
                  un-normalised text with the same 64k words — side by side, message by message,
                  on COLD's safe comments and on ~120-character messages. SPEC §11: < 100 µs median.
* ``false_positives`` — share of ordinary messages the whole pass flags with the default
                  lexicons and the default preset (and the share it would act on: log-only kinds
                  such as unknown links excluded), on COLD's safe comments and on
                  ``tests/data/office_messages.txt``.
* ``evasion``   — detection of evaded forms of every default lexicon word through the whole pass,
                  per category and per evasion style (the styles of ``bench/guard_engine.py``).
* ``recall_latency`` — end to end: from the simulator sending a violating message over the
                  WebSocket to the bot's ``delete_msg`` arriving back, in the real bot process
                  (messages paced below the outbound queue's rate limits).

Run: ``python bench/guard_bot.py [--lexicons DIR] [--corpus FILE] [--no-e2e]``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from guard_engine import (  # noqa: E402  (bench/guard_engine.py: shared corpus helpers)
    DEFAULT_CORPUS,
    DEFAULT_LEXICONS,
    EVASIONS,
    OFFICE,
    houbb,
    lines_of,
    raw_automaton,
)

from bot.core.guard import Act, ContentGuard, GuardConfig, GuardInput, compile_config  # noqa: E402
from bot.core.text import MatcherStack, load_dir  # noqa: E402
from bot.policy import load_policy  # noqa: E402

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def emit(**record: object) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def stats(values: list[int]) -> dict[str, float]:
    values = sorted(values)
    return {
        "median_us": round(values[len(values) // 2] / 1000, 2),
        "p99_us": round(values[int(len(values) * 0.99)] / 1000, 2),
        "messages_per_s": round(len(values) * 1e9 / sum(values)),
    }


def bench_pass(cfg: GuardConfig, raw_words: list[str], corpus: list[str], repeat: int = 5) -> None:
    """Best of ``repeat`` per message, both sides interleaved message by message. Each repetition
    is another group (its own repeat scope) and every message another sender, so the repeat index
    fills as in a busy unit and no flood fires."""
    raw = raw_automaton(raw_words)
    long_messages = []
    buf = ""
    for line in corpus:
        buf += line
        if len(buf) >= 120:
            long_messages.append(buf[:120])
            buf = ""
    clock = time.perf_counter_ns
    for name, texts in (("corpus_lines", corpus), ("120_chars", long_messages)):
        guard = ContentGuard()
        msgs = [
            [
                GuardInput(t, group_id=f"g{k}", user_id=f"u{n}", at=T0 + timedelta(seconds=n), scope=f"g{k}")
                for k in range(repeat)
            ]
            for n, t in enumerate(texts)
        ]
        for row in msgs[:200]:
            guard.check(row[0], cfg)
            list(raw.iter(row[0].text))
        full: list[int] = []
        base: list[int] = []
        for row in msgs:
            best_full = best_raw = 1 << 62
            for msg in row:
                t0 = clock()
                guard.check(msg, cfg)
                t1 = clock()
                list(raw.iter(msg.text))
                t2 = clock()
                best_full, best_raw = min(best_full, t1 - t0), min(best_raw, t2 - t1)
            full.append(best_full)
            base.append(best_raw)
        f, r = stats(full), stats(base)
        emit(
            bench="pass",
            texts=name,
            messages=len(texts),
            mean_chars=round(statistics.mean(map(len, texts)), 1),
            lexicon_words=sum(layer.word_count for layer in cfg.stack.layers),
            whole_pass=f,
            raw_iter=r,
            median_ratio=round(f["median_us"] / r["median_us"], 2),
            target_median_us=100,
        )


def acted(cfg: GuardConfig, kinds: set[str]) -> bool:
    return any(cfg.actions.get(k, frozenset({Act.LOG})) != frozenset({Act.LOG}) for k in kinds)


def bench_false_positives(cfg: GuardConfig, corpus: list[str], office: list[str]) -> None:
    for name, texts in (("cold_safe", corpus), ("office_messages", office)):
        guard = ContentGuard()
        flagged = acted_on = 0
        kinds: dict[str, int] = {}
        for n, text in enumerate(texts):
            msg = GuardInput(text, group_id="g", user_id=f"u{n}", at=T0 + timedelta(minutes=n))
            found = {f.kind for f in guard.check(msg, cfg)}
            if found:
                flagged += 1
                acted_on += acted(cfg, found)
                for k in found:
                    kinds[k] = kinds.get(k, 0) + 1
        emit(
            bench="false_positives",
            texts=name,
            messages=len(texts),
            flagged_pct=round(100 * flagged / len(texts), 3),
            acted_on_pct=round(100 * acted_on / len(texts), 3),
            target_pct=0.5,
            by_kind=dict(sorted(kinds.items(), key=lambda kv: -kv[1])),
        )


def bench_evasion(cfg: GuardConfig) -> None:
    random.seed(1)
    lexicon = load_dir()
    by_style: dict[str, list[int]] = {s: [0, 0] for s in EVASIONS}
    guard = ContentGuard()
    for category, words in lexicon.deny.items():
        found = total = 0
        for word in words:
            for style, evade in EVASIONS.items():
                evaded = evade(word)
                if evaded == word:
                    continue
                msg = GuardInput(f"大家看看{evaded}这个")
                ok = any(f.kind == category for f in guard.check(msg, cfg, remember=False))
                found += ok
                total += 1
                by_style[style][0] += ok
                by_style[style][1] += 1
        emit(bench="evasion", category=category, cases=total, detected_pct=round(100 * found / total, 1))
    for style, (found, total) in by_style.items():
        emit(bench="evasion", style=style, cases=total, detected_pct=round(100 * found / max(total, 1), 1))


async def bench_recall_latency(count: int = 50) -> None:
    from bot.sim.peer import OneBotV11Peer
    from bot.sim.process import BotProcess

    samples: list[float] = []
    async with BotProcess(superusers=["10001"], log_level="WARNING") as bot:
        async with OneBotV11Peer(bot.ws_url_v11, access_token=bot.access_token) as peer:
            for n in range(count + 5):
                t0 = time.perf_counter()
                sent = await peer.send_group_message(
                    800_000 + n % 7, 31_000 + n, "澳门赌.场上线了，首充送彩金"
                )
                await peer.wait_call(
                    "delete_msg",
                    lambda c, m=sent["message_id"]: str(c.params.get("message_id")) == str(m),
                    timeout=10,
                )
                if n >= 5:  # the first few warm the process up
                    samples.append((time.perf_counter() - t0) * 1000)
                # Paced below the outbound queue's default budget (10 actions/s overall, 1/s per
                # group; each violation costs a recall and a warning): this measures the path, not
                # the rate limiter.
                await asyncio.sleep(0.3)
    samples.sort()
    emit(
        bench="recall_latency",
        messages=len(samples),
        median_ms=round(samples[len(samples) // 2], 2),
        p90_ms=round(samples[int(len(samples) * 0.9)], 2),
        max_ms=round(samples[-1], 2),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lexicons", type=Path, default=DEFAULT_LEXICONS, help="houbb-sensitive-word folder")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="one ordinary message a line")
    parser.add_argument("--no-e2e", action="store_true", help="skip the end-to-end recall latency")
    args = parser.parse_args()

    settings = load_policy(None).preset("default").guard
    ours = compile_config(settings, MatcherStack([load_dir().matcher()]))
    big = houbb(args.lexicons)
    t0 = time.perf_counter()
    big_matcher = big.matcher()
    emit(bench="setup", houbb_words=big.word_count(), build_s=round(time.perf_counter() - t0, 2))
    # The 64k list as a base layer under our default lexicons, as an imported unit list would sit.
    with_64k = dataclasses.replace(ours, stack=MatcherStack([big_matcher, *ours.stack.layers]))
    corpus = lines_of(args.corpus)
    office = lines_of(OFFICE)
    bench_pass(with_64k, [w for ws in big.deny.values() for w in ws], corpus)
    bench_false_positives(ours, corpus, office)
    bench_evasion(ours)
    if not args.no_e2e:
        asyncio.run(bench_recall_latency())


if __name__ == "__main__":
    main()
