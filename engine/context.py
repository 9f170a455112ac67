"""What every engine verb works with: database, clock, calendar, roles and the spec cache."""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import documents, labels, spiff
from .clock import Clock
from .config import Settings
from .db.models import ProcessVersion, User
from .db.uow import Database
from .facts import FactBook
from .forms import Form, load_form
from .identity import Sealer, sealer_for
from .roles import RoleBook
from .workdays import WorkCalendar


@dataclass(frozen=True)
class VersionInfo:
    """A deployed version as the runtime needs it: metadata, sources, restored specs, parsed forms."""

    id: int
    process_id: str
    version: int
    meta: dict
    sources: dict[str, str]
    specs: spiff.Specs
    _forms: dict[str, Form] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def terms(self) -> dict[str, dict[str, Any]]:
        """Every field name its forms (and process.toml `[labels]`) give a title: engine/labels.py."""
        return labels.glossary(self.sources)

    def form(self, name: str) -> Form:
        """The form `name` of this version, parsed once (the version's own copy: F9)."""
        found = self._forms.get(name)
        if found is None:
            found = self._forms.setdefault(name, load_form(self.sources, name))
        return found


@dataclass
class SpecCache:
    """Restored specs per version id; versions are immutable, so entries never go stale."""

    _entries: dict[int, VersionInfo] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, session: Session, version_id: int) -> VersionInfo:
        info = self._entries.get(version_id)
        if info is None:
            row = session.get(ProcessVersion, version_id)
            if row is None:
                raise LookupError(version_id)
            info = VersionInfo(
                row.id, row.process_id, row.version, row.meta, row.sources, spiff.restore_specs(row.spec_json)
            )
            with self._lock:
                self._entries.setdefault(version_id, info)
        return info


@dataclass
class WorkflowCache:
    """Workflows kept in memory after their commit, so the next action skips deserializing.

    An entry is valid only for the row version it was saved as; `take` removes it, so a workflow is
    used by one action at a time (under the instance lock) and an action that fails never puts back
    what it may have half-changed.
    """

    size: int = 64
    _entries: OrderedDict[int, tuple[int, Any]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, instance_id: int, row_version: int) -> Any | None:
        with self._lock:
            entry = self._entries.pop(instance_id, None)
        return entry[1] if entry and entry[0] == row_version else None

    def put(self, instance_id: int, row_version: int, workflow: Any) -> None:
        with self._lock:
            self._entries[instance_id] = (row_version, workflow)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


@dataclass
class EngineContext:
    settings: Settings
    db: Database
    clock: Clock
    calendar: WorkCalendar
    roles: RoleBook
    facts: FactBook = field(default_factory=lambda: FactBook((), {}))
    specs: SpecCache = field(default_factory=SpecCache)
    workflows: WorkflowCache = field(default_factory=WorkflowCache)
    pdf_executor: Executor | None = None  # a server renders documents' PDFs there (engine/pdf_rendering.py)
    pdf_layout: documents.Layout = documents.render_pdf  # a server's runs in a child process

    @property
    def audit_key(self) -> bytes:
        return self.settings.audit_key.encode("utf-8")

    @cached_property
    def identity(self) -> Sealer:
        """Seals and opens reporters' identity (engine/identity.py)."""
        return sealer_for(self.settings.instance_dir, self.settings.identity_keys, self.audit_key)

    @property
    def files_dir(self) -> Path:
        return self.settings.files_dir

    @property
    def desk(self) -> documents.Desk:
        """Where this deployment's documents are made: templates, file store, county."""
        return documents.Desk(
            Path(self.settings.workflows_dir) / "documents", self.settings.files_dir, self.settings.county
        )

    def user_id(self, session: Session, username: str) -> int | None:
        return session.scalar(select(User.id).where(User.username == username))
