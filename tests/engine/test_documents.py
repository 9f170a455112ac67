"""Numbered statutory documents (DOMAIN.md §4.5, §9), what they say: laid out as official documents in
DOCX and PDF from the templates kept with the workflows, every field of every kind printed, values kept
as text, and a reporter's identity never in them."""

from __future__ import annotations

import io
from pathlib import Path

import docx
from sqlalchemy import select

from engine import Engine
from engine.db.models import Document
from engine.documents import Desk, IssuedDocument, catalog, cn_date, issue
from engine.documents.text import Paragraph, Table, render
from tests.engine import document_helpers
from tests.engine.document_helpers import (
    AT,
    DOCUMENTS,
    LETTER,
    REPORTER,
    docx_text,
    docx_xml,
    flat,
    issue_in,
    pdf_text,
    sample_fields,
    stored,
    with_pdf,
)

case, officer = document_helpers.case, document_helpers.officer  # the fixtures of a case and its officer


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
        assert " object at 0x" not in word, kind  # a Python value's repr, not what the field holds


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


def test_a_row_field_named_like_a_method_prints_its_value() -> None:
    """The monthly 通报's column 到期事项 is the row's field `items`: it printed
    “<built-in method items of dict object at 0x…>” where the count belongs."""
    template = (
        "{% for r in rows %}| {{ r.department }} | {{ r.items }} | {{ r.keys }} | {{ r.get }}\n{% endfor %}"
    )
    rows = [{"department": "县行政审批服务局", "items": 137, "keys": "钥匙", "get": "收到"}]
    assert render(template, {"rows": rows}) == [
        Table((("县行政审批服务局", "137", "钥匙", "收到"),), header=False)
    ]
    assert render("{{ weights.get('C01', '') }}", {"weights": {"C01": 15}}) == [Paragraph("15", "body")]


def test_missing_fields_render_empty_and_markup_is_text(mini_engine: Engine, case: int, officer: int) -> None:
    issued = issue_in(mini_engine, case, officer, "zgtz", {"unit_name": "县财政局 <b>&</b>"})
    word = docx_text(stored(mini_engine, issued.docx_sha256))
    assert "县财政局 <b>&</b>党组（党委）：" in word
    assert "经，发现你单位存在以下问题：" in word
    assert "前制定整改方案" in word
    assert flat("县财政局 <b>&</b>") in flat(pdf_text(stored(mini_engine, issued.pdf_sha256)))


def test_dates_in_fields_can_be_shown_in_chinese() -> None:
    assert cn_date("2026-03-26") == "2026年3月26日"
    assert cn_date("2026-12-31T20:00:00+00:00") == "2027年1月1日"
    assert cn_date(None) == ""
    assert cn_date("尽快") == "尽快"


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
