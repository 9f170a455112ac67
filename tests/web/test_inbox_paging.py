"""An office with more open steps than one page: the inbox counts them all and pages through them,
on the page and in the API, most urgent first."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select, update

from engine import Engine
from engine.db.models import HumanTask
from tests.web.conftest import START

CASES = 5


@pytest.fixture
def busy(engine: Engine) -> list[int]:
    """Five cases waiting for 钱七's 送达, three of the steps with a deadline (set here out of the order of
    their ids) and two without: their ids in the order an officer must see them, most urgent first."""
    registrar = engine.actor_by_name("zhaoliu")
    for n in range(CASES):
        engine.start(registrar, "mini", {**START, "case_no": f"M-{200 + n}"})  # type: ignore[arg-type]
    with engine.ctx.db.transaction() as session:
        ids = sorted(session.scalars(select(HumanTask.id).where(HumanTask.status == "ready")))
        assert len(ids) == CASES
        due = {ids[0]: date(2025, 10, 20), ids[3]: date(2025, 10, 9), ids[4]: date(2025, 10, 15)}
        for task_id, day in due.items():
            session.execute(update(HumanTask).where(HumanTask.id == task_id).values(due_date=day))
    return [ids[3], ids[4], ids[0], ids[1], ids[2]]


def test_the_api_pages_through_every_step_and_counts_them(
    app: Flask, engine: Engine, busy: list[int]
) -> None:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {engine.issue_token('qianqi')}"}
    seen: list[int] = []
    url = "/api/v1/tasks?per_page=2"
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        assert response.headers["X-Total-Count"] == str(CASES)
        assert len(response.json) <= 2
        seen += [t["id"] for t in response.json]
        link = re.fullmatch(r'<([^>]+)>; rel="next"', response.headers.get("Link", ""))
        url = link.group(1) if link else ""
    assert seen == busy  # every step once, in the inbox's order


@pytest.mark.parametrize(
    ("query", "field"), [("per_page=0", "per_page"), ("per_page=201", "per_page"), ("page=0", "page"),
                         ("page=two", "page"), ("per_page=many", "per_page")],
)  # fmt: skip
def test_a_page_that_cannot_be_read_is_refused_in_words(
    app: Flask, engine: Engine, busy: list[int], query: str, field: str
) -> None:
    headers = {"Authorization": f"Bearer {engine.issue_token('qianqi')}"}
    response = app.test_client().get(f"/api/v1/tasks?{query}", headers=headers)
    assert response.status_code == 400
    assert re.search("[\u4e00-\u9fff]", response.json["errors"][field])


def test_the_inbox_page_shows_the_whole_count_and_the_next_page(
    as_user, busy: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("web.tasks.INBOX_PAGE", 2)
    officer = as_user("qianqi").client
    first = officer.get("/").text
    assert '<span class="count">5</span>' in first
    assert "第 1 / 3 页，共 5 项" in first
    assert _steps(first) == busy[:2]
    last = officer.get("/?page=3").text
    assert _steps(last) == busy[4:]
    assert 'rel="prev"' in last and 'rel="next"' not in last
    beyond = officer.get("/?page=9")  # e.g. the last page's steps were just done
    assert beyond.status_code == 302 and beyond.location.endswith("/?page=3")


def _steps(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/tasks/(\d+)" data-task=', html)]  # the table, not the notices
