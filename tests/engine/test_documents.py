"""Numbered statutory documents (DOMAIN.md §4.5, §9): numbered per kind and year without gaps or repeats,
also under concurrency, rendered as DOCX and PDF from the templates kept with the workflows, stored by hash
and attached to the case; a reporter's identity never appears in them."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import shutil
import threading
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import CHINA_TZ, Engine
from engine.db.models import Attachment, AttachmentLink, Document, DocumentCounter
from engine.documents import (
    CatalogError,
    Desk,
    IssuedDocument,
    attach_pdf,
    catalog,
    cn_date,
    issue,
    render_pdf_of,
)
from engine.documents.pdf import render_pdf
from engine.documents.sheet import compose
from engine.documents.text import Paragraph, Table, render
from engine.documents.word import render_docx
from tests.conftest import FIXTURES, WORKFLOWS, build_engine, make_workflows_dir

DOCUMENTS = WORKFLOWS / "documents"
AT = datetime(2026, 3, 5, 10, 0, tzinfo=CHINA_TZ)
START = {
    "case_no": "M-101",
    "subject_name": "冯乙",
    "subject_unit": "SJJ",
    "handling_office": "JC1",
    "subject_user": "fengyi",
}
LETTER = {
    "subject_name": "冯乙",
    "subject_post": "副局长",
    "subject_unit_name": "县市场监督管理局",
    "questions": "1. 关于办公用房超标的问题；\n2. 关于违规收受礼金的问题。",
    "reply_days": 15,
    "direct_reply": False,
}
REPORTER = {
    "reporter_name": "韩举报",
    "reporter_phone": "13912345678",
    "reporter_unit": "县某某公司",
    "reporter_email": "tipster@example.cn",
}


NOT_TEXT: dict[str, Any] = {
    "direct_reply": False,
    "reply_days": 15,
    "vetoes": ["发生严重违纪违法案件"],
    "period_months": 6,
    "contact_subject": False,
    "clarify": True,
    "months": 3,
    "effect_months": 6,
    "talk_days": 15,
    "veto_hit": True,
    "late_deduction": 0,
    "total": 88,
    "max_total": 100,
    "scores": [
        {"item": "C01", "area": "主体责任部署与研究", "weight": 15, "score": 13, "reason": "会议记录不全"}
    ],
    "talk_on": "2026-03-10",
    "applied_on": "2026-03-05",
    "received_at": "2026-03-01",
    "accepted_on": "2026-03-02",
    "finished_on": "2026-04-02",
    "done_on": "2026-03-10",
    "due": "2026-06-30",
    "round": 1,
    "percent": 60,
    "evidence_count": 2,
    "limit_days": 20,
    "decided_on": "2026-02-26",
    "obtained_on": "2026-02-20",
    "found_on": "2026-02-21",
    "amount": 20000,
    "name_allowed": False,
    "received_on": "2026-02-02",
    "completed_on": "2026-03-04",
    "reply_due": "2026-03-12",
    "problems": ["超过办理时限办结"],
    "rows": [{"department": "县行政审批服务局", "items": 12, "late": 2, "open_late": 1}],
    "sessions": [
        {
            "session_title": "审批领域警示教育专场",
            "edu_kind": "警示教育专场",
            "planned_on": "2026-03-18",
            "target": "县行政审批服务局",
            "materials": "冯某案",
        }
    ],
    "unit_scores": [{"unit": "县财政局", "total": 88, "grade": "较好"}],
    "year": 2025,
    "tasks": [
        {
            "measure": "修订会议制度",
            "kind": "限期整改",
            "owner": "韩梅",
            "due": "2026-06-30",
            "done_criteria": "制度印发",
        }
    ],
    "leaders": ["姚癸"],
    "items": [{"item": "C01", "self_score": 13, "explanation": "会议记录不全"}],
    "areas": {"C01": "主体责任部署与研究"},
    "weights": {"C01": 15},
    "duties": [
        {"member": "姚癸 副局长", "area": "财务", "integrity_actions": "月度廉政提醒", "reminders_held": 3}
    ],
}  # flags, numbers, dates and rows the text words


def sample_fields(kind: str) -> dict[str, Any]:
    """A value for every field the kind's template uses."""
    fields: dict[str, Any] = {name: f"〈{name}〉的值" for name in catalog(DOCUMENTS)[kind].fields}
    fields.update({k: v for k, v in NOT_TEXT.items() if k in fields})
    if "findings" in fields:
        fields["findings"] = [
            {"category": "主体责任", "description": "党风廉政建设会议记录缺失", "severity": "一般"},
            {"category": "监督责任", "description": "廉政谈话未覆盖中层干部", "severity": "较重"},
        ]
    if "persons" in fields:
        fields["persons"] = [{"name": "褚丙", "post": "办公室主任", "measure": "诫勉"}]
    return fields


