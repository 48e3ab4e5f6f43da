"""rules/personal_data.py: ID numbers and bank cards always, mobiles only when switched on;
digit styles and separators do not hide a number; only the masked value is kept."""

from __future__ import annotations

import pytest

from tests.guard.conftest import config, findings, kinds

ID = "11010519491231002X"  # the GB 11643 sample number (valid check digit)
CARD = "6222021234567894"  # passes Luhn, UnionPay leading 6

HITS = [
    (f"张三身份证号：{ID}，请核对", "id_number"),
    ("身份证 110105 19491231 002X", "id_number"),
    ("身份证１１０１０５１９４９１２３１００２Ｘ", "id_number"),  # full width
    ("一一〇一〇五一九四九一二三一〇〇二X", "id_number"),  # Chinese numerals
    ("①①⓪①⓪⑤①⑨④⑨①②③①⓪⓪②X", "id_number"),  # circled digits
    ("1101 0519 4912 3100 2X", "id_number"),  # odd grouping
    ("1-1-0-1-0-5-1-9-4-9-1-2-3-1-0-0-2-X", "id_number"),  # a hyphen between every digit
    (f"工资卡 {CARD}", "bank_card"),
    ("卡号 6222 0212 3456 7894 开户行工行", "bank_card"),
]

NOT_PERSONAL = [
    "11010519491231002Y 不是身份证号",  # bad check character
    "110105194912310021",  # wrong check digit
    "订单号 6222021234567891",  # fails Luhn
    "文号：皖财办〔2026〕123号",
    "会议定于2026年11月20日14:30召开，地点301室",
    "请拨打 13812345678 联系张科长",  # mobile detection is off by default
    "办公室电话 0551-62345678",
]


@pytest.mark.parametrize(("text", "kind"), HITS)
def test_hits(text: str, kind: str) -> None:
    assert kind in kinds(text)


@pytest.mark.parametrize("text", NOT_PERSONAL)
def test_near_misses(text: str) -> None:
    assert kinds(text) == set()


def test_mobile_numbers_when_switched_on() -> None:
    cfg = config(detect_mobile=True)
    assert kinds("请拨打 138 1234 5678 联系张科长", cfg) == {"mobile"}
    assert kinds("办公室电话 0551-62345678", cfg) == set()


def test_only_the_masked_value_is_kept() -> None:
    [finding] = findings(f"身份证号：{ID}")
    assert finding.excerpt == "110105********002X" and ID not in repr(finding)
    assert finding.sensitive and finding.shown == "" and finding.cite_key == "privacy"
