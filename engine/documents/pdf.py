"""A sheet as PDF: HTML and CSS of GB/T 9704-2012 laid out by WeasyPrint (Pango's line breaking keeps “，”
and “。” from starting a line, 避头尾), Noto Serif CJK SC embedded as a subset, page numbers “— 1 —” on the
right of odd pages and the left of even ones."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .sheet import Sheet

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def html(sheet: Sheet, at: datetime | None = None) -> str:
    """The sheet as an HTML page: what the PDF is made from."""
    stamp = at.isoformat(timespec="seconds") if at else ""
    return _environment().get_template("sheet.html").render(sheet=sheet, stamp=stamp)


def render_pdf(sheet: Sheet, at: datetime) -> bytes:
    """The PDF of the sheet, dated `at`: the same sheet at the same moment gives the same bytes."""
    import weasyprint

    page = weasyprint.HTML(string=html(sheet, at), base_url=str(TEMPLATES))
    return page.write_pdf(pdf_identifier=sheet.number.encode()) or b""