@pytest.fixture
def case(mini_engine: Engine, actor) -> int:  # type: ignore[no-untyped-def]
    return mini_engine.start(actor("zhaoliu"), "mini", START)


@pytest.fixture
def officer(actor) -> int:  # type: ignore[no-untyped-def]
    return int(actor("zhaoliu").id)


def issue_in(
    engine: Engine,
    case: int,
    officer: int,
    kind: str = "hxtz",
    fields: dict[str, Any] | None = None,
    at: datetime = AT,
) -> IssuedDocument:
    """Issue one document in a transaction of its own, its PDF rendered in the same transaction."""
    with engine.ctx.db.transaction() as session:
        return with_pdf(
            session,
            engine.ctx.desk,
            instance_id=case,
            kind=kind,
            fields=LETTER if fields is None else fields,
            at=at,
            by="zhaoliu",
            by_user_id=officer,
        )


def with_pdf(session: Session, desk: Desk, **kw: Any) -> IssuedDocument:
    """issue(), render_pdf_of() and attach_pdf(), as the engine does across the commit."""
    issued = issue(session, desk, **kw)
    row = attach_pdf(session, issued.id, render_pdf_of(desk, session.get(Document, issued.id)))
    assert row is not None and row.pdf_sha256
    return dataclasses.replace(issued, pdf_sha256=row.pdf_sha256)


def stored(engine: Engine, sha256: str) -> bytes:
    return (engine.settings.files_dir / sha256[:2] / sha256).read_bytes()


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def docx_xml(content: bytes) -> str:
    """Every XML part of the package (properties included), to look for leaks anywhere."""
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return "".join(package.read(n).decode("utf-8") for n in package.namelist() if n.endswith(".xml"))


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def flat(text: str) -> str:
    return "".join(text.split())  # the PDF wraps lines anywhere in Chinese text


# --- content ---------------------------------------------------------------------------------------------


def test_a_post_that_names_its_unit_is_not_prefixed_twice(
    mini_engine: Engine, case: int, officer: int
) -> None:
    fields = {**LETTER, "subject_post": "县市场监督管理局副局长"}
    word = docx_text(stored(mini_engine, issue_in(mini_engine, case, officer, fields=fields).docx_sha256))
    assert "反映你（县市场监督管理局副局长）" in word


def test_the_letter_is_laid_out_as_an_official_document_in_docx_and_pdf(
    mini_engine: Engine, case: int, officer: int
) -> None:
    """GB/T 9704: masthead of the issuing body, number, title, 主送, body, signature, date, 抄送, 印发."""
    issued = issue_in(mini_engine, case, officer)
    assert issued == IssuedDocument(
        "示纪函〔2026〕1号", "hxtz", "函询通知书", issued.docx_sha256, issued.pdf_sha256, issued.id
    )
    word, pdf = (
        docx_text(stored(mini_engine, issued.docx_sha256)),
        pdf_text(stored(mini_engine, issued.pdf_sha256)),
    )
    expected = [
        "中共示例县纪律检查委员会办公室",
        "示例县监察委员会办公室",
        "示纪函〔2026〕1号",
        "函询通知书",
        "冯乙同志：",
        "县市场监督管理局副局长",
        "1. 关于办公用房超标的问题；",
        "2. 关于违规收受礼金的问题。",
        "请于收到本通知书之日起15个工作日内作出书面说明，经你所在单位主要负责人签署意见后，由所在单位报送示例县纪委监委。",
        "不得打听、追查问题反映人",
        "2026年3月5日",
        "抄送：县市场监督管理局主要负责人，派驻纪检监察组。",
        "2026年3月5日印发",
    ]
    for text in expected:
        assert text in word, text
        assert flat(text) in flat(pdf), text
    assert "— 1 —" in pdf
    assert "{{" not in word and "{%" not in word


