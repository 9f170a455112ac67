"""Numbered statutory documents (DOMAIN.md §4.5): numbered per kind and year without gaps, rendered from
the DOCX templates kept with the workflows (docxtpl) and as PDF (reportlab), stored by hash, attached to the
instance.

A reporter's identity never reaches a document: every key starting with ``reporter_`` is dropped from the
fields, at any depth, before rendering (DOMAIN.md §9).
"""

from __future__ import annotations

import hashlib
import io
import re
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import docx as python_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph
from docxtpl import DocxTemplate, Listing
from jinja2 import ChainableUndefined
from jinja2.sandbox import SandboxedEnvironment
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, HRFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from . import files
from .clock import CHINA_TZ
from .db.models import Attachment, AttachmentLink, Document, DocumentCounter

COUNTY = "示例县"
CATALOG = "documents.toml"
FONT = "STSong-Light"
REDACTED_PREFIX = "reporter_"


@dataclass(frozen=True)
class IssuedDocument:
    number: str  # e.g. "示纪函〔2026〕3号"
    kind: str
    title: str  # e.g. "函询通知书"
    docx_sha256: str
    pdf_sha256: str


@dataclass(frozen=True)
class DocumentKind:
    kind: str
    name: str
    prefix: str
    template: Path
    fields: tuple[str, ...]
    title_field: str = ""  # a field whose value picks the title among `titles` (诫勉谈话记录 / 诫勉书)
    titles: dict[str, str] | None = None
    recipients: tuple[str, ...] = ()  # roles outside the office it is addressed to (unit head, liaison…)

    def title(self, fields: dict[str, Any]) -> str:
        return (self.titles or {}).get(str(fields.get(self.title_field, "")), self.name)


def _inside(documents_dir: Path, name: str) -> Path:
    """A template file of documents_dir; a name pointing elsewhere (../, absolute) is refused."""
    path = (documents_dir / name).resolve()
    if not path.is_relative_to(documents_dir.resolve()):
        raise ValueError(f"文书模板 {name} 不在 documents 目录内")
    return path


def catalog(documents_dir: Path) -> dict[str, DocumentKind]:
    """The document kinds of documents.toml, by kind."""
    raw = tomllib.loads((documents_dir / CATALOG).read_text("utf-8"))
    return {
        kind: DocumentKind(
            kind,
            spec["name"],
            spec["prefix"],
            _inside(documents_dir, spec["template"]),
            tuple(spec.get("fields", ())),
            spec.get("title_field", ""),
            spec.get("titles"),
            tuple(spec.get("recipients", ())),
        )
        for kind, spec in raw.items()
    }


def issue(
    session: Session,
    files_dir: Path,
    documents_dir: Path,
    *,
    instance_id: int,
    kind: str,
    fields: dict[str, Any],
    at: datetime,
    by: str,
    by_user_id: int,
) -> IssuedDocument:
    """Number, render, store and attach one document, in the caller's transaction (its rollback gives the
    number back; the stored files then stay unreferenced, harmless under their hash)."""
    if at.tzinfo is None:
        raise ValueError("issue() needs a timezone-aware moment")
    spec = catalog(documents_dir).get(kind)
    if spec is None:
        raise ValueError(f"未知的文书类型：{kind}（应为 {CATALOG} 中的一节）")
    template = spec.template.read_bytes()
    local = at.astimezone(CHINA_TZ)
    seq = next_number(session, kind, local.year)
    number, title = f"{spec.prefix}〔{local.year}〕{seq}号", spec.title(fields)
    context = {
        **redact(fields),
        "number": number,
        "date": chinese_date(local.date()),
        "county": COUNTY,
        "title": title,
    }
    docx = render_docx(template, context, at)
    pdf = render_pdf(docx, title)
    stored = [files.store(files_dir, content) for content in (docx, pdf)]
    for item, suffix in zip(stored, ("docx", "pdf"), strict=True):
        _ensure_attachment(session, item, at)
        session.add(
            AttachmentLink(
                instance_id=instance_id,
                sha256=item.sha256,
                filename=f"{number}{title}.{suffix}"[:200],
                uploaded_by=by_user_id,
                uploaded_at=at,
            )
        )
    session.add(
        Document(
            instance_id=instance_id,
            kind=kind,
            year=local.year,
            seq=seq,
            number=number,
            title=title,
            docx_sha256=stored[0].sha256,
            pdf_sha256=stored[1].sha256,
            template_sha256=hashlib.sha256(template).hexdigest(),
            issued_at=at,
            issued_by=by,
        )
    )
    session.flush()
    return IssuedDocument(number, kind, title, stored[0].sha256, stored[1].sha256)


