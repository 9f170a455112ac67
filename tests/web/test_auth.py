"""Signing in and out, CSRF, language switch and the security headers on every page."""

from __future__ import annotations

from flask import Flask

from tests.conftest import PASSWORDS
from tests.web.conftest import Browser, csrf_of


def test_pages_need_a_signed_in_user(browser: Browser) -> None:
    for path in ("/", "/instances", "/tasks/1", "/instances/1"):
        response = browser.client.get(path)
        assert response.status_code == 302
        assert "/login" in response.location


def test_wrong_password_is_refused_with_a_message(browser: Browser) -> None:
    browser.login("qianqi", "not-the-password")
    page = browser.client.get("/login")
    response = browser.client.post(
        "/login", data={"username": "qianqi", "password": "wrong", "csrf_token": csrf_of(page.text)}
    )
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    assert browser.client.get("/").status_code == 302


def test_sign_in_shows_the_inbox_and_sign_out_ends_the_session(browser: Browser) -> None:
    client = browser.login("qianqi")
    inbox = client.get("/")
    assert inbox.status_code == 200
    assert "钱七" in inbox.text and "我的待办" in inbox.text
    client.post("/logout", data={"csrf_token": csrf_of(inbox.text)})
    assert client.get("/").status_code == 302


def test_a_post_without_csrf_token_is_refused(browser: Browser) -> None:
    client = browser.login("zhaoliu")
    response = client.post("/processes/mini/start", data={"case_no": "M-001"})
    assert response.status_code == 400
    assert client.get("/instances").status_code == 200


def test_login_redirect_never_leaves_the_site(browser: Browser) -> None:
    page = browser.client.get("/login?next=//evil.example/x")
    response = browser.client.post(
        "/login?next=//evil.example/x",
        data={"username": "qianqi", "password": "pw-qianqi-123456", "csrf_token": csrf_of(page.text)},
    )
    assert response.status_code == 302
    assert response.location == "/"


def test_security_headers_and_cookie_flags(browser: Browser) -> None:
    page = browser.client.get("/login")
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-store"
    cookie = page.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_english_switch(browser: Browser) -> None:
    client = browser.login("qianqi")
    inbox = client.get("/")
    assert 'lang="zh-CN"' in inbox.text
    client.post("/lang/en", data={"csrf_token": csrf_of(inbox.text), "next": "/"})
    english = client.get("/")
    assert 'lang="en"' in english.text
    assert "My tasks" in english.text


def _from(app: Flask, address: str) -> Browser:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Browser(client)


def test_five_wrong_passwords_lock_out_the_address_not_the_person(app: Flask, engine) -> None:  # type: ignore[no-untyped-def]
    """Issue 11 #10: whoever guesses at 钱七's password locks out only his own address; 钱七 signs in from
    his desk as usual. The guesser's right password is refused alike until the lock ends."""
    from datetime import timedelta

    guesser = _from(app, "10.0.0.66")
    for _ in range(5):
        guesser.login("qianqi", "wrong-password-1")
    page = guesser.client.get("/login")
    locked = guesser.client.post(
        "/login",
        data={"username": "qianqi", "password": "pw-qianqi-123456", "csrf_token": csrf_of(page.text)},
    )
    assert (
        locked.status_code == 401 and "用户名或密码错误" in locked.text
    )  # the right password, refused alike
    desk = _from(app, "10.0.0.7").login("qianqi")
    assert desk.get("/").status_code == 200
    engine.clock.advance(timedelta(minutes=16))
    assert guesser.login("qianqi").get("/").status_code == 200


def test_an_address_that_keeps_guessing_is_throttled_whoever_it_guesses_at(app: Flask) -> None:
    """More than 10 refused sign-ins a minute from one address: 429 with a Chinese message, even for a
    right password; another address is not affected, and successful sign-ins never count."""
    for _ in range(3):
        _from(app, "10.0.0.9").login("zhaoliu")  # successes do not count
    guesser = _from(app, "10.0.0.66")
    for name in ("qianqi", "zhaoliu", "lisi", "nobody", "wangwu") * 2:
        guesser.login(name, "wrong-password-1")
    page = guesser.client.get("/login")
    refused = guesser.client.post(
        "/login",
        data={"username": "sunba", "password": PASSWORDS["sunba"], "csrf_token": csrf_of(page.text)},
    )
    assert refused.status_code == 429 and "尝试次数过多" in refused.text
    assert _from(app, "10.0.0.7").login("sunba").get("/").status_code == 200


def test_files_and_diagrams_stay_out_of_caches_but_static_assets_may_be_cached(  # type: ignore[no-untyped-def]
    browser: Browser, engine
) -> None:
    from tests.web.conftest import START

    case = engine.start(engine.actor_by_name("zhaoliu"), "mini", START)
    client = browser.login("zhaoliu")
    diagram = client.get(f"/instances/{case}/diagram.bpmn")
    assert diagram.status_code == 200 and diagram.headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")


def test_a_locked_account_costs_the_same_password_work_as_any_refusal(  # type: ignore[no-untyped-def]
    engine, monkeypatch
) -> None:
    """Unknown name, wrong password, locked account: each answer waits for one argon2 computation, so the
    time taken tells an attacker nothing about the account."""
    from engine import directory

    for _ in range(5):
        engine.authenticate("qianqi", "wrong-password-1", "10.0.0.66")
    work: list[str] = []
    hasher = directory._HASHER
    monkeypatch.setattr(directory, "_HASHER", _Counting(hasher, work))
    for username in ("nobody-at-all", "qianqi", "zhaoliu"):
        assert engine.authenticate(username, "wrong-password-2", "10.0.0.66") is None
    assert work == ["hash", "hash", "verify"]


class _Counting:
    def __init__(self, inner, seen: list[str]) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.seen = inner, seen

    def hash(self, password: str) -> str:
        self.seen.append("hash")
        return self.inner.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        self.seen.append("verify")
        return self.inner.verify(stored, password)


def test_behind_a_reverse_proxy_the_forwarded_address_is_the_one_locked_out(engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """QINGLIAN_PROXIES=1: every request comes from the proxy; X-Forwarded-For tells the clients apart."""
    from dataclasses import replace

    from web import create_app

    monkeypatch.setattr(engine.ctx, "settings", replace(engine.settings, proxies=1))
    app = create_app(engine.settings, engine)

    def via_proxy(client_address: str) -> Browser:
        client = _from(app, "127.0.0.1")
        client.client.environ_base["HTTP_X_FORWARDED_FOR"] = client_address
        return client

    guesser = via_proxy("203.0.113.5")
    for _ in range(5):
        guesser.login("qianqi", "wrong-password-1")
    assert guesser.login("qianqi").get("/").status_code == 302  # still locked out: back to the login page
    assert via_proxy("198.51.100.7").login("qianqi").get("/").status_code == 200
