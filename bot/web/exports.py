"""Files the downloads page generates on request: the 登记备案表 (XLSX / CSV, personal data masked),
suggestions (CSV / XLSX) and the audit log (CSV). Bytes in memory; nothing is written to disk.

Suggestions are members' own words: a cell that starts like a formula (``=`` ``+`` ``-`` ``@``) is
written as text (XLSX) or behind a quote (CSV), so that opening the file in Excel runs nothing.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from bot.core.calendar import to_local
from bot.core.register import RegisterEntry, csv_text, xlsx_bytes
from bot.models.audit import AuditEntry
from bot.models.review import Suggestion
from bot.store import suggest as suggest_store

REGISTER_TITLE = "工作群登记备案表"
AUDIT_COLUMNS = ("编号", "时间", "平台", "群号", "操作人", "动作", "对象", "规则", "说明", "详情", "哈希")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def stamp(now: datetime) -> str:
    return f"{to_local(now):%Y%m%d-%H%M%S}"


def register_file(sheets: dict[str, list[RegisterEntry]], fmt: str, now: datetime) -> bytes:
    if fmt == "csv":
        return csv_text(sheets).encode("utf-8")
    return xlsx_bytes(sheets, title=REGISTER_TITLE, generated_at=now)


def suggestions_file(rows: list[Suggestion], fmt: str) -> bytes:
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(suggest_store.EXPORT_COLUMNS)
        w.writerows([csv_safe(v) for v in r] for r in suggest_store.export_rows(rows))
        return buf.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook  # type: ignore[import-untyped]

    wb = Workbook()
    ws = wb.active
    ws.title = "意见建议"
    ws.append(list(suggest_store.EXPORT_COLUMNS))
    for r in suggest_store.export_rows(rows):
        ws.append(r)
        for cell in ws[ws.max_row]:
            if cell.data_type == "f":  # openpyxl reads "=…" as a formula: keep it as the text it is
                cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def audit_csv(rows: list[AuditEntry]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(AUDIT_COLUMNS)
    for e in rows:
        w.writerow(
            csv_safe(v)
            for v in [
                e.id,
                f"{to_local(e.at):%Y-%m-%d %H:%M:%S}",
                e.platform,
                e.group_id,
                e.actor,
                e.action,
                e.target,
                e.rule,
                e.reason,
                e.detail,
                e.hash,
            ]
        )
    return buf.getvalue().encode("utf-8-sig")
