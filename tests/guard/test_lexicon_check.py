"""`python -m bot lexicon check FILE`: hits per line (sensitive ones by kind only) and the hit rate."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bot.cli import main


def test_lexicon_check(tmp_path: Path) -> None:
    path = tmp_path / "messages.txt"
    path.write_text("收到\n澳门赌.场上线了\n身份证 11010519491231002X\n\n好的，谢谢\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["lexicon", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert "2: gambling「赌场」" in result.output
    assert "3: id_number" in result.output and "11010519491231002X" not in result.output
    assert "共 4 条，命中 2 条（50.00%）" in result.output


def test_lexicon_check_unknown_preset(tmp_path: Path) -> None:
    path = tmp_path / "m.txt"
    path.write_text("收到\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["lexicon", "check", str(path), "--preset", "nowhere"])
    assert result.exit_code == 2 and "没有预设 nowhere" in result.output
