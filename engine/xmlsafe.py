"""Hardened XML parsing for BPMN and DMN: no DOCTYPE, no entities, no network, bounded size."""

from __future__ import annotations

from typing import Any

from lxml import etree

from .errors import DeployRejected

MAX_ELEMENTS = 50_000
MAX_BYTES = 10 * 1024 * 1024

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=False
)


def parse_xml(data: bytes, filename: str) -> Any:
    """Parse `data` into an lxml tree, refusing any DOCTYPE (every entity trick needs one)."""
    if len(data) > MAX_BYTES:
        raise DeployRejected([f"文件 {filename}: 文件过大（{len(data)} 字节 > {MAX_BYTES}）"])
    upper = data.upper()
    if b"<!DOCTYPE" in upper[:4096] or b"<!ENTITY" in upper:
        line = _line_of(upper, b"<!DOCTYPE", b"<!ENTITY")
        raise DeployRejected(
            [f"文件 {filename}, 第 {line} 行: 不允许 DOCTYPE 或实体声明（DOCTYPE/entities are refused）"]
        )
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or (exc.position[0] if exc.position else "?")
        raise DeployRejected([f"文件 {filename}, 第 {line} 行: XML 语法错误：{exc.msg}"]) from exc
    tree = root.getroottree()
    if tree.docinfo.doctype:
        line = _line_of(upper, b"<!DOCTYPE")
        raise DeployRejected([f"文件 {filename}, 第 {line} 行: 不允许 DOCTYPE（DOCTYPE is refused）"])
    count = sum(1 for _ in root.iter())
    if count > MAX_ELEMENTS:
        raise DeployRejected([f"文件 {filename}: 元素过多（{count} > {MAX_ELEMENTS}）"])
    return tree


def _line_of(upper: bytes, *markers: bytes) -> int:
    """The line (1-based) of the first of `markers` in the document, 1 if none is found."""
    found = [i for i in (upper.find(m) for m in markers) if i >= 0]
    return upper.count(b"\n", 0, min(found)) + 1 if found else 1
