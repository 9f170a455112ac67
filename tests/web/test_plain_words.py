"""No page speaks the machine's language (issue 9 #11): every demo account opens its inbox, the case list,
the dashboard, its notices and every task and case page linked from them, and none shows a code (THHX,
SJJ, JC1, DJ:警告), a variable or message name (subject_unit, case_filed) or a Python value (True, False,
None, “<built-in method items of dict object at 0x…>”). A clue is a 线索 until 立案, then a 案件; inspections
and 整改 are 事项."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from engine.db.models import ProcessInstance
from tests.conftest import PASSWORDS

RAW = re.compile(
    r"(?<![A-Za-z0-9_/.#-])"
    r"([A-Z]{2,}[0-9]*|[A-Z]+:\S+|True|False|None|[a-z]+_[a-z0-9_]+|object at 0x[0-9a-f]+)"
    r"(?![A-Za-z0-9_-])"
)
WORDS = {"PDF", "DOCX", "CSV", "XLSX", "KB", "SHA", "API", "BPMN", "GB"}  # what people read as words
PAGES = 40  # per person: enough to reach every kind of page


def _text(html: str) -> str:
    html = re.sub(r"(?s)<script.*?</script>|<style.*?</style>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"(?s)<[^>]+>", " ", html))


def _crawl(app: Flask, username: str) -> dict[str, str]:
    client = app.test_client()
    client.post("/login", data={"username": username, "password": PASSWORDS[username]})
    pages, todo = {}, ["/", "/instances", "/dashboard", "/notifications"]
    while todo and len(pages) < PAGES:
        url = todo.pop(0)
        if url in pages:
            continue
        answer = client.get(url)
        pages[url] = answer.text if answer.status_code == 200 and "html" in answer.content_type else ""
        todo += [u for u in re.findall(r'href="(/(?:tasks|instances)/\d+)"', pages[url]) if u not in pages]
    return pages


def test_no_page_of_any_demo_account_shows_a_code_a_key_or_a_boolean(demo) -> None:  # type: ignore[no-untyped-def]
    engine, app = demo
    found: dict[str, str] = {}
    for actor, _unit in engine.users():
        for url, html in _crawl(app, actor.username).items():
            text = _text(html)
            for raw in RAW.finditer(text):
                if raw.group(1) not in WORDS:
                    where = f"{actor.username} {url}: …{text[max(0, raw.start() - 60) : raw.end() + 20]}…"
                    found.setdefault(raw.group(1), where)
    assert found == {}


def test_a_clue_is_a_clue_until_it_is_filed_and_inspections_are_matters(demo) -> None:  # type: ignore[no-untyped-def]
    engine, app = demo
    client = app.test_client()
    client.post("/login", data={"username": "zhangsan", "password": PASSWORDS["zhangsan"]})
    with engine.ctx.db.reading() as session:
        cases = session.execute(select(ProcessInstance.id, ProcessInstance.process_id)).all()
    nouns = set()
    for case_id, process_id in cases:
        noun = re.search(r'<span class="badge noun">([^<]+)</span>', client.get(f"/instances/{case_id}").text)
        assert noun, case_id
        nouns.add((process_id, noun.group(1)))
    assert {key for key in nouns if key[0] == "clue_disposal"} == {
        ("clue_disposal", "线索"),
        ("clue_disposal", "案件"),
    }
    assert {n for p, n in nouns if p in ("unit_inspection", "rectification", "inspection_plan")} == {"事项"}


def test_sealed_identity_is_a_name_for_the_petitions_office_and_nothing_else(demo) -> None:  # type: ignore[no-untyped-def]
    """Issue 11 #8 on the pages: 信访室 reads the demo's real-name reporter; nobody's page — not even in a
    form field's value — carries a token or a keyed hash, and nobody else reads the name."""
    engine, app = demo
    reporter = "欧阳建华"
    for actor, _unit in engine.users():
        pages = _crawl(app, actor.username)
        tokens = [url for url, html in pages.items() if "sealed:" in html or "keyed:" in html]
        assert tokens == [], actor.username
        shown = any(reporter in html for html in pages.values())
        assert shown is ("XF" in actor.roles), actor.username
