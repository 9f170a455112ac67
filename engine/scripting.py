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
import operator
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
    "add_working_days": add_working_days,
    "add_months": add_months,
    "start_of": start_of,
    "end_of": end_of,
    "notify": notify,
    "issue_document": issue_document,
}

# --- budgets (RELIABILITY F20): a script may not hang the action or fill the memory ----------------
SCRIPT_STEP_BUDGET = 100_000  # loop iterations one script or expression may run
MAX_VALUE_SIZE = 10_000_000  # items of a string/list/tuple, or bits of an integer, a script may build


class ScriptBudgetExceeded(RuntimeError):
    """A script ran too long or built too large a value; the action is rolled back."""


_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": operator.pow,
    "<<": operator.lshift,
    ">>": operator.rshift,
    "|": operator.or_,
    "^": operator.xor,
    "&": operator.and_,
    "@": operator.matmul,
}
_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "<<=": operator.ilshift,
    ">>=": operator.irshift,
    "|=": operator.ior,
    "^=": operator.ixor,
    "&=": operator.iand,
    "@=": operator.imatmul,
}
_GUARDED_OPS = {ast.Add: "+", ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<"}


def _size(value: Any) -> int:
    if isinstance(value, bool):
        return 1
    if isinstance(value, int):
        return value.bit_length()
    if isinstance(value, str | bytes | list | tuple):
        return len(value)
    return 0


def _estimate(op: str, a: Any, b: Any) -> int:
    """An upper bound of the size of `a op b`, computed without computing it."""
    ints = isinstance(a, int) and isinstance(b, int)
    if op == "**" and ints and b > 0 and abs(a) > 1:
        return a.bit_length() * b
    if op == "*":
        if ints:
            return a.bit_length() + b.bit_length()
        if isinstance(a, int) and not isinstance(b, int):
            return a * _size(b)
        if isinstance(b, int) and not isinstance(a, int):
            return b * _size(a)
    if op == "<<" and ints:
        return a.bit_length() + max(b, 0)
    return 0


def _too_large(op: str) -> ScriptBudgetExceeded:
    return ScriptBudgetExceeded(f"脚本运算 {op} 的结果过大（value larger than {MAX_VALUE_SIZE}）")


def _apply(op: str, fn: Callable[[Any, Any], Any], a: Any, b: Any) -> Any:
    if _estimate(op.rstrip("="), a, b) > MAX_VALUE_SIZE:
        raise _too_large(op)
    result = fn(a, b)
    if _size(result) > MAX_VALUE_SIZE:
        raise _too_large(op)
    return result


def _arith(op: str, a: Any, b: Any) -> Any:
    """`a op b` for the operators that can build huge values (+, *, **, <<), within the size budget."""
    return _apply(op, _BINARY[op], a, b)


def _inplacevar(op: str, x: Any, y: Any) -> Any:
    return _apply(op, _INPLACE[op], x, y)


def _pow(base: Any, exp: Any, mod: Any = None) -> Any:
    return pow(base, exp, mod) if mod is not None else _arith("**", base, exp)


class _Budget:
    """Counts the loop iterations of one script run: `while True: pass` ends in an incident, not a hang."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit

    def tick(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise ScriptBudgetExceeded(
                f"脚本循环超过 {self.limit} 次，疑似死循环（script step budget exceeded）"
            )

    def getiter(self, iterable: Any) -> Iterator[Any]:
        for item in default_guarded_getiter(iterable):
            self.tick()
            yield item


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
    "pow": _pow,
}


def _globals() -> dict[str, Any]:
    budget = _Budget(SCRIPT_STEP_BUDGET)
    return {
        "__builtins__": _BUILTINS,
        "_getattr_": safer_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": budget.getiter,
        "_tick_": budget.tick,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
        "_inplacevar_": _inplacevar,
        "_arith_": _arith,
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
