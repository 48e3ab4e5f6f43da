"""rules/files.py: secret markings in file names and blocked extensions."""

from __future__ import annotations

import pytest

from bot.core.guard import ContentGuard
from bot.core.guard.rules.files import extension
from tests.guard.conftest import config


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("机密★关于机构调整的通知.docx", {"file_secret"}),
        ("（内部资料 注意保存）会议纪要.pdf", {"file_secret"}),
        ("安装包.exe", {"file_type"}),
        ("通知.pdf.exe", {"file_type"}),  # a harmless extension in front does not help
        ("考勤打卡.APK", {"file_type"}),
        ("機密★名單.bat", {"file_secret", "file_type"}),
        ("2026年工作总结.docx", set()),
        ("保密工作培训课件.pptx", set()),
        ("README", set()),
        ("exe使用说明.txt", set()),
    ],
)
def test_file_names(name: str, found: set[str]) -> None:
    assert {f.kind for f in ContentGuard.check_file(name, config())} == found


def test_secret_file_finding_keeps_no_name() -> None:
    [finding] = ContentGuard.check_file("机密★关于某某同志的考察材料.docx", config())
    assert finding.excerpt == "" and finding.sensitive


@pytest.mark.parametrize(
    ("name", "ext"),
    [("a.EXE", "exe"), ("a.tar.gz", "gz"), (".bashrc", ""), ("noext", ""), ("dir/x.js", "js"), ("a.", "")],
)
def test_extension(name: str, ext: str) -> None:
    assert extension(name) == ext
