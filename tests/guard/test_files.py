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
        # Bare secret levels, as offices label files: bracketed, or leading before a separator.
        ("（机密）干部考察材料.docx", {"file_secret"}),
        ("(机密★5年)机构改革方案.doc", {"file_secret"}),
        ("【内部】全体干部通讯录.xlsx", {"file_secret"}),
        ("[秘密]2027年预算草案.pdf", {"file_secret"}),
        ("〔绝密〕作战方案.pdf", {"file_secret"}),
        ("「内部资料」培训讲义.pptx", {"file_secret"}),
        ("绝密-关于人事调整的请示.docx", {"file_secret"}),
        ("秘密_考试题库.docx", {"file_secret"}),
        # …while a word about secrecy or an internal topic names what the file is about.
        ("保密协议.docx", set()),
        ("内部控制制度.docx", set()),
        ("会议纪要(内部讨论稿).docx", set()),
        ("秘密花园.mp4", set()),
        ("机密文件管理办法解读.pdf", set()),
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
