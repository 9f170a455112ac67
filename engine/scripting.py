"""Scripts, conditions and timer expressions of BPMN/DMN, run under RestrictedPython with our helpers.

Designers are trusted but their code is not given the interpreter: no imports, no dunder walks, no
files, no rebinding of helper names, all refused when the model is deployed (SPIFFWORKFLOW.md §4,
RELIABILITY F19). Loops and value sizes are budgeted, so a runaway script ends in an incident instead of
a hung worker (F20). The helpers below are the whole vocabulary a script has
for dates and notifications; they read the clock, calendar and notification outbox of the action that
runs them (a context variable), so one engine serves any number of threads.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import CodeType
from typing import Any

from RestrictedPython import (
    RestrictingNodeTransformer,
    compile_restricted_eval,
    compile_restricted_exec,
    limited_builtins,
    safe_builtins,
)
from RestrictedPython.Eval import default_guarded_getitem
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
)

from .clock import CHINA_TZ, Clock, local_today
from .script_budget import (
    MAX_VALUE_SIZE,
    SCRIPT_STEP_BUDGET,
    Budget,
    guarded_arith,
    guarded_getattr,
    guarded_inplace,
    guarded_pow,
)
from .workdays import WorkCalendar


@dataclass
class ScriptContext:
    """What the helpers of one engine action see: its clock and calendar, and where notices go."""

    clock: Clock
    calendar: WorkCalendar
    notices: list[tuple[str, str]] = field(default_factory=list)
    provisional: set[str] = field(default_factory=set)
    documents: Callable[[str, dict[str, Any]], str] | None = None  # set by the action: numbers and stores


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


def add_hours(moment: str, n: int) -> str:
    """The moment n hours after `moment` (ISO 8601), in Asia/Shanghai: a period counted in hours (网络舆情
    研判), which runs through nights and holidays alike."""
    return (datetime.fromisoformat(str(moment)) + timedelta(hours=int(n))).astimezone(CHINA_TZ).isoformat()


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


def issue_document(kind: str, fields: dict) -> str:
    """Number, render and attach a statutory document of `kind` with `fields`; returns its number."""
    ctx = _ctx()
    if ctx.documents is None:
        raise RuntimeError("此处不能生成文书（documents are issued only while a case moves on）")
    if not isinstance(fields, dict):
        raise TypeError("issue_document 的 fields 必须是字典")
    return ctx.documents(str(kind), dict(fields))


HELPERS: dict[str, Callable[..., Any]] = {
    "today": today,
    "now": now,
    "add_hours": add_hours,
    "add_working_days": add_working_days,
    "add_months": add_months,
    "start_of": start_of,
    "end_of": end_of,
    "notify": notify,
    "issue_document": issue_document,
}

_GUARDED_OPS = {ast.Add: "+", ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<", ast.Mod: "%"}


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus: no imports, helper names are read-only, size-guarded arithmetic."""

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> Any:  # noqa: N802
        self.error(node, "脚本中不允许 import（imports are not allowed; use the helpers）")
        return node

    visit_ImportFrom = visit_Import  # noqa: N815 — the NodeTransformer naming scheme

    def visit_Name(self, node: ast.Name) -> Any:  # noqa: N802
        if isinstance(node.ctx, ast.Store | ast.Del) and node.id in HELPERS:
            self.error(node, f'"{node.id}" 是辅助函数名，不能赋值或删除（helper names are read-only）')
        return super().visit_Name(node)

    def visit_While(self, node: ast.While) -> Any:  # noqa: N802
        node = self.node_contents_visit(node)
        tick = ast.Expr(ast.Call(func=ast.Name("_tick_", ast.Load()), args=[], keywords=[]))
        for new in (tick, tick.value, tick.value.func):
            ast.copy_location(new, node)
        node.body.insert(0, tick)
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:  # noqa: N802
        spec = node.format_spec
        parts = spec.values if isinstance(spec, ast.JoinedStr) else []
        if any(not isinstance(p, ast.Constant) for p in parts):
            self.error(node, "f-string 的格式不能由变量决定（computed format specs are not allowed）")
        elif any(int(n) > MAX_VALUE_SIZE for p in parts for n in re.findall(r"\d+", str(p.value))):
            self.error(node, f"f-string 的宽度不能超过 {MAX_VALUE_SIZE}（format width too large）")
        return self.node_contents_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> Any:  # noqa: N802
        node = self.node_contents_visit(node)
        op = _GUARDED_OPS.get(type(node.op))
        if op is None:
            return node
        call = ast.Call(
            func=ast.Name("_arith_", ast.Load()), args=[ast.Constant(op), node.left, node.right], keywords=[]
        )
        for new in (call, call.func, call.args[0]):
            ast.copy_location(new, node)
        return call


_BUILTINS = {
    **safe_builtins,
    **limited_builtins,
    **{
        f.__name__: f for f in (dict, list, sum, min, max, sorted, enumerate, any, all, reversed, map, filter)
    },
    "pow": guarded_pow,
}


def _globals() -> dict[str, Any]:
    budget = Budget(SCRIPT_STEP_BUDGET)
    return {
        "__builtins__": {**_BUILTINS, "range": budget.range},
        "_getattr_": guarded_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": budget.getiter,
        "_tick_": budget.tick,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
        "_inplacevar_": guarded_inplace,
        "_arith_": guarded_arith,
        **HELPERS,
    }


@lru_cache(maxsize=4096)
def compile_script(source: str) -> CodeType:
    """Compile a script under RestrictedPython; PermissionError names what is forbidden."""
    result = compile_restricted_exec(source, policy=_Policy)
    if result.errors:
        raise PermissionError("; ".join(result.errors))
    return result.code


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> CodeType:
    """Compile an expression (condition, timer, DMN cell) under RestrictedPython."""
    result = compile_restricted_eval(source, policy=_Policy)
    if result.errors:
        raise PermissionError("; ".join(result.errors))
    return result.code


def predefined(name: str) -> bool:
    """True for the names every expression has without the case data: helpers and builtins."""
    return name in HELPERS or name in _BUILTINS


def _check_shadowing(context: dict[str, Any]) -> None:
    clash = sorted(set(HELPERS) & set(context))
    if clash:
        raise ValueError(
            f"流程数据的字段 {clash} 与脚本辅助函数同名，请改名（task data shadows script helpers {clash}）"
        )


def evaluate(expression: str, context: dict[str, Any], extra: dict[str, Any] | None = None) -> Any:
    """Evaluate an expression over task data (plus `extra` names, e.g. a DMN input)."""
    _check_shadowing(context)
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