def test_the_docx_has_the_red_masthead_the_offices_fonts_a_seal_and_page_numbers(
    mini_engine: Engine, case: int, officer: int
) -> None:
    """GB/T 9704 in the Word file an office edits and prints: 发文机关标志 in red 小标宋, the body in 仿宋,
    a place for the seal above the 署名, the page number as a field “— PAGE —” in the footer."""
    issued = issue_in(mini_engine, case, officer)
    document = docx.Document(io.BytesIO(stored(mini_engine, issued.docx_sha256)))
    runs = {
        (r.text, str(r.font.color.rgb) if r.font.color and r.font.color.type else "", r.font.name)
        for p in document.paragraphs
        for r in p.runs
        if r.text.strip()
    }
    assert ("中共示例县纪律检查委员会办公室", "DD0000", "方正小标宋简体") in runs
    assert ("（印章）", "DD0000", "仿宋_GB2312") in runs
    body = next(p for p in document.paragraphs if "请于收到本通知书之日起" in p.text)
    assert {r.font.name for r in body.runs} == {"仿宋_GB2312"}
    names = [p.text for p in document.paragraphs]
    assert names.index("（印章）") < names.index("中共示例县纪律检查委员会办公室", 1)  # the 署名 under it
    footer = document.sections[0].footer._element.xml
    assert "— " in footer and " PAGE " in footer and 'w:fldCharType="begin"' in footer
    assert "（印章）" in pdf_text(stored(mini_engine, issued.pdf_sha256))


def test_a_direct_reply_letter_asks_for_no_countersignature(
    mini_engine: Engine, case: int, officer: int
) -> None:
    """The person concerned is his unit's main leader (or the reply concerns him): he replies straight to
    the commission, and the letter is not copied to the unit's main leader."""
    issued = issue_in(mini_engine, case, officer, fields={**LETTER, "direct_reply": True})
    word = docx_text(stored(mini_engine, issued.docx_sha256))
    assert "将书面说明材料直接报送示例县纪委监委，无需经所在单位主要负责人签署意见" in word
    assert "经你所在单位主要负责人签署意见后" not in word
    assert "抄送：派驻纪检监察组。" in word and "主要负责人，" not in word


def test_the_county_and_issuing_bodies_come_from_the_settings(
    mini_engine: Engine, case: int, officer: int
) -> None:
    desk = Desk(DOCUMENTS, mini_engine.settings.files_dir, "清风县")
    with mini_engine.ctx.db.transaction() as session:
        issued = issue(
            session,
            desk,
            instance_id=case,
            kind="jctz",
            fields=sample_fields("jctz"),
            at=AT,
            by="z",
            by_user_id=officer,
        )
    word = docx_text(stored(mini_engine, issued.docx_sha256))
    assert "中共清风县纪律检查委员会" in word and "清风县监察委员会" in word
    assert "示例县" not in word


def test_the_inspection_notice_says_what_is_inspected(mini_engine: Engine, case: int, officer: int) -> None:
    fields = {**sample_fields("jctz"), "inspection_type": "年度", "self_assessment_due": "2026-03-20"}
    word = docx_text(stored(mini_engine, issue_in(mini_engine, case, officer, "jctz", fields).docx_sha256))
    assert "情况开展年度监督检查。" in word
    assert "请你单位于2026年3月20日前完成自查" in word


