"""English second (issue 10 #10): a form that carries English (`title_en`, `description_en`, a rule's
`message_en`) shows it on English pages, field by field and in its refusals; the error pages and the
engine's common refusals are translated; a form that starts in English finishes in English."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import WORKFLOWS
from tests.web.conftest import csrf_of
from web.form_render import fields_of

EVALUATE = json.loads((WORKFLOWS / "clue_disposal/forms/evaluate.schema.json").read_text("utf-8"))
CONTRADICTION = EVALUATE["x-rules"][1]["message"]


def _fields(app: Flask, language: str) -> dict[str, object]:
    with app.test_request_context("/", headers={"Accept-Language": language}):
        return {f.name: f for f in fields_of(EVALUATE, {}, {}, {"report_untrue": CONTRADICTION})}


def test_a_forms_english_labels_help_and_rule_messages_show_on_english_pages(app: Flask) -> None:
    english = _fields(app, "en")["report_untrue"]
    assert english.label == "The report is untrue, or nothing proves a problem"  # type: ignore[attr-defined]
    assert english.help == "R2: accept the explanation and close"  # type: ignore[attr-defined]
    assert english.error.startswith("Contradictory findings")  # type: ignore[attr-defined]
    chinese = _fields(app, "zh")["report_untrue"]
    assert chinese.label == "反映不实，或没有证据证明存在问题"  # type: ignore[attr-defined]
    assert chinese.error == CONTRADICTION  # type: ignore[attr-defined]


def test_error_pages_speak_the_chosen_language(app: Flask) -> None:
    client = app.test_client()
    client.post("/lang/en", data={"csrf_token": csrf_of(client.get("/login").text), "next": "/login"})
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "Page not found" in page.text and "页面不存在" not in page.text


@pytest.mark.parametrize(
    "form",
    sorted(p for p in WORKFLOWS.glob("*/forms/*.schema.json") if "title_en" in p.read_text("utf-8")),
    ids=lambda p: p.stem,
)
def test_a_form_in_english_is_english_throughout(form: Path) -> None:
    """Half a form in English reads worse than none: every field and rule of it has its English."""
    schema = json.loads(form.read_text("utf-8"))
    untitled = [k for k, spec in schema["properties"].items() if not spec.get("title_en")]
    untold = [rule["message"] for rule in schema.get("x-rules", []) if not rule.get("message_en")]
    assert not untitled and not untold, (untitled, untold)
