"""What every view needs: the app's Engine and the signed-in Actor."""

from __future__ import annotations

from flask import current_app, g

from engine import Actor, Engine


def engine_of() -> Engine:
    """The Engine of the current app (views call this, never build their own)."""
    return current_app.extensions["qinglian"]  # type: ignore[no-any-return]


def current_actor() -> Actor:
    """The signed-in person (session or API token); views behind login only."""
    return g.actor  # type: ignore[no-any-return]


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site (never another host: //x, /\\x, a scheme), else None."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")) and "\\" not in target:
        return target
    return None