def test_a_reporters_identity_never_reaches_the_document(
    mini_engine: Engine, case: int, officer: int, tmp_path: Path
) -> None:
    """Even a template that asks for the reporter gets nothing: the keys are dropped before rendering."""
    (tmp_path / "nosy.txt").write_text(
        "{{ number }} {{ subject_name }}\n"
        "{{ reporter_name }}|{{ reporter_phone }}|{{ reporter.name }}|{{ extra.reporter_unit }}\n"
        "{% for f in findings %}{{ f.description }}{{ f.reporter_email }}{% endfor %}\n",
        "utf-8",
    )
    (tmp_path / "documents.toml").write_text(
        '[issuers.commission]\nmark = ["中共{county}纪律检查委员会"]\n'
        '[nosy]\nname = "测试文书"\nprefix = "示纪测"\ntemplate = "nosy.txt"\nto = "{{ reporter_name }}"\n',
        "utf-8",
    )
    fields = {
        **LETTER,
        **REPORTER,
        "reporter": {"name": "韩举报"},
        "extra": {"reporter_unit": "县某某公司"},
        "findings": [{"description": "会议记录缺失", "reporter_email": "tipster@example.cn"}],
    }
    desk = Desk(tmp_path, mini_engine.settings.files_dir, "示例县")
    with mini_engine.ctx.db.transaction() as session:
        issued = with_pdf(
            session,
            desk,
            instance_id=case,
            kind="nosy",
            fields=fields,
            at=AT,
            by="zhaoliu",
            by_user_id=officer,
        )
    word = docx_text(stored(mini_engine, issued.docx_sha256))
    assert "示纪测〔2026〕1号 冯乙" in word and "会议记录缺失" in word
    assert "|||" in word
    everything = docx_xml(stored(mini_engine, issued.docx_sha256)) + pdf_text(
        stored(mini_engine, issued.pdf_sha256)
    )
    for secret in REPORTER.values():
        assert secret not in everything
    with mini_engine.ctx.db.reading() as session:
        kept = session.scalars(select(Document.fields).where(Document.kind == "nosy")).one()
    assert not any(key.startswith("reporter") for key in kept)


def test_every_kind_of_documents_toml_renders_all_its_fields(
    mini_engine: Engine, case: int, officer: int
) -> None:
    kinds = catalog(DOCUMENTS)
    assert {"hxtz", "jms", "jmth", "jctz", "fkyj", "zgtz", "cbd", "ajcbd", "xhsh", "wzjd"} <= set(kinds)
    for kind, spec in kinds.items():
        fields = sample_fields(kind)
        issued = issue_in(mini_engine, case, officer, kind, fields)
        assert issued.number == f"{spec.prefix}〔2026〕1号"
        assert issued.title == spec.title(fields)
        word, pdf = (
            docx_text(stored(mini_engine, issued.docx_sha256)),
            pdf_text(stored(mini_engine, issued.pdf_sha256)),
        )
        values = [
            v for v in fields.values() if isinstance(v, str) and not v[:4].isdigit()
        ]  # dates in Chinese
        values += [
            str(v)
            for rows in ("findings", "persons", "tasks", "items", "duties", "rows", "unit_scores", "sessions")
            for item in fields.get(rows, [])
            for v in item.values()
            if not str(v)[:4].isdigit()
        ]
        for text in [issued.title, issued.number, "2026年3月5日", *values]:
            assert text in word, (kind, text)
            assert flat(text) in flat(pdf), (kind, text)
        assert "{{" not in word and "{%" not in word


def test_values_never_make_tables_headings_or_paragraphs_of_their_own(
    mini_engine: Engine, case: int, officer: int
) -> None:
    fields = {
        "unit_name": "县财政局",
        "source": "检查",
        "finding": "| 伪造 | 表格\n# 伪造标题",
        "plan_due": "",
    }
    issued = issue_in(mini_engine, case, officer, "zgtz", fields)
    document = docx.Document(io.BytesIO(stored(mini_engine, issued.docx_sha256)))
    assert document.tables == []
    texts = [p.text for p in document.paragraphs]
    assert "经检查，发现你单位存在以下问题：| 伪造 | 表格" in texts
    assert "# 伪造标题" in texts  # a line of its own, as the user typed it, not a heading


