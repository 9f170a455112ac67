"""Rows of an uploaded table (issue 12 D1): a CSV file (UTF-8, with or without BOM, or GB18030 as Excel and
WPS save it in China) or an XLSX workbook's first sheet, as (line number, {header: text}) pairs.

A cell's text is what the office sees: a date cell becomes 2025-09-01, a whole number 5, not 5.0. Empty
lines are skipped; the header is the first non-empty line. The file is refused (TableError, in Chinese)
when it is neither, has no header, repeats a header or holds more than MAX_ROWS rows."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook

from .errors import Refused

MAX_ROWS = 5000
Row = tuple[int, dict[str, str]]


class TableError(Refused):
    """The file cannot be read as a table; the message says why, in Chinese."""


def read_table(filename: str, content: bytes) -> list[Row]:
    """The data rows of a .csv or .xlsx file, each with its line number in the file (the header is line 1
    when it is the first line)."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix == "csv":
        lines = _csv_lines(content)
    elif suffix == "xlsx":
        lines = _xlsx_lines(content)
    else:
        raise TableError("只能导入 CSV（.csv）或 Excel（.xlsx）文件")
    return _rows(lines)


def _csv_lines(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableError("无法识别文件编码，请另存为 UTF-8 编码的 CSV 文件")
    if "\x00" in text:
        raise TableError("文件不是文本格式的 CSV 文件")
    try:
        return [list(line) for line in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise TableError(f"CSV 格式错误：{exc}") from exc


def _xlsx_lines(content: bytes) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TableError("文件不是有效的 Excel（.xlsx）工作簿") from exc
    try:
        sheet = book.worksheets[0]
        lines = []
        for values in sheet.iter_rows(values_only=True):
            lines.append([_cell_text(v) for v in values])
            if len(lines) > MAX_ROWS + 1:
                break
        return lines
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _rows(lines: list[list[str]]) -> list[Row]:
    numbered = [(n, [cell.strip() for cell in line]) for n, line in enumerate(lines, start=1)]
    numbered = [(n, line) for n, line in numbered if any(line)]
    if not numbered:
        raise TableError("文件是空的：第一行应为列名")
    (_, header), body = numbered[0], numbered[1:]
    named = [h for h in header if h]
    repeated = sorted({h for h in named if named.count(h) > 1})
    if repeated:
        raise TableError("列名重复：" + "、".join(repeated))
    if len(body) > MAX_ROWS:
        raise TableError(f"一次最多导入 {MAX_ROWS} 行")
    return [
        (n, {h: (line[i] if i < len(line) else "") for i, h in enumerate(header) if h}) for n, line in body
    ]
