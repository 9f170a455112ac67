"""Scripts, conditions and timer expressions of BPMN/DMN, run under RestrictedPython with our helpers.

Designers are trusted but their code is not given the interpreter: no imports, no dunder walks, no
files (SPIFFWORKFLOW.md §4, RELIABILITY F19). The helpers below are the whole vocabulary a script has
for dates and notifications; they read the clock, calendar and notification outbox of the action that
runs them (a context variable), so one engine serves any number of threads.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import CodeType
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, limited_builtins, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)

from .clock import CHINA_TZ, Clock, local_today
from .workdays import WorkCalendar


@dataclass
class ScriptContext:
    """What the helpers of one engine action see: its clock and calendar, and where notices go."""

    clock: Clock
    calendar: WorkCalendar
    notices: list[tuple[str, str]] = field(default_factory=list)
    provisional: set[str] = field(default_factory=set)


_current: ContextVar[ScriptContext | None] = ContextVar("qinglian_script_context", default=None)


@contextmanager
def script_context(ctx: ScriptContext) -> Iterator[ScriptContext]:
    """Make `ctx` the context of every script run inside the block."""
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def _ctx() -> ScriptContext:
    ctx = _current.get()
    if ctx is None:
        raise RuntimeError("script helpers used outside an engine action")
    return ctx


def _as_date(value: str) -> date:
    return date.fromisoformat(str(value)[:10])


def today() -> str:
    """Today's date in Asia/Shanghai, "YYYY-MM-DD"."""
    return local_today(_ctx().clock).isoformat()


def now() -> str:
    """The current moment, ISO 8601 with the +08:00 offset."""
    return _ctx().clock.now().astimezone(CHINA_TZ).isoformat(timespec="seconds")


def add_working_days(day: str, n: int) -> str:
    """The n-th working day after `day` (start day excluded; negative n counts back)."""
    ctx = _ctx()
    deadline = ctx.calendar.add_working_days(_as_date(day), int(n))
    if deadline.provisional:
        ctx.provisional.add(deadline.due.isoformat())
    return deadline.due.isoformat()


def add_months(day: str, n: int) -> str:
    """Same date n months later (month end if missing), moved to the next working day if needed."""
    ctx = _ctx()
    deadline = ctx.calendar.add_months(_as_date(day), int(n))
    if deadline.provisional:
        ctx.provisional.add(deadline.due.isoformat())
    return deadline.due.isoformat()


def start_of(day: str) -> str:
    """00:00 of `day` in Asia/Shanghai, as an ISO datetime (the moment a reminder falls due)."""
    d = _as_date(day)
    return datetime(d.year, d.month, d.day, tzinfo=CHINA_TZ).isoformat()


def end_of(day: str) -> str:
    """24:00 of `day` in Asia/Shanghai: the moment a deadline ending that day has passed."""
    return start_of((_as_date(day) + timedelta(days=1)).isoformat())


def notify(lane: str, text: str) -> None:
    """Send `text` to the holders of the role of `lane` on this instance (after the commit)."""
    _ctx().notices.append((str(lane), str(text)))


HELPERS: dict[str, Callable[..., Any]] = {
    "today": today,
    "now": now,
    "add_working_days": add_working_days,
    "add_months": add_months,
    "start_of": start_of,
    "end_of": end_of,
    "notify": notify,
}

_INPLACE = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
}

_BUILTINS = {
    **safe_builtins,
    **limited_builtins,
    **{
        f.__name__: f for f in (dict, list, sum, min, max, sorted, enumerate, any, all, reversed, map, filter)
    },
}


def _inplacevar(op: str, x: Any, y: Any) -> Any:
    return _INPLACE[op](x, y)


def _globals() -> dict[str, Any]:
    return {
        "__builtins__": _BUILTINS,
        "_getattr_": safer_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
        "_inplacevar_": _inplacevar,
        **HELPERS,
    }


@lru_cache(maxsize=4096)
def compile_script(source: str) -> CodeType:
    """Compile a script under RestrictedPython; PermissionError names what is forbidden."""
    result = compile_restricted_exec(source)
    if result.errors:
        raise PermissionError("; ".join(result.errors))
    return result.code


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> CodeType:
    """Compile an expression (condition, timer, DMN cell) under RestrictedPython."""
    result = compile_restricted_eval(source)
    if result.errors:
        raise PermissionError("; ".join(result.errors))
    return result.code


def _check_shadowing(context: dict[str, Any]) -> None:
    clash = sorted(set(HELPERS) & set(context))
    if clash:
        raise ValueError(f"task data shadows the script helpers {clash}; rename those fields")


def evaluate(expression: str, context: dict[str, Any], extra: dict[str, Any] | None = None) -> Any:
    """Evaluate an expression over task data (plus `extra` names, e.g. a DMN input)."""
    code = compile_expression(expression)
    scope = _globals()
    scope.update(extra or {})
    scope.update(context)
    return eval(code, scope)  # noqa: S307 — restricted bytecode, guarded builtins


def execute(script: str, context: dict[str, Any], extra: dict[str, Any] | None = None) -> None:
    """Run a script over task data; the names it binds (data only: no functions) become task data."""
    _check_shadowing(context)
    code = compile_script(script)
    reserved = _globals()
    scope = dict(reserved)
    scope.update(extra or {})
    scope.update(context)
    exec(code, scope)  # noqa: S102 — restricted bytecode, guarded builtins
    for key in list(context):
        if key not in scope:
            del context[key]
    for key, value in scope.items():
        if key.startswith("_") or key in reserved or (extra and key in extra) or callable(value):
            continue
        context[key] = value