def test_a_row_ending_in_a_condition_keeps_the_next_row_apart() -> None:
    """The 登记表 printed 线索来源 and 被反映人 in one row when the row ended in `{% endif %}`."""
    template = (
        "| 线索来源 | {{ source }}{% if channel %}（{{ channel }}）{% endif %}\n"
        "| 被反映人 | {{ name }}\n"
        "{% if note %}\n| 备注 | {{ note }}\n{% endif %}\n"
        "= 以上情况属实。\n"
    )
    blocks = render(template, {"source": "信访举报", "channel": "来信", "name": "冯乙", "note": ""})
    assert blocks == [
        Table((("线索来源", "信访举报（来信）"), ("被反映人", "冯乙")), header=False),
        Paragraph("以上情况属实。", "plain"),
    ]


def test_missing_fields_render_empty_and_markup_is_text(mini_engine: Engine, case: int, officer: int) -> None:
    issued = issue_in(mini_engine, case, officer, "zgtz", {"unit_name": "县财政局 <b>&</b>"})
    word = docx_text(stored(mini_engine, issued.docx_sha256))
    assert "县财政局 <b>&</b>党组（党委）：" in word
    assert "经，发现你单位存在以下问题：" in word
    assert "前制定整改方案" in word
    assert flat("县财政局 <b>&</b>") in flat(pdf_text(stored(mini_engine, issued.pdf_sha256)))


def test_an_unknown_kind_is_refused_in_chinese_and_takes_no_number(
    mini_engine: Engine, case: int, officer: int
) -> None:
    with pytest.raises(ValueError, match="未知的文书类型：hxtx"):
        issue_in(mini_engine, case, officer, "hxtx")
    with mini_engine.ctx.db.reading() as session:
        assert session.scalars(select(DocumentCounter)).all() == []


def test_two_kinds_may_not_share_a_number_prefix(tmp_path: Path) -> None:
    shutil.copytree(DOCUMENTS, tmp_path / "documents")
    toml = tmp_path / "documents" / "documents.toml"
    toml.write_text(
        toml.read_text("utf-8") + '\n[cgh2]\nname = "催告函"\nprefix = "示纪催"\ntemplate = "cbd.txt"\n'
    )
    with pytest.raises(CatalogError, match="文号前缀“示纪催”被多种文书共用：cbd（催办单）、cgh2（催告函）"):
        catalog(tmp_path / "documents")


def test_dates_in_fields_can_be_shown_in_chinese() -> None:
    assert cn_date("2026-03-26") == "2026年3月26日"
    assert cn_date("2026-12-31T20:00:00+00:00") == "2027年1月1日"
    assert cn_date(None) == ""
    assert cn_date("尽快") == "尽快"


# --- the PDF ---------------------------------------------------------------------------------------------


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


# --- storage ---------------------------------------------------------------------------------------------


