"""Sessions that can end (issue 11 #4): a cookie saved before a logout, a password change or a disabled
account no longer signs anyone in, and a session left idle longer than the setting ends."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient

from engine import CHINA_TZ, Engine, FrozenClock
from tests.web.conftest import Browser, csrf_of


def _signed_in(app: Flask, username: str) -> tuple[FlaskClient, str]:
    """A client signed in as `username`, and its session cookie as a thief would save it."""
    client = Browser(app.test_client()).login(username)
    assert client.get("/").status_code == 200
    cookie = client.get_cookie("session")
    assert cookie is not None
    return client, cookie.value


def _with_cookie(app: Flask, value: str) -> int:
    """The status of the inbox for a fresh browser that presents the saved cookie."""
    stranger = app.test_client()
    stranger.set_cookie("session", value)
    return stranger.get("/").status_code


def test_a_cookie_saved_before_logout_is_worth_nothing_after_it(app: Flask) -> None:
    client, saved = _signed_in(app, "zhaoliu")
    assert _with_cookie(app, saved) == 200  # the copy works while the session is open
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    assert _with_cookie(app, saved) == 302  # to the login page


def test_a_new_password_or_a_disabled_account_ends_every_open_session(app: Flask, engine: Engine) -> None:
    _, first = _signed_in(app, "zhaoliu")
    _, second = _signed_in(app, "zhaoliu")
    assert engine.set_password("zhaoliu", "a-new-long-password") == 2
    assert _with_cookie(app, first) == 302 and _with_cookie(app, second) == 302
    _, wangwu = _signed_in(app, "wangwu")
    assert engine.disable_account("wangwu") == 1
    assert _with_cookie(app, wangwu) == 302
    assert engine.authenticate("wangwu", "whatever-password") is None


def test_a_session_left_idle_longer_than_the_setting_ends(app: Flask, engine: Engine) -> None:
    wall = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=CHINA_TZ))
    engine.sign_ins.clock = wall  # idleness runs on the wall clock, not on the engine's
    client, _ = _signed_in(app, "zhaoliu")
    idle = timedelta(minutes=engine.settings.idle_minutes)
    wall.advance(idle - timedelta(minutes=1))
    assert client.get("/").status_code == 200  # in use: kept open, and its idle time starts again
    wall.advance(idle - timedelta(minutes=1))
    assert client.get("/").status_code == 200
    wall.advance(idle + timedelta(minutes=1))
    assert client.get("/").status_code == 302


def test_moving_the_engines_clock_by_days_keeps_a_person_signed_in(app: Flask, engine: Engine) -> None:
    """A demo or a test jumps the business clock to a step's due day; the person at the browser has not
    been idle."""
    client, _ = _signed_in(app, "zhaoliu")
    engine.clock.advance(timedelta(days=20))  # type: ignore[attr-defined]
    assert client.get("/").status_code == 200
