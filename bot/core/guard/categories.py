"""The guard's action keys: every kind of finding a policy can attach actions to.

A keyword category (``bot/core/text/lexicons/<key>.txt``) is one kind; the other rules add theirs
(personal data by type, links, files, repeats, flooding). Each kind names the preset citation key
its warning cites and whether its message may be echoed back at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.text.categories import CATEGORIES


@dataclass(frozen=True, slots=True)
class Kind:
    key: str
    label: str  # Chinese, for warnings, reports and /规则
    rule: str  # the rule module that produces it (bot/core/guard/rules/<rule>.py)
    cite: str  # preset citation key (bot/policy/presets.toml)
    sensitive: bool = False  # secret / personal data: the message is never repeated, not even in part
    echo: bool = False  # the matched word may be shown (harmless words such as 砍一刀, not 法轮功)


_KEYWORD_CITE = {"secret": "secret", "offtopic": "off_topic", "formalism": "formalism", "rumor": "rumor"}
_ECHO = frozenset({"ads", "offtopic", "formalism", "rumor"})

KINDS: tuple[Kind, ...] = (
    *(
        Kind(
            c.key,
            c.label,
            "secret_marking" if c.key == "secret" else "keywords",
            _KEYWORD_CITE.get(c.key, "prohibited"),
            sensitive=c.key == "secret",
            echo=c.key in _ECHO,
        )
        for c in CATEGORIES
    ),
    Kind("id_number", "身份证号码", "personal_data", "privacy", sensitive=True),
    Kind("bank_card", "银行卡号", "personal_data", "privacy", sensitive=True),
    Kind("mobile", "手机号码", "personal_data", "privacy", sensitive=True),
    Kind("link_shortener", "短链接", "links", "prohibited", echo=True),
    Kind("link_unknown", "未经确认的外部链接", "links", "prohibited", echo=True),
    Kind("link_card", "小程序或分享卡片", "links", "off_topic", echo=True),
    Kind("file_secret", "文件名带密级标识", "files", "secret", sensitive=True),
    Kind("file_type", "禁止上传的文件类型", "files", "prohibited", echo=True),
    Kind("repeat_notice", "重复发布的通知", "repeat_notice", "repeat_notice"),
    Kind("flood", "刷屏", "flooding", "off_topic"),
)

KIND_BY_KEY: dict[str, Kind] = {k.key: k for k in KINDS}

# Aliases people type in /词库 and /规则 (Chinese labels, short forms, keys).
_ALIASES: dict[str, str] = {
    "政治": "political",
    "反动": "political",
    "政治有害": "political",
    "色情": "porn",
    "赌博": "gambling",
    "暴力": "violence",
    "暴恐": "violence",
    "暴力恐怖": "violence",
    "毒品": "drugs",
    "广告": "ads",
    "商业广告": "ads",
    "诈骗": "fraud",
    "病毒链接": "fraud",
    "违法": "illegal",
    "侵权": "illegal",
    "违法侵权": "illegal",
    "谣言": "rumor",
    "涉密": "secret",
    "密级": "secret",
    "涉密标识": "secret",
    "无关": "offtopic",
    "与工作无关": "offtopic",
    "形式主义": "formalism",
    "人身攻击": "abuse",
    "辱骂": "abuse",
    "谩骂": "abuse",
    "攻击": "abuse",
    "身份证": "id_number",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "银行卡": "bank_card",
    "银行卡号": "bank_card",
    "手机号": "mobile",
    "手机号码": "mobile",
    "短链接": "link_shortener",
    "外部链接": "link_unknown",
    "未知链接": "link_unknown",
    "卡片": "link_card",
    "小程序": "link_card",
    "涉密文件": "file_secret",
    "文件类型": "file_type",
    "重复": "repeat_notice",
    "重复通知": "repeat_notice",
    "刷屏": "flood",
}


def kind_key(name: str) -> str | None:
    """The kind key for what a person typed (key, Chinese label or alias); None when unknown."""
    text = name.strip().lower()
    if text in KIND_BY_KEY:
        return text
    for kind in KINDS:
        if kind.label == name.strip():
            return kind.key
    return _ALIASES.get(name.strip())


def kind_label(key: str) -> str:
    kind = KIND_BY_KEY.get(key)
    return kind.label if kind else key
