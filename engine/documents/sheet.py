"""One document as laid out on paper, whichever file format carries it: GB/T 9704-2012 for 公文
(masthead, number, title, 主送, body, signature, date, seal, 抄送 and 印发 lines), or a titled form (表格)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from .catalog import DocumentKind
from .text import Block, chinese_date, fill, render


@dataclass(frozen=True)
class Sheet:
    layout: str  # 公文 | 表格
    mark: tuple[str, ...]  # 发文机关标志 (公文 only)
    number: str  # 发文字号
    title: str
    to: str  # 主送机关 or person, without the colon
    blocks: tuple[Block, ...]
    signature: tuple[str, ...]
    date: str  # 成文日期, 2026年3月5日
    seal: bool  # a place for the seal over signature and date
    cc: tuple[str, ...]  # 抄送
    printer: str  # 印发机关
    printed: str  # 印发日期
    county: str

    @property
    def is_official(self) -> bool:
        return self.layout == "公文"


def compose(spec: DocumentKind, fields: dict[str, Any], *, number: str, day: date, county: str) -> Sheet:
    """The sheet of one document: its kind's layout and issuer, the body filled with the fields."""
    context = {**fields, "number": number, "county": county, "date": day.isoformat()}
    issuer = spec.issuer.filled(county)
    body = render(spec.template.read_text("utf-8"), context)
    cc = tuple(text for template in spec.cc if (text := fill(template, context)))
    return Sheet(
        layout=spec.layout,
        mark=issuer.mark,
        number=number,
        title=spec.title(fields),
        to=fill(spec.to, context) if spec.to else "",
        blocks=tuple(body),
        signature=issuer.signature,
        date=chinese_date(day),
        seal=spec.seal,
        cc=cc,
        printer=issuer.printer,
        printed=chinese_date(day),
        county=county,
    )
