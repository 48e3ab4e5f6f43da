"""rules/secret_marking.py: markings, not talk about secrecy work; nothing of the text is kept."""

from __future__ import annotations

import pytest

from bot.core.guard.rules import secret_marking
from tests.guard.conftest import base_stack, findings, kinds

MARKED = [
    "绝密★启用前",
    "机密★10年 关于人事调整的请示",
    "机密 ☆ 10年 关于某某事项的报告",  # star variants and spaces
    "秘密⭐一年",
    "（内部资料 注意保存）",
    "內部資料，請勿外傳",  # traditional characters
    "这份是涉密文件，大家看一下",
    "密级：机密",
    "機密★5年關於調整機構設置的通知",
    "秘\u200b密★",  # zero-width space inside the marking
]

NOT_MARKED = [
    "明天召开保密工作会议，请各科室保密员参加",
    "涉密不上网，上网不涉密",
    "本文件为非涉密文件，可以在群里发",
    "请做好涉密文件管理工作",
    "这是我们俩的秘密",
    "机密文件请走机要渠道，不要发群里",
    "请大家签订保密承诺书",
]


@pytest.mark.parametrize("text", MARKED)
def test_markings_are_found(text: str) -> None:
    assert "secret" in kinds(text)


@pytest.mark.parametrize("text", NOT_MARKED)
def test_talk_about_secrecy_is_not_a_marking(text: str) -> None:
    assert kinds(text) == set()


def test_the_finding_carries_no_text() -> None:
    [finding] = findings("机密★5年 关于某某同志任职的通知")
    assert finding.kind == "secret" and finding.excerpt == "" and finding.sensitive
    assert finding.rule == "secret_marking" and finding.cite_key == "secret"


@pytest.mark.parametrize(
    ("name", "marked"),
    [
        ("机密★关于机构调整的通知.docx", True),
        ("内部资料注意保存-会议纪要.pdf", True),
        ("保密工作培训课件.pptx", False),
        ("2026年工作总结.docx", False),
    ],
)
def test_file_names(name: str, marked: bool) -> None:
    assert secret_marking.marked(base_stack(), name) is marked
