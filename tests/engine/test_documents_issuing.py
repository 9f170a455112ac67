"""Numbered statutory documents (DOMAIN.md §4.5, §9), issuing them: numbered per kind and year without
gaps or repeats, also under concurrency (SQLite and PostgreSQL), a rolled-back number given back, an
unknown kind or a shared prefix refused; the files stored by hash and attached to the case."""

from __future__ import annotations

import hashlib
import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import CHINA_TZ, Engine
from engine.db.models import Attachment, AttachmentLink, Document, DocumentCounter
from engine.documents import CatalogError, catalog, issue
from tests.conftest import FIXTURES, build_engine, make_workflows_dir
from tests.engine import document_helpers
from tests.engine.document_helpers import AT, DOCUMENTS, LETTER, START, issue_in, sample_fields, stored

case, officer = document_helpers.case, document_helpers.officer  # the fixtures of a case and its officer

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
