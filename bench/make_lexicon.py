"""A 100k-entry word list for the memory benchmark (SPEC §11: ≤ 250 MB RSS with a 100k lexicon).

The houbb-sensitive-word list (64,419 real entries, ``--houbb``) is padded with generated entries to
``--entries``: 2–6 characters drawn from CJK Extension A (U+3400–U+4DBF), which ordinary text never
contains, so the padding costs the automaton what real entries would (distinct characters, trie
nodes) without making the bot act on more messages than the real list does.

    python bench/make_lexicon.py --houbb ../shared/data/lexicons/houbb-sensitive-word -o /tmp/100k.txt
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

DEFAULT_HOUBB = Path(__file__).resolve().parents[1] / "../shared/data/lexicons/houbb-sensitive-word"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--houbb", type=Path, default=DEFAULT_HOUBB, help="houbb-sensitive-word folder")
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("-o", "--output", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=100)
    args = ap.parse_args()
    words = []
    seen: set[str] = set()
    for line in (args.houbb / "sensitive_word_dict.txt").read_text(encoding="utf-8").splitlines():
        word = line.strip()
        if word and word not in seen and not word.startswith("#"):
            seen.add(word)
            words.append(word)
    rng = random.Random(args.seed)
    while len(words) < args.entries:
        word = "".join(chr(rng.randint(0x3400, 0x4DBF)) for _ in range(rng.randint(2, 6)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    args.output.write_text("\n".join(words[: args.entries]) + "\n", encoding="utf-8")
    print(
        json.dumps(
            {"bench": "make_lexicon", "entries": min(len(words), args.entries), "output": str(args.output)}
        )
    )


if __name__ == "__main__":
    main()
