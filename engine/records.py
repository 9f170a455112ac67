"""Plain, frozen values the engine returns; never SpiffWorkflow or ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .labels import Shown


@dataclass(frozen=True)
class Actor:
    """The person acting: who they are, which roles they hold, in which unit."""

    id: int
    username: str
    display_name: str
    unit_id: str | None
    roles: frozenset[str]
    post: str = ""


@dataclass(frozen=True)
class ProcessView:
    process_id: str
    version: int
    name_zh: str
    name_en: str
    start_roles: tuple[str, ...]
    start_form: str | None
    deployed_at: datetime
    importable: bool = False  # cases may be imported from a CSV/XLSX file (engine/imports.py)


@dataclass(frozen=True)
class DeployResult:
    process_id: str
    version: int
    created: bool  # False: the same content was already deployed


@dataclass(frozen=True)
class TaskView:
    id: int
    instance_id: int
    instance_title: str
    process_id: str
    bpmn_id: str
    title: str
    lane: str
    role: str
    status: str
    created_at: datetime
    due_date: date | None
    due_provisional: bool
    working_days_left: int | None
    instructions: str = ""
    form: dict[str, Any] | None = None
    ui: dict[str, Any] | None = None
    data: dict[str, Any] = field(default_factory=dict)
    noun: str = ""  # what its case is called: 线索, 案件 or 事项 (engine/labels.py)
    review: tuple[Shown, ...] = ()  # the earlier material the step acts on (engine/review.py)
    review_files: tuple[AttachmentView, ...] = ()
    may_act: bool = True  # False: a supervisor or colleague looking at someone else's step
    holder: str = ""  # who holds the step: a person's name, or the office and role it waits for


@dataclass(frozen=True)
class HistoryEntry:
    seq: int
    at: datetime
    actor: str
    kind: str
    title: str
    details: dict[str, Any]
    shown: tuple[Shown, ...] = ()  # the submitted data in words (engine/labels.py)


@dataclass(frozen=True)
class InstanceView:
    id: int
    process_id: str
    version: int
    business_key: str | None
    title: str
    status: str
    started_by: str
    started_at: datetime
    ended_at: datetime | None
    ready_tasks: tuple[TaskView, ...]
    history: tuple[HistoryEntry, ...]
    data: dict[str, Any]
    completed_steps: tuple[str, ...]
    current_steps: tuple[str, ...]
    attachments: tuple[AttachmentView, ...] = ()
    links: tuple[LinkView, ...] = ()
    documents: tuple[DocumentView, ...] = ()
    shown: tuple[Shown, ...] = ()  # the case data people read: titled fields in words (engine/labels.py)
    noun: str = "事项"  # 线索 until 立案, then 案件; inspections and 整改 are 事项


@dataclass(frozen=True)
class LinkView:
    """Another case this one was started by (triggered_by) or started (started), by a message."""

    direction: str
    message: str
    instance_id: int | None  # None: the actor may not see that case
    process_id: str
    title: str
    status: str


@dataclass(frozen=True)
class DocumentView:
    number: str
    title: str
    kind: str
    issued_at: datetime
    pdf_attachment: int | None
    docx_attachment: int | None
    sha256: str
    void: bool = False  # voided (作废) alone or with its case: its number is never given again
    id: int = 0
    void_reason: str = ""
    replaces: str = ""  # the number of the voided document this one replaces
    voided_by: tuple[str, ...] = ()  # roles that may void it (documents.toml `voided_by` of its issuer)


@dataclass(frozen=True)
class AttachmentView:
    id: int
    sha256: str
    filename: str
    mime: str
    size: int
    uploaded_at: datetime


@dataclass(frozen=True)
class FiredTimers:
    instance_id: int
    title: str
    fired: tuple[str, ...]


@dataclass(frozen=True)
class IncidentView:
    id: int
    instance_id: int
    instance_title: str
    action: str
    error: str
    created_at: datetime


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list."""

    id: int
    process_id: str
    version: int
    business_key: str | None
    title: str
    status: str
    unit_id: str | None
    unit: str
    office_id: str | None
    office: str
    overdue: bool
    started_at: datetime
    updated_at: datetime
    openable: bool = True  # the actor may open the case file (a unit head: his unit's rows only)


@dataclass(frozen=True)
class Page:
    """A page of a longer list, with the total count of what matched."""

    items: tuple[Any, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))
