"""Lexicon files: the default set, plain and tagged imports, bad lines reported with numbers."""

from __future__ import annotations

from importlib.resources.abc import Traversable
from pathlib import Path

import pytest

from bot.core.text.categories import ALLOW_KEY, BY_KEY, CATEGORIES, HOUBB_TAGS, label
from bot.core.text.lexicon import (
    MAX_WORD_LENGTH,
    Lexicon,
    default_files,
    import_plain,
    import_tagged,
    load_default,
    load_dir,
    parse_plain,
    read_lines,
)
from bot.core.text.normalize import normalize


def test_every_category_has_a_label_and_a_default_file() -> None:
    assert len(CATEGORIES) == 13
    assert label("abuse") == "人身攻击"
    assert label("porn") == "色情"
    assert label("secret") == "涉密标识"
    assert label("nonexistent") == "nonexistent"
    stems = {p.name.removesuffix(".txt") for p in default_files()}
    assert stems == {*BY_KEY, ALLOW_KEY}


def test_default_lexicons_load_cleanly() -> None:
    lexicon = load_dir()
    assert lexicon.errors == ()
    assert set(lexicon.deny) == set(BY_KEY)
    assert all(lexicon.deny.values())
    assert lexicon.allow
    assert lexicon.matcher().skipped == ()


@pytest.mark.parametrize("path", default_files(), ids=lambda p: p.name)
def test_default_file_starts_with_a_comment(path: Traversable) -> None:
    assert path.read_text(encoding="utf-8").startswith("# ")


EVERYDAY = ["火车", "小姐", "人大", "政府", "领导", "保密", "红包", "投票", "游戏", "接龙", "助力", "赌博"]


def test_default_deny_lists_avoid_everyday_words_and_single_characters() -> None:
    lexicon = load_dir()
    for category, words in lexicon.deny.items():
        for word in words:
            assert len(normalize(word)) >= 2, (category, word)
            assert word not in EVERYDAY, (category, word)


def test_houbb_tags_map_to_categories() -> None:
    assert set(HOUBB_TAGS.values()) <= set(BY_KEY)
    assert HOUBB_TAGS["3"] == "gambling"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_plain_file_comments_blanks_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        "\ufeff# 说明".encode(),  # BOM and a comment
        "网赌".encode(),
        b"",
        "  赌场  # 行尾注释".encode(),
        "坏\x07词".encode(),  # line 5: control character
        "词\t3".encode(),  # line 6: tab
        ("长" * (MAX_WORD_LENGTH + 1)).encode(),  # line 7: too long
        "网赌\r".encode(),  # duplicate, CRLF
        b"\xff\xfe",  # line 9: not UTF-8
        "百家乐".encode(),
    ]
    data = b"\n".join(lines)
    lexicon = import_plain(write(tmp_path, "mine.txt", data), "gambling")
    assert lexicon.deny == {"gambling": ("网赌", "赌场", "百家乐")}
    assert [(e.line, e.source) for e in lexicon.errors] == [
        (5, "mine.txt"),
        (6, "mine.txt"),
        (7, "mine.txt"),
        (9, "mine.txt"),
    ]
    assert "控制字符" in lexicon.errors[0].reason
    assert "UTF-8" in lexicon.errors[3].reason
    assert str(lexicon.errors[0]).startswith("mine.txt:5:")


def test_plain_import_into_allow(tmp_path: Path) -> None:
    lexicon = import_plain(write(tmp_path, "a.txt", "人大代表\n".encode()), ALLOW_KEY)
    assert lexicon.allow == ("人大代表",) and lexicon.deny == {}


def test_tagged_file(tmp_path: Path) -> None:
    data = "\n".join(
        [
            "六合彩 3",
            "K粉 1,4",
            "冰毒 1",
            "没有标签",  # 4
            "坏标签 9",  # 5
            "混合 1,x",  # 6
            "free bet 3",  # words may contain spaces: the tags are the last field
            "# 注释",
            "",
        ]
    ).encode()
    lexicon = import_tagged(write(tmp_path, "tags.txt", data))
    assert lexicon.deny == {
        "gambling": ("六合彩", "free bet"),
        "drugs": ("K粉", "冰毒"),
        "illegal": ("K粉",),
    }
    assert [(e.line, e.reason) for e in lexicon.errors] == [
        (4, "缺少标签（应为「词 标签,标签」）"),
        (5, "未知标签 9"),
        (6, "未知标签 x"),
    ]


def test_tagged_file_with_custom_tags(tmp_path: Path) -> None:
    path = write(tmp_path, "t.txt", "代购 A\n".encode())
    assert import_tagged(path, {"A": "offtopic"}).deny == {"offtopic": ("代购",)}


def test_unknown_category_file_is_reported_not_loaded(tmp_path: Path) -> None:
    write(tmp_path, "gambling.txt", "网赌\n".encode())
    write(tmp_path, "allow.txt", "网赌游戏\n".encode())
    write(tmp_path, "misc.txt", "随便\n".encode())
    lexicon = load_dir(tmp_path)
    assert lexicon.deny == {"gambling": ("网赌",)}
    assert lexicon.allow == ("网赌游戏",)
    assert [(e.source, e.line) for e in lexicon.errors] == [("misc.txt", 0)]


def test_merge_keeps_order_and_removes_duplicates() -> None:
    a = Lexicon({"ads": ("微商", "躺赚")}, ("x",))
    b = Lexicon({"ads": ("躺赚", "日赚"), "fraud": ("裸贷",)}, ("x", "y"))
    merged = a.merge(b)
    assert merged.deny == {"ads": ("微商", "躺赚", "日赚"), "fraud": ("裸贷",)}
    assert merged.allow == ("x", "y")
    assert merged.word_count() == 6


def test_read_lines_numbers_from_one(tmp_path: Path) -> None:
    path = write(tmp_path, "n.txt", b"a\nb")
    assert list(read_lines(path)) == [(1, "a"), (2, "b")]
    words, errors = parse_plain(read_lines(path), "n.txt")
    assert words == ["a", "b"] and errors == []


def test_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_dir(tmp_path / "nope")


def test_packaged_lexicons_are_package_resources() -> None:
    # Read through importlib.resources, not relative to a checkout: a wheel install finds them.
    from importlib import resources

    folder = resources.files("bot.core.text") / "lexicons"
    assert (folder / "gambling.txt").is_file()
    assert load_dir(folder).deny == load_dir().deny


def test_operator_folder_adds_to_the_packaged_lexicons(tmp_path: Path) -> None:
    write(tmp_path, "gambling.txt", "某某彩票内部群\n".encode())
    write(tmp_path, "allow.txt", "赌博危害宣传\n".encode())
    base = load_dir()
    merged = load_default(tmp_path)
    assert merged.deny["gambling"] == (*base.deny["gambling"], "某某彩票内部群")
    assert "赌博危害宣传" in merged.allow
    assert merged.deny["porn"] == base.deny["porn"]


def test_missing_operator_folder_is_fine(tmp_path: Path) -> None:
    assert load_default(tmp_path / "nope").deny == load_dir().deny
    assert load_default(None).deny == load_dir().deny
