"""Roster files (花名册): CSV, pasted tables and XLSX → validated rows, every bad row with its line number.

Nothing here touches the database: :func:`parse_roster` returns the good rows and the errors, and the
caller decides (SPEC §2: a file with bad rows imports nothing unless the admin asks for the good rows).

Columns (header row required, any order, common synonyms accepted; unknown columns are ignored with a
warning):

=========  ======================================  ========
column     header names accepted                   required
=========  ======================================  ========
name       姓名 名字                                yes
dept       科室 部门 处室 所在科室 所在部门 单位      yes
phone      手机 手机号 手机号码 电话 联系电话         yes — the person's stable key
post       职务 岗位 职位                           no
qq         QQ QQ号                                  no
wechat     微信 微信号                               no
status     状态 在岗状态                             no (empty → 在岗)
=========  ======================================  ========

The mobile number is the stable key of a person: a re-import updates the person with the same mobile
number (in the same unit) instead of adding a second one. ID-card numbers are not needed; a column of
them is ignored and never stored (data minimisation).

Line numbers are those a person sees: the line of the text (the header is line 1) or the row of the
worksheet. Error messages never repeat a value in full (phones are masked, names are not echoed).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.identity import canonical_mobile, mask_mobile, mask_name

__all__ = [
    "ACTIVE_STATUSES",
    "MAX_ROWS",
    "STATUSES",
    "RosterParse",
    "RosterRow",
    "RowError",
    "canonical_name",
    "make_row",
    "parse_roster",
    "parse_roster_file",
    "parse_roster_text",
    "parse_roster_xlsx",
]

#: Statuses a roster row may have; the first three may join work groups.
STATUSES: tuple[str, ...] = ("在岗", "借调", "挂职", "调离", "退休", "离职")
ACTIVE_STATUSES: frozenset[str] = frozenset({"在岗", "借调", "挂职"})
MAX_ROWS = 20_000
MAX_CELL = 100
_HEADER_SEARCH_ROWS = 5

_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "真实姓名", "name"),
    "dept": (
        "科室",
        "部门",
        "处室",
        "股室",
        "所在科室",
        "所在部门",
        "单位",
        "科室部门",
        "dept",
        "department",
    ),
    "phone": ("手机", "手机号", "手机号码", "电话", "联系电话", "联系方式", "移动电话", "phone", "mobile"),
    "post": ("职务", "岗位", "职位", "post", "title"),
    "qq": ("qq", "qq号", "qq号码"),
    "wechat": ("微信", "微信号", "wechat", "微信id"),
    "status": ("状态", "在岗状态", "人员状态", "status"),
}
_REQUIRED = ("name", "dept", "phone")
_LABELS = {
    "name": "姓名",
    "dept": "科室",
    "phone": "手机",
    "post": "职务",
    "qq": "QQ",
    "wechat": "微信",
    "status": "状态",
}
_IGNORED_SILENTLY = ("序号", "编号", "no", "#", "备注")
_SENSITIVE_HEADERS = ("身份证", "身份证号", "身份证号码", "证件号", "证件号码")
_NAME_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f·A-Za-z ]{2,30}")
_QQ_RE = re.compile(r"[1-9]\d{4,11}")
_WECHAT_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{3,63}|wxid_[A-Za-z0-9_-]{1,60}")
_STATUS_ALIASES = {"正常": "在岗", "在职": "在岗", "离退休": "退休", "已调离": "调离", "已退休": "退休"}


def canonical_name(name: str) -> str:
    """The form names are compared and indexed in: NFKC, no spaces, one kind of middle dot."""
    s = unicodedata.normalize("NFKC", name)
    s = "".join(s.split())
    return re.sub("[•・‧∙⋅･.]", "·", s)


@dataclass(frozen=True, slots=True, repr=False)
class RosterRow:
    """One valid person. ``line`` is where it came from. The repr masks the personal data."""

    line: int
    name: str
    dept: str
    phone: str  # canonical 11 digits
    post: str = ""
    qq: str = ""
    wechat: str = ""
    status: str = "在岗"

    def __repr__(self) -> str:
        return (
            f"RosterRow(line={self.line}, name={mask_name(self.name)!r}, dept={self.dept!r}, "
            f"phone={mask_mobile(self.phone)!r}, status={self.status!r})"
        )


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.reason}" if self.line else self.reason


@dataclass
class RosterParse:
    """The outcome of parsing one file: good rows, every error, and warnings (ignored columns …)."""

    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def fatal(self) -> bool:
        """The file as a whole is unusable (no header, no rows …): there are no good rows to import."""
        return bool(self.errors) and any(e.line == 0 for e in self.errors)

    def error_report(self, limit: int = 30) -> str:
        """The errors, one a line, at most ``limit`` (then how many more)."""
        lines = [str(e) for e in self.errors[:limit]]
        if len(self.errors) > limit:
            lines.append(f"……另有 {len(self.errors) - limit} 处错误未列出")
        return "\n".join(lines)


# ---------------------------------------------------------------- header


def _header_key(cell: str) -> str:
    s = unicodedata.normalize("NFKC", cell).strip().casefold()
    s = re.sub(r"[\s*＊:：()（）]", "", s)
    return s.removesuffix("(必填)").removesuffix("必填")


def _map_header(cells: Sequence[str]) -> tuple[dict[str, int], list[str], list[str]]:
    """(column → index, unknown headers, duplicate column labels)."""
    index: dict[str, int] = {}
    unknown: list[str] = []
    duplicates: list[str] = []
    lookup = {_header_key(alias): col for col, aliases in _COLUMNS.items() for alias in aliases}
    for i, cell in enumerate(cells):
        key = _header_key(cell)
        if not key:
            continue
        col = lookup.get(key)
        if col is None:
            unknown.append(cell.strip())
        elif col in index:
            duplicates.append(_LABELS[col])
        else:
            index[col] = i
    return index, unknown, duplicates


def _score_header(cells: Sequence[str]) -> int:
    return len(_map_header(cells)[0])


# ---------------------------------------------------------------- cells


def _cell_text(value: object) -> str:
    """A cell as text; numbers that Excel stored as floats (13812345678.0) lose the ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    text = unicodedata.normalize("NFKC", str(value))
    return text.replace("\u200b", "").replace("\ufeff", "").strip()


