"""Officers on the pages: forms keep what was typed, uploads are checked, double submits are refused."""

from __future__ import annotations

import io
import re

from flask import Flask

from engine import Engine
from tests.web.conftest import START, Browser, csrf_of
from web.form_render import render_instructions

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _register(as_user) -> tuple[Browser, int]:  # type: ignore[no-untyped-def]
    registrar = as_user("zhaoliu")
    response = registrar.post_form("/processes/mini/start", START)
    assert response.status_code == 303
    return registrar, int(response.location.rsplit("/", 1)[1])


def _reply_step(as_user):  # type: ignore[no-untyped-def]
    """A registered case served by 钱七: (registrar, case id, 冯乙's client, his 答复函询 step's URL)."""
    registrar, instance_id = _register(as_user)
    officer = as_user("qianqi").client
    officer.post(
        _first_task(officer, "送达函询"),
        data={"csrf_token": csrf_of(officer.get("/").text), "served_at": "2025-09-26"},
    )
    subject = as_user("fengyi").client
    return registrar, instance_id, subject, _first_task(subject, "答复函询")


def _first_task(client, title: str) -> str:  # type: ignore[no-untyped-def]
    inbox = client.get("/").text
    found = re.search(rf'href="(/tasks/\d+)"[^>]*>{title}<', inbox)
    assert found, f"{title} not in inbox"
    return found.group(1)


def test_start_form_errors_are_per_field_and_keep_the_input(as_user) -> None:  # type: ignore[no-untyped-def]
    registrar = as_user("zhaoliu")
    response = registrar.post_form("/processes/mini/start", {"case_no": "M-1", "subject_name": "冯乙"})
    assert response.status_code == 400
    page = response.text
    assert 'id="err-case_no"' in page and "格式不符合要求" in page
    assert 'id="err-subject_unit"' in page and "此项为必填项" in page
    assert 'value="冯乙"' in page and 'value="M-1"' in page
    assert 'aria-describedby="err-case_no"' in page


def test_complete_through_the_page_then_a_second_submit_is_refused(as_user) -> None:  # type: ignore[no-untyped-def]
    _register(as_user)
    officer = as_user("qianqi").client
    url = _first_task(officer, "送达函询")
    form = officer.get(url)
    assert "请记录 M-100 的送达日期" in form.text  # instructions rendered with the case data
    token = csrf_of(form.text)
    first = officer.post(url, data={"csrf_token": token, "served_at": "2025-09-26"})
    assert first.status_code == 303
    second = officer.post(url, data={"csrf_token": token, "served_at": "2025-09-26"})
    assert second.status_code == 409
    assert "已被他人处理" in second.text


