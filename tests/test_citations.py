"""Every citation names the group's own regulation (or the national basis) — never another city's.

Walks every preset × every message kind: the citation keys of every content-guard kind, and every key
the code passes to ``Preset.cite`` anywhere (found in the source, so a new message kind is covered
without editing this test). Fails on a foreign regulation's name; kunming 第十五条 only in kunming.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import bot
from bot.core.guard.categories import KINDS
from bot.policy import load_policy
from bot.policy.model import NATIONAL_BASIS

POLICY = load_policy(None)
REGULATIONS = {POLICY.preset(n).regulation for n in POLICY.preset_names} - {"工作群管理通用规范"}
SOURCE_KEYS = {
    m
    for path in Path(bot.__file__).parent.rglob("*.py")
    for m in re.findall(r"cite\(\s*['\"]([a-z_]+)['\"]\s*\)", path.read_text(encoding="utf-8"))
}
MESSAGE_KINDS = sorted({k.cite for k in KINDS} | SOURCE_KEYS)


def test_the_walk_covers_what_the_bot_says() -> None:
    assert len(REGULATIONS) == 5
    assert {"admission", "real_name", "filing", "rectification", "off_hours", "secret"} <= set(MESSAGE_KINDS)


@pytest.mark.parametrize("preset", POLICY.preset_names)
@pytest.mark.parametrize("key", MESSAGE_KINDS)
def test_citation_names_only_the_own_regulation(preset: str, key: str) -> None:
    p = POLICY.preset(preset)
    text = p.cite(key)
    named = set(re.findall(r"《([^》]+)》", text))
    assert named, text
    assert named <= {p.regulation, NATIONAL_BASIS}, f"{preset}/{key}: {text}"
    for foreign in REGULATIONS - {p.regulation}:
        assert foreign not in text, f"{preset}/{key} cites 《{foreign}》"
    if "昆明" not in p.regulation:
        assert "第十五条" not in text or "昆明" not in text


def test_rectification_deadlines_apply_everywhere_but_only_kunming_cites_them() -> None:
    kunming = POLICY.preset("kunming").cite("rectification")
    assert kunming == "依据《昆明市党政群网站及新媒体管理办法》第十五条"
    assert "昆明" not in POLICY.preset("huangshan-finance-2020").cite("rectification")