def test_files_are_stored_by_hash_attached_and_recorded(mini_engine: Engine, case: int, officer: int) -> None:
    issued = issue_in(mini_engine, case, officer)
    docx_bytes, pdf_bytes = stored(mini_engine, issued.docx_sha256), stored(mini_engine, issued.pdf_sha256)
    assert hashlib.sha256(docx_bytes).hexdigest() == issued.docx_sha256
    assert hashlib.sha256(pdf_bytes).hexdigest() == issued.pdf_sha256
    assert pdf_bytes.startswith(b"%PDF")
    with mini_engine.ctx.db.reading() as session:
        (row,) = session.scalars(select(Document)).all()
        assert (row.instance_id, row.kind, row.year, row.seq, row.number, row.title, row.issued_by) == (
            case,
            "hxtz",
            2026,
            1,
            "示纪函〔2026〕1号",
            "函询通知书",
            "zhaoliu",
        )
        assert (row.docx_sha256, row.pdf_sha256) == (issued.docx_sha256, issued.pdf_sha256)
        assert row.template_sha256 == catalog(DOCUMENTS)["hxtz"].template_sha256()
        assert row.fields == LETTER
        assert row.issued_at.astimezone(UTC) == AT.astimezone(UTC)
        mimes = {a.sha256: a.mime for a in session.scalars(select(Attachment))}
        assert mimes[issued.pdf_sha256] == "application/pdf"
        assert mimes[issued.docx_sha256].endswith("wordprocessingml.document")
        links = session.scalars(select(AttachmentLink).order_by(AttachmentLink.id)).all()
        assert [(a.instance_id, a.sha256, a.filename, a.uploaded_by) for a in links] == [
            (case, issued.docx_sha256, "示纪函〔2026〕1号函询通知书.docx", officer),
            (case, issued.pdf_sha256, "示纪函〔2026〕1号函询通知书.pdf", officer),
        ]
    names = [a.filename for a in mini_engine.instance(mini_engine.actor_by_name("zhaoliu"), case).attachments]
    assert names == ["示纪函〔2026〕1号函询通知书.docx", "示纪函〔2026〕1号函询通知书.pdf"]


# --- numbering ---------------------------------------------------------------------------------------------


def numbers(engine: Engine) -> list[str]:
    with engine.ctx.db.reading() as session:
        return list(session.scalars(select(Document.number).order_by(Document.id)))


def test_numbers_run_per_kind_and_year_without_gaps(mini_engine: Engine, case: int, officer: int) -> None:
    for kind in ("hxtz", "hxtz", "zgtz", "hxtz", "zgtz"):
        issue_in(mini_engine, case, officer, kind, sample_fields(kind))
    late = datetime(2026, 12, 31, 23, 59, tzinfo=CHINA_TZ)
    issue_in(mini_engine, case, officer, at=late)
    new_year_in_china = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # 2027-01-01 00:30 in Beijing
    issue_in(mini_engine, case, officer, at=new_year_in_china)
    issue_in(mini_engine, case, officer, at=new_year_in_china)
    assert numbers(mini_engine) == [
        "示纪函〔2026〕1号",
        "示纪函〔2026〕2号",
        "示纪整改〔2026〕1号",
        "示纪函〔2026〕3号",
        "示纪整改〔2026〕2号",
        "示纪函〔2026〕4号",
        "示纪函〔2027〕1号",
        "示纪函〔2027〕2号",
    ]


def test_a_rolled_back_transaction_gives_its_number_back(
    mini_engine: Engine, case: int, officer: int
) -> None:
    issue_in(mini_engine, case, officer)
    with pytest.raises(RuntimeError), mini_engine.ctx.db.transaction() as session:
        taken = issue(
            session,
            mini_engine.ctx.desk,
            instance_id=case,
            kind="hxtz",
            fields=LETTER,
            at=AT,
            by="zhaoliu",
            by_user_id=officer,
        )
        assert taken.number == "示纪函〔2026〕2号"
        raise RuntimeError("the step failed after the document was issued")
    assert issue_in(mini_engine, case, officer).number == "示纪函〔2026〕2号"
    assert numbers(mini_engine) == ["示纪函〔2026〕1号", "示纪函〔2026〕2号"]


def issue_at_once(engine: Engine, case: int, officer: int, count: int) -> list[str]:
    """`count` threads, each in its own transaction, issue the same kind at the same moment."""
    barrier, results, errors = threading.Barrier(count), [], []

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(issue_in(engine, case, officer).number)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert errors == []
    return results


def test_concurrent_issues_get_distinct_numbers_on_sqlite(
    mini_engine: Engine, case: int, officer: int
) -> None:
    got = issue_at_once(mini_engine, case, officer, 6)
    assert sorted(got) == sorted(f"示纪函〔2026〕{n}号" for n in range(1, 7))
    assert sorted(numbers(mini_engine)) == sorted(got)


