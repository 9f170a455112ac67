"""The document kinds of workflows/documents/documents.toml: what each is called, who issues it, how it is
numbered and laid out, whom it is addressed to; refused when two kinds would share a number prefix."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError

from .text import environment, fill

CATALOG = "documents.toml"
LAYOUTS = ("公文", "表格")


class CatalogError(ValueError):
    """documents.toml is not usable: the message says what to correct, in Chinese."""


@dataclass(frozen=True)
class Issuer:
    """An issuing body (发文机关): its masthead lines, its signature lines, who prints (印发) for it."""

    mark: tuple[str, ...]  # 发文机关标志, red, one line per body of a joint document
    signature: tuple[str, ...]  # 发文机关署名
    printer: str  # 印发机关 of the 版记
    voided_by: tuple[str, ...] = ()  # roles acting for the body: they alone may void (作废) its documents

    def filled(self, county: str) -> Issuer:
        return Issuer(
            tuple(m.format(county=county) for m in self.mark),
            tuple(s.format(county=county) for s in self.signature),
            self.printer.format(county=county),
            self.voided_by,
        )


@dataclass(frozen=True)
class DocumentKind:
    kind: str
    name: str
    prefix: str
    template: Path  # the body: Jinja text with the block marks of text.py
    fields: tuple[str, ...]
    issuer: Issuer
    layout: str = "公文"  # 公文: GB/T 9704 (masthead, 主送, signature, seal, 版记); 表格: a titled form
    to: str = ""  # 主送 (Jinja over the fields)
    cc: tuple[str, ...] = ()  # 抄送, each a Jinja string; empty results are left out
    seal: bool = True
    recipients: tuple[str, ...] = ()  # roles outside the office the document is addressed to
    heading: str = ""  # the title on the paper (Jinja over the fields), when it is not just `name`

    def title(self, fields: dict[str, Any]) -> str:
        return (fill(self.heading, fields) if self.heading else "") or self.name

    def template_sha256(self) -> str:
        """What the rendering depended on besides the fields: the body and this entry of the catalogue."""
        entry = repr(
            (
                self.name,
                self.prefix,
                self.layout,
                self.to,
                self.cc,
                self.seal,
                self.issuer.mark,
                self.issuer.signature,
                self.issuer.printer,
                self.heading,
            )
        )
        return hashlib.sha256(self.template.read_bytes() + entry.encode()).hexdigest()


def _inside(documents_dir: Path, name: str) -> Path:
    """A template file of documents_dir; a name pointing elsewhere (../, absolute) is refused."""
    path = (documents_dir / name).resolve()
    if not path.is_relative_to(documents_dir.resolve()):
        raise CatalogError(f"文书模板 {name} 不在 documents 目录内")
    return path


def _issuers(raw: dict[str, Any]) -> dict[str, Issuer]:
    return {
        key: Issuer(
            tuple(spec["mark"]),
            tuple(spec.get("signature", spec["mark"])),
            spec.get("printer", ""),
            tuple(spec.get("voided_by", ())),
        )
        for key, spec in raw.items()
    }


def catalog(documents_dir: Path) -> dict[str, DocumentKind]:
    """The document kinds of documents.toml, by kind; CatalogError when the file contradicts itself. The file
    is read each time and parsed once per content (case pages and every issue ask for it)."""
    return dict(_parsed(documents_dir, (documents_dir / CATALOG).read_text("utf-8")))


@lru_cache(maxsize=8)
def _parsed(documents_dir: Path, text: str) -> dict[str, DocumentKind]:
    raw = tomllib.loads(text)
    issuers = _issuers(raw.pop("issuers", {}))
    kinds: dict[str, DocumentKind] = {}
    for kind, spec in raw.items():
        issuer = spec.get("issuer", "commission")
        if issuer not in issuers:
            raise CatalogError(f"文书 {kind} 的发文机关 {issuer} 未在 [issuers] 中定义")
        if spec.get("layout", "公文") not in LAYOUTS:
            raise CatalogError(f"文书 {kind} 的版式应为 {'、'.join(LAYOUTS)} 之一")
        kinds[kind] = DocumentKind(
            kind,
            spec["name"],
            spec["prefix"],
            _inside(documents_dir, spec["template"]),
            tuple(spec.get("fields", ())),
            issuers[issuer],
            spec.get("layout", "公文"),
            spec.get("to", ""),
            tuple(spec.get("cc", ())),
            bool(spec.get("seal", spec.get("layout", "公文") == "公文")),
            tuple(spec.get("recipients", ())),
            spec.get("heading", ""),
        )
    problems = prefix_collisions(kinds)
    if problems:
        raise CatalogError("；".join(problems))
    return kinds


def prefix_collisions(kinds: dict[str, DocumentKind]) -> list[str]:
    """Kinds that share a number prefix: their numbers (示纪催〔2026〕1号) could not be told apart."""
    by_prefix: dict[str, list[str]] = {}
    for spec in kinds.values():
        by_prefix.setdefault(spec.prefix, []).append(f"{spec.kind}（{spec.name}）")
    return [
        f"文号前缀“{prefix}”被多种文书共用：{'、'.join(names)}；每种文书须有自己的前缀"
        for prefix, names in by_prefix.items()
        if len(names) > 1
    ]


def problems(documents_dir: Path) -> list[str]:
    """What keeps documents.toml and its templates from being used, in Chinese; empty when all is well."""
    if not (documents_dir / CATALOG).exists():
        return []
    try:
        kinds = catalog(documents_dir)
    except (CatalogError, KeyError, tomllib.TOMLDecodeError) as error:
        return [f"{CATALOG}：{error}"]
    found = []
    for spec in kinds.values():
        if not spec.template.is_file():
            found.append(f"文书 {spec.kind}（{spec.name}）的模板 {spec.template.name} 不存在")
            continue
        for source in (spec.template.read_text("utf-8"), spec.to, spec.heading, *spec.cc):
            try:
                environment().parse(source)
            except TemplateSyntaxError as error:
                found.append(
                    f"文书 {spec.kind}（{spec.name}）的模板第 {error.lineno} 行有误：{error.message}"
                )
    return found
