"""The case page lists its linked cases (触发自 / 已启动, titles only where visible) and its numbered
documents with PDF and DOCX downloads."""

from __future__ import annotations

import re

from engine import Engine
from tests.web.test_table_fields import TWO_ROWS, engine, plan_url, start_case

__all__ = ["engine"]  # the fixture: web_table, whose plan step issues 整改通知书 and starts web_rectify


def _linked_pair(as_user, engine: Engine) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """The table case with its plan done (document issued, message thrown), and the case it started."""
    source = start_case(as_user)
    officer = as_user("qianqi")
    assert officer.post_form(plan_url(officer), TWO_ROWS).status_code == 303
    supervisor = engine.actor_by_name("zhaoliu")
    assert supervisor is not None
    (link,) = engine.instance(supervisor, source).links
    assert link.instance_id is not None
    return source, link.instance_id


def _section(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[start : page.index("</section>", start)]


def test_both_case_pages_show_the_link_to_those_who_see_both(as_user, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    source, target = _linked_pair(as_user, engine)
    supervisor = as_user("zhaoliu").client
    links = _section(supervisor.get(f"/instances/{source}").text, "links")
    assert "关联的线索、案件和事项" in links and "已启动" in links and "整改测试" in links
    assert f'<a href="/instances/{target}">整改 T-001</a>' in links
    assert "办理中" in links and "无权查看" not in links
    back = _section(supervisor.get(f"/instances/{target}").text, "links")
    assert "触发自" in back and "表格字段测试" in back
    assert f'<a href="/instances/{source}">T-001 韩梅</a>' in back


def test_a_linked_case_one_may_not_see_is_listed_without_its_title(as_user, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    source, target = _linked_pair(as_user, engine)
    officer = as_user("qianqi").client  # handled the table case, takes no part in the rectification
    links = _section(officer.get(f"/instances/{source}").text, "links")
    assert "已启动" in links and "无权查看" in links
    assert "整改 T-001" not in links and f"/instances/{target}" not in links
    assert officer.get(f"/instances/{target}").status_code == 404
    reviewer = as_user("zhoujiu").client  # 党风政风监督室: the rectification only
    back = _section(reviewer.get(f"/instances/{target}").text, "links")
    assert "触发自" in back and "无权查看" in back and "韩梅" not in back


def test_the_documents_section_lists_number_title_date_downloads_and_hash(as_user, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    source, target = _linked_pair(as_user, engine)
    supervisor = as_user("zhaoliu").client
    page = supervisor.get(f"/instances/{source}").text
    docs = _section(page, "documents")
    supervisor_actor = engine.actor_by_name("zhaoliu")
    assert supervisor_actor is not None
    (doc,) = engine.instance(supervisor_actor, source).documents
    assert "文书" in docs and "示纪整改〔2025〕1号" in docs and "整改通知书" in docs
    assert "2025-09-01" in docs and f"{doc.sha256[:12]}…" in docs
    pdf = re.search(r'href="(/attachments/\d+)"[^>]*>PDF<', docs)
    docx = re.search(r'href="(/attachments/\d+)"[^>]*>DOCX<', docs)
    assert pdf and docx
    download = supervisor.get(pdf.group(1))
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    download.close()
    download = supervisor.get(docx.group(1))
    assert download.status_code == 200 and download.data.startswith(b"PK")  # a DOCX is a zip
    download.close()
    assert 'id="documents"' not in supervisor.get(f"/instances/{target}").text  # it issued none


def test_submitted_tables_read_as_tables_in_the_history(as_user, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    source, _ = _linked_pair(as_user, engine)
    page = as_user("zhaoliu").client.get(f"/instances/{source}").text
    tables = re.findall(r'<table class="data-rows">.*?</table>', page, re.S)
    assert any('<th scope="col">姓名</th>' in t and "<td>0371-1234</td>" in t for t in tables)  # contacts
    assert any('<th scope="col">整改措施</th>' in t and "<td>建立台账</td>" in t for t in tables)  # tasks
    assert "[{" not in page


def test_the_sections_are_in_english_for_english_readers(as_user, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    source, _ = _linked_pair(as_user, engine)
    page = as_user("qianqi").client.get(f"/instances/{source}", headers={"Accept-Language": "en"}).text
    assert "Linked clues, cases and matters" in _section(page, "links") and "Not visible to you" in page
    assert "Documents" in _section(page, "documents") and "Started" in page