def _check_row(line: int, cells: Sequence[str], cols: dict[str, int]) -> tuple[RosterRow | None, list[str]]:
    def get(col: str) -> str:
        i = cols.get(col)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    problems: list[str] = []
    values = {col: get(col) for col in _COLUMNS}
    for col, value in values.items():
        if len(value) > MAX_CELL:
            problems.append(f"「{_LABELS[col]}」过长（最多 {MAX_CELL} 个字符）")
            values[col] = ""
    name = canonical_name(values["name"])
    if not name:
        problems.append("缺少姓名")
    elif not _NAME_RE.fullmatch(name) or name.replace("·", "") == "":
        problems.append("姓名应为 2 至 30 个汉字或字母（少数民族姓名可含「·」）")
    dept = " ".join(values["dept"].split())
    if not dept:
        problems.append("缺少科室")
    raw_phone = values["phone"]
    phone = canonical_mobile(raw_phone) if raw_phone else None
    if not raw_phone:
        problems.append("缺少手机号（手机号用于识别同一人员，必填）")
    elif phone is None:
        problems.append(f"手机号「{mask_mobile(raw_phone)}」不是有效的 11 位手机号码")
    qq = values["qq"].removeprefix("QQ").removeprefix("qq").strip()
    if qq and not _QQ_RE.fullmatch(qq):
        problems.append("QQ 号应为 5 至 12 位数字")
    wechat = values["wechat"]
    if wechat and not _WECHAT_RE.fullmatch(wechat):
        problems.append("微信号应以字母开头，由 4 至 64 位字母、数字、下划线或减号组成")
    status = _STATUS_ALIASES.get(values["status"], values["status"]) or "在岗"
    if status not in STATUSES:
        problems.append(f"状态「{values['status']}」无效，可填：{'、'.join(STATUSES)}（留空即在岗）")
    if problems:
        return None, problems
    assert phone is not None
    return RosterRow(line, name, dept, phone, values["post"], qq, wechat, status), []


def make_row(
    *,
    name: str,
    dept: str,
    phone: str,
    post: str = "",
    qq: str = "",
    wechat: str = "",
    status: str = "",
    line: int = 0,
) -> tuple[RosterRow | None, list[str]]:
    """Validate one person given field by field (the /花名册 添加 command): (row, problems)."""
    cols = {c: i for i, c in enumerate(_COLUMNS)}
    values = {"name": name, "dept": dept, "phone": phone, "post": post, "qq": qq, "wechat": wechat}
    values["status"] = status
    return _check_row(line, [_cell_text(values[c]) for c in _COLUMNS], cols)


