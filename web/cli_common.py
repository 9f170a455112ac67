"""What every `qinglian` command opens: the engine of the configured deployment."""

from __future__ import annotations

from datetime import datetime

import click

from engine import Engine, FrozenClock, KeyProblem, Settings


def open_engine(now: datetime | None = None, migrate: bool = True) -> Engine:
    """The engine of Settings.from_env(), its schema brought up to date unless `migrate` is False."""
    settings = Settings.from_env()
    try:
        engine = Engine(settings, clock=FrozenClock(now) if now else None)
    except KeyProblem as exc:  # production with a weak or shared key
        raise click.ClickException(str(exc)) from exc
    if migrate:
        engine.init_schema()
    return engine
