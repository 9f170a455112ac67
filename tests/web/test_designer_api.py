"""The designers' JSON API (issue 13): an API client does what the /designer pages do — read the
library and the draft, save, validate with each problem pinned, deploy, diff, pre-check and migrate —
and nobody else reaches any of it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import Engine
from tests.conftest import FIXTURES, build_engine, make_workflows_dir


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    built = build_engine(tmp_path, make_workflows_dir(tmp_path, FIXTURES / "mini"))
    yield built
    built.close()


def _client(app, engine: Engine, username: str):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {engine.issue_token(username)}"}
    client = app.test_client()

    def call(method: str, path: str, **kw):  # type: ignore[no-untyped-def]
        return client.open(f"/api/v1/designer{path}", method=method, headers=headers, **kw)

    return call


def test_a_designer_edits_validates_deploys_and_migrates_over_the_api(app, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    fang, xu = _client(app, engine, "fangzheng"), _client(app, engine, "xuming")
    library = fang("GET", "/processes").json["processes"]
    assert [(p["process_id"], p["versions"][0]["version"]) for p in library] == [("mini", 1)]
    draft = fang("GET", "/processes/mini/draft").json
    sources = draft["sources"]
    broken = {
        **sources,
        "process.bpmn": sources["process.bpmn"].replace('name="分管副书记"', 'name="无人科室"'),
    }
    assert fang("PUT", "/processes/mini/draft", json={"sources": broken, "note": "试改"}).status_code == 200
    checked = fang("POST", "/processes/mini/validate").json
    assert not checked["valid"] and {"lane_fg", "escalate"} <= {p["element"] for p in checked["problems"]}
    assert fang("POST", "/processes/mini/deploy").status_code == 400  # an invalid draft is not deployed
    renamed = {
        **sources,
        "process.bpmn": sources["process.bpmn"].replace('name="答复函询"', 'name="答复函询材料"'),
    }
    fang("PUT", "/processes/mini/draft", json={"sources": renamed})
    assert fang("POST", "/processes/mini/validate").json == {"valid": True, "problems": []}
    deployed = fang("POST", "/processes/mini/deploy")
    assert deployed.status_code == 201 and deployed.json["version"] == 2
    assert all(s["passed"] for s in deployed.json["scenarios"])
    diff = fang("GET", "/processes/mini/diff?from=1&to=2").json
    assert [(e["element"], e["changes"][0]["after"]) for e in diff["changed"]] == [("reply", "答复函询材料")]
    assert fang("GET", "/processes/mini/migration?version=2").status_code == 403  # administrators only
    assert xu("GET", "/processes/mini/migration?version=2").json == {"cases": []}
    refused = xu("POST", "/processes/mini/migration", json={"version": 2, "instances": [], "reason": ""})
    assert refused.status_code == 422 and "理由" in refused.json["error"]


def test_an_upload_is_checked_and_a_hostile_file_refused(app, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    fang = _client(app, engine, "fangzheng")
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    refused = fang("POST", "/processes/mini/files", data={"file": (io.BytesIO(evil), "process.bpmn")})
    assert refused.status_code == 422 and "DOCTYPE" in refused.json["error"]
    form = (
        b'{"type": "object", "properties": {"note": {"type": "string", "title": "\xe8\xaf\xb4\xe6\x98\x8e"}}}'
    )
    sent = {"file": (io.BytesIO(form), "note.schema.json"), "name": "forms/note.schema.json"}
    kept = fang("POST", "/processes/mini/files", data=sent)
    assert kept.status_code == 200 and "forms/note.schema.json" in kept.json["files"]
    imported = fang(
        "POST",
        "/import",
        data={"file": (io.BytesIO((FIXTURES / "foreign" / "camunda_review.bpmn").read_bytes()), "x.bpmn")},
    )
    assert imported.status_code == 201 and imported.json["process_id"] == "clue_review"


@pytest.mark.parametrize("username", ["zhangsan", "qianqi", "zhaoliu"])
def test_no_one_but_designers_reaches_the_designer_api(app, engine: Engine, username: str) -> None:  # type: ignore[no-untyped-def]
    other = _client(app, engine, username)
    assert other("GET", "/processes").status_code == 404
    assert other("GET", "/processes/mini/draft").status_code == 404
    assert other("POST", "/processes/mini/deploy").status_code == 404