# --- numbering -------------------------------------------------------------------------------------------


def _dialect_insert(session: Session):  # type: ignore[no-untyped-def]
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def next_number(session: Session, kind: str, year: int) -> int:
    """The next number of (kind, year), taken under the counter's row lock until the caller commits.

    PostgreSQL: the insert of a missing counter waits for a concurrent insert of the same key, the update
    waits for the row lock and, under READ COMMITTED, increments the committed value. SQLite: write
    transactions begin IMMEDIATE, so there is one writer at a time anyway.
    """
    insert = _dialect_insert(session)
    session.execute(insert(DocumentCounter).values(kind=kind, year=year, last=0).on_conflict_do_nothing())
    bump = (
        update(DocumentCounter)
        .where(DocumentCounter.kind == kind, DocumentCounter.year == year)
        .values(last=DocumentCounter.last + 1)
        .returning(DocumentCounter.last)
        .execution_options(synchronize_session=False)
    )
    return int(session.execute(bump).scalar_one())


def _ensure_attachment(session: Session, item: files.StoredFile, at: datetime) -> None:
    insert = _dialect_insert(session)
    session.execute(
        insert(Attachment)
        .values(sha256=item.sha256, size=item.size, mime=item.mime, created_at=at)
        .on_conflict_do_nothing()
    )


# --- the context ------------------------------------------------------------------------------------------


def redact(value: Any) -> Any:
    """The value without any key `reporter` or starting with `reporter_`, at any depth."""
    if isinstance(value, dict):
        return {
            k: redact(v)
            for k, v in value.items()
            if not (isinstance(k, str) and (k == "reporter" or k.startswith(REDACTED_PREFIX)))
        }
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def cn_date(value: Any) -> str:
    """Template filter: an ISO date (or date, datetime) as 2026年3月5日; anything else unchanged."""
    if isinstance(value, datetime):
        return chinese_date(value.astimezone(CHINA_TZ).date() if value.tzinfo else value.date())
    if isinstance(value, date):
        return chinese_date(value)
    if isinstance(value, str) and (match := _ISO_DAY.match(value)):
        if len(value) > 10 and "T" in value:
            try:
                return cn_date(datetime.fromisoformat(value))
            except ValueError:
                return value
        return chinese_date(date(int(match[1]), int(match[2]), int(match[3])))
    return "" if value is None else str(value)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _multiline(value: Any) -> Any:
    """Strings lose the characters XML cannot hold; those with line breaks become docxtpl Listings (a line
    break per newline, still escaped)."""
    if isinstance(value, str):
        text = _NOT_XML.sub("", value.replace("\r\n", "\n"))
        return Listing(text) if "\n" in text else text
    if isinstance(value, dict):
        return {k: _multiline(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_multiline(v) for v in value]
    return value


def _shown(value: Any) -> Any:
    """How a value prints: None as nothing, booleans as 是/否, a list of plain values joined by 、."""
    if value is None or isinstance(value, bool):
        return {None: "", True: "是", False: "否"}[value]
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return "、".join(str(v) for v in value)
    return value


@lru_cache(maxsize=1)
def _jinja() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=ChainableUndefined, autoescape=True, finalize=_shown)
    env.filters["cn_date"] = cn_date
    return env


# --- rendering --------------------------------------------------------------------------------------------


def render_docx(template: bytes, context: dict[str, Any], at: datetime) -> bytes:
    """The template rendered with docxtpl (values XML-escaped; missing ones render empty)."""
    doc = DocxTemplate(io.BytesIO(template))
    doc.render(_multiline(context), jinja_env=_jinja(), autoescape=True)
    buffer = io.BytesIO()
    doc.save(buffer)
    return _fixed_times(buffer.getvalue(), at)


