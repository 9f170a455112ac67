"""Web fixtures: the real app (CSRF on) around a fresh engine, and signing in as a demo user."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from tests.conftest import FIXTURES, PASSWORDS, build_engine, make_workflows_dir
from web import create_app

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = build_engine(tmp_path, make_workflows_dir(tmp_path, FIXTURES / "mini"))
    yield engine
    engine.close()


@pytest.fixture
def app(engine: Engine) -> Flask:
    return create_app(engine.settings, engine)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "page has no CSRF token"
    return found.group(1)


class Browser:
    """A test client that signs in like a person: fetch the login page, post the form."""

    def __init__(self, client: FlaskClient):
        self.client = client

    def login(self, username: str, password: str | None = None) -> FlaskClient:
        page = self.client.get("/login")
        response = self.client.post(
            "/login",
            data={
                "username": username,
                "password": password or PASSWORDS[username],
                "csrf_token": csrf_of(page.text),
            },
        )
        assert response.status_code in (302, 401)
        return self.client

    def post_form(self, url: str, data: dict, **kwargs) -> object:  # type: ignore[no-untyped-def]
        page = self.client.get(url)
        return self.client.post(url, data={**data, "csrf_token": csrf_of(page.text)}, **kwargs)


@pytest.fixture
def browser(app: Flask) -> Browser:
    return Browser(app.test_client())


@pytest.fixture
def as_user(app: Flask):  # type: ignore[no-untyped-def]
    """as_user("qianqi") → a client signed in as that demo user (each call a new client)."""

    def make(username: str) -> Browser:
        b = Browser(app.test_client())
        b.login(username)
        return b

    return make


START = {
    "case_no": "M-100",
    "subject_name": "冯乙",
    "subject_unit": "SJJ",
    "subject_user": "fengyi",
    "handling_office": "JC1",
}
