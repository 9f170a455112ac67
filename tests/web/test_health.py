"""Probes for the operator (issue 11 #11): /healthz answers while the process lives; /readyz only while
the database answers and its schema is current — 503 with the reason otherwise. Neither needs a sign-in
or shows any data."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from engine import Engine, Settings
from tests.conftest import WORKFLOWS
from web import create_app


def test_a_serving_deployment_is_alive_and_ready_without_signing_in(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "alive"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json() == {"status": "ready"}
    assert ready.headers["Cache-Control"] == "no-store"


def test_a_database_with_migrations_pending_is_not_ready(tmp_path: Path) -> None:
    engine = Engine(Settings(instance_dir=str(tmp_path), workflows_dir=str(WORKFLOWS)))  # no init_schema
    answer = create_app(engine.settings, engine).test_client().get("/readyz")
    assert answer.status_code == 503 and "migrations pending" in answer.get_json()["problems"][0]
    assert create_app(engine.settings, engine).test_client().get("/healthz").status_code == 200


def test_an_unreachable_database_is_not_ready(tmp_path: Path) -> None:
    settings = Settings(
        instance_dir=str(tmp_path),
        workflows_dir=str(WORKFLOWS),
        database_url="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2",
    )
    engine = Engine(settings)
    answer = create_app(settings, engine).test_client().get("/readyz")
    assert answer.status_code == 503 and "database unreachable" in answer.get_json()["problems"][0]
