"""Rebuild the imported part of the packaged lexicons from the public houbb/sensitive-word list
(run by hand when that list or the filters change; prints one JSON object per category).

The list is never loaded raw: for each ``word TAGS`` line,

1. the category: drugs (tag 1), gambling (3), porn (2), political (0) — or, for tag 4 alone,
   violence when the word names a weapon or explosive, otherwise illegal;
2. the word must be specific: at least three characters after normalisation; political words only
   with a marker of a cult, a separatist movement or a subversive slogan (the list also holds
   army units, leaders' names and Party bodies, which official work groups name all day); drugs
   and illegal words only with a marker of a drug, a weapon or a trade (出售、批发、代办 …);
   nothing that names a leader, a government body or another everyday institution;
3. the word must stay quiet on ordinary text: a word that matches any line of the benign corpora
   (COLD's safe comments and ``tests/data/office_messages.txt``) is dropped.

The survivors replace the section after ``IMPORTED`` in ``bot/core/text/lexicons/<category>.txt``
(the curated words above it are kept as they are).

Run: ``python bench/lexicon_import.py [--houbb DIR] [--corpus FILE]``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.text.lexicon import import_plain, read_lines  # noqa: E402
from bot.core.text.matcher import Matcher  # noqa: E402
from bot.core.text.normalize import normalize  # noqa: E402

LEXICONS = ROOT / "bot/core/text/lexicons"
IMPORTED = "# --- 以下由 bench/lexicon_import.py 从公开词表 houbb/sensitive-word 筛选导入，请勿手改 ---"

POLITICAL = re.compile(
    r"法轮|法輪|大法|李洪志|明慧|大纪元|新唐人|神韵|全能神|东方闪电|门徒会|呼喊派|观音法门|邪教|"
    r"台独|藏独|疆独|港独|东突|独立|达赖|热比娅|世维会|六四|64|89学潮|学潮|屠杀|专制|独裁|暴政|共匪|"
    r"退党|三退|九评|9评|民运|颠覆|推翻|打倒|下台|反共|灭共|赤匪|迫害"
)
DRUGS = re.compile(
    r"毒|冰|麻|粉|丸|海洛|吗啡|可卡|鸦片|安非他|苯丙胺|氯胺酮|摇头|迷药|迷幻|催情|听话|春药|笑气|罂粟|"
    r"杜冷丁|曲马多|三唑仑|出售|提供|销售|批发|专卖|供应|买卖|价格|订购|代购|qq"
)
WEAPON = re.compile(r"枪|弹|刀|弩|炸|雷管|火药|军刺|手雷|爆破|猎枪|狙击|秃鹰|钢珠")
TRADE = re.compile(
    r"出售|销售|批发|专卖|供应|买卖|提供|订购|代办|代考|办理|假|仿|窃听|监听|针孔|开锁|强开|答案|作弊|"
    r"证件|发票|迷|麻醉|催情|春药|偷拍|定位|破解|黑客|私服|外挂|qq|代开|代写|替考|枪手|洗钱|套现|贷|"
    r"器官|肾|代孕|走私|偷渡|窃|盗|伪造|刻章|办证"
)
STOP = re.compile(
    r"习近平|胡锦涛|温家宝|江泽民|李克强|毛泽东|邓小平|周恩来|朱镕基|李鹏|总书记|党中央|中央委员|"
    r"政府|人大|政协|国务院|公安|警察|书记|主席|总理|省长|市长|部长|县长|局长|军区|集团军|军长|"
    r"解放军|武警|法院|检察|纪委|学习|工资|人民币$"
)
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
ORDER = {"1": "drugs", "3": "gambling", "2": "porn", "0": "political"}


def category_of(word: str, tags: set[str]) -> str | None:
    for tag, cat in ORDER.items():
        if tag in tags:
            return cat
    if tags == {"4"}:
        return "violence" if WEAPON.search(word) else "illegal"
    return None


def keep(word: str, cat: str) -> bool:
    key = normalize(word)
    if len(key) < 3 or len(word) > 20 or STOP.search(key) or CONTROL.search(word):
        return False
    if key.isascii() and len(key) < 5:
        return False
    if cat == "political":
        return POLITICAL.search(key) is not None
    if cat == "drugs":
        return DRUGS.search(key) is not None
    if cat == "illegal":
        return TRADE.search(key) is not None
    return True


def lines_of(path: Path) -> list[str]:
    return [t for _, t in read_lines(path) if t and t.strip() and not t.startswith("#")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--houbb", type=Path, default=ROOT / "../shared/data/lexicons/houbb-sensitive-word")
    parser.add_argument("--corpus", type=Path, default=ROOT / "../shared/data/corpus/cold-safe.txt")
    args = parser.parse_args()
    candidates: dict[str, list[str]] = {}
    for _, text in read_lines(args.houbb / "sensitive_word_tags.txt"):
        if not text or " " not in text.strip():
            continue
        word, tag_text = text.strip().rsplit(" ", 1)
        cat = category_of(word, set(tag_text.split(",")))
        if cat and keep(word, cat):
            candidates.setdefault(cat, []).append(word)
    benign = lines_of(args.corpus) + lines_of(ROOT / "tests/data/office_messages.txt")
    allow = import_plain(LEXICONS / "allow.txt", "allow").allow
    for cat, words in sorted(candidates.items()):
        words = list(dict.fromkeys(words))
        matcher = Matcher.build({cat: words}, allow)
        noisy = {h.word for line in benign for h in matcher.scan(line)}
        kept = sorted((w for w in words if w not in noisy), key=lambda w: (normalize(w), w))
        # One entry per normalised form (the list spells many words several ways).
        seen: set[str] = set()
        unique = [w for w in kept if not (normalize(w) in seen or seen.add(normalize(w)))]  # type: ignore[func-returns-value]
        path = LEXICONS / f"{cat}.txt"
        curated = path.read_text(encoding="utf-8").split(IMPORTED)[0].rstrip("\n")
        path.write_text(curated + "\n\n" + IMPORTED + "\n" + "\n".join(unique) + "\n", encoding="utf-8")
        print(
            json.dumps(
                {"category": cat, "candidates": len(words), "noisy": len(noisy), "kept": len(unique)},
                ensure_ascii=False,
            )
        )


if __name__ == "__main__":
    main()
