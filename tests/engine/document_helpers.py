"""What the tests of numbered statutory documents share (test_documents*.py): the sample fields of every
kind, the fixtures of a case and its officer, issuing one document with its PDF, and reading the stored
DOCX and PDF back."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from datetime import datetime
from typing import Any

import docx
import pypdf
import pytest
from sqlalchemy.orm import Session

from engine import CHINA_TZ, Engine
from engine.db.models import Document
from engine.documents import Desk, IssuedDocument, attach_pdf, catalog, issue, render_pdf_of
from tests.conftest import WORKFLOWS

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
    "rows": [{"department": "县行政审批服务局", "items": 137, "late": 29, "open_late": 17}],
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
