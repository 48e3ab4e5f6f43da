"""Personal-data detectors and masking (bot.core.identity)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.identity import (
    MaskKind,
    PersonalDataKind,
    canonical_id_number,
    canonical_mobile,
    find_bank_cards,
    find_id_numbers,
    find_mobile_numbers,
    find_personal_data,
    id_check_char,
    is_valid_bank_card,
    is_valid_id_number,
    luhn_valid,
    mask,
    mask_account,
    mask_bank_card,
    mask_id_number,
    mask_mobile,
    mask_name,
)

ID_OK = "11010519491231002X"  # the GB 11643 example
ID_OK2 = "110101199003071233"
ID_OK3 = "320311197001011230"
CARD16 = "6222021234567894"
CARD19 = "6228480123456789015"
VISA = "4111111111111111"
FW = str.maketrans("0123456789Xx+- ", "０１２３４５６７８９Ｘｘ＋－\u3000")


def spans(found: list) -> list[tuple[str, str]]:
    return [(h.kind.value, h.value) for h in found]


def text_at(text: str, found: list) -> list[str]:
    return [text[h.start : h.end] for h in found]


# ------------------------------------------------------------------ ID numbers


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (ID_OK, True),
        (ID_OK.lower(), True),
        (ID_OK2, True),
        (ID_OK3, True),
        ("110101 19900307 1233", True),  # separators are dropped
        ("110101199003071234", False),  # wrong check digit
        ("440524188001010014", False),  # check digit right, born 1880: implausible
        ("110101199002301233", False),  # 30 February
        ("990101199003071231", False),  # no such province code
        ("11010119900307123", False),  # 17 characters
        ("1101011990030712334", False),  # 19 characters
        ("11010119900307123Y", False),
        ("", False),
    ],
)
def test_is_valid_id_number(value: str, ok: bool) -> None:
    assert is_valid_id_number(value) is ok


def test_id_future_birth_rejected_only_when_today_given() -> None:
    first17 = "11010120300101123"
    future = first17 + id_check_char(first17)
    assert is_valid_id_number(future)
    assert not is_valid_id_number(future, today=date(2026, 11, 22))
    assert find_id_numbers(f"号码{future}", today=date(2026, 11, 22)) == []


def test_id_check_char_needs_17_digits() -> None:
    with pytest.raises(ValueError):
        id_check_char("123")


def test_canonical_id_number() -> None:
    assert canonical_id_number(" 110105-19491231-002x ") == ID_OK
    assert canonical_id_number("110101199003071234") is None


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (f"我的身份证号是{ID_OK}，请核对", [ID_OK]),
        (f"身份证{ID_OK.lower()}", [ID_OK]),
        (f"{ID_OK2}", [ID_OK2]),
        ("110101 19900307 1233 是他的", [ID_OK2]),
        ("110101-19900307-1233", [ID_OK2]),
        (ID_OK2.translate(FW), [ID_OK2]),  # full-width digits
        ("身份证号１１０１０１ １９９００３０７ １２３３", [ID_OK2]),
        (f"两个：{ID_OK}、{ID_OK3}", [ID_OK, ID_OK3]),
        ("110101199003071234", []),  # bad check digit
        (f"9{ID_OK2}", []),  # embedded in a longer digit run
        (f"{ID_OK2}7", []),
        (f"订单号 0{ID_OK3}55", []),
        ("110101 19900307 1233 5", []),  # the grouping goes on
        ("110101 19900307-1233", []),  # mixed separators are not one number
        ("", []),
    ],
)
def test_find_id_numbers(text: str, found: list[str]) -> None:
    hits = find_id_numbers(text)
    assert [h.value for h in hits] == found
    for h in hits:
        assert h.kind is PersonalDataKind.ID_NUMBER
        assert canonical_id_number(text[h.start : h.end]) == h.value


# ------------------------------------------------------------------ bank cards


@pytest.mark.parametrize(
    ("value", "ok"),
    [(CARD16, True), (CARD19, True), (VISA, True), ("79927398713", False), ("", False), ("12a4", False)],
)
def test_luhn(value: str, ok: bool) -> None:
    if len(value) == 11:
        assert luhn_valid(value)  # the textbook Luhn example, too short for a card
        assert not is_valid_bank_card(value)
    else:
        assert luhn_valid(value) is ok


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (f"卡号{CARD16}，户名张三", [CARD16]),
        (f"工资卡 {CARD19}", [CARD19]),
        ("卡号 6222 0212 3456 7894", [CARD16]),
        ("卡号 6222-0212-3456-7894", [CARD16]),
        ("6228 4801 2345 6789 015", [CARD19]),  # 4-4-4-4-3
        (CARD16.translate(FW), [CARD16]),
        ("６２２２　０２１２　３４５６　７８９４", [CARD16]),
        (f"{VISA}", [VISA]),
        ("6222021234567890", []),  # Luhn fails
        (f"1{CARD16}", []),  # embedded
        (f"{CARD16}3", []),
        ("6222 0212 3456 7894 12", []),  # 18 digits in the grouping: Luhn fails as a whole
        ("6222 0212-3456 7894", []),  # mixed separators
        ("2024031512345672", []),  # an order number (Luhn-valid, leading 2)
        ("622202123456789", []),  # 15 digits
    ],
)
def test_find_bank_cards(text: str, found: list[str]) -> None:
    assert [h.value for h in find_bank_cards(text)] == found


def test_luhn_valid_order_number_is_not_a_card() -> None:
    assert luhn_valid("2024031512345672")
    assert not is_valid_bank_card("2024031512345672")


# ------------------------------------------------------------------ mobile numbers


@pytest.mark.parametrize(
    ("text", "found", "spans_text"),
    [
        ("电话13812345678", ["13812345678"], ["13812345678"]),
        ("联系 138 1234 5678 谢谢", ["13812345678"], ["138 1234 5678"]),
        ("138-1234-5678", ["13812345678"], ["138-1234-5678"]),
        ("+86 138 1234 5678", ["13812345678"], ["+86 138 1234 5678"]),
        ("+8613812345678", ["13812345678"], ["+8613812345678"]),
        ("8613812345678", ["13812345678"], ["8613812345678"]),
        ("0086-13812345678", ["13812345678"], ["0086-13812345678"]),
        ("１３８１２３４５６７８", ["13812345678"], ["１３８１２３４５６７８"]),
        ("＋８６　１３８－１２３４－５６７８", ["13812345678"], ["＋８６　１３８－１２３４－５６７８"]),
        ("13812345678 19912345678", ["13812345678", "19912345678"], ["13812345678", "19912345678"]),
        ("13812345678，19912345678", ["13812345678", "19912345678"], ["13812345678", "19912345678"]),
        ("12812345678", [], []),  # 12x is not a mobile prefix
        ("1381234567", [], []),  # 10 digits
        ("138123456789", [], []),  # 12 digits: embedded
        ("913812345678", [], []),
        ("QQ 213812345678", [], []),
        ("138 1234-5678", [], []),  # mixed separators
        ("138 1234 5678 9", [], []),  # grouping continues
        ("会议室 0551-12345678", [], []),  # a landline
    ],
)
def test_find_mobile_numbers(text: str, found: list[str], spans_text: list[str]) -> None:
    hits = find_mobile_numbers(text)
    assert [h.value for h in hits] == found
    assert text_at(text, hits) == spans_text


@pytest.mark.parametrize(
    ("value", "canon"),
    [
        ("13812345678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("12812345678", None),
        ("1381234567", None),
        ("", None),
    ],
)
def test_canonical_mobile(value: str, canon: str | None) -> None:
    assert canonical_mobile(value) == canon


# ------------------------------------------------------------------ all kinds together


def test_find_personal_data_mixed_message() -> None:
    text = f"张三 身份证{ID_OK2} 卡号6222 0212 3456 7894 电话138-1234-5678"
    hits = find_personal_data(text)
    assert spans(hits) == [("id_number", ID_OK2), ("bank_card", CARD16), ("mobile", "13812345678")]
    assert text_at(text, hits) == [ID_OK2, "6222 0212 3456 7894", "138-1234-5678"]


def test_id_number_that_also_passes_luhn_is_reported_once() -> None:
    value = "410101199003011813"
    assert is_valid_id_number(value)
    assert luhn_valid(value) and value[0] in "34569"  # a card reading exists
    assert spans(find_personal_data(value)) == [("id_number", value)]
    assert spans(find_personal_data(value, [PersonalDataKind.BANK_CARD])) == [("bank_card", value)]


def test_find_personal_data_kinds_filter_and_plain_text() -> None:
    text = f"{ID_OK} 13812345678"
    assert spans(find_personal_data(text, [PersonalDataKind.MOBILE])) == [("mobile", "13812345678")]
    assert find_personal_data("今天下午三点在三楼会议室开会，请准时参加。") == []


def test_match_repr_hides_value() -> None:
    (hit,) = find_mobile_numbers("电话13812345678")
    assert "13812345678" not in repr(hit)
    assert hit.masked == "138****5678"
    (idhit,) = find_id_numbers(ID_OK)
    assert idhit.masked == "110105********002X"


def test_kind_labels_are_chinese() -> None:
    assert [k.label for k in PersonalDataKind] == ["身份证号码", "银行卡号", "手机号码"]


def test_large_input_is_fast_enough() -> None:
    text = ("会议通知：请各科室于周五前报送材料，联系人13812345678。" * 2000)[:100_000]
    hits = find_personal_data(text)
    assert len(hits) == text.count("13812345678")


# ------------------------------------------------------------------ masking


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张*丰"),
        ("欧阳娜娜", "欧**娜"),
        ("司马相如", "司**如"),
        ("张", "*"),
        ("阿依古丽·买买提", "阿***·**提"),
        (" 李 四 ", "李*"),
        ("", ""),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked
    assert mask(name, MaskKind.NAME) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("１３８１２３４５６７８", "138****5678"),
        ("0551-12345678", "055*****5678"),  # a landline: first 3, last 4
        ("12345", "*****"),
        ("", ""),
    ],
)
def test_mask_mobile(value: str, masked: str) -> None:
    assert mask_mobile(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (ID_OK2, "110101********1233"),
        (ID_OK.lower(), "110105********002X"),
        ("110101 19900307 1233", "110101********1233"),
        ("123456789", "*********"),
    ],
)
def test_mask_id_number(value: str, masked: str) -> None:
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [(CARD16, "************7894"), ("6222 0212 3456 7894", "************7894"), ("1234", "****")],
)
def test_mask_bank_card(value: str, masked: str) -> None:
    assert mask_bank_card(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("123456789", "12*****89"), ("12345", "1***5"), ("12", "**"), ("wxid_abcdef123", "wx**********23")],
)
def test_mask_account(value: str, masked: str) -> None:
    assert mask_account(value) == masked


@pytest.mark.parametrize(
    ("kind", "masked"),
    [
        ("mobile", "138****5678"),
        ("phone", "138****5678"),
        (PersonalDataKind.MOBILE, "138****5678"),
        (MaskKind.ACCOUNT, "13*******78"),
        ("other", "1*********8"),
        ("bank_card", "***********"),  # too short for a card: all masked
    ],
)
def test_mask_dispatch(kind: str, masked: str) -> None:
    assert mask("13812345678", kind) == masked


def test_mask_unknown_kind_does_not_echo_value() -> None:
    with pytest.raises(ValueError) as exc:
        mask("13812345678", "passport")
    assert "13812345678" not in str(exc.value)
