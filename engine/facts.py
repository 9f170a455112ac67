"""Case facts: what the dashboard counts, recorded as each case moves on (workflows/statistics.toml).

Much of a case's data is transient: a 函询 round keeps its served and reply dates only while it runs,
a 整改 task's extension or return lives in one step's submission. So facts are recorded at the moment
they are visible, by rules that are data, not code. A rule reads either the case data after the run
or, with `on = "<bpmn id>"`, the data of that task as it was completed (its data and the submission).
Each field is an expression in the language of the BPMN conditions; a name the case does not have
(yet) reads as None, and a rule whose `when` is falsy records nothing. A fact is keyed by
(case, kind, key): later runs update the fields their expressions give (a rule with `once = true`
writes a fact only the first time), and nothing is ever deleted — a fact seen once stays counted.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from types import CodeType
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .clock import local_today
from .db.models import ProcessInstance
from .db.oversight import CaseFact
from .scripting import compile_expression, evaluate, predefined

if TYPE_CHECKING:
    from .context import EngineContext

FIELDS = ("key", "code", "label", "person", "unit", "at", "due", "done_at", "num")
_DATES = ("at", "due", "done_at")


@dataclass(frozen=True)
class FactRule:
    process: str
    kind: str
    when: str = "True"
    on: str = ""
    each: str = ""
    once: bool = False
    exprs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Watch:
    """One kind of case fact whose `due` is watched: who is told, how many working days ahead, and what
    they read ({title} the case, {due} the date)."""

    kind: str
    tell: tuple[str, ...]
    before_wd: int
    soon: str
    late: str


def _watches(raw: dict[str, Any]) -> tuple[Watch, ...]:
    """The `[watch.<kind>]` sections: case deadlines the worker tells of (engine/case_deadlines.py)."""
    return tuple(
        Watch(
            kind=str(kind),
            tell=tuple(str(r) for r in spec.get("tell", ())),
            before_wd=int(spec.get("before_wd", 10)),
            soon=str(spec["soon"]),
            late=str(spec["late"]),
        )
        for kind, spec in raw.items()
    )


@dataclass(frozen=True)
class FactBook:
    """Every rule of workflows/statistics.toml, with the display labels of codes."""

    rules: tuple[FactRule, ...]
    labels: dict[str, str]
    orders: dict[str, tuple[str, ...]] = field(default_factory=dict)  # codes every figure lists, in order
    kinds: dict[str, str] = field(default_factory=dict)  # what each kind of fact is called
    watches: tuple[Watch, ...] = ()  # case deadlines watched while the case runs

    @classmethod
    def load(cls, path: Path) -> FactBook:
        if not path.exists():
            return cls((), {})
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        rules = []
        for r in raw.get("fact", []):
            exprs = {k: str(r[k]) for k in FIELDS if k in r}
            rule = FactRule(
                process=r["process"],
                kind=r["kind"],
                when=str(r.get("when", "True")),
                on=str(r.get("on", "")),
                each=str(r.get("each", "")),
                once=bool(r.get("once", False)),
                exprs=exprs,
            )
            for source in (rule.when, rule.each, *exprs.values()):
                if source:
                    compile_expression(source)  # a broken rule fails at start-up, not on a case
            rules.append(rule)
        return cls(
            tuple(rules),
            {str(k): str(v) for k, v in raw.get("labels", {}).items()},
            {str(k): tuple(str(c) for c in v) for k, v in raw.get("orders", {}).items()},
            {str(k): str(v) for k, v in raw.get("kinds", {}).items()},
            _watches(raw.get("watch", {})),
        )

    def label(self, code: str) -> str:
        """The Chinese name of a code (THHX → 谈话函询); the code itself when it is already words."""
        return self.labels.get(code, code)


@lru_cache(maxsize=1024)
def _names(source: str) -> frozenset[str]:
    """Every name an expression reads (also inside comprehensions)."""

    def walk(code: CodeType) -> set[str]:
        found = set(code.co_names)
        for const in code.co_consts:
            if isinstance(const, CodeType):
                found |= walk(const)
        return found

    return frozenset(n for n in walk(compile_expression(source)) if not n.startswith("_"))


def _eval(source: str, data: dict[str, Any], extra: dict[str, Any]) -> Any:
    if not source:
        return None
    missing = {n: None for n in _names(source) if n not in data and n not in extra and not predefined(n)}
    try:
        return evaluate(source, {**data, **missing} if missing else data, extra)
    except Exception:  # a rule that does not fit this case's data records nothing
        return None


def _value(name: str, raw: Any) -> Any:
    if raw is None or raw == "":
        return None
    if name in _DATES:
        try:
            return date.fromisoformat(str(raw)[:10])
        except ValueError:
            return None
    if name == "num":
        try:
            return float(raw)
        except (TypeError, ValueError):
            return None
    limit = {"key": 80, "label": 200, "person": 64, "unit": 16}.get(name, 40)  # the columns' lengths
    return str(raw)[:limit]


def _extracted(rule: FactRule, data: dict[str, Any], calendar: Any) -> list[dict[str, Any]]:
    def working_days_between(first: Any, last: Any) -> int | None:
        try:
            a, b = date.fromisoformat(str(first)[:10]), date.fromisoformat(str(last)[:10])
        except ValueError:
            return None
        return int(calendar.working_days_between(a, b))

    helpers: dict[str, Any] = {"working_days_between": working_days_between}
    items: list[Any] = [None]
    if rule.each:
        found = _eval(rule.each, data, helpers)
        items = list(found) if isinstance(found, list | tuple) else []
    out = []
    for index, item in enumerate(items):
        extra = {**helpers, "item": item, "index": index} if rule.each else helpers
        if not _eval(rule.when, data, extra):
            continue
        values = {name: _value(name, _eval(src, data, extra)) for name, src in rule.exprs.items()}
        values.setdefault("key", str(index) if rule.each else "")
        values["key"] = values["key"] or ""
        out.append(values)
    return out


def record(
    ctx: EngineContext,
    session: Session,
    instance: ProcessInstance,
    data: dict[str, Any],
    completed: tuple[str, dict[str, Any]] | None = None,
) -> None:
    """Record the facts this run makes visible: rules over the case data, and rules `on` the task
    completed by this action (bpmn id, its data with the submission)."""
    rules = [r for r in ctx.facts.rules if r.process == instance.process_id]
    if not rules:
        return
    found: list[tuple[FactRule, dict[str, Any]]] = []
    for rule in rules:
        source = data
        if rule.on:
            if completed is None or completed[0] != rule.on:
                continue
            source = completed[1]
        found.extend((rule, values) for values in _extracted(rule, source, ctx.calendar))
    if found:
        _upsert(session, instance, found, local_today(ctx.clock))


def _upsert(
    session: Session, instance: ProcessInstance, found: list[tuple[FactRule, dict[str, Any]]], today: date
) -> None:
    existing = {
        (f.kind, f.key): f
        for f in session.scalars(select(CaseFact).where(CaseFact.instance_id == instance.id))
    }
    for rule, values in found:
        fact = existing.get((rule.kind, values["key"]))
        if fact is None:
            fact = CaseFact(
                instance_id=instance.id,
                kind=rule.kind,
                key=values["key"],
                code="",
                label="",
                person="",
                unit_id=instance.unit_id,
                at=today,
            )
            session.add(fact)
            existing[(rule.kind, values["key"])] = fact
        elif rule.once:
            continue
        for name, value in values.items():
            if name != "key" and value is not None:
                setattr(fact, "unit_id" if name == "unit" else name, value)