def _rows_from_table(table: Iterable[tuple[int, Sequence[str]]], result: RosterParse) -> RosterParse:
    """Validate a table given as (line number, cells) pairs; the first non-blank row is the header."""
    it = iter(table)
    # The header is the first row naming the required columns; a title row or a note above it (「XX单位
    # 花名册」, as exported by many systems) is skipped. Only the first few non-blank rows are looked at.
    header: tuple[int, Sequence[str]] | None = None
    first: tuple[int, Sequence[str]] | None = None
    skipped = 0
    for line, cells in it:
        if not any(c.strip() for c in cells):
            continue
        first = first or (line, cells)
        if all(c in _map_header(cells)[0] for c in _REQUIRED):
            header = (line, cells)
            break
        skipped += 1
        if skipped >= _HEADER_SEARCH_ROWS:
            break
    if first is None:
        result.errors.append(
            RowError(0, "文件中没有任何内容。第一行应为表头：姓名,科室,职务,手机,QQ,微信,状态")
        )
        return result
    if header is None:
        cols = _map_header(first[1])[0]
        missing = [_LABELS[c] for c in _REQUIRED if c not in cols]
        result.errors.append(
            RowError(
                0,
                f"第 {first[0]} 行应为表头，缺少列：{'、'.join(missing)}。"
                "表头示例：姓名,科室,职务,手机,QQ,微信,状态（姓名、科室、手机必填）",
            )
        )
        return result
    cols, unknown, duplicates = _map_header(header[1])
    if header[0] != first[0]:
        result.warnings.append(f"表头在第 {header[0]} 行，之前的 {skipped} 行（标题或说明）已忽略")
    if duplicates:
        result.errors.append(RowError(0, f"表头中的列重复：{'、'.join(duplicates)}"))
        return result
    sensitive = [u for u in unknown if _header_key(u) in {_header_key(s) for s in _SENSITIVE_HEADERS}]
    if sensitive:
        result.warnings.append(f"「{'、'.join(sensitive)}」列无需提供，已忽略且不会保存")
    other = [u for u in unknown if u not in sensitive and _header_key(u) not in _IGNORED_SILENTLY]
    if other:
        result.warnings.append(f"未识别的列已忽略：{'、'.join(other)}")

    seen_phone: dict[str, int] = {}
    seen_qq: dict[str, int] = {}
    seen_wechat: dict[str, int] = {}
    count = 0
    for line, cells in it:
        if not any(c.strip() for c in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            result.errors.append(RowError(0, f"行数超过上限 {MAX_ROWS}，请分单位或分批导入"))
            result.rows.clear()
            return result
        row, problems = _check_row(line, cells, cols)
        if row is not None:
            for value, seen, label in (
                (row.phone, seen_phone, "手机号"),
                (row.qq, seen_qq, "QQ 号"),
                (row.wechat, seen_wechat, "微信号"),
            ):
                if value and value in seen:
                    problems.append(f"{label}与第 {seen[value]} 行重复")
                elif value:
                    seen[value] = line
        if problems:
            result.errors.append(RowError(line, "；".join(problems)))
        elif row is not None:
            result.rows.append(row)
    if count == 0:
        result.errors.append(RowError(0, "表头下没有人员行"))
    return result


# ---------------------------------------------------------------- text (CSV, pasted tables)

_DELIMITERS = (",", "\t", "，", ";", "；", "|")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("utf-8", data, 0, 1, "neither UTF-8 nor GB18030")


def _split_line(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), [])


def parse_roster_text(text: str) -> RosterParse:
    """A CSV file or rows pasted into a chat: comma, tab (copied from Excel), full-width comma,
    semicolon or bar as the separator; the one that makes the most sense of the header wins."""
    result = RosterParse()
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    head = [ln for ln in lines if ln.strip()][:_HEADER_SEARCH_ROWS] or [""]
    delimiter = max(
        _DELIMITERS,
        key=lambda d: (
            max(_score_header(_split_line(ln, d)) for ln in head),
            sum(ln.count(d) for ln in head),
        ),
    )
    if not any(delimiter in ln for ln in head) and lines:
        # One column only, or spaces between columns (pasted by hand): split on runs of whitespace.
        table = [(i, ln.split()) for i, ln in enumerate(lines, start=1)]
        return _rows_from_table(table, result)
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True)
        table = []
        end = 0
        for cells in reader:
            # A quoted cell may span lines: a record is numbered by the line it starts on.
            table.append((end + 1, [_cell_text(c) for c in cells]))
            end = reader.line_num
    except csv.Error as e:
        result.errors.append(RowError(0, f"CSV 格式错误：{e}"))
        return result
    return _rows_from_table(table, result)


# ---------------------------------------------------------------- XLSX


def parse_roster_xlsx(data: bytes) -> RosterParse:
    """The first worksheet (or the one named 花名册) of an .xlsx workbook; line numbers are row numbers."""
    from openpyxl import load_workbook

    result = RosterParse()
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # zipfile.BadZipFile, KeyError, InvalidFileException …
        result.errors.append(
            RowError(0, f"无法读取 XLSX 文件（{type(e).__name__}）：请用 Excel 另存为 .xlsx 后重试")
        )
        return result
    try:
        ws = wb["花名册"] if "花名册" in wb.sheetnames else wb.worksheets[0]
        table = (
            (row[0].row if row and hasattr(row[0], "row") else i, [_cell_text(c.value) for c in row])
            for i, row in enumerate(ws.iter_rows(), start=1)
        )
        return _rows_from_table(table, result)
    finally:
        wb.close()


def parse_roster(data: bytes | str, *, filename: str = "") -> RosterParse:
    """Parse by file type: ``.xlsx`` (or bytes that are a ZIP archive) as a workbook, else as text."""
    if isinstance(data, str):
        return parse_roster_text(data)
    if filename.lower().endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return parse_roster_xlsx(data)
    if filename.lower().endswith(".xls"):
        result = RosterParse()
        result.errors.append(RowError(0, "不支持旧版 .xls 文件：请用 Excel 另存为 .xlsx 或 CSV（UTF-8）"))
        return result
    try:
        text = _decode(data)
    except UnicodeDecodeError:
        result = RosterParse()
        result.errors.append(RowError(0, "无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV"))
        return result
    return parse_roster_text(text)


def parse_roster_file(path: Path) -> RosterParse:
    return parse_roster(path.read_bytes(), filename=path.name)
