"""What every view needs: the app's Engine and the signed-in Actor."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, g

from engine import Actor, Engine


def engine_of() -> Engine:
    """The Engine of the current app (views call this, never build their own)."""
    return current_app.extensions["qinglian"]  # type: ignore[no-any-return]


def current_actor() -> Actor:
    """The signed-in person (session or API token); views behind login only."""
    return g.actor  # type: ignore[no-any-return]


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: never another host (//x, /\\x, a scheme) and
    nothing a browser would read otherwise (control characters)."""
    if not target or any(ord(c) < 32 or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
