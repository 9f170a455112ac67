"""The API's OpenAPI 3 description (issue 8) is valid, and matches the routes both ways: every /api/v1
route and method is described, every described path and method is served."""

from __future__ import annotations

import re

from flask import Flask
from openapi_spec_validator import validate

PREFIX = "/api/v1"


def test_the_openapi_document_is_valid_and_matches_every_route(app: Flask) -> None:
    client = app.test_client()
    response = client.get(f"{PREFIX}/openapi.json")  # no token needed
    assert response.status_code == 200
    spec = response.json
    validate(spec)
    described = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len(PREFIX) :]), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX) and rule.endpoint != "api.openapi"
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert described == served
    for needed in (
        "/instances",
        "/stats/{name}",
        "/deadlines",
        "/processes/{process_id}",
        "/tasks/{task_id}/extend",
    ):
        assert any(path == needed for path, _m in described), needed
    assert {p["name"] for p in spec["paths"]["/instances"]["get"]["parameters"]} >= {
        "q",
        "process",
        "page",
        "per_page",
    }
    assert (
        "reason"
        in spec["paths"]["/tasks/{task_id}/reassign"]["post"]["requestBody"]["content"]["application/json"][
            "schema"
        ]["properties"]
    )
    assert client.get(f"{PREFIX}/instances").status_code == 401  # the data itself still needs a token
