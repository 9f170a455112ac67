"""Signing in and out, CSRF, language switch and the security headers on every page."""

from __future__ import annotations

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


def test_five_wrong_passwords_lock_the_account_for_a_while(browser: Browser, engine) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    for _ in range(5):
        browser.login("qianqi", "wrong-password-1")
    page = browser.client.get("/login")
    locked = browser.client.post(
        "/login",
        data={"username": "qianqi", "password": "pw-qianqi-123456", "csrf_token": csrf_of(page.text)},
    )
    assert (
        locked.status_code == 401 and "用户名或密码错误" in locked.text
    )  # the right password, refused alike
    engine.clock.advance(timedelta(minutes=16))
    browser.login("qianqi")
    assert browser.client.get("/").status_code == 200


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
        engine.authenticate("qianqi", "wrong-password-1")
    work: list[str] = []
    hasher = directory._HASHER
    monkeypatch.setattr(directory, "_HASHER", _Counting(hasher, work))
    for username in ("nobody-at-all", "qianqi", "zhaoliu"):
        assert engine.authenticate(username, "wrong-password-2") is None
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
