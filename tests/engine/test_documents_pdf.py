"""Numbered statutory documents (DOMAIN.md §4.5, §9), the PDF: fonts embedded, pages numbered, no line
opening on a closing punctuation mark, long texts over several pages; the same fields at the same moment
give the same DOCX and PDF."""

from __future__ import annotations

import io

import pypdf

from engine import Engine
from engine.documents import catalog
from engine.documents.pdf import render_pdf
from engine.documents.sheet import compose
from engine.documents.word import render_docx
from tests.engine import document_helpers
from tests.engine.document_helpers import AT, DOCUMENTS, issue_in, pdf_text, sample_fields, stored

case, officer = document_helpers.case, document_helpers.officer  # the fixtures of a case and its officer


def test_the_pdf_embeds_its_fonts_and_numbers_its_pages(mini_engine: Engine, case: int, officer: int) -> None:
    """Every font is embedded (a subset of Noto Serif CJK): the letter prints the same on any machine;
    pages are numbered “— 1 —”, “— 2 —”."""
    fields = {**sample_fields("xhsh"), "statement": "已完成整改并建立长效机制。" * 200}
    issued = issue_in(mini_engine, case, officer, "xhsh", fields)
    reader = pypdf.PdfReader(io.BytesIO(stored(mini_engine, issued.pdf_sha256)))
    assert len(reader.pages) >= 2
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)[
                "/FontDescriptor"
            ].get_object()
            fonts[str(font["/BaseFont"])] = any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    assert fonts and all(fonts.values()), fonts
    assert any("NotoSerifCJK" in name.replace("-", "") for name in fonts), fonts
    for n, page in enumerate(reader.pages, start=1):
        assert f"— {n} —" in page.extract_text()


NO_LINE_START = "，。、；：？！）》」』”’"


def test_no_line_of_the_pdf_starts_with_a_closing_punctuation_mark(
    mini_engine: Engine, case: int, officer: int
) -> None:
    """避头尾: however the sentence falls, “，” and “。” stay at the end of the line before."""
    finding = "".join("甲" * k + "，乙。" for k in range(1, 60))  # the marks fall at every column
    issued = issue_in(mini_engine, case, officer, "zgtz", {**sample_fields("zgtz"), "finding": finding})
    lines = pdf_text(stored(mini_engine, issued.pdf_sha256)).splitlines()
    assert len(lines) > 40
    assert [line for line in lines if line[:1] in NO_LINE_START] == []


def test_a_long_statement_runs_over_several_pages(mini_engine: Engine, case: int, officer: int) -> None:
    fields = {**sample_fields("xhsh"), "statement": "已完成整改并建立长效机制。" * 1200}
    issued = issue_in(mini_engine, case, officer, "xhsh", fields)
    pages = pypdf.PdfReader(io.BytesIO(stored(mini_engine, issued.pdf_sha256))).pages
    assert len(pages) > 3
    assert "2026年3月5日" in pages[-1].extract_text()


def test_the_same_fields_at_the_same_moment_give_the_same_files() -> None:
    spec = catalog(DOCUMENTS)["fkyj"]
    sheet = compose(spec, sample_fields("fkyj"), number="示纪反馈〔2026〕1号", day=AT.date(), county="示例县")
    assert render_docx(sheet, AT) == render_docx(sheet, AT)
    assert render_pdf(sheet, AT) == render_pdf(sheet, AT)
