"""A sheet as DOCX for Word/WPS, laid out to GB/T 9704-2012 in the fonts the offices have (方正小标宋简体
for masthead and title, 仿宋_GB2312 for the text, 黑体 for headings), page numbers “— 1 —” odd right, even
left."""

from __future__ import annotations

import copy
import io
import threading
import zipfile
from datetime import datetime
from functools import cache

import docx
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.packuri import PackURI
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run as DocxRun

from ..clock import CHINA_TZ
from .sheet import Sheet
from .text import Paragraph, Table

RED = RGBColor(0xDD, 0x00, 0x00)
TITLE_FONT, BODY_FONT, HEADING_FONT, NUMBER_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "宋体"
LINE = Pt(28.9)  # 22 lines in the 225 mm type area
GRID = "TableGrid"  # the default template's "Table Grid"
ALIGN = {"right": WD_ALIGN_PARAGRAPH.RIGHT, "center": WD_ALIGN_PARAGRAPH.CENTER}


def _run(paragraph: DocxParagraph, text: str, font: str, size: float, *, bold=False, color=None) -> None:  # type: ignore[no-untyped-def]
    run = paragraph.add_run(text)
    run._r.insert(0, copy.deepcopy(_run_properties(font, size, bold, color)))  # one lxml copy, read only


@cache
def _run_properties(font: str, size: float, bold: bool, color: RGBColor | None) -> BaseOxmlElement:
    """A run's font, size, weight and colour as Word keeps them (`w:rPr`), made once per look and copied
    into each run: setting them run by run made python-docx search the element's children ≈ 30 times."""
    run = DocxRun(OxmlElement("w:r"), None)  # type: ignore[arg-type]
    run.font.name, run.font.size, run.font.bold = font, Pt(size), bold
    if color is not None:
        run.font.color.rgb = color
    properties = run._r.get_or_add_rPr()
    properties.get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return properties


def _para(
    doc: DocxDocument,
    text: str = "",
    *,
    font=BODY_FONT,
    size=16.0,
    align=None,
    indent=0.0,
    bold=False,
    color=None,
    exact=True,
) -> DocxParagraph:  # type: ignore[no-untyped-def]
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    if exact:
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    if align is not None:
        paragraph.alignment = align
    if indent:
        fmt.first_line_indent = Pt(size * indent)
    if text:
        _run(paragraph, text, font, size, bold=bold, color=color)
    return paragraph


def _border(paragraph: DocxParagraph, side: str, size: int, color: str = "000000") -> None:
    borders = paragraph._p.get_or_add_pPr().find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        paragraph._p.get_or_add_pPr().append(borders)
    line = OxmlElement(f"w:{side}")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", color)):
        line.set(qn(key), value)
    borders.append(line)


def _page_number(paragraph: DocxParagraph) -> None:
    """— PAGE — as a field, in 4号 宋体."""
    _run(paragraph, "— ", NUMBER_FONT, 14)
    for kind, text in (("begin", ""), ("instr", " PAGE "), ("separate", ""), ("end", "")):
        run = paragraph.add_run()
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._element.append(element)
    _run(paragraph, " —", NUMBER_FONT, 14)


