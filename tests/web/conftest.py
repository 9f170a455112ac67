"""Web fixtures: the real app (CSRF on) around a fresh engine, and signing in as a demo user."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from tests.conftest import PASSWORDS
from web import create_app

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def engine(mini_engine: Engine) -> Engine:
    """The pages run on the small test process (tests/fixtures/mini)."""
    return mini_engine


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