@pytest.mark.postgres
def test_concurrent_issues_get_distinct_numbers_on_postgresql(fresh_postgres: str, tmp_path: Path) -> None:
    engine = build_engine(
        tmp_path, make_workflows_dir(tmp_path, FIXTURES / "mini"), database_url=fresh_postgres
    )
    try:
        zhaoliu = engine.actor_by_name("zhaoliu")
        assert zhaoliu is not None
        case = engine.start(zhaoliu, "mini", START)
        got = issue_at_once(engine, case, zhaoliu.id, 8)
        assert sorted(got) == sorted(f"示纪函〔2026〕{n}号" for n in range(1, 9))
        assert sorted(numbers(engine)) == sorted(got)
        with pytest.raises(RuntimeError), engine.ctx.db.transaction() as session:
            issue(
                session,
                engine.ctx.desk,
                instance_id=case,
                kind="hxtz",
                fields=LETTER,
                at=AT,
                by="zhaoliu",
                by_user_id=zhaoliu.id,
            )
            raise RuntimeError("rolled back")
        assert issue_in(engine, case, zhaoliu.id).number == "示纪函〔2026〕9号"
    finally:
        engine.close()


def test_the_two_forms_of_admonishment_have_their_own_papers(
    mini_engine: Engine, case: int, officer: int
) -> None:
    """诫勉谈话 leaves a signed record of the talk; 书面诫勉 a letter; both go to the 组织部 for the file."""
    base = {"subject_name": "冯乙", "subject_post": "副局长", "reason": "违规使用公车", "effect_months": 6}
    talk = issue_in(
        mini_engine,
        case,
        officer,
        "jmth",
        {**base, "talk_on": "2026-03-05", "place": "谈话室", "talkers": "张三、钱七", "recorder": "孙八",
         "statement": "接受诫勉，坚决改正。"},
    )  # fmt: skip
    written = issue_in(mini_engine, case, officer, "jms", base)
    assert (talk.number, talk.title) == ("示纪诫谈〔2026〕1号", "诫勉谈话记录")
    assert (written.number, written.title) == ("示纪诫〔2026〕1号", "诫勉书")
    record = flat(docx_text(stored(mini_engine, talk.docx_sha256)))
    for line in (
        "谈话时间2026年3月5日",
        "谈话地点谈话室",
        "谈话人张三、钱七",
        "记录人孙八",
        "本人表态接受诫勉，坚决改正。",
    ):
        assert line in record, line
    assert "决定对你进行诫勉谈话。诫勉影响期为6个月" in record and "抄送示例县委组织部" in record
    letter = docx_text(stored(mini_engine, written.docx_sha256))
    assert "决定对你予以书面诫勉。" in letter and "中共示例县委组织部" in letter


def test_field_values_are_text_never_template_code(mini_engine: Engine, case: int, officer: int) -> None:
    fields = {"unit_name": "{{ 7*7 }}{% if true %}县财政局{% endif %}", "finding": "账目\x0b不清\x01"}
    issued = issue_in(mini_engine, case, officer, "zgtz", fields)
    word = docx_text(stored(mini_engine, issued.docx_sha256))
    assert "{{ 7*7 }}{% if true %}县财政局{% endif %}党组（党委）：" in word
    assert "49" not in word
    assert "存在以下问题：账目不清" in word  # characters XML cannot hold are dropped


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


def test_lists_of_names_and_yes_no_read_as_chinese(mini_engine: Engine, case: int, officer: int) -> None:
    fields = {"unit_name": "县财政局", "reviewer_name": ["王五", "赵六"], "result": True, "opinion": None}
    issued = issue_in(mini_engine, case, officer, "xhsh", fields)
    cells = [
        c.text
        for r in docx.Document(io.BytesIO(stored(mini_engine, issued.docx_sha256))).tables[0].rows
        for c in r.cells
    ]
    assert cells == [
        "整改单位",
        "县财政局",
        "整改措施",
        "",
        "完成情况",
        "",
        "核验方式",
        "",
        "审核结果",
        "是",
        "审核意见",
        "",
        "审核人",
        "王五、赵六",
    ]
