"""Every statutory document as the demo county issued it (issue 9 #2, #16, #18): each kind of
documents.toml rendered from the demo's own data, its DOCX and PDF read back — title, number, 主送,
抄送, the sentences it must carry, every value it was given (no dropped word), the CJK font embedded."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from engine import Engine
from engine.db.models import Document
from engine.documents.catalog import catalog
from engine.documents.sheet import compose
from tests.engine.document_helpers import docx_text, flat, pdf_text, stored

# The sentence (or table caption) each kind must carry, whatever its case.
MUST_SAY = {
    "hxtz": "有关规定，现就反映你",
    "cgh": "要求你于",
    "jctz": "开展年度监督检查",
    "fkyj": "检查组对你单位落实“两个责任”情况进行了监督检查",
    "zgtz": "请你单位高度重视",
    "xczg": "请于",
    "cbd": "尚未报送完成情况",
    "dxtb": "现将县市场监督管理局副局长冯某违纪违法问题通报如下",
    "zrbg": "县政府党组认真履行党风廉政建设主体责任，组织2个部门、乡镇领导班子开展述责述廉",
    "jyjh": "年度警示教育工作安排印发给你们",
    "zffk": "你公司反映县市场监督管理局",
    "ysdb": "截至目前尚未办结",
    "kwdj": "调取、归还、退还、移送、上缴均须登记，并经承办部门经办人和保管人双人签字",
    "gydj": "本记录如实登记，由党风政风监督室审核后存档、谈话提醒或者移送问题线索",
    "yqyp": "研判结论",
    "ystb": "现将2025年9月全县行政审批事项办理时限情况通报如下",
    "ystx": "经审批时限监督，发现以下问题：1. 超过办理时限",
    "ajcbd": "催办事由",
    "xhsh": "审核结果",
    "xhsq": "单位主要负责人（签字）",
    "wzjd": "根据《中国共产党问责条例》有关规定",
    "jms": "决定对你予以书面诫勉",
    "jmth": "决定对你进行诫勉谈话",
    "lajds": "决定对",
    "latzs": "立案审查调查",
    "djcf": "给予",
    "zwcf": "给予",
    "xsdjb": "检举控告人的身份信息另行保管",
    "czcpb": "拟处置方式",
    "thtz": "如实说明有关问题",
    "wtth": "谈话内容应当严格保密",
    "thbg": "谈话函询情况",
    "cbfa": "核查范围和方法",
    "cbbg": "核查组全体人员已在报告上签名",
    "lacpb": "已掌握的部分违纪违法事实及证据",
    "jcpfb": "评定等次",
    "jbbg": "现将办理情况报告如下",
    "ljch": "予以了结",
    "lxlg": "须立行立改",
    "sdhz": "受送达人签收",
    "zzjy": "请依照干部管理权限研究处理",
    "thbl": "被谈话人确认与其所述一致",
    "thhxfa": "不得向被反映人透露问题线索来源",
    "jjjy": "现提出如下纪律检查建议",
    "jcjy": "监察建议具有法律效力",
    "slbg": "报请纪委常委会会议审议",
    "txjl": "及时纠正，严格遵守党的纪律",
    "ppjl": "将改正情况书面报告",
    "zgfa": "整改任务清单",
    "zgjz": "责任领导已审阅本报告",
    "zcbg": "本单位对自查报告的真实性、完整性负责",
    "xszs": "该线索不属本委（监委）管辖",
    "xsbs": "按照干部管理权限，该线索不属本委（监委）处置",
    "xsys": "现将该问题线索移送你单位党组织处理",
}


def _latest(engine: Engine, kind: str) -> Document | None:
    with engine.ctx.db.reading() as session:
        return session.scalars(
            select(Document).where(Document.kind == kind).order_by(Document.id.desc())
        ).first()


def _ajcbd(engine: Engine) -> None:
    """The one kind only a supervisor's 催办 issues: 案管室 reminds an open step of the demo."""
    office = engine.actor_by_name("zhaoliu")
    task = next(t for t in engine.supervisor.deadlines(office, engine.supervisor.stat_filter({})))  # type: ignore[arg-type]
    engine.interventions.remind(office, task.task_id, "请抓紧办理")  # type: ignore[arg-type]


def _words(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    return []


PYTHON_VALUES = re.compile(r"object at 0x|\b(True|False|None)\b|[{}]{2}")  # what a person never reads


def test_every_kind_of_the_catalogue_is_checked_here(demo) -> None:  # type: ignore[no-untyped-def]
    engine, _app = demo
    assert set(catalog(engine.ctx.desk.documents_dir)) == set(MUST_SAY)


@pytest.mark.parametrize("kind", sorted(MUST_SAY))
def test_each_kind_reads_as_issued_from_the_demo(demo, kind: str) -> None:  # type: ignore[no-untyped-def]
    engine, _app = demo
    if kind == "ajcbd" and _latest(engine, kind) is None:
        _ajcbd(engine)
    doc = _latest(engine, kind)
    assert doc is not None, f"the demo issues no {kind}"
    spec = catalog(engine.ctx.desk.documents_dir)[kind]
    sheet = compose(spec, doc.fields or {}, number=doc.number, day=doc.issued_at.date(), county="示例县")
    word = flat(docx_text(stored(engine, doc.docx_sha256)))
    pdf_bytes = stored(engine, doc.pdf_sha256)
    pdf = flat(pdf_text(pdf_bytes))
    for text in (word, pdf):
        assert flat(doc.title) in text and doc.number in text, kind
        assert flat(MUST_SAY[kind]) in text, (kind, MUST_SAY[kind])
        if sheet.to:
            assert flat(sheet.to) + "：" in text, (kind, sheet.to)
        for line in sheet.cc:
            assert flat(line) in text, (kind, line)
    assert not PYTHON_VALUES.search(word), (kind, PYTHON_VALUES.search(word))
    for name, value in (doc.fields or {}).items():  # every value it was given is on the paper
        if name in spec.fields and not name.startswith(("due", "plan_due")):
            for words in _words(value):
                if not words[:4].isdigit():  # dates are written in Chinese (2025年10月23日)
                    assert flat(words) in word, (kind, name, words)
    unit = (doc.fields or {}).get("subject_unit_name")
    if unit:  # a post that names its unit (县交通运输局副局长) is not prefixed with it again
        assert flat(unit) * 2 not in word, kind
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(io.BytesIO(pdf_bytes)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("NotoSerifCJK" in name.replace("-", "") for name in fonts), (kind, fonts)


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_the_letter_looks_like_an_official_document(demo) -> None:  # type: ignore[no-untyped-def]
    """The first page of the demo's 函询通知书 as it prints (for the README): the red masthead is there."""
    engine, _app = demo
    doc = _latest(engine, "hxtz")
    assert doc is not None
    pdf = pdfium.PdfDocument(stored(engine, doc.pdf_sha256))
    image = pdf[0].render(scale=1.4).to_pil().convert("RGB")
    pdf.close()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    image.save(SCREENSHOTS / "document-letter.png")
    top = image.crop((0, 0, image.width, image.height // 4))
    pixels = top.load()
    red = sum(
        1
        for x in range(0, top.width, 2)
        for y in range(0, top.height, 2)
        if (p := pixels[x, y])[0] > 180 and p[1] < 80 and p[2] < 80
    )
    assert red > 100, "the 发文机关标志 is printed in red"
