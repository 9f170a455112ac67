"""What a step acts on (issue 10 #1): the earlier material its form declares in `ui:shows` of its UI
schema — the proposal with its reasons and plan, the reply and its attachments, the opinions before it
(审批链), in the order declared — shown in words above the form. The holder of the step sees exactly
that, even when the rest of the case file is not his: a unit head countersigning a 函询 reply sees the
reply, not the clue or the reporter (DOMAIN.md §9)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import labels, spiff
from .access import task_actionable
from .context import EngineContext
from .db.models import HumanTask, ProcessInstance
from .labels import Names, Shown
from .records import Actor, AttachmentView


@dataclass(frozen=True)
class Material:
    """The material of one step: titled values in words, and the files among them."""

    shown: tuple[Shown, ...] = ()
    files: tuple[AttachmentView, ...] = ()


def shows(ui: Mapping[str, Any] | None) -> list[str]:
    """The earlier fields a form shows, in order (`ui:shows`)."""
    return [str(name) for name in (ui or {}).get("ui:shows", [])]


def _is_file(spec: Mapping[str, Any]) -> bool:
    items = spec.get("items")
    return spec.get("format") == "attachment" or (
        isinstance(items, dict) and items.get("format") == "attachment"
    )


def file_hashes(
    terms: Mapping[str, dict[str, Any]], ui: Mapping[str, Any] | None, data: Mapping[str, Any]
) -> set[str]:
    """The stored files (SHA-256) among the fields a form shows."""
    found: set[str] = set()
    for name in shows(ui):
        if _is_file(terms.get(name, {})):
            value = data.get(name)
            found |= {v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str) and v}
    return found


def material(
    terms: Mapping[str, dict[str, Any]],
    ui: Mapping[str, Any] | None,
    data: Mapping[str, Any],
    names: Names,
    files: Iterable[AttachmentView],
) -> Material:
    """The step's material from the task's data: every shown field in words, its files as files."""
    words = {k: data[k] for k in shows(ui) if k in data and not _is_file(terms.get(k, {}))}
    hashes = file_hashes(terms, ui, data)
    return Material(
        tuple(labels.shown(terms, words, names)),
        tuple(f for f in files if f.sha256 in hashes),
    )


def files_under_review(ctx: EngineContext, session: Session, actor: Actor, instance_id: int) -> set[str]:
    """The files the steps this actor holds in a case show him (he may download them, nothing else)."""
    rows = list(
        session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id, task_actionable(actor)))
    )
    instance = session.get(ProcessInstance, instance_id)
    if not rows or instance is None:
        return set()
    version = ctx.specs.get(session, instance.version_id)
    wf = spiff.load(version.specs, instance.state_json, instance.serializer_version)
    found: set[str] = set()
    for row in rows:
        form = version.form(row.form_ref) if row.form_ref else None
        if form is not None and shows(form.ui):
            found |= file_hashes(version.terms, form.ui, spiff.task_data(wf, row.task_guid))
    return found
