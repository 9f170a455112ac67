"""API tokens that can end (issue 11 #6): a token expires, can be revoked, is listed per person without
itself, and stops working for a disabled or locked account."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from engine import Engine


def _status(app: Flask, token: str) -> int:
    return app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_token_works_until_it_expires(app: Flask, engine: Engine) -> None:
    token = engine.issue_token("zhaoliu", days=2)
    assert _status(app, token) == 200
    engine.clock.advance(timedelta(days=2, minutes=1))  # type: ignore[attr-defined]
    assert _status(app, token) == 401


def test_a_revoked_token_stops_at_once_and_the_list_shows_it_without_the_token(
    app: Flask, engine: Engine
) -> None:
    kept, revoked = engine.issue_token("zhaoliu"), engine.issue_token("zhaoliu")
    newest = engine.tokens_of("zhaoliu")[0]
    engine.revoke_token(newest.id)
    assert _status(app, revoked) == 401 and _status(app, kept) == 200
    now = engine.clock.now()
    assert [t.state(now) for t in engine.tokens_of("zhaoliu")] == ["已撤销", "有效"]
    assert (newest.expires_at - newest.created_at).days == engine.settings.token_days
    assert not any(kept in repr(t) or revoked in repr(t) for t in engine.tokens_of("zhaoliu"))


def test_a_disabled_accounts_token_no_longer_works_but_a_guessers_lockout_does_not_stop_it(
    app: Flask, engine: Engine
) -> None:
    wangwu, qianqi = engine.issue_token("wangwu"), engine.issue_token("qianqi")
    engine.disable_account("wangwu")
    assert _status(app, wangwu) == 401
    for _ in range(5):  # someone guessing at 钱七's password locks out only his own address
        engine.authenticate("qianqi", "not-the-password", "10.0.0.66")
    assert _status(app, qianqi) == 200
