"""The register as a 登记备案表: XLSX (one sheet per unit) and CSV (UTF-8 with BOM, opens in Excel).

Input is a list of :class:`RegisterEntry` — display-ready values; personal data already masked or,
for an operator's full export, decrypted by the caller. Output is bytes / text: the caller decides
where the file goes. Pure apart from building the workbook in memory.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass, fields
from datetime import datetime

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from bot.core.calendar import to_local

__all__ = ["HEADERS", "RegisterEntry", "csv_text", "sheet_title", "xlsx_bytes"]


@dataclass(frozen=True, slots=True)
class RegisterEntry:
    """One row of the 登记备案表 (every value already a display string, "" when empty)."""

    unit: str  # 归属单位 (the policy unit's name, or 未归属单位)
    name: str  # 群组名称
    group_id: str  # 群号
    platform: str  # QQ / 微信
    dept: str  # 归属科室
    matter: str  # 服务事项
    kind: str  # 群类型
    end_date: str  # 结束日期
    entry: str  # 入群方式
    rules: str  # 群规群纪
    members: str  # 成员规模
    activity: str  # 活跃程度
    owner: str  # 群主（管理者）
    contact: str  # 联系方式
    status: str  # 备案状态
    filed_at: str  # 备案日期
    updated_at: str  # 最近更新
    due: str  # 待办期限 (e.g. 「未备案，期限 11月20日 17:30（已逾期）」)
    first_seen: str  # 首次发现
    deregistered: str  # 注销日期及原因


HEADERS: tuple[str, ...] = (
    "序号",
    "归属单位",
    "群组名称",
    "群号",
    "平台",
    "归属科室",
    "服务事项",
    "群类型",
    "结束日期",
    "入群方式",
    "群规群纪",
    "成员规模",
    "活跃程度",
    "群主（管理者）",
    "联系方式",
    "备案状态",
    "备案日期",
    "最近更新",
    "待办及期限",
    "首次发现",
    "注销情况",
)
assert len(HEADERS) == len(fields(RegisterEntry)) + 1

_WRAP_COLUMNS = {"服务事项", "群规群纪", "待办及期限", "注销情况", "入群方式"}
_MAX_WIDTH = 40
_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _display_width(text: str) -> int:
    """Columns a string takes in a spreadsheet: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet title (≤ 31 characters, no []:*?/\\)."""
    base = _INVALID_SHEET_CHARS.sub("_", name.strip()) or "未归属单位"
    base = base[:31].strip("'")
    title, n = base, 2
    while title.casefold() in {t.casefold() for t in taken}:
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title)
    return title


def _row(number: int, e: RegisterEntry) -> list[str | int]:
    return [number, *astuple(e)]


def xlsx_bytes(sheets: Mapping[str, Sequence[RegisterEntry]], *, title: str, generated_at: datetime) -> bytes:
    """A workbook with one sheet per unit (in the order given): a title line, Chinese headers, one row
    per group; columns sized to their content, long text wrapped, the header frozen and filterable."""
    wb = Workbook()
    default = wb.active
    taken: set[str] = set()
    stamp = to_local(generated_at).strftime("%Y-%m-%d %H:%M")
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    items: list[tuple[str, Sequence[RegisterEntry]]] = list(sheets.items()) or [("未归属单位", [])]
    for unit, entries in items:
        ws = wb.create_sheet(sheet_title(unit, taken))
        ws.append([f"{unit} {title}（导出时间 {stamp}，共 {len(entries)} 个群）"])
        ws.cell(row=1, column=1).font = Font(bold=True, size=13)
        ws.append(list(HEADERS))
        for cell in ws[2]:
            cell.font = header_font
            cell.fill = header_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for number, entry in enumerate(entries, start=1):
            ws.append(_row(number, entry))
        for column, header in enumerate(HEADERS, start=1):
            letter = get_column_letter(column)
            values = [str(ws.cell(row=r, column=column).value or "") for r in range(2, ws.max_row + 1)]
            width = max((_display_width(v) for v in values), default=4) + 2
            ws.column_dimensions[letter].width = min(max(width, 6), _MAX_WIDTH)
            if header in _WRAP_COLUMNS:
                for r in range(3, ws.max_row + 1):
                    ws.cell(row=r, column=column).alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "C3"
        ws.auto_filter.ref = f"A2:{get_column_letter(len(HEADERS))}{max(ws.max_row, 2)}"
    if default is not None:
        wb.remove(default)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_text(sheets: Mapping[str, Sequence[RegisterEntry]]) -> str:
    """All units in one table (the unit is a column), with a BOM so that Excel reads it as UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    number = 0
    for entries in sheets.values():
        for entry in entries:
            number += 1
            writer.writerow(_row(number, entry))
    return out.getvalue()
