"""Attachments: stored once under their SHA-256, type checked by content, shown only to those who may
see the case (RELIABILITY "Input validation, uploads", DOMAIN.md §9)."""

from __future__ import annotations

import hashlib
import io
import sqlite3
import struct
import zipfile
import zlib
from contextlib import closing
from pathlib import Path

import pytest

from engine import Engine, InvalidSubmission, NotFound

START = {
    "case_no": "M-001",
    "subject_name": "冯乙",
    "subject_unit": "SJJ",
    "handling_office": "JC1",
    "subject_user": "fengyi",
}


# --- real documents, made in memory ---------------------------------------------------------------------


def png_bytes() -> bytes:
    """A valid 1×1 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x00\x00")  # filter byte, then one red pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def pdf_bytes(text: str = "reply") -> bytes:
    """A minimal one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
    ]
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def docx_bytes() -> bytes:
    """A minimal WordprocessingML package."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        package.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument"/></Relationships>',
        )
        package.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>说明材料</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("readme.txt", "not a document")
    return buffer.getvalue()


EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"PE\x00\x00"
    + b"\x00" * 200
)

DOCUMENTS = [
    ("函询回复.pdf", pdf_bytes(), "application/pdf"),
    ("签收单.png", png_bytes(), "image/png"),
    (
        "说明材料.docx",
        docx_bytes(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
]


def stored_files(engine: Engine) -> list[Path]:
    root = engine.settings.files_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def link_count(engine: Engine) -> int:
    with closing(sqlite3.connect(Path(engine.settings.instance_dir) / "qinglian.db")) as db:
        return int(db.execute("SELECT count(*) FROM attachment_link").fetchone()[0])


def on_case(engine: Engine, actor, filename: str, content: bytes, case_no: str = "M-001"):  # type: ignore[no-untyped-def]
    """Upload a file for the start form and start a case naming it: (case id, the attachment)."""
    view = engine.upload(actor("zhaoliu"), filename, content, None)
    case = engine.start(actor("zhaoliu"), "mini", {**START, "case_no": case_no, "evidence": [view.sha256]})
    return case, view


@pytest.fixture
def case(mini_engine: Engine, actor) -> int:  # type: ignore[no-untyped-def]
    """A mini case started by zhaoliu (case management office); the serve task waits for qianqi."""
    return mini_engine.start(actor("zhaoliu"), "mini", START)


# --- storing ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("filename", "content", "mime"), DOCUMENTS)
def test_document_is_stored_under_its_sha256(
    mini_engine: Engine, actor, filename: str, content: bytes, mime: str
) -> None:
    sha = hashlib.sha256(content).hexdigest()
    case, view = on_case(mini_engine, actor, filename, content)
    assert (view.sha256, view.filename, view.mime, view.size) == (sha, filename, mime, len(content))
    assert stored_files(mini_engine) == [mini_engine.settings.files_dir / sha[:2] / sha]
    path, shown = mini_engine.attachment(actor("zhaoliu"), view.id)
    assert path.read_bytes() == content
    assert (shown.sha256, shown.filename, shown.mime) == (sha, filename, mime)
    assert [a.filename for a in mini_engine.instance(actor("zhaoliu"), case).attachments] == [filename]


def test_same_content_is_stored_once_and_never_rewritten(mini_engine: Engine, actor) -> None:
    content = pdf_bytes()
    first = mini_engine.upload(actor("zhaoliu"), "a.pdf", content, None)
    (path,) = stored_files(mini_engine)
    before = path.stat()

    second = mini_engine.upload(actor("zhaoliu"), "b.pdf", content, None)
    case = mini_engine.start(actor("zhaoliu"), "mini", {**START, "evidence": [first.sha256]})
    _, third = on_case(mini_engine, actor, "a.pdf", content, "M-002")

    assert stored_files(mini_engine) == [path]
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns, after.st_size) == (
        before.st_ino,
        before.st_mtime_ns,
        before.st_size,
    )
    assert path.read_bytes() == content
    assert first.sha256 == second.sha256 == third.sha256
    assert len({first.id, second.id, third.id}) == 3
    assert [a.filename for a in mini_engine.instance(actor("zhaoliu"), case).attachments] == [
        "a.pdf",
        "b.pdf",
    ]


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("x.pdf", EXE),
        ("x.pdf", "这是一段文字，不是 PDF".encode()),
        ("x.pdf", b""),
        ("x.docx", zip_bytes()),
        ("x.png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
        ("x.pdf", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_content_that_is_not_an_accepted_type_is_refused_whatever_its_name(
    mini_engine: Engine, actor, case: int, filename: str, content: bytes
) -> None:
    with pytest.raises(InvalidSubmission) as refused:
        mini_engine.upload(actor("zhaoliu"), filename, content, case)
    assert "file" in refused.value.errors
    assert stored_files(mini_engine) == []
    assert link_count(mini_engine) == 0


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("/etc/cron.d/job.pdf", "job.pdf"),
        ("..\\..\\Windows\\system32\\回复.pdf", "回复.pdf"),
        ("C:\\Users\\wangwu\\Desktop\\说明.pdf", "说明.pdf"),
        ("", "附件"),
    ],
)
def test_filename_is_reduced_to_its_base_name(mini_engine: Engine, actor, given: str, kept: str) -> None:
    content = pdf_bytes(f"upload named {given}")
    case, view = on_case(mini_engine, actor, given, content)
    assert view.filename == kept
    assert [a.filename for a in mini_engine.instance(actor("zhaoliu"), case).attachments] == [kept]
    path, _ = mini_engine.attachment(actor("zhaoliu"), view.id)
    assert path.resolve().is_relative_to(mini_engine.settings.files_dir.resolve())
    around = Path(mini_engine.settings.instance_dir).parent  # the engine's own temporary folder
    written = [p for p in around.rglob("*") if p.is_file() and p.read_bytes() == content]
    assert written == [path]


# --- who may fetch an attachment ----------------------------------------------------------------------


def test_attachment_is_shown_to_those_who_may_see_the_case_only(mini_engine: Engine, actor) -> None:
    content = png_bytes()
    _, view = on_case(mini_engine, actor, "证据.png", content)

    for allowed in ("zhaoliu", "lisi", "qianqi"):  # starter; supervisor (FG); handling officer
        path, shown = mini_engine.attachment(actor(allowed), view.id)
        assert path.read_bytes() == content
        assert shown.filename == "证据.png"
    for refused in ("wangwu", "sunba", "fengyi", "hanxin"):  # no part; recused; subject; other office
        with pytest.raises(NotFound):
            mini_engine.attachment(actor(refused), view.id)
    with pytest.raises(NotFound):
        mini_engine.attachment(actor("zhaoliu"), view.id + 1000)


def test_staged_upload_is_shown_to_its_uploader_only(mini_engine: Engine, actor) -> None:
    view = mini_engine.upload(actor("zhaoliu"), "登记材料.pdf", pdf_bytes(), None)
    path, _ = mini_engine.attachment(actor("zhaoliu"), view.id)
    assert path.exists()
    for other in ("lisi", "wangwu"):
        with pytest.raises(NotFound):
            mini_engine.attachment(actor(other), view.id)


def test_upload_to_a_case_one_may_not_see_is_refused(mini_engine: Engine, actor, case: int) -> None:
    with pytest.raises(NotFound):
        mini_engine.upload(actor("wangwu"), "x.pdf", pdf_bytes(), case)
    assert link_count(mini_engine) == 0


def test_refused_upload_leaves_no_file_behind(mini_engine: Engine, actor, case: int) -> None:
    with pytest.raises(NotFound):
        mini_engine.upload(actor("wangwu"), "x.pdf", pdf_bytes(), case)
    assert stored_files(mini_engine) == []


def test_subject_cannot_download_the_intake_evidence(mini_engine: Engine, actor, case: int) -> None:
    evidence = mini_engine.upload(actor("zhaoliu"), "举报材料.pdf", pdf_bytes("report"), case)
    officer = actor("qianqi")
    (serve,) = mini_engine.inbox(officer)
    mini_engine.complete(officer, serve.id, {"served_at": "2025-09-01"})
    subject = actor("fengyi")
    assert [t.bpmn_id for t in mini_engine.inbox(subject)] == ["reply"]  # the subject now has a task
    with pytest.raises(NotFound):
        mini_engine.instance(subject, case)  # and may not see the case file…
    with pytest.raises(NotFound):
        mini_engine.attachment(subject, evidence.id)  # …so neither its evidence
