"""Probes for the operator's load balancer (issue 11 #11): /healthz (the process is alive) and /readyz
(the database answers and its schema is current). No sign-in, no data: only a status word."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from .context import engine_of

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def alive() -> Any:
    return jsonify({"status": "alive"})


@bp.get("/readyz")
def ready() -> Any:
    problems = engine_of().operations.readiness()
    if problems:
        return jsonify({"status": "not ready", "problems": problems}), 503
    return jsonify({"status": "ready"})
