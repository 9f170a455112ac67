"""Regenerate the DOCX templates of workflows/documents/ (docxtpl Jinja tags inside python-docx documents).

Run from the repository root: `python tools/make_document_templates.py`. The generated files are committed;
edit the texts here, not in Word, so that every template keeps the same official look:
红头 (red header with a red rule), title, number line, salutation and body, tables for lists, signature, date.
Each template uses only the fields listed for its kind in documents.toml, plus number, date, county, title.
Dates passed as ISO strings are shown in Chinese with the `cn_date` filter of engine/documents.py.
"""

from __future__ import annotations

import io
import tomllib
import zipfile
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "workflows" / "documents"
RED = RGBColor(0xC0, 0x00, 0x00)
BODY_FONT = "仿宋"
TITLE_FONT = "宋体"
INDENT = "\u3000\u3000"  # two full-width spaces: the first-line indent of Chinese official text
FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # zip entry times: the same bytes on every run


def _font(run, name: str, size: float, bold: bool = False, color: RGBColor | None = None) -> None:  # type: ignore[no-untyped-def]
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _para(
    doc: DocxDocument,
    text: str,
    *,
    align=None,
    size: float = 16,
    bold: bool = False,  # type: ignore[no-untyped-def]
    color: RGBColor | None = None,
    font: str = BODY_FONT,
    space_after: float = 0,
):
    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(space_after)
    paragraph.paragraph_format.line_spacing = Pt(28)
    _font(paragraph.add_run(text), font, size, bold, color)
    return paragraph


