"""Roster files: CSV, pasted tables and XLSX → rows, and every bad row reported with its line number."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from bot.roster_io import MAX_ROWS, make_row, parse_roster, parse_roster_text

GOOD = (
    "姓名,科室,职务,手机,QQ,微信,状态\n"
    "张三,办公室,科员,13812345678,12345,zhangsan_01,在岗\n"
    "李四,财务科,,13912345678,,,借调\n"
)


def test_good_csv_gives_rows_with_canonical_values() -> None:
    r = parse_roster_text(GOOD)
    assert r.ok and not r.warnings
    a, b = r.rows
    assert (a.line, a.name, a.dept, a.post, a.phone, a.qq, a.wechat, a.status) == (
        2, "张三", "办公室", "科员", "13812345678", "12345", "zhangsan_01", "在岗",
    )  # fmt: skip
    assert (b.line, b.status, b.qq) == (3, "借调", "")


def test_repr_masks_personal_data() -> None:
    row = parse_roster_text(GOOD).rows[0]
    text = repr(row)
    assert "张三" not in text and "13812345678" not in text and "138****5678" in text


@pytest.mark.parametrize(
    ("table", "sep"),
    [
        ("姓名\t科室\t手机\n张三\t办公室\t13812345678\n", "tab (pasted from Excel)"),
        ("姓名，科室，手机\n张三，办公室，13812345678\n", "full-width comma"),
        ("姓名;科室;手机\n张三;办公室;13812345678\n", "semicolon"),
        ("姓名 科室 手机\n张三 办公室 13812345678\n", "spaces"),
        ("\ufeff手机号码,所在部门,真实姓名\n+86 138-1234-5678,办公室,张 三\n", "BOM, synonyms, order"),
    ],
)
def test_separators_and_header_synonyms(table: str, sep: str) -> None:
    r = parse_roster_text(table)
    assert r.ok, (sep, r.error_report())
    [row] = r.rows
    assert (row.name, row.dept, row.phone) == ("张三", "办公室", "13812345678"), sep


def test_every_bad_row_is_reported_with_its_line_number() -> None:
    text = (
        "姓名,科室,职务,手机,QQ,状态\n"  # 1
        "张三,办公室,科员,13812345678,,\n"  # 2 good
        ",办公室,,13812345679,,\n"  # 3 no name
        "李四,,科员,12345,,\n"  # 4 no dept, bad phone
        "\n"  # 5 blank: skipped
        "王五,财务科,,13812345678,,\n"  # 6 duplicate phone of line 2
        "赵六,财务科,,13912345670,abc,出差\n"  # 7 bad QQ, bad status
        "孙七,人事科,,,,\n"  # 8 no phone
        "周八,人事科,,13712345678,,退休\n"  # 9 good
    )
    r = parse_roster_text(text)
    assert [row.line for row in r.rows] == [2, 9]
    by_line = {e.line: e.reason for e in r.errors}
    assert sorted(by_line) == [3, 4, 6, 7, 8]
    assert "缺少姓名" in by_line[3]
    assert "缺少科室" in by_line[4] and "手机号" in by_line[4]
    assert "与第 2 行重复" in by_line[6]
    assert "QQ" in by_line[7] and "状态「出差」无效" in by_line[7]
    assert "缺少手机号" in by_line[8]
    report = r.error_report()
    assert report.splitlines()[0].startswith("第 3 行：")
    # Error texts never repeat a phone number in full.
    assert "12345" not in by_line[4].replace("「***」", "")
    assert not r.fatal


def test_a_quoted_cell_over_two_lines_keeps_later_line_numbers_right() -> None:
    text = '姓名,科室,手机,职务\n张三,办公室,13812345678,"科员,\n兼秘书"\n李四,,13912345678,\n'
    r = parse_roster_text(text)
    assert [row.line for row in r.rows] == [2]
    assert [e.line for e in r.errors] == [4]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "没有任何内容"),
        ("张三,办公室,13812345678\n", "缺少列"),
        ("姓名,科室\n张三,办公室\n", "缺少列：手机"),
        ("姓名,科室,手机\n", "表头下没有人员行"),
        ("姓名,科室,手机,手机号\n张三,办公室,13812345678,13812345678\n", "列重复"),
        ("说明\n备注\n1\n2\n3\n姓名,科室,手机\n", "第 1 行应为表头"),
    ],
)
def test_unusable_files_are_fatal(text: str, needle: str) -> None:
    r = parse_roster_text(text)
    assert r.fatal and not r.rows
    assert needle in r.error_report()


def test_a_title_row_above_a_pasted_header_is_skipped() -> None:
    r = parse_roster_text("测试局花名册（2026年11月）\n姓名\t科室\t手机\n张三\t办公室\t13812345678\n")
    assert r.ok and [row.line for row in r.rows] == [3]
    assert r.warnings == ["表头在第 2 行，之前的 1 行（标题或说明）已忽略"]


def test_id_numbers_and_unknown_columns_are_ignored_with_a_warning() -> None:
    r = parse_roster_text(
        "序号,姓名,科室,手机,身份证号,籍贯\n1,张三,办公室,13812345678,110101199003077777,安徽\n"
    )
    assert r.ok
    assert any("身份证号" in w and "不会保存" in w for w in r.warnings)
    assert any("籍贯" in w for w in r.warnings)
    assert not any("序号" in w for w in r.warnings)


def test_gbk_bytes_from_excel_on_windows() -> None:
    r = parse_roster("姓名,科室,手机\n张三,办公室,13812345678\n".encode("gbk"), filename="花名册.csv")
    assert r.ok and r.rows[0].name == "张三"


def test_old_xls_is_refused_with_advice() -> None:
    r = parse_roster(b"\xd0\xcf\x11\xe0rest", filename="roster.xls")
    assert r.fatal and ".xlsx" in r.error_report()


def _xlsx(rows: list[list[object]], title: str = "Sheet") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_xlsx_rows_are_numbered_as_in_excel_and_numbers_become_text() -> None:
    data = _xlsx(
        [
            ["单位花名册"],  # 1: a title row above the header is skipped
            ["序号", "姓名", "科室", "职务", "手机号", "QQ", "状态"],
            [1, "张三", "办公室", "科员", 13812345678, 12345, None],
            [2, "李四", "财务科", None, 1381234567, None, None],  # 10 digits
            [],
            [3, "王五", "财务科", None, 13912345678.0, None, "出差"],
            [4, "赵六", "人事科", "", "13712345678", "", "调离"],
        ]
    )
    r = parse_roster(data, filename="花名册.xlsx")
    assert any("表头在第 2 行" in w for w in r.warnings)
    assert [(row.line, row.name, row.phone, row.qq, row.status) for row in r.rows] == [
        (3, "张三", "13812345678", "12345", "在岗"),
        (7, "赵六", "13712345678", "", "调离"),
    ]
    assert [e.line for e in r.errors] == [4, 6]
    assert "手机号" in r.errors[0].reason and "状态「出差」" in r.errors[1].reason
    assert parse_roster(data).rows == r.rows  # recognised as a workbook by its content, without a name


def test_xlsx_prefers_a_sheet_named_roster() -> None:
    wb = Workbook()
    first = wb.active
    assert first is not None
    first.append(["说明"])
    sheet = wb.create_sheet("花名册")
    sheet.append(["姓名", "科室", "手机"])
    sheet.append(["张三", "办公室", "13812345678"])
    out = io.BytesIO()
    wb.save(out)
    r = parse_roster(out.getvalue(), filename="x.xlsx")
    assert r.ok and [row.name for row in r.rows] == ["张三"]


def test_broken_xlsx_is_reported() -> None:
    r = parse_roster(b"PK\x03\x04 not really a zip", filename="x.xlsx")
    assert r.fatal and "XLSX" in r.error_report()


def test_row_limit() -> None:
    lines = ["姓名,科室,手机"] + [f"张三,办公室,138{i:08d}" for i in range(MAX_ROWS + 1)]
    r = parse_roster_text("\n".join(lines))
    assert r.fatal and not r.rows


def test_make_row_for_the_add_command() -> None:
    row, problems = make_row(name="张三", dept="办公室", phone="138-1234-5678", post="科员", qq="12345")
    assert row is not None and not problems and row.phone == "13812345678" and row.status == "在岗"
    row, problems = make_row(name="张", dept="", phone="1")
    assert row is None and len(problems) == 3
