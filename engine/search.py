"""Full-text search over cases, in Chinese: the text each case is found by, and the query condition.

Chinese has no spaces between words, and names are two or three characters (冯乙), shorter than the
trigrams SQLite's and PostgreSQL's own n-gram indexes need. So the engine cuts text into overlapping
character bigrams itself (冯乙丙 → 冯乙 乙丙 丙: every character also starts a token, so one character is
a prefix query) and Latin letters and digits into words, and hands the database space-separated tokens:
SQLite indexes them with FTS5 (unicode61 tokenizer), PostgreSQL with a GIN index over
`to_tsvector('simple', body)`. A query is cut the same way into a phrase of bigrams, so 冯乙 finds 冯乙
and never 冯甲乙. Both indexes are created by migration 0004.

What a case is found by: its title and number, the names of the persons concerned and every opinion
written in it (data keys ending in `_name(s)`, `_opinion`, `reasons`), accumulated over its life so an
earlier round's opinion stays findable. Whistleblower identity (any key naming the reporter, and R1's new
clue about a false accuser) is never indexed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import ColumnElement, column, func, literal_column, select, table
from sqlalchemy.orm import Session

from .db.models import ProcessInstance
from .db.oversight import CaseText

_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9a-z]+")
SEARCHED_SUFFIXES = ("_name", "_names", "_opinion", "reasons")
NEVER_SEARCHED = ("reporter", "new_clue")  # whistleblower identity; R1's new clue is about the reporter
MAX_SNIPPETS = 400  # a case's searchable text stays bounded, whatever loops it goes through
MAX_QUERY_RUNS = 8
MAX_QUERY = 50  # characters of a query that are searched for
_FTS = table("case_text_fts", column("rowid"), column("case_text_fts"))  # SQLite's FTS5 index


def _is_cjk(run: str) -> bool:
    return run[0] > "\u3000"


def tokens(value: str) -> Iterator[str]:
    """Index tokens of a text: bigrams plus the last character of each Chinese run; Latin/digit words."""
    for run in _RUNS.findall(value.lower()):
        if _is_cjk(run):
            yield from (run[i : i + 2] for i in range(len(run) - 1))
            yield run[-1]
        else:
            yield run


def index_body(snippets: Iterable[str]) -> str:
    """The token string stored for a case (what the full-text indexes read)."""
    return " ".join(t for s in snippets for t in tokens(s))


def _query_groups(query: str) -> list[list[str]]:
    """Each run of the query as the tokens that must stand next to each other; a one-character Chinese
    run or a Latin/digit word is a prefix ([token + '*'])."""
    groups = []
    for run in _RUNS.findall(query[:MAX_QUERY].lower())[:MAX_QUERY_RUNS]:
        if _is_cjk(run) and len(run) > 1:
            groups.append([run[i : i + 2] for i in range(len(run) - 1)])
        else:
            groups.append([run + "*"])
    return groups


def matches(session: Session, query: str) -> ColumnElement[bool] | None:
    """The condition on ProcessInstance for cases whose text matches every run of `query`; None when the
    query has nothing searchable (punctuation only)."""
    groups = _query_groups(query)
    if not groups:
        return None
    if session.get_bind().dialect.name == "postgresql":
        tsquery = " & ".join(
            "(" + " <-> ".join(t[:-1] + ":*" if t.endswith("*") else t for t in g) + ")" for g in groups
        )
        simple = literal_column("'simple'")  # a constant, as in the index expression (migration 0004)
        found = select(CaseText.instance_id).where(
            func.to_tsvector(simple, CaseText.body).op("@@")(func.to_tsquery(simple, tsquery))
        )
        return ProcessInstance.id.in_(found)
    fts = " AND ".join(
        '"' + g[0][:-1] + '"*' if g[0].endswith("*") else '"' + " ".join(g) + '"' for g in groups
    )
    return ProcessInstance.id.in_(select(_FTS.c.rowid).where(_FTS.c.case_text_fts.op("MATCH")(fts)))


def snippets_of(data: dict[str, Any]) -> list[str]:
    """The searchable strings of a case's data or of a submission (names and opinions), reporter excluded."""
    out = []
    for key, value in data.items():
        if any(word in key for word in NEVER_SEARCHED) or not key.endswith(SEARCHED_SUFFIXES):
            continue
        values = value if isinstance(value, list) else [value]
        out.extend(v.strip() for v in values if isinstance(v, str) and v.strip())
    return out


def update_case_text(session: Session, instance: ProcessInstance, *datas: dict[str, Any]) -> None:
    """Add what this action wrote to the case's searchable text (same transaction as the action)."""
    row = session.get(CaseText, instance.id)
    known = row.content.split("\n") if row and row.content else []
    identity = [s for s in (instance.title, instance.business_key) if s]
    said = [s for s in (*known, *(s for d in datas for s in snippets_of(d))) if s not in identity]
    merged = [*identity, *list(dict.fromkeys(said))[-MAX_SNIPPETS:]]
    if merged == known:
        return
    content = "\n".join(merged)
    if row is None:
        session.add(CaseText(instance_id=instance.id, content=content, body=index_body(merged)))
    else:
        row.content, row.body = content, index_body(merged)