def _fixed_times(content: bytes, at: datetime) -> bytes:
    """Zip entries dated at the moment of issue: the same fields give the same bytes."""
    local = at.astimezone(CHINA_TZ)
    stamp = (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(zipfile.ZipInfo(item.filename, stamp), src.read(item.filename), zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _style(paragraph: DocxParagraph) -> ParagraphStyle:
    """A reportlab style following the DOCX paragraph: alignment, size and colour of its first run."""
    run = next((r for r in paragraph.runs if r.text.strip()), None)
    points = (run.font.size.pt if run is not None and run.font.size else 12.0) * 0.85
    color = run.font.color.rgb if run is not None and run.font.color and run.font.color.type else None
    align = {WD_ALIGN_PARAGRAPH.CENTER: TA_CENTER, WD_ALIGN_PARAGRAPH.RIGHT: TA_RIGHT}.get(
        paragraph.alignment, TA_LEFT
    )
    return ParagraphStyle(
        "doc",
        fontName=_font(),
        fontSize=points,
        leading=points * 1.6,
        alignment=align,
        wordWrap="CJK",
        textColor=colors.HexColor(f"#{color}") if color else colors.black,
        spaceAfter=points * 0.4 if align == TA_CENTER else 0,
    )


def _markup(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def _bold(paragraph: DocxParagraph) -> bool:
    return any(r.font.bold for r in paragraph.runs if r.text.strip())


class _Bold(Flowable):
    """STSong-Light has no bold face: a paragraph drawn filled and outlined (text render mode 2)."""

    def __init__(self, paragraph: Paragraph):
        super().__init__()
        self.paragraph = paragraph

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width, self.height = self.paragraph.wrap(available_width, available_height)
        return self.width, self.height

    def getSpaceAfter(self) -> float:  # noqa: N802 (reportlab's name)
        return float(self.paragraph.getSpaceAfter())

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.setLineWidth(0.35)
        self.canv.setStrokeColor(self.paragraph.style.textColor)
        self.canv._code.append("2 Tr")
        self.paragraph.drawOn(self.canv, 0, 0)
        self.canv.restoreState()


def _flowables(docx: bytes) -> Iterator[Flowable]:
    document = python_docx.Document(io.BytesIO(docx))
    for index, block in enumerate(document.iter_inner_content()):
        if isinstance(block, DocxParagraph):
            yield from _paragraph(block, first=index == 0)
        elif isinstance(block, DocxTable):
            yield from (Spacer(1, 2 * mm), _table(block), Spacer(1, 2 * mm))


def _paragraph(block: DocxParagraph, first: bool) -> Iterator[Flowable]:
    if not block.text.strip():
        yield Spacer(1, 5 * mm)
        return
    style, text = _style(block), block.text.lstrip("\u3000")  # reportlab drops leading spaces: indent
    style.firstLineIndent = style.fontSize * (len(block.text) - len(text))
    paragraph = Paragraph(_markup(text), style)
    yield _Bold(paragraph) if _bold(block) else paragraph
    if first:  # the red rule under the header
        yield HRFlowable(width="100%", thickness=1.5, color=colors.HexColor("#C00000"), spaceAfter=3 * mm)


def _table(block: DocxTable) -> Table:
    cell_style = ParagraphStyle("cell", fontName=_font(), fontSize=10.5, leading=16, wordWrap="CJK")
    rows = [[Paragraph(_markup(cell.text), cell_style) for cell in row.cells] for row in block.rows]
    grid = [cell.width or 0 for cell in block.rows[0].cells] if block.rows else []
    widths = [156 * mm * w / sum(grid) for w in grid] if sum(grid) else None
    table = Table(rows, colWidths=widths, repeatRows=1, splitInRow=1)  # a long cell may span pages
    grid_style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    table.setStyle(TableStyle(grid_style))
    return table


def render_pdf(docx: bytes, title: str) -> bytes:
    """A PDF of the rendered DOCX's paragraphs and tables, in STSong-Light (no font files needed)."""
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        topMargin=30 * mm,
        bottomMargin=28 * mm,
        leftMargin=27 * mm,
        rightMargin=27 * mm,
        title=title,
        author=COUNTY,
        invariant=True,
    )
    pdf.build(list(_flowables(docx)))
    return buffer.getvalue()
