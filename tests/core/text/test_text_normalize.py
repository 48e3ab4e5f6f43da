"""Normalisation: each step on real evasions, the switches, and the way back to the original."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot.core.text.normalize import NormalizeOptions, Normalizer, normalize

OFFICE = Path(__file__).parents[2] / "data" / "office_messages.txt"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # separators, whitespace, punctuation, symbols and emoji between characters
        ("赌.博", "赌博"),
        ("赌 博", "赌博"),
        ("赌💰博", "赌博"),
        ("赌*博", "赌博"),
        ("赌-_-博", "赌博"),
        ("赌\u3000博", "赌博"),
        ("赌\n博", "赌博"),
        ("赌【博】", "赌博"),
        ("六\ue000合彩", "6合彩"),  # private-use glyph (QQ's own emoji)
        # zero-width and invisible characters
        ("赌\u200b博", "赌博"),
        ("赌\u200c\u200d博", "赌博"),
        ("赌\u2060\u2061\u2062\u2063\u2064博", "赌博"),
        ("赌\ufeff博", "赌博"),
        ("赌\u00ad博", "赌博"),
        ("赌\ufe0f博", "赌博"),
        ("赌\U000e0041\U000e007f博", "赌博"),
        ("赌\u180e博", "赌博"),
        ("赌\u3164博", "赌博"),
        ("赌\u0336博\u0336", "赌博"),  # strike-through combining marks
        # full width and case
        ("ＶＩＡＧＲＡ", "viagra"),
        ("PornHub", "pornhub"),
        # traditional → simplified, Taiwan/Hong Kong variants
        ("賭場", "赌场"),
        ("海洛因與搖頭丸", "海洛因与摇头丸"),
        ("內部資料 注意保存", "内部资料注意保存"),
        ("裡面", "里面"),
        ("敍述", "叙述"),
        # digit styles
        ("⑥", "6"),
        ("６", "6"),
        ("六", "6"),
        ("陆", "6"),
        ("陸", "6"),
        ("⑹", "6"),
        ("⒍", "6"),
        ("❻", "6"),
        ("➅", "6"),
        ("⓺", "6"),
        ("㈥", "6"),
        ("㊅", "6"),
        ("壹贰叁", "123"),
        ("〇", "0"),
        ("⑩", "10"),
        ("⒛", "20"),
        ("ⓐⓑ", "ab"),
        ("⒜", "a"),
        ("🅰🅱", "ab"),
        # look-alikes
        ("vіаgrа", "viagra"),  # Cyrillic і and а
        ("ΡΟΡΝ", "popn"),  # Greek capitals render as Latin P, O, N
        ("𝐩𝐨𝐫𝐧", "porn"),
        ("ɡame", "game"),
        ("ⅠⅤ", "iv"),
        ("⼤⿇", "大麻"),  # Kangxi radicals drawn like ordinary ideographs
        ("café", "cafe"),
        # repeats collapse for Chinese, not for ASCII
        ("赌赌赌博博", "赌博"),
        ("赌 赌 博", "赌博"),
        ("good", "good"),
        ("100", "100"),
        # Latin words keep one space as a word boundary
        ("Hello,  World!", "hello world"),
        ("bet now", "bet now"),
        ("加V信", "加v信"),
        # … except between single letters/digits: a word spelt out with gaps
        ("p o r n", "porn"),
        ("b.e.t 365", "bet 365"),
        ("六 四", "64"),
        ("I am a boy", "i am a boy"),
        ("A、B、C方案", "abc方案"),
        # the secret-marking star survives, in every style
        ("绝密★启用前", "绝密★启用前"),
        ("机密 ☆ 10年", "机密★10年"),
        ("秘密⭐", "秘密★"),
        ("", ""),
        ("。。。！！！", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # simplified characters that OpenCC's variant tables would turn into rare variants
        ("著名", "著名"),
        ("抬头", "抬头"),
        ("什么", "什么"),
        ("只有", "只有"),
        ("人大代表", "人大代表"),
        ("收拾", "收10"),  # 拾 is a financial numeral: a digit on both sides, by design
    ],
)
def test_simplified_text_keeps_its_characters(word: str, expected: str) -> None:
    assert normalize(word) == expected


@pytest.mark.parametrize(
    ("step", "text", "kept"),
    [
        ("width", "ＡＢ", "ａｂ"),  # still lower-cased: case folding knows full-width letters
        ("case", "AB", "AB"),
        ("t2s", "賭場", "賭場"),
        ("digits", "⑥六", "⑥六"),
        ("lookalike", "vіа", "vіа"),
        ("invisible", "赌\u200b博", "赌\u200b博"),
        ("separators", "赌 博", "赌 博"),
        ("repeats", "赌赌博", "赌赌博"),
    ],
)
def test_each_step_switches_off_alone(step: str, text: str, kept: str) -> None:
    everything_else = Normalizer().with_options(**{step: False})
    assert everything_else.text(text) == kept
    assert Normalizer().text(text) != kept


def test_all_steps_off_is_identity() -> None:
    off = NormalizeOptions(**dict.fromkeys(NormalizeOptions.__dataclass_fields__, False))
    text = "Ｈｅｌｌｏ，賭 博⑥\u200b"
    assert Normalizer(off).text(text) == text


def _alphabet() -> str:
    # Characters chosen to hit every rule at once: Latin/digits next to separators, repeats across
    # separators, multi-character expansions (⑩, ℃), dropped characters, stars.
    return "aAb1 0.,，。 赌赌博六⑩℃★☆\u200b\ufe0f\U000e0041賭💰İ\u3000-\n"


def test_fast_path_and_index_map_agree_on_random_text() -> None:
    norm = Normalizer()
    rng = random.Random(20240501)
    alphabet = _alphabet()
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        mapped, starts, ends = norm.index_map(text)
        assert mapped == norm.text(text), repr(text)
        assert len(starts) == len(ends) == len(mapped)
        assert all(0 <= a < b <= len(text) for a, b in zip(starts, ends, strict=True))


@pytest.mark.parametrize("step", [*NormalizeOptions.__dataclass_fields__])
def test_fast_path_and_index_map_agree_with_a_step_off(step: str) -> None:
    norm = Normalizer().with_options(**{step: False})
    rng = random.Random(7)
    alphabet = _alphabet()
    for _ in range(1000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert norm.index_map(text)[0] == norm.text(text), repr(text)


def test_fast_path_and_index_map_agree_on_office_messages() -> None:
    norm = Normalizer()
    for line in OFFICE.read_text(encoding="utf-8").splitlines():
        assert norm.index_map(line)[0] == norm.text(line), line


@pytest.mark.parametrize(
    ("text", "fragment", "original"),
    [
        ("快来赌.博啊", "赌博", "赌.博"),
        ("快来赌\u200b\u200b博啊", "赌博", "赌\u200b\u200b博"),
        ("快来賭賭博博啊", "赌博", "賭賭博博"),
        ("玩⑥ 合 彩吗", "6合彩", "⑥ 合 彩"),
        ("看ＰＯＲＮ吗", "porn", "ＰＯＲＮ"),
        ("say hello world", "hello world", "hello world"),
        ("机密 ☆ 10年", "机密★10", "机密 ☆ 10"),
    ],
)
def test_span_maps_back_to_original(text: str, fragment: str, original: str) -> None:
    norm = Normalizer()(text)
    start = norm.text.index(fragment)
    a, b = norm.span(start, start + len(fragment))
    assert text[a:b] == original


def test_multi_character_expansion_maps_to_its_source() -> None:
    norm = Normalizer()("第⑩条")
    assert norm.text == "第10条"
    assert norm.span(1, 2) == (1, 2)
    assert norm.span(2, 3) == (1, 2)


def test_long_and_odd_input() -> None:
    text = ("工作群" + "\u200b" * 50 + "💰" * 50 + "ä") * 2000  # about 200k characters
    out = normalize(text)
    assert out.startswith("工作群a工作群")
    assert normalize("\ud800 lone surrogate") == "lone surrogate"
