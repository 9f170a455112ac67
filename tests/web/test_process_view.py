"""The process view (issue 8): a version's diagram with the cases on each step and how many are
overdue; each step links to its cases; only supervisors get the page."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime

from flask import Flask

from engine import CHINA_TZ, Engine
from tests.web.conftest import START, Browser


def test_each_step_shows_its_cases_and_links_to_them(app: Flask, engine: Engine) -> None:
    manager = engine.actor_by_name("zhaoliu")
    first = engine.start(manager, "mini", START)  # type: ignore[arg-type]
    second = engine.start(manager, "mini", {**START, "case_no": "M-101"})  # type: ignore[arg-type]
    officer = engine.actor_by_name("qianqi")
    serve = next(t for t in engine.inbox(officer) if t.instance_id == first)  # type: ignore[arg-type]
    engine.complete(officer, serve.id, {"served_at": "2025-09-26"})  # type: ignore[arg-type]  # reply due 10-23
    engine.clock.set(datetime(2025, 10, 24, 9, tzinfo=CHINA_TZ))  # type: ignore[attr-defined]  # overdue now
    lead = Browser(app.test_client())
    lead.login("lisi")
    page = lead.client.get("/processes/mini/view").text
    counts = json.loads(html.unescape(re.search(r'data-counts="([^"]*)"', page).group(1)))  # type: ignore[union-attr]
    assert {k: (v["active"], v["overdue"]) for k, v in counts.items()} == {"serve": (1, 0), "reply": (1, 1)}
    listed = lead.client.get(counts["reply"]["url"]).text
    assert re.findall(r'<a href="/instances/(\d+)">', listed) == [str(first)]
    assert str(second) in re.findall(
        r'<a href="/instances/(\d+)">', lead.client.get(counts["serve"]["url"]).text
    )
    assert lead.client.get("/processes/mini/view.bpmn").text.startswith("<?xml")
    outsider = Browser(app.test_client())
    outsider.login("wangwu")
    assert outsider.client.get("/processes/mini/view").status_code == 404
    assert outsider.client.get("/processes/mini/view.bpmn").status_code == 404
    assert lead.client.get("/processes/nope/view").status_code == 404
