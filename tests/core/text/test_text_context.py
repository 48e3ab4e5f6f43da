"""Context rule files and evasion aliases: parsing, bad files reported, decisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.text.categories import BY_KEY
from bot.core.text.context import ContextError, load_contexts
from bot.core.text.evasion import EvasionTable, aliases, homophone_variants, pinyin_variants
from bot.core.text.lexicon import DEFAULT_LEXICON_DIR


def test_packaged_context_files_load() -> None:
    contexts = load_contexts(DEFAULT_LEXICON_DIR / "context", BY_KEY)
    terms = contexts.terms()
    assert "冰毒" in terms["drugs"] and "机密" in terms["secret"] and "法轮功" in terms["political"]


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_decisions(tmp_path: Path) -> None:
    write(tmp_path, "_common.toml", 'pass = ["专项行动"]\npass_terms = ["打击"]\n')
    write(
        tmp_path,
        "drugs.toml",
        'pass = ["禁毒"]\n[[rule]]\nname = "毒品"\nterms = ["冰毒"]\nact = ["有货"]\ndefault = "flag"\n',
    )
    c = load_contexts(tmp_path, BY_KEY)
    assert c.judge("drugs", "冰毒", "冰毒有货", "act").tier == "act"
    assert c.judge("drugs", "冰毒", "冰毒是什么", "act").tier == "flag"
    assert c.judge("drugs", "冰毒", "禁毒宣传冰毒", "act").why == "pass_cue"
    assert c.judge("drugs", "冰毒", "打击冰毒", "act").tier == "pass"  # a term: the verb excuses it
    assert c.judge("drugs", "出售k粉", "打击出售k粉", "act").tier == "act"  # a lexicon word: it does not
    assert c.judge("drugs", "出售k粉", "专项行动出售k粉", "act").tier == "pass"
    assert c.judge("drugs", "冰毒", "冰毒不要有货", "act").tier == "flag"  # a negated cue is no cue


@pytest.mark.parametrize(
    ("name", "text", "why"),
    [
        ("misc.toml", "pass = []\n", "未知的类别"),
        ("drugs.toml", "colour = 1\n", "未知的键"),
        ("drugs.toml", '[[rule]]\nterms = ["x"]\ndefault = "maybe"\n', "default"),
        ("drugs.toml", "[[rule]]\nterms = []\n", "terms"),
        ("drugs.toml", "pass = [", "drugs.toml"),
    ],
)
def test_bad_files_raise_one_line(tmp_path: Path, name: str, text: str, why: str) -> None:
    write(tmp_path, name, text)
    with pytest.raises(ContextError, match=why):
        load_contexts(tmp_path, BY_KEY)


def test_pinyin_variants() -> None:
    v = set(pinyin_variants("赌博"))
    assert {"du博", "d博", "赌bo", "赌b"} <= v
    assert "dubo" not in v and "db" not in v  # two syllables: never all pinyin or all initials
    v3 = set(pinyin_variants("法轮功"))
    assert {"fl功", "falungong", "flg", "法lun功"} <= v3
    assert "法轮功" not in v3


def test_homophones_and_aliases_name_the_term() -> None:
    assert set(homophone_variants("赌博", {"赌": "堵"})) == {"堵博"}
    table = EvasionTable({"gambling": ("赌博",)}, {"博": "搏"})
    found = aliases(table)
    assert ("gambling", "赌搏", "赌博") in found and ("gambling", "du博", "赌博") in found