def _red_rule(paragraph) -> None:  # type: ignore[no-untyped-def]
    """A red line under the header, as a bottom border of its paragraph."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "6"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _table(doc: DocxDocument, header: list[str], loop: str, cells: list[str], widths: list[float]) -> None:
    """A bordered table: a header row, then one row per item (docxtpl `{%tr for … %}` rows)."""
    table = doc.add_table(rows=4, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    rows = [
        header,
        [f"{{%tr for {loop} %}}"] + [""] * (len(header) - 1),
        cells,
        ["{%tr endfor %}"] + [""] * (len(header) - 1),
    ]
    for row, texts in zip(table.rows, rows, strict=True):
        for cell, text, width in zip(row.cells, texts, widths, strict=True):
            cell.width = Mm(width)
            paragraph = cell.paragraphs[0]
            _font(paragraph.add_run(text), BODY_FONT, 12, bold=row is table.rows[0])
    # the loop-tag rows hold nothing but the tag: docxtpl drops them whole


def _form(doc: DocxDocument, rows: list[tuple[str, str]]) -> None:
    """A two-column form (label, value), as on 审核表."""
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row, (label, value) in zip(table.rows, rows, strict=True):
        row.cells[0].width, row.cells[1].width = Mm(35), Mm(121)
        _font(row.cells[0].paragraphs[0].add_run(label), BODY_FONT, 12, bold=True)
        _font(row.cells[1].paragraphs[0].add_run(value), BODY_FONT, 12)


def _document() -> DocxDocument:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    header = _para(
        doc,
        "中共{{ county }}纪律检查委员会 {{ county }}监察委员会",
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=20,
        bold=True,
        color=RED,
        font=TITLE_FONT,
        space_after=12,
    )
    _red_rule(header)
    _para(
        doc,
        "{{ title }}",
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=22,
        bold=True,
        font=TITLE_FONT,
        space_after=6,
    )
    _para(doc, "{{ number }}", align=WD_ALIGN_PARAGRAPH.RIGHT, size=14, space_after=12)
    return doc


def _closing(doc: DocxDocument, signer: str) -> None:
    _para(doc, "")
    _para(doc, signer, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, "{{ date }}", align=WD_ALIGN_PARAGRAPH.RIGHT)


def _body(doc: DocxDocument, *texts: str) -> None:
    for text in texts:
        _para(doc, text if text.startswith(("{{", "{%p")) else INDENT + text)


COMMISSION = "中共{{ county }}纪律检查委员会"


def hxtz(doc: DocxDocument) -> None:
    _para(doc, "{{ subject_name }}同志：")
    _body(
        doc,
        "根据《中国共产党纪律检查机关监督执纪工作规则》有关规定，现就反映你（"
        "{% if not (subject_post or '').startswith(subject_unit_name or '-') %}"
        "{{ subject_unit_name }}{% endif %}"
        "{{ subject_post }}）的有关问题向你函询。请你对以下问题如实作出书面说明：",
        "{{ questions }}",
        "书面说明材料请于以下期限内报送县纪委监委：{{ reply_due|cn_date }}。说明材料须经你所在单位主要负责人"
        "签署意见。你应当对说明内容的真实性负责，不得隐瞒、歪曲事实，不得打听、追查问题反映人。",
    )
    _closing(doc, "{{ county }}纪委监委办公室")


def jms(doc: DocxDocument) -> None:
    _para(doc, "{{ subject_name }}同志（{{ subject_post }}）：")
    _body(
        doc,
        "经了解核实，你存在以下问题：{{ reason }}",
        "根据《中国共产党问责条例》《中国共产党纪律检查机关监督执纪工作规则》有关规定，经研究，"
        "决定对你予以诫勉（方式：{{ {'谈话': '诫勉谈话', 'JM-T': '诫勉谈话', '书面': '书面诫勉', "
        "'JM-S': '书面诫勉'}.get(mode, mode) }}）。",
        "诫勉影响期为{{ effect_months }}个月，影响期内不得提拔或者重用。希望你认真反思，深刻汲取教训，"
        "切实加以改正。",
    )
    _para(doc, "")
    _para(doc, "被诫勉人（签字）：                谈话人/送达人（签字）：")
    _closing(doc, COMMISSION)


def jctz(doc: DocxDocument) -> None:
    _para(doc, "{{ unit_name }}：")
    _body(
        doc,
        "根据县纪委监委《{{ plan_title }}》安排，决定对你单位落实全面从严治党主体责任和监督责任"
        "（“两个责任”）情况开展{{ inspection_type }}。检查组组长：{{ team_lead_name }}。",
        "请你单位于{{ self_assessment_due|cn_date }}前完成自查，将自查报告（附相关材料）报送检查组，"
        "并指定专人做好配合工作。",
    )
    _closing(doc, COMMISSION)


def fkyj(doc: DocxDocument) -> None:
    _para(doc, "{{ unit_name }}：")
    _body(
        doc,
        "根据《{{ plan_title }}》安排，县纪委监委检查组对你单位落实“两个责任”情况进行了检查。"
        "检查得分{{ total }}分，评定等次为{{ grade }}。现将检查发现的问题反馈如下：",
    )
    _table(
        doc,
        ["序号", "类别", "问题描述", "严重程度"],
        "f in findings",
        ["{{ loop.index }}", "{{ f.category }}", "{{ f.description }}", "{{ f.severity }}"],
        [15, 30, 86, 25],
    )
    _body(doc, "请你单位认真研究，逐条制定整改措施，明确责任人和完成时限，按要求报送整改情况。")
    _closing(doc, COMMISSION)


def zgtz(doc: DocxDocument) -> None:
    _para(doc, "{{ unit_name }}：")
    _body(
        doc,
        "经{{ source }}，发现你单位存在以下问题：{{ finding }}",
        "请你单位高度重视，于{{ plan_due|cn_date }}前制定整改方案报县纪委监委，明确整改措施、责任人和"
        "完成时限；整改完成后提出销号申请。",
    )
    _closing(doc, COMMISSION)


def cbd(doc: DocxDocument) -> None:
    _para(doc, "{{ unit_name }}：")
    _body(
        doc,
        "你单位承担的整改措施“{{ measure }}”应于{{ due|cn_date }}前完成，截至目前尚未报送完成情况。",
        "请于{{ respond_by|cn_date }}前报送整改进展情况；逾期未报送的，将依规依纪严肃追究责任。",
    )
    _closing(doc, "{{ county }}纪委监委办公室")


def ajcbd(doc: DocxDocument) -> None:
    _para(doc, "{{ assignee_name }}：")
    _body(
        doc,
        "“{{ case_title }}”中的“{{ step }}”事项，办理期限为{{ due_text }}，{{ state_text }}。",
        "催办事由：{{ reason }}",
        "请抓紧办理，并于{{ respond_by|cn_date }}前将办理情况反馈{{ office_name }}。",
    )
    _closing(doc, "{{ county }}纪委监委{{ office_name }}")


def xhsh(doc: DocxDocument) -> None:
    _form(
        doc,
        [
            ("整改单位", "{{ unit_name }}"),
            ("整改措施", "{{ measure }}"),
            ("完成情况", "{{ statement }}"),
            ("审核结果", "{{ result }}"),
            ("审核意见", "{{ opinion }}"),
            ("审核人", "{{ reviewer_name }}"),
        ],
    )
    _closing(doc, COMMISSION)


def wzjd(doc: DocxDocument) -> None:
    _para(doc, "{{ unit_name }}：")
    _body(
        doc,
        "经查，{{ reason }}",
        "根据《中国共产党问责条例》有关规定，经研究，决定：{{ decision }}",
        "对下列人员予以问责：",
    )
    _table(
        doc,
        ["序号", "姓名", "职务", "问责方式"],
        "p in persons",
        ["{{ loop.index }}", "{{ p.name }}", "{{ p.post }}", "{{ p.measure }}"],
        [15, 30, 66, 45],
    )
    _body(doc, "被问责的党组织和党员领导干部对本决定不服的，可以自收到本决定之日起一个月内提出书面申诉。")
    _closing(doc, COMMISSION)


BUILDERS: dict[str, Callable[[DocxDocument], None]] = {
    "hxtz": hxtz,
    "jms": jms,
    "jctz": jctz,
    "fkyj": fkyj,
    "zgtz": zgtz,
    "cbd": cbd,
    "ajcbd": ajcbd,
    "xhsh": xhsh,
    "wzjd": wzjd,
}


def fixed_zip(content: bytes) -> bytes:
    """The same package with fixed entry times, so that regenerating gives identical files."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(
                zipfile.ZipInfo(item.filename, FIXED_TIME), source.read(item.filename), zipfile.ZIP_DEFLATED
            )
    return out.getvalue()


def main() -> None:
    kinds = tomllib.loads((OUT / "documents.toml").read_text("utf-8"))
    for kind, spec in kinds.items():
        doc = _document()
        BUILDERS[kind](doc)
        doc.core_properties.title = spec["name"]
        buffer = io.BytesIO()
        doc.save(buffer)
        (OUT / spec["template"]).write_bytes(fixed_zip(buffer.getvalue()))
        print(f"{spec['template']}: {spec['name']}")  # noqa: T201


if __name__ == "__main__":
    main()
