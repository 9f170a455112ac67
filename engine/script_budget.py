"""The budgets of a script run (RELIABILITY F20, issue 11 #3): loop iterations and wall time, and the
size of every value it builds — arithmetic, `range`, and the str methods that make a string from a
number are checked before they run, so neither a loop nor a builtin looping in C can hang the action or
fill the memory. A script over budget raises ScriptBudgetExceeded; the action is rolled back."""

from __future__ import annotations

import operator
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

from RestrictedPython.Eval import default_guarded_getiter
from RestrictedPython.Guards import safer_getattr

SCRIPT_STEP_BUDGET = 100_000  # loop iterations one script or expression may run
SCRIPT_SECONDS = 2.0  # wall time one script run may take (checked as its loops tick)
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


def guarded_arith(op: str, a: Any, b: Any) -> Any:
    """`a op b` for the operators that can build huge values (+, *, **, <<, % on text), within the
    size budget."""
    if op == "%" and isinstance(a, str):
        _check_format_widths(a, "%")
    return _apply(op, _BINARY[op], a, b)


def guarded_inplace(op: str, x: Any, y: Any) -> Any:
    return _apply(op, _INPLACE[op], x, y)


def guarded_pow(base: Any, exp: Any, mod: Any = None) -> Any:
    return pow(base, exp, mod) if mod is not None else guarded_arith("**", base, exp)


class Budget:
    """Counts the loop iterations of one script run and watches its wall time: `while True: pass` ends
    in an incident, not a hang, and so does a script that keeps the database waiting."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit
        self.deadline = time.monotonic() + SCRIPT_SECONDS

    def tick(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise ScriptBudgetExceeded(
                f"脚本循环超过 {self.limit} 次，疑似死循环（script step budget exceeded）"
            )
        if self.left % 1024 == 0 and time.monotonic() > self.deadline:
            raise ScriptBudgetExceeded(f"脚本运行超过 {SCRIPT_SECONDS} 秒（script time budget exceeded）")

    def range(self, *args: int) -> range:
        """`range`, but never longer than the loop budget: a builtin (sum, sorted, max …) that runs
        through it in C is then as bounded as a loop written out."""
        found = range(*args)
        if len(found) > self.limit:
            raise ScriptBudgetExceeded(f"range 长度超过 {self.limit}（range longer than the step budget）")
        return found

    def getiter(self, iterable: Any) -> Iterator[Any]:
        for item in default_guarded_getiter(iterable):
            self.tick()
            yield item


def _width_checked(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    """str.center / ljust / rjust / zfill / expandtabs / replace, refused before they build a string
    larger than MAX_VALUE_SIZE."""
    text: str = method.__self__  # type: ignore[attr-defined]

    def checked(*args: Any, **kwargs: Any) -> Any:
        if name == "replace":
            old, new = str(args[0]), str(args[1])
            grows = max(len(new) - len(old), 0) * (text.count(old) if old else len(text) + 1)
            size = len(text) + grows
        elif name == "expandtabs":
            size = len(text) * int(args[0] if args else kwargs.get("tabsize", 8))
        else:
            size = int(args[0] if args else 0)
        if size > MAX_VALUE_SIZE:
            raise _too_large(f"str.{name}")
        return method(*args, **kwargs)

    return checked


_SIZED_STR_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs", "replace"})
_FORMAT_WIDTH = re.compile(r"\d+")


def guarded_getattr(obj: Any, name: str, default: Any = None) -> Any:
    """RestrictedPython's attribute guard (which refuses str.format outright), with the str methods that
    could build a huge value checked."""
    found = safer_getattr(obj, name, default)
    if isinstance(obj, str) and name in _SIZED_STR_METHODS:
        return _width_checked(name, found)
    return found


def _check_format_widths(template: str, what: str) -> None:
    if any(int(n) > MAX_VALUE_SIZE for n in _FORMAT_WIDTH.findall(template)):
        raise _too_large(what)
