"""The keyword categories of the content guard: one place for keys and Chinese labels.

The key is the lexicon file stem (``bot/core/text/lexicons/<key>.txt``) and what policies refer to; the
label is what members and admins read in warnings and reports.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Category:
    key: str
    label: str


CATEGORIES: tuple[Category, ...] = (
    Category("political", "反动/政治有害"),
    Category("porn", "色情"),
    Category("gambling", "赌博"),
    Category("violence", "暴力恐怖"),
    Category("drugs", "毒品"),
    Category("ads", "商业广告"),
    Category("fraud", "病毒链接/诈骗"),
    Category("illegal", "违法侵权"),
    Category("rumor", "谣言"),
    Category("secret", "涉密标识"),
    Category("offtopic", "与工作无关"),
    Category("formalism", "形式主义"),
    Category("abuse", "人身攻击"),  # yichun 第十一条 (不对他人进行人身攻击), huangshi 第十条（八）
)

BY_KEY: dict[str, Category] = {c.key: c for c in CATEGORIES}

ALLOW_KEY = "allow"
"""File stem of the allow list (``allow.txt``): entries that mask deny hits inside them."""

HOUBB_TAGS: dict[str, str] = {
    "0": "political",  # 政治
    "1": "drugs",  # 毒品
    "2": "porn",  # 色情
    "3": "gambling",  # 赌博
    "4": "illegal",  # 违法
}
"""Tag numbers of houbb/sensitive-word's ``word TAG,TAG`` lists → our category keys."""


def label(key: str) -> str:
    """Chinese label of a category key; unknown keys come back unchanged (never raise in a warning)."""
    category = BY_KEY.get(key)
    return category.label if category else key
