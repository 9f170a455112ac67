"""Numbered statutory documents (DOMAIN.md §4.5): the kinds of workflows/documents/documents.toml, each
issued with a number of its own sequence, laid out to GB/T 9704-2012 as DOCX and PDF, stored by hash and
attached to the case; voided, never deleted. A reporter's identity never reaches a document (DOMAIN.md §9)."""

from .catalog import CATALOG, CatalogError, DocumentKind, catalog, prefix_collisions
from .catalog import problems as catalog_problems
from .issuing import Desk, IssuedDocument, Layout, attach_pdf, issue, render_pdf_of
from .layout_process import LayoutProcess
from .pdf import render_pdf
from .text import chinese_date, cn_date, redact

__all__ = [
    "CATALOG",
    "CatalogError",
    "Desk",
    "DocumentKind",
    "IssuedDocument",
    "Layout",
    "LayoutProcess",
    "attach_pdf",
    "catalog",
    "catalog_problems",
    "chinese_date",
    "cn_date",
    "issue",
    "prefix_collisions",
    "redact",
    "render_pdf",
    "render_pdf_of",
]
