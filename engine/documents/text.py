"""A document's text: its Jinja template filled with the fields, cut into blocks (paragraphs and tables).

A template is plain text, one block per line (blank lines are ignored; `{% %}` lines vanish):

    正文段落（首行缩进两字）           = 不缩进的一行（签名栏、笔录的问答）
    > 右对齐的一行                     ^ 居中的一行
    # 一级标题（如“一、基本情况”）
    |= 表头 | 表头                     | 单元格 | 单元格      (consecutive rows make one table)

Marks count only in the template's own text: a value is wrapped in two control characters while it is
rendered, so that nothing a user typed (“| ”, “# ”, a new line) can make a table or a heading. A value's
line breaks make new paragraphs (in a table cell, new lines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from jinja2 import ChainableUndefined, Template
from jinja2.ext import Extension
from jinja2.sandbox import SandboxedEnvironment

from ..clock import CHINA_TZ
from ..data_templates import DataSandbox

OPEN, CLOSE = "\x01", "\x02"  # around every value while the template renders
BREAK = "\u2028"  # a line break inside a value
REDACTED_PREFIX = "reporter_"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\u2028\u2029]")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
STYLES = {"=": "plain", ">": "right", "^": "center", "#": "heading"}


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = "body"  # body (first line indented two characters) | plain | right | center | heading


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[str, ...], ...]
    header: bool  # the first row names the columns

    @property
    def is_form(self) -> bool:
        """Label and value rows (审核表, 登记表): the first column names what the second holds."""
        return not self.header and max(len(row) for row in self.rows) == 2

    def shares(self) -> list[float]:
        """Each column's share of the width, fixed in advance (a table measured by its content takes
        seconds to lay out when a cell runs over pages): by the longest line in it, damped."""
        columns = max(len(row) for row in self.rows)
        if self.is_form:
            return [0.24, 0.76]
        longest = [
            max((len(line) for row in self.rows if c < len(row) for line in row[c].split("\n")), default=1)
            for c in range(columns)
        ]
        weights = [max(2.0, min(n, 40)) ** 0.75 for n in longest]
        return [w / sum(weights) for w in weights]


Block = Paragraph | Table


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


def in_unit(post: Any, unit: Any) -> str:
    """Template filter: the post with its unit in front, unless the post names it (县市场监督管理局副局长)."""
    post, unit = shown(post), shown(unit)
    return post if post.startswith(unit) else unit + post


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


def shown(value: Any) -> str:
    """How a value prints: None as nothing, booleans as 是/否, a list of plain values joined by 、."""
    if value is None or isinstance(value, bool):
        return {None: "", True: "是", False: "否"}[value]
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return "、".join(str(v) for v in value)
    return str(value)


def _finalize(value: Any) -> str:
    text = _CONTROL.sub("", shown(value).replace("\r\n", "\n")).replace("\n", BREAK)
    return f"{OPEN}{text}{CLOSE}"


_TAG_LINE = re.compile(r"^[ \t]*(?:\{%[^%\n]*%\}[ \t]*)+\n", re.MULTILINE)


class TagLines(Extension):
    """A line of nothing but `{% %}` tags vanishes with its line break; a tag that ends a line of text
    keeps the break (Jinja's trim_blocks would glue the next row of a table onto it)."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return _TAG_LINE.sub(lambda m: m.group(0)[:-1], source)


@lru_cache(maxsize=1)
def environment() -> SandboxedEnvironment:
    env = DataSandbox(
        undefined=ChainableUndefined,
        autoescape=False,
        finalize=_finalize,
        lstrip_blocks=True,
        extensions=[TagLines],
    )
    env.filters["cn_date"] = cn_date
    env.filters["in_unit"] = in_unit
    return env


@lru_cache(maxsize=512)
def _compiled(template: str) -> Template:
    """A template's source compiled once (the catalogue's templates are few; compiling one takes ≈ 1 ms)."""
    return environment().from_string(template)


def fill(template: str, fields: dict[str, Any]) -> str:
    """A one-line template (主送, 抄送) filled with the fields, as plain text."""
    return _plain(_compiled(template).render(redact(fields))).replace(BREAK, " ").strip()


def render(template: str, fields: dict[str, Any]) -> list[Block]:
    """The template filled with the (redacted) fields, as blocks."""
    blocks: list[Block] = []
    rows: list[tuple[str, ...]] = []
    header = False
    for line in _compiled(template).render(redact(fields)).split("\n"):
        if line.lstrip().startswith("|"):  # the template's own bar: a value starts with OPEN
            header = header or (not rows and line.lstrip().startswith("|="))
            rows.append(_cells(line))
            continue
        if rows:
            blocks.append(Table(tuple(rows), header))
            rows, header = [], False
        blocks.extend(_paragraphs(line))
    if rows:
        blocks.append(Table(tuple(rows), header))
    return blocks


def _template_text(line: str) -> str:
    """The line without its values: what the template itself wrote."""
    return re.sub(f"{OPEN}[^{CLOSE}]*{CLOSE}", "", line)


def _plain(text: str) -> str:
    return text.replace(OPEN, "").replace(CLOSE, "")


def _cells(line: str) -> tuple[str, ...]:
    """A table row: cut at the template's own bars, never at a bar inside a value."""
    cells, current, inside = [], [], False
    body = line.lstrip().removeprefix("|=").removeprefix("|")
    for char in body:
        if char in (OPEN, CLOSE):
            inside = char == OPEN
        elif char == "|" and not inside:
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
    cells.append("".join(current))
    if cells and not cells[-1].strip():
        cells.pop()
    return tuple(c.strip().replace(BREAK, "\n") for c in cells)


def _paragraphs(line: str) -> list[Paragraph]:
    raw = _template_text(line).strip()
    if not raw and not _plain(line).strip():
        return []
    style, text = "body", line.strip()
    mark = raw[:1]
    if mark in STYLES and text.startswith(mark):  # the mark is the template's, not a value's
        style, text = STYLES[mark], text[1:].strip()
    return [Paragraph(part.strip(), style) for part in _plain(text).split(BREAK) if part.strip()]