def test_upload_accepts_a_pdf_and_refuses_a_disguised_file(as_user, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    registrar, instance_id, subject, url = _reply_step(as_user)
    token = csrf_of(subject.get(url).text)
    fake = subject.post(
        url,
        data={
            "csrf_token": token,
            "admits": "false",
            "reply_text": "说明",
            "reply_file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "说明.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert fake.status_code == 400 and "文件类型不被接受" in fake.text
    ok = subject.post(
        url,
        data={
            "csrf_token": token,
            "admits": "false",
            "reply_text": "说明",
            "reply_file": (io.BytesIO(PDF), "说明材料.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert ok.status_code == 303
    case_page = registrar.client.get(f"/instances/{instance_id}").text
    link = re.search(r'href="(/attachments/\d+)">说明材料.pdf<', case_page)
    assert link
    download = registrar.client.get(link.group(1))
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    download.close()
    assert as_user("wangwu").client.get(link.group(1)).status_code == 404


def test_an_upload_over_the_limit_gets_413(app: Flask, as_user) -> None:  # type: ignore[no-untyped-def]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    _register(as_user)
    officer = as_user("qianqi").client
    url = _first_task(officer, "送达函询")
    response = officer.post(
        url,
        data={"served_at": "2025-09-26", "blob": (io.BytesIO(b"x" * 4096), "big.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "超过大小限制" in response.text


def test_an_outsider_gets_404_on_the_case_page_and_task_page(as_user) -> None:  # type: ignore[no-untyped-def]
    _, instance_id = _register(as_user)
    officer = as_user("qianqi").client
    task_url = _first_task(officer, "送达函询")
    outsider = as_user("wangwu").client
    assert outsider.get(f"/instances/{instance_id}").status_code == 404
    assert outsider.get(f"/instances/{instance_id}/diagram.bpmn").status_code == 404
    assert outsider.get(task_url).status_code == 404


def test_the_deadline_board_shows_open_deadlines_of_visible_cases_only(as_user, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    _register(as_user)
    officer = as_user("qianqi").client
    officer.post(
        _first_task(officer, "送达函询"),
        data={"csrf_token": csrf_of(officer.get("/").text), "served_at": "2025-09-26"},
    )
    board = as_user("lisi").client.get("/deadlines")
    assert board.status_code == 200
    assert "2025-10-23" in board.text and "答复函询" in board.text and "M-100 冯乙" in board.text
    assert "答复函询" not in as_user("wangwu").client.get("/deadlines").text  # takes no part in the case
    assert "期限看板" in board.text
    assert "期限看板" not in as_user("fengyi").client.get("/").text  # a person concerned has only his inbox


def test_every_look_at_a_case_is_audited_but_not_shown_as_a_step(as_user, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    registrar, instance_id = _register(as_user)

    def kinds() -> list[str]:
        from sqlalchemy import select

        from engine.db.models import AuditEvent

        with engine.ctx.db.reading() as session:
            rows = session.execute(
                select(AuditEvent.kind, AuditEvent.actor).where(AuditEvent.instance_id == instance_id)
            )
            return [f"{kind}:{actor}" for kind, actor in rows]

    before = kinds()
    page = registrar.client.get(f"/instances/{instance_id}")
    registrar.client.get(f"/instances/{instance_id}/diagram.json")
    assert kinds() == [*before, "case_viewed:zhaoliu"]  # one page view, one row (the diagram is part of it)
    assert as_user("wangwu").client.get(f"/instances/{instance_id}").status_code == 404
    assert kinds()[-1] == "case_view_denied:wangwu"  # refused looks are kept too
    assert "case_viewed" not in page.text and "发起" in page.text
    assert engine.verify_audit() is None


def test_a_failed_step_shows_up_as_an_incident_for_supervisors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from tests.conftest import FIXTURES, build_engine, make_workflows_dir
    from tests.web.conftest import Browser
    from web import create_app

    broken = tmp_path / "src" / "mini"
    shutil.copytree(FIXTURES / "mini", broken)
    bpmn = broken / "process.bpmn"
    bpmn.write_text(
        bpmn.read_text("utf-8").replace(
            "reply_due = add_working_days", "reply_due = 1 / 0 or add_working_days"
        ),
        "utf-8",
    )
    engine = build_engine(tmp_path, make_workflows_dir(tmp_path, broken))
    app = create_app(engine.settings, engine)
    try:
        registrar = Browser(app.test_client())
        registrar.login("zhaoliu")
        registrar.post_form("/processes/mini/start", START)
        officer = Browser(app.test_client())
        officer.login("qianqi")
        url = _first_task(officer.client, "送达函询")
        failed = officer.client.post(
            url, data={"csrf_token": csrf_of(officer.client.get(url).text), "served_at": "2025-09-26"}
        )
        assert failed.status_code == 422 and "计算期限" in failed.text  # the step that failed, named
        assert "送达函询" in officer.client.get("/").text  # rolled back: still to do
        supervisor = Browser(app.test_client())
        supervisor.login("lisi")
        board = supervisor.client.get("/deadlines").text
        assert "运行异常" in board and "ZeroDivisionError" in board and "M-100 冯乙" in board
        outsider = Browser(app.test_client())
        outsider.login("wangwu")
        assert "运行异常" not in outsider.client.get("/deadlines").text
    finally:
        engine.close()


def test_a_value_ending_its_own_sentence_does_not_double_the_full_stop() -> None:
    shown = render_instructions("分管副书记意见：{{ fg_opinion }}。请审批。", {"fg_opinion": "同意。"})
    assert shown == "分管副书记意见：同意。请审批。"


def test_instructions_read_a_rows_field_named_like_a_method() -> None:
    """The monthly 通报's drafting step lists each department's 到期 count, the row's field `items`."""
    template = "{% for r in bulletin_rows %}{{ r.department }}：到期{{ r.items }}件；{% endfor %}"
    shown = render_instructions(
        template, {"bulletin_rows": [{"department": "县市场监督管理局", "items": 12}]}
    )
    assert shown == "县市场监督管理局：到期12件；"


def test_a_refused_form_attaches_nothing_and_keeps_the_file_for_the_corrected_one(as_user) -> None:  # type: ignore[no-untyped-def]
    """Issue 11 #10: the reply is refused (no 说明材料 typed); its PDF is not on the case — not in the file
    list, not downloadable by the office — yet the page keeps it, and the corrected reply attaches it."""
    registrar, instance_id, subject, url = _reply_step(as_user)
    token = csrf_of(subject.get(url).text)
    refused = subject.post(
        url,
        data={
            "csrf_token": token,
            "admits": "false",
            "reply_text": "",
            "reply_file": (io.BytesIO(PDF), "说明.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    kept = re.search(r'name="reply_file__kept" value="([0-9a-f]{64})"', refused.text)
    assert kept, "the refused page keeps the upload"
    case_page = registrar.client.get(f"/instances/{instance_id}").text
    assert "说明.pdf" not in case_page and "上传附件" not in case_page
    accepted = subject.post(
        url,
        data={
            "csrf_token": token,
            "admits": "false",
            "reply_text": "情况说明",
            "reply_file__kept": kept.group(1),
        },
    )
    assert accepted.status_code == 303
    assert re.search(
        r'href="/attachments/\d+">说明.pdf<', registrar.client.get(f"/instances/{instance_id}").text
    )


def test_an_api_client_uploads_then_names_the_file_in_its_submission(app: Flask, engine: Engine) -> None:
    """Everything the page does, the API does: POST /api/v1/uploads answers the sha256 the form's field
    takes; the file joins the case when the completion naming it is accepted."""
    case = engine.start(engine.actor_by_name("zhaoliu"), "mini", START)  # type: ignore[arg-type]
    officer = engine.actor_by_name("qianqi")
    serve = next(t for t in engine.inbox(officer) if t.instance_id == case)  # type: ignore[arg-type]
    engine.complete(officer, serve.id, {"served_at": "2025-09-26"})  # type: ignore[arg-type]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {engine.issue_token('fengyi')}"}
    reply = next(t for t in engine.inbox(engine.actor_by_name("fengyi")) if t.instance_id == case)  # type: ignore[arg-type]
    upload = client.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(PDF), "答复.pdf"), "instance_id": str(case)},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201 and upload.json["pending"] is True
    sha = upload.json["sha256"]
    staff = {"Authorization": f"Bearer {engine.issue_token('zhaoliu')}"}
    assert client.get(f"/api/v1/instances/{case}/attachments", headers=staff).json == []
    no_file = client.post("/api/v1/uploads", data={}, headers=headers, content_type="multipart/form-data")
    assert no_file.status_code == 400 and "file" in no_file.json["errors"]
    body = {"data": {"admits": False, "reply_text": "情况说明", "reply_file": sha}}
    assert client.post(f"/api/v1/tasks/{reply.id}/complete", json=body, headers=headers).status_code == 200
    listed = client.get(f"/api/v1/instances/{case}/attachments", headers=staff).json
    assert [(a["filename"], a["sha256"]) for a in listed] == [("答复.pdf", sha)]
