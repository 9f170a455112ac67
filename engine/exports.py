"""Lists and statistics as files (CSV, XLSX): only what the exporter may see, with who exported them and
when written into the file itself (DOMAIN.md §9: export log, no anonymous copies)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font

from .clock import CHINA_TZ
from .errors import InvalidSubmission
from .records import Actor

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_ROWS = 100_000


@dataclass(frozen=True)
class Sheet:
    """One table of an export: a title, the column names and the rows (plain values)."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]


@dataclass(frozen=True)
class ExportFile:
    filename: str
    mimetype: str
    content: bytes
    rows: int


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: object) -> object:
    """A value as text a spreadsheet will not run: one starting like a formula gets a leading quote
    (CSV/formula injection; numbers stay numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _stamp(actor: Actor, at: datetime) -> str:
    local = at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
    return f"导出人：{actor.display_name}（{actor.username}）  导出时间：{local}  （内部资料，注意保密）"


def _csv(title: str, sheets: list[Sheet], stamp: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title])
    writer.writerow([stamp])
    for sheet in sheets:
        writer.writerow([])
        writer.writerow([sheet.title])
        writer.writerow(sheet.columns)
        writer.writerows([_safe(v) for v in row] for row in sheet.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read the file as UTF-8


def _sheet_name(title: str, used: set[str]) -> str:
    name = "".join(c for c in title if c not in "[]:*?/\\")[:28] or "数据"
    while name in used:
        name = name[:26] + str(len(used))
    used.add(name)
    return name


def _xlsx(title: str, sheets: list[Sheet], stamp: str) -> bytes:
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for sheet in sheets or [Sheet(title, (), ())]:
        ws = book.create_sheet(_sheet_name(sheet.title, used))
        ws.append([title])
        ws.append([stamp])
        ws.append([sheet.title])
        ws.append(list(sheet.columns))
        for cell in ws[4]:
            cell.font = bold
        for row in sheet.rows:
            ws.append(list(row))
            for cell in ws[ws.max_row]:  # text that starts like a formula stays text (formula injection)
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    cell.data_type = "s"
        ws["A1"].font = Font(bold=True, size=13)
    book.properties.creator = stamp
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(fmt: str, title: str, sheets: list[Sheet], actor: Actor, at: datetime) -> ExportFile:
    """The export file of `sheets` in `fmt` (csv or xlsx), stamped with the exporter and the time."""
    if fmt not in FORMATS:
        raise InvalidSubmission({"format": "导出格式只能是 csv 或 xlsx"})
    rows = sum(len(s.rows) for s in sheets)
    if rows > MAX_ROWS:
        raise InvalidSubmission({"_": f"导出内容超过 {MAX_ROWS} 行，请缩小筛选范围"})
    stamp = _stamp(actor, at)
    content = _csv(title, sheets, stamp) if fmt == "csv" else _xlsx(title, sheets, stamp)
    day = at.astimezone(CHINA_TZ).strftime("%Y%m%d")
    return ExportFile(f"{title}-{day}.{fmt}", FORMATS[fmt], content, rows)