def _page(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28)
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in (
        (section.footer, ALIGN["right"]),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = Pt(14)
        _page_number(paragraph)


def _table(doc: DocxDocument, block: Table) -> None:
    columns = max(len(row) for row in block.rows)
    table = doc.add_table(rows=len(block.rows), cols=columns)
    table._tbl.tblStyle_val = GRID  # the style by its id: looking "Table Grid" up by name took ≈ 2.5 ms
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    form, widths = block.is_form, [Mm(156 * share) for share in block.shares()]
    for r, (row, cells) in enumerate(zip(block.rows, table.rows, strict=True)):
        for c, cell in enumerate(cells.cells):
            text = row[c] if c < len(row) else ""
            paragraph = cell.paragraphs[0]
            bold = (block.header and r == 0) or (form and c == 0)
            for i, part in enumerate(text.split("\n")):
                if i:
                    paragraph.add_run().add_break()
                _run(paragraph, part, BODY_FONT, 12, bold=bold)
            cell.width = widths[c]


def _block(doc: DocxDocument, block: Paragraph | Table) -> None:
    if isinstance(block, Table):
        _table(doc, block)
    elif block.style == "heading":
        _para(doc, block.text, font=HEADING_FONT, indent=2)
    else:
        _para(doc, block.text, align=ALIGN.get(block.style), indent=2 if block.style == "body" else 0)


def _head(doc: DocxDocument, sheet: Sheet) -> None:
    if sheet.is_official:
        for line in sheet.mark:
            _para(
                doc, line, font=TITLE_FONT, size=26, bold=True, color=RED, align=ALIGN["center"], exact=False
            )
        _para(doc)
        number = _para(doc, sheet.number, align=ALIGN["center"])
        _border(number, "bottom", 8, "DD0000")
        _para(doc)
        _para(doc, sheet.title, font=TITLE_FONT, size=22, bold=True, align=ALIGN["center"], exact=False)
        _para(doc)
        if sheet.to:
            _para(doc, f"{sheet.to}：")
    else:
        _para(doc, sheet.title, font=TITLE_FONT, size=22, bold=True, align=ALIGN["center"], exact=False)
        _para(doc, f"编号：{sheet.number}", size=14, align=ALIGN["right"])


def _closing(doc: DocxDocument, sheet: Sheet) -> None:
    _para(doc)
    if sheet.is_official or sheet.seal:
        if sheet.seal:
            _para(
                doc, "（印章）", size=12, color=RED, align=ALIGN["right"]
            ).paragraph_format.right_indent = Pt(64)
        for line in sheet.signature:
            _para(doc, line, align=ALIGN["right"]).paragraph_format.right_indent = Pt(32)
    _para(doc, sheet.date, align=ALIGN["right"]).paragraph_format.right_indent = Pt(64)
    if not sheet.is_official:
        return
    _para(doc)
    lines = ([f"抄送：{'，'.join(sheet.cc)}。"] if sheet.cc else []) + [
        f"{sheet.printer}\t{sheet.printed}印发"
    ]
    for i, text in enumerate(lines):
        paragraph = _para(doc, text, size=14, exact=False)
        fmt = paragraph.paragraph_format
        fmt.left_indent = fmt.right_indent = Pt(14)
        fmt.tab_stops.add_tab_stop(Mm(156) - Pt(28), alignment=2)  # right-aligned 印发日期
        if i == 0:
            _border(paragraph, "top", 8)
        _border(paragraph, "bottom", 8 if i == len(lines) - 1 else 4)


def render_docx(sheet: Sheet, at: datetime) -> bytes:
    """The DOCX of the sheet, dated `at`: the same sheet at the same moment gives the same bytes."""
    doc = _blank()
    _page(doc)
    _head(doc, sheet)
    for block in sheet.blocks:
        _block(doc, block)
    _closing(doc, sheet)
    props = doc.core_properties
    props.title, props.author, props.identifier = sheet.title, " ".join(sheet.signature), sheet.number
    props.created = props.modified = at.astimezone(CHINA_TZ).replace(tzinfo=None)
    props.last_modified_by, props.revision = props.author, 1
    return _dated_package(doc, at)


_BLANK_LOCK = threading.Lock()


@cache
def _template() -> DocxDocument:
    return docx.Document()  # python-docx's default template, parsed once (≈ 7 ms a time)


def _blank() -> DocxDocument:
    """A new document of the default template: a copy of the one parsed, never the one itself."""
    with _BLANK_LOCK:  # one thread at a time walks the shared template's many objects to copy them
        return copy.deepcopy(_template())


class _DatedZip:
    """The zip python-docx's package writer fills, every entry dated one moment: python-docx's own save
    dates them at the time of saving, and dating them again meant unpacking and compressing it twice."""

    def __init__(self, at: datetime):
        local = at.astimezone(CHINA_TZ)
        self.stamp = (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)
        self.buffer = io.BytesIO()
        self.zip = zipfile.ZipFile(self.buffer, "w", zipfile.ZIP_DEFLATED)

    def write(self, pack_uri: PackURI, blob: bytes) -> None:
        self.zip.writestr(zipfile.ZipInfo(pack_uri.membername, self.stamp), blob, zipfile.ZIP_DEFLATED)

    def close(self) -> None:
        self.zip.close()


def _dated_package(doc: DocxDocument, at: datetime) -> bytes:
    """The document's package as DOCX bytes, as `Document.save` writes it, with its entries dated `at`."""
    package = doc.part.package
    for part in package.parts:
        part.before_marshal()
    target = _DatedZip(at)
    PackageWriter._write_content_types_stream(target, package.parts)  # PackageWriter.write, step by step
    PackageWriter._write_pkg_rels(target, package.rels)
    PackageWriter._write_parts(target, package.parts)  # type: ignore[arg-type]
    target.close()
    return target.buffer.getvalue()
