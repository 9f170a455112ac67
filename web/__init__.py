"""Flask app factory: thin views over the engine, Chinese first, English second."""

from __future__ import annotations

import threading
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, g, request, session
from flask_babel import Babel, get_locale
from flask_wtf.csrf import CSRFProtect

from engine import Engine, Settings
from engine.caselist import STATUS_NAMES
from engine.worker import run_forever

from . import (
    api,
    auth,
    calendar,
    dashboard,
    designer,
    designer_forms,
    designer_pages,
    designer_sandbox,
    errors,
    extensions,
    health,
    imports,
    instances,
    interventions,
    metrics,
    notices,
    people,
    recusals,
    tasks,
    throttle,
)
from .logs import log_requests
from .security import add_security_headers

CALENDAR_REFRESH_SECONDS = 30
LANGUAGES = ("zh", "en")


def create_app(
    settings: Settings | None = None, engine: Engine | None = None, start_worker: bool = False
) -> Flask:
    """Build the app around one Engine; `start_worker` also runs the timer worker in a thread."""
    engine = engine or Engine(settings or Settings.from_env())
    settings = engine.settings  # with its keys (engine/keys.py)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_upload_mb * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        PERMANENT_SESSION_LIFETIME=12 * 3600,
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE="zh",
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
    )
    app.extensions["qinglian"] = engine
    Babel(app, locale_selector=_locale)
    csrf = CSRFProtect(app)
    csrf.exempt(api.bp)  # bearer tokens, no cookies: CSRF does not apply
    auth.init_app(app)
    blueprints = (
        auth,
        tasks,
        instances,
        dashboard,
        interventions,
        notices,
        recusals,
        calendar,
        extensions,
        people,
        imports,
        designer,
        designer_pages,
        designer_forms,
        designer_sandbox,
        health,
        metrics,
        api,
    )
    for blueprint in (m.bp for m in blueprints):
        app.register_blueprint(blueprint)
    throttle.init_app(app, settings)
    errors.register(app)
    log_requests(app)
    metrics.init_app(app)
    app.after_request(add_security_headers)
    app.jinja_env.globals.update(
        languages=LANGUAGES,
        get_locale=get_locale,
        status_names=STATUS_NAMES,
        fact_names=engine.ctx.facts.kinds,
        figure_url=dashboard.figure_url,
    )
    app.jinja_env.filters.update(_filters(settings), code_label=engine.ctx.facts.label)

    if engine.keeps_calendar:

        @app.before_request
        def _calendar() -> None:  # another server process may have changed the county's overrides
            engine.calendar_desk.refresh_if_older(CALENDAR_REFRESH_SECONDS)

    @app.context_processor
    def _staff() -> dict[str, Any]:
        """Case lists are for the office's staff and supervisors; persons concerned only have their inbox."""
        actor = getattr(g, "actor", None)
        supervises = bool(actor and engine.supervisor.scope(actor))
        return {
            "is_staff": bool(actor and (actor.roles - engine.roles.externals() or supervises)),
            "supervises": supervises,
            "keeps_calendar": bool(actor and engine.calendar_desk.may_edit(actor)),
            "designs": bool(actor and engine.designer.may_design(actor)),
            "extensions_waiting": len(engine.extension_requests.pending(actor)) if supervises else 0,
            "unread": engine.notices.unread(actor) if actor else 0,
            "to_decide": len(engine.recusals.pending(actor))
            if actor and engine.recusals.may_decide(actor)
            else 0,
        }

    if start_worker:
        _start_worker(app, engine)
    return app


def _locale() -> str:
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(LANGUAGES, default="zh") or "zh"


def _filters(settings: Settings) -> dict[str, Any]:
    tz = ZoneInfo(settings.timezone)

    def local(dt: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return dt.astimezone(tz).strftime(fmt) if dt else ""

    return {"localtime": local}


def _start_worker(app: Flask, engine: Engine) -> None:
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever, args=(engine.ctx, stop), name="qinglian-timers", daemon=True
    )
    thread.start()
    app.extensions["qinglian_worker_stop"] = stop
