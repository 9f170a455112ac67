"""Failed sign-ins limited per client address (issue 11 #10) with Flask-Limiter: an address that keeps
guessing gets 429 for a while, whoever it guesses at (the per-account lock is engine/lockout.py's).
Only refused sign-ins count, so an office behind one address signs in as often as it likes. Behind a
reverse proxy, QINGLIAN_PROXIES tells how many hops of X-Forwarded-For to trust for the address."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from engine import Settings

LOGIN = "auth.login"


def init_app(app: Flask, settings: Settings) -> Limiter:
    """One limiter per app, its counts in `settings.ratelimit_storage`, over the sign-in form's POST."""
    if settings.proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxies, x_proto=settings.proxies)  # type: ignore[method-assign]
    limiter = Limiter(get_remote_address, app=app, storage_uri=settings.ratelimit_storage)
    limit = limiter.limit(
        settings.login_rate, methods=["POST"], deduct_when=lambda response: response.status_code == 401
    )
    app.view_functions[LOGIN] = limit(app.view_functions[LOGIN])  # the check runs in the wrapped view
    return limiter
