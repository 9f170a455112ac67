"""Voiding one document (作废, issue 9 #17): only the office that issued it, with a reason; the number
stays used and the file stays in the case marked void; a replacement takes the next number, carries the
corrections, and the case goes on under the new number."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import Conflict, Engine, NotFound, NotPermitted, Refused
from engine.db.models import Document
from engine.storyline import Walk, load_scenario
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir
from tests.engine.document_helpers import docx_text, stored


def _letter(tmp_path: Path, voided_by: str = "") -> tuple[Engine, int]:
    """A 函询 whose 函询通知书 was issued and served: the case waits for the reply."""
    steps = load_scenario(
        WORKFLOWS / "clue_disposal" / "scenarios" / "thhx_letter_r2_archive.json", "clue_disposal"
    )
    workflows = make_workflows_dir(tmp_path, WORKFLOWS / "clue_disposal")
    if voided_by:  # the 纪委办公室's documents voided by these roles alone
        catalogue = workflows / "documents" / "documents.toml"
        text = catalogue.read_text("utf-8")
        office = text.index("[issuers.office]")
        start = text.index("voided_by", office)
        end = text.index("\n", start)
        catalogue.write_text(text[:start] + f"voided_by = {voided_by}" + text[end:], "utf-8")
    engine = build_engine(tmp_path, workflows, at=datetime.fromisoformat(steps["start"]["at"]))
    walk = Walk(engine)
    walk.start(steps["start"])
    for step in steps["steps"][:6]:
        walk.act(step)
    return engine, walk.own_id


@pytest.fixture
def letter(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine, case = _letter(tmp_path)
    yield engine, case
    engine.close()


def _documents(engine: Engine, case: int) -> list[tuple[str, str, bool, str, str]]:
    view = engine.instance(engine.actor_by_name("zhangsan"), case)  # type: ignore[arg-type]
    return [
        (d.number, d.title, d.void, d.void_reason, d.replaces) for d in view.documents if d.kind == "hxtz"
    ]


def _letter_of(engine: Engine, case: int):  # type: ignore[no-untyped-def]
    view = engine.instance(engine.actor_by_name("zhaoliu"), case)  # type: ignore[arg-type]
    (letter,) = [d for d in view.documents if d.kind == "hxtz"]
    return letter


def test_the_issuing_office_voids_a_letter_and_its_replacement_takes_the_next_number(letter) -> None:  # type: ignore[no-untyped-def]
    engine, case = letter
    ag = engine.actor_by_name("zhaoliu")
    doc = _letter_of(engine, case)
    assert doc.number == "示纪函〔2025〕1号"
    done = engine.interventions.void_document(
        ag, doc.id, "函询问题表述有误", reissue=True, corrections={"questions": "是否接受管理服务对象宴请？"}
    )
    assert done.summary == "已作废函询通知书示纪函〔2025〕1号，重新制发为示纪函〔2025〕2号"
    assert _documents(engine, case) == [
        ("示纪函〔2025〕1号", "函询通知书", True, "函询问题表述有误", ""),
        ("示纪函〔2025〕2号", "函询通知书", False, "", "示纪函〔2025〕1号"),
    ]
    with engine.ctx.db.reading() as session:
        new = session.scalars(select(Document).where(Document.seq == 2)).one()
        text = docx_text(stored(engine, new.docx_sha256))
    assert "是否接受管理服务对象宴请？" in text and "示纪函〔2025〕2号" in text
    files = [a.filename for a in engine.instance(ag, case).attachments]
    assert "示纪函〔2025〕1号函询通知书.pdf" in files and "示纪函〔2025〕2号函询通知书.pdf" in files
    # the case goes on under the new number: the step waiting for the reply names it
    view = engine.instance(ag, case)
    assert view.data["letter_no"] == "示纪函〔2025〕2号"
    history = [h.title for h in view.history]
    assert "作废文书" in history
    # the old number is never given again: the next letter of the year is No. 3
    again = engine.interventions.void_document(ag, new.id, "再次更正", reissue=True)
    assert again.summary.endswith("重新制发为示纪函〔2025〕3号")


def test_only_the_issuing_office_may_void_and_never_twice(letter) -> None:  # type: ignore[no-untyped-def]
    engine, case = letter
    ag, officer, planner = (engine.actor_by_name(n) for n in ("zhaoliu", "qianqi", "zhoujiu"))
    doc = _letter_of(engine, case)
    with pytest.raises(Refused, match="请填写理由"):
        engine.interventions.void_document(ag, doc.id, " ")
    with pytest.raises(NotPermitted, match="您无权对此案件作废文书"):
        engine.interventions.void_document(officer, doc.id, "有误")  # she handles the case, not its papers
    with pytest.raises(Refused, match="函询通知书没有这些内容可更正：letter_no"):
        engine.interventions.void_document(ag, doc.id, "有误", reissue=True, corrections={"letter_no": "x"})
    engine.interventions.void_document(ag, doc.id, "送达对象有误")  # void without a replacement
    assert _documents(engine, case) == [("示纪函〔2025〕1号", "函询通知书", True, "送达对象有误", "")]
    with pytest.raises(Conflict, match="示纪函〔2025〕1号已作废"):
        engine.interventions.void_document(ag, doc.id, "again")
    with pytest.raises(NotFound):
        engine.interventions.void_document(planner, doc.id, "有误")  # 党风政风监督室 does not see clues


def test_a_document_is_voided_only_by_the_roles_acting_for_its_issuer(tmp_path: Path) -> None:
    engine, case = _letter(tmp_path, voided_by='["SJ"]')
    doc = _letter_of(engine, case)
    with pytest.raises(NotPermitted) as refused:
        engine.interventions.void_document(engine.actor_by_name("zhaoliu"), doc.id, "有误")
    assert str(refused.value) == (
        "示纪函〔2025〕1号由中共示例县纪律检查委员会办公室、示例县监察委员会办公室制发，只能由其作废"
    )
    done = engine.interventions.void_document(engine.actor_by_name("zhangsan"), doc.id, "有误")
    assert done.summary == "已作废函询通知书示纪函〔2025〕1号"
    engine.close()
