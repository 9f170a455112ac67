"""四种形态 (党内监督条例 §7; DOMAIN.md §4.4, §11): persons per form and their share, per month,
quarter or year and per unit, and the first form's measures. Which measure is which form is data
(workflows/four_forms.toml). A person is counted once per form and case, however many measures of
that form the case took against them."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..db.oversight import CaseFact
from .common import Cell, Facts, Statistic, StatTable, share


@dataclass(frozen=True)
class FormBook:
    names: dict[int, str]
    measures: dict[str, int]

    def codes(self, form: int) -> list[str]:
        return sorted(code for code, f in self.measures.items() if f == form)


@lru_cache(maxsize=8)
def form_book(path: Path) -> FormBook:
    raw = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return FormBook(
        {int(k): str(v) for k, v in raw.get("forms", {}).items()},
        {str(k): int(v) for k, v in raw.get("measures", {}).items()},
    )


def _bucket(day: date, granularity: str) -> tuple[date, date]:
    """The month, quarter or year a day falls in, as (first day, last day)."""
    if granularity == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    first_month = (day.month - 1) // 3 * 3 + 1 if granularity == "quarter" else day.month
    last_month = first_month + (2 if granularity == "quarter" else 0)
    after = date(day.year + 1, 1, 1) if last_month == 12 else date(day.year, last_month + 1, 1)
    return date(day.year, first_month, 1), after - timedelta(days=1)


def _bucket_name(bucket: tuple[date, date], granularity: str) -> str:
    first = bucket[0]
    if granularity == "year":
        return f"{first.year}年"
    if granularity == "quarter":
        return f"{first.year}年第{(first.month - 1) // 3 + 1}季度"
    return f"{first.year}年{first.month:02d}月"


def forms_statistics(facts: Facts) -> Statistic:
    book = form_book(Path(facts.ctx.settings.workflows_dir) / "four_forms.toml")
    query = facts.select(
        "measure", CaseFact.instance_id, CaseFact.person, CaseFact.code, CaseFact.at, CaseFact.unit_id
    )
    rows = [
        (i, p, book.measures[c], c, at, u)
        for i, p, c, at, u in facts.session.execute(query)
        if c in book.measures
    ]
    persons: dict[int, set[tuple[int, str]]] = {f: set() for f in book.names}
    buckets: dict[tuple[date, date], dict[int, set[tuple[int, str]]]] = {}
    units: dict[str | None, dict[int, set[tuple[int, str]]]] = {}
    first: dict[str, set[tuple[int, str]]] = {}
    for instance_id, person, form, code, at, unit in rows:
        who = (instance_id, person)
        persons.setdefault(form, set()).add(who)
        buckets.setdefault(_bucket(at, facts.f.granularity), {}).setdefault(form, set()).add(who)
        units.setdefault(unit, {}).setdefault(form, set()).add(who)
        if form == 1:
            first.setdefault(code, set()).add(who)
    total = sum(len(p) for p in persons.values())
    forms = sorted(book.names)

    def link(form: int) -> dict[str, str]:
        return facts.link("measure", code=",".join(book.codes(form)))

    overall = [
        (
            Cell(book.names[f]),
            Cell(len(persons.get(f, ())), link(f)),
            Cell(share(len(persons.get(f, ())), total)),
        )
        for f in forms
    ]
    overall.append(
        (
            Cell("合计"),
            Cell(total, facts.link("measure", code=",".join(sorted(book.measures)))),
            Cell(share(total, total)),
        )
    )
    columns = ("", *(book.names[f] for f in forms), "合计")

    def grid(groups: dict, label: Any, link_for: Any, order: Any) -> tuple[tuple[Cell, ...], ...]:
        out = []
        for key in sorted(groups, key=order):
            counts = [len(groups[key].get(f, ())) for f in forms]
            out.append(
                (
                    Cell(label(key)),
                    *(Cell(n, link_for(key, f)) for n, f in zip(counts, forms, strict=True)),
                    Cell(sum(counts)),
                )
            )
        return tuple(out)

    def bucket_link(bucket: tuple[date, date], form: int) -> dict[str, str]:
        first, last = max(bucket[0], facts.f.date_from), min(bucket[1], facts.f.date_to)
        return {**link(form), "from": first.isoformat(), "to": last.isoformat()}

    by_period = grid(buckets, lambda k: _bucket_name(k, facts.f.granularity), bucket_link, lambda k: k)
    by_unit = grid(
        units,
        facts.unit_name,
        lambda k, f: {**link(f), "unit": k or ""},
        lambda k: (-sum(len(w) for w in units[k].values()), facts.unit_name(k)),  # most persons first
    )
    measures = sorted(first.items(), key=lambda kv: -len(kv[1]))
    first_rows = tuple(
        (Cell(facts.label(c)), Cell(len(w), facts.link("measure", code=c))) for c, w in measures
    )
    return Statistic(
        "forms",
        "运用“四种形态”",
        (
            StatTable(
                "forms",
                "运用“四种形态”处理人次及占比",
                ("形态", "人次", "占比"),
                tuple(overall),
                "pie",
                note="同一案件对同一人采取同一形态的多项措施，计一人次。",
            ),
            StatTable(
                "forms_by_period",
                "按期间",
                ("期间", *columns[1:]),
                by_period,
                "bar",
                tuple(range(1, len(forms) + 1)),
            ),
            StatTable(
                "forms_by_unit",
                "按单位",
                ("单位", *columns[1:]),
                by_unit,
                "bar",
                tuple(range(1, len(forms) + 1)),
            ),
            StatTable("forms_first", "第一种形态措施构成", ("措施", "人次"), first_rows, "bar"),
        ),
    )
