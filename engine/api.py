"""The Engine: Qinglian's whole public surface (start, complete, query, timers, deploy, people)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from . import (
    accounts,
    audit,
    audit_anchor,
    case_deadlines,
    directory,
    documents,
    files,
    people,
    queries,
    relations,
    review,
    runtime,
    starting,
    tokens,
    uploads,
    worker,
)
from .calendar_desk import CalendarDesk
from .clock import Clock, SystemClock
from .config import Settings
from .context import EngineContext
from .db.models import Attachment, AttachmentLink, ProcessInstance
from .db.uow import Database
from .deploy import deploy_all, deploy_folder
from .designer import Designer
from .errors import InvalidSubmission, NotFound
from .extension_requests import ExtensionRequests
from .facts import FactBook
from .forms import Form
from .imports import CaseImports
from .interventions import Interventions
from .keys import keyed
from .notices import NoticeCentre
from .operations import Operations
from .people import PersonOption
from .processes import ProcessDetail, process_detail
from .records import (
    Actor,
    AttachmentView,
    DeployResult,
    DocumentView,
    FiredTimers,
    IncidentView,
    InstanceView,
    Page,
    ProcessView,
    TaskView,
)
from .recusals import Recusals
from .roles import RoleBook
from .sign_ins import SignIns
from .supervisor import Supervisor
from .workdays import WorkCalendar


class Engine:
    """Built once per process from settings; safe to share between threads."""

    def __init__(self, settings: Settings, clock: Clock | None = None, calendar: WorkCalendar | None = None):
        settings = keyed(settings)  # both keys set, random per deployment; weak ones refused in production
        db = Database(settings.effective_database_url)
        workflows = Path(settings.workflows_dir)
        self.ctx = EngineContext(
            settings,
            db,
            clock or SystemClock(),
            calendar or WorkCalendar.default(),
            RoleBook.load(workflows / "roles.toml"),
            FactBook.load(workflows / "statistics.toml"),
        )
        self.supervisor = Supervisor(self.ctx)
        self.interventions = Interventions(self.ctx)
        self.notices = NoticeCentre(self.ctx)
        self.recusals = Recusals(self.ctx)
        self.calendar_desk = CalendarDesk(self.ctx)
        self.extension_requests = ExtensionRequests(self.ctx)
        self.sign_ins = SignIns(self.ctx)
        self.operations = Operations(self.ctx)
        self.imports = CaseImports(self.ctx)
        self.designer = Designer(self.ctx)
        self.keeps_calendar = calendar is None  # else a test's fixed calendar
        if self.keeps_calendar:
            self.calendar_desk.refresh()  # the county's overrides, once the schema exists

    @property
    def settings(self) -> Settings:
        return self.ctx.settings

    @property
    def clock(self) -> Clock:
        return self.ctx.clock

    @property
    def calendar(self) -> WorkCalendar:
        return self.ctx.calendar

    @property
    def roles(self) -> RoleBook:
        return self.ctx.roles

    def init_schema(self) -> None:
        self.ctx.db.create_schema()

    def close(self) -> None:
        self.render_pdfs_in_place()  # the PDFs on their way are finished first
        self.ctx.db.dispose()

    def render_pdfs_in_background(self) -> None:
        """Render documents' PDFs on a thread of their own after each commit, laid out in a child process
        (a server's choice: neither the answer nor the process's other requests wait for WeasyPrint)."""
        if self.ctx.pdf_executor is None:
            self.ctx.pdf_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qinglian-pdf")
            self.ctx.pdf_layout = documents.LayoutProcess()

    def render_pdfs_in_place(self) -> None:
        """Render PDFs in the committing call, in this process (the command line's way; the default), once
        those on their way are done; ends the layout process of `render_pdfs_in_background`."""
        executor, layout = self.ctx.pdf_executor, self.ctx.pdf_layout
        self.ctx.pdf_executor, self.ctx.pdf_layout = None, documents.render_pdf
        if executor is not None:
            executor.shutdown(wait=True)
        if isinstance(layout, documents.LayoutProcess):
            layout.close()

    # --- deploy --------------------------------------------------------------------------------
    def deploy(self, path: Path | None = None, by: str = "system") -> list[DeployResult]:
        """Deploy `path` (one process folder, or a folder of them; default: workflows/)."""
        target = Path(path or self.settings.workflows_dir)
        with self.ctx.db.transaction() as session:
            if (target / "process.toml").exists():
                return [deploy_folder(self.ctx, session, target, by)]
            return deploy_all(self.ctx, session, target, by)

    def start_form(self, process_id: str) -> Form:
        """The start form of the latest version of a process."""
        with self.ctx.db.reading() as session:
            row = starting.latest_version(session, process_id)
            if row is None or not row.meta["process"].get("start_form"):
                raise NotFound("流程不存在")
            return self.ctx.specs.get(session, row.id).form(row.meta["process"]["start_form"])

    def processes(self, actor: Actor) -> list[ProcessView]:
        with self.ctx.db.reading() as session:
            return queries.processes(session, actor)

    def process(self, actor: Actor, process_id: str) -> ProcessDetail:
        """A process's versions and the start form of its latest version."""
        with self.ctx.db.reading() as session:
            return process_detail(self.ctx, session, actor, process_id)

    # --- act -------------------------------------------------------------------------------------
    def start(self, actor: Actor, process_id: str, data: dict[str, Any]) -> int:
        """Start an instance with its start form data; returns its id."""
        return runtime.start(self.ctx, actor, process_id, data)

    def complete(self, actor: Actor, task_id: int, data: dict[str, Any]) -> int:
        """Complete a task; NotFound, NotPermitted, Conflict, InvalidSubmission or ProcessFailed."""
        return runtime.complete(
            self.ctx, actor, task_id, data, lambda s, a, row: queries.may_see_task(s, a, row, self.ctx)
        )

    def sweep_case_deadlines(self) -> int:
        """Tell the roles statistics.toml names of case deadlines near or past (a 上级交办件: 3 months)."""
        return case_deadlines.sweep(self.ctx)

    def fire_due_timers(self) -> list[FiredTimers]:
        """Fire every timer due by the engine's clock (on the calendar as another process may have set it)."""
        if self.keeps_calendar:
            self.calendar_desk.refresh()
        return worker.sweep(self.ctx)

    # --- read ------------------------------------------------------------------------------------
    def inbox(self, actor: Actor) -> list[TaskView]:
        """The actor's most urgent READY tasks (the first page of `inbox_page`)."""
        return list(self.inbox_page(actor).items)

    def inbox_page(self, actor: Actor, page: int = 1, per_page: int = queries.INBOX_LIMIT) -> Page:
        """One page of the READY tasks the actor may act on, most urgent first, with their count."""
        if page < 1:
            raise InvalidSubmission({"page": "页码须为正整数"})
        if not 1 <= per_page <= queries.INBOX_LIMIT:
            raise InvalidSubmission({"per_page": f"每页条数须在 1 至 {queries.INBOX_LIMIT} 之间"})
        with self.ctx.db.reading() as session:
            return queries.inbox(self.ctx, session, actor, page, per_page)

    def incidents(self, actor: Actor) -> list[IncidentView]:
        """Unresolved failures (script errors, exhausted budgets) in the cases the actor may see."""
        with self.ctx.db.reading() as session:
            return queries.open_incidents(self.ctx, session, actor)

    def next_tasks(self, actor: Actor, instance_id: int) -> list[TaskView]:
        """The READY tasks of one instance that are the actor's to do."""
        with self.ctx.db.reading() as session:
            return queries.actionable_in(self.ctx, session, actor, instance_id)

    def open_steps(self, actor: Actor, instance_id: int) -> tuple[TaskView, ...]:
        """The case's open steps as its file lists them, without reading (and auditing a look at) the file."""
        with self.ctx.db.reading() as session:
            return queries.open_steps(self.ctx, session, actor, instance_id)

    def task(self, actor: Actor, task_id: int) -> TaskView:
        with self.ctx.db.reading() as session:
            return queries.task_detail(self.ctx, session, actor, task_id)

    def instance(self, actor: Actor, instance_id: int) -> InstanceView:
        """The case file. Every look at it, and every refused look, is in the audit trail before the
        data leaves the engine (RELIABILITY: audit of reads; DOMAIN.md §9)."""
        view: InstanceView | None = None
        with self.ctx.db.transaction() as session:
            try:
                view = queries.instance_detail(self.ctx, session, actor, instance_id)
            except NotFound:
                self._audit_read(session, actor, "case_view_denied", instance_id, {})
            else:
                shown = bool(view.data.get("reporter_name")) and "XF" in actor.roles
                self._audit_read(
                    session, actor, "case_viewed", instance_id, {"reporter_identity_shown": shown}
                )
        if view is None:
            raise NotFound("案件不存在")
        return view

    def progress(self, actor: Actor, instance_id: int) -> tuple[list[str], list[str], list[str]]:
        """(completed, current, overdue) BPMN ids for marking the diagram (part of the page, not audited)."""
        with self.ctx.db.reading() as session:
            return queries.progress(self.ctx, session, actor, instance_id)

    def _audit_read(
        self, session: Any, actor: Actor, kind: str, instance_id: int | None, payload: dict
    ) -> None:
        audit.append(
            session,
            self.ctx.audit_key,
            at=self.clock.now(),
            actor=actor.username,
            kind=kind,
            instance_id=instance_id,
            payload=payload,
        )

    def diagram(self, actor: Actor, instance_id: int) -> str:
        """The BPMN XML of the version the instance runs on."""
        with self.ctx.db.reading() as session:
            if not queries.can_see_instance(self.ctx, session, actor, instance_id):
                raise NotFound("案件不存在")
            inst = session.get(ProcessInstance, instance_id)
            version = self.ctx.specs.get(session, inst.version_id)  # type: ignore[union-attr]
            return version.sources[version.meta["diagram"]]

    # --- attachments -------------------------------------------------------------------------------
    def upload(
        self, actor: Actor, filename: str, content: bytes, instance_id: int | None = None
    ) -> AttachmentView:
        """Store a file for an instance the actor may see or act in (or staged for a start form); it joins
        the case when the submission naming it is accepted (engine/uploads.py)."""
        return uploads.upload(self.ctx, actor, filename, content, instance_id)

    def addressed_documents(self, actor: Actor, instance_id: int) -> list[DocumentView]:
        """Documents of a case addressed to the actor's roles (for people outside the office)."""
        with self.ctx.db.reading() as session:
            return relations.addressed_documents(self.ctx, session, actor, instance_id)

    def attachment(self, actor: Actor, link_id: int) -> tuple[Path, AttachmentView]:
        """The stored file of an attachment link; NotFound unless the actor may see its instance.
        Downloads and refused downloads are audited like case views."""
        found: tuple[Path, AttachmentView] | None = None
        with self.ctx.db.transaction() as session:
            link = session.get(AttachmentLink, link_id)
            own = link is not None and link.uploaded_by == actor.id  # what they handed in (a subject's reply)
            case_file = (
                link is not None
                and link.instance_id is not None
                and not link.pending  # a file of a refused submission is its uploader's alone
                and queries.can_see_instance(self.ctx, session, actor, link.instance_id)
            )
            instance_id = link.instance_id if link else None
            addressed = (
                link is not None
                and instance_id is not None
                and not case_file
                and any(
                    link.id in (d.pdf_attachment, d.docx_attachment)
                    for d in relations.addressed_documents(self.ctx, session, actor, instance_id)
                )
            )
            reviewing = (
                link is not None
                and instance_id is not None
                and not (own or case_file or addressed)
                and link.sha256 in review.files_under_review(self.ctx, session, actor, instance_id)
            )
            # never the case's evidence for subjects (§9): what they handed in, what is addressed to them,
            # or what the step they hold shows them (a reply they countersign)
            if link is not None and (own or case_file or addressed or reviewing):
                att = session.get(Attachment, link.sha256)
                view = AttachmentView(
                    link.id, link.sha256, link.filename, att.mime, att.size, link.uploaded_at
                )  # type: ignore[union-attr]
                found = (files.path_of(self.ctx.files_dir, link.sha256), view)
                self._audit_read(
                    session, actor, "attachment_downloaded", instance_id, {"sha256": link.sha256}
                )
            else:
                self._audit_read(session, actor, "attachment_download_denied", instance_id, {"link": link_id})
        if found is None:
            raise NotFound("附件不存在")
        return found

    # --- people ------------------------------------------------------------------------------------
    def people(
        self, actor: Actor, field: str, q: str, task_id: int | None = None, process_id: str | None = None
    ) -> list[PersonOption]:
        """Who a person field of the actor's open step (or a start form) accepts, matching q (issue 10 #2)."""
        with self.ctx.db.reading() as session:
            return people.search(self.ctx, session, actor, field, q, task_id, process_id)

    def person_field_texts(self, logins: set[str] | None = None) -> dict[str, str]:
        """What a person field shows for each active login: the name, unless another person bears it."""
        with self.ctx.db.reading() as session:
            return directory.field_texts(session, logins)

    def authenticate(self, username: str, password: str, source: str = "") -> Actor | None:
        with self.ctx.db.transaction() as session:
            return directory.authenticate(session, username, password, self.clock.now(), source)

    def set_password(self, username: str, password: str) -> int:
        """A new password for the account; every session it has open ends (returns how many)."""
        with self.ctx.db.transaction() as session:
            return accounts.set_password(session, username, password, self.clock.now())

    def disable_account(self, username: str) -> int:
        """The account can no longer sign in; every session it has open ends (returns how many)."""
        with self.ctx.db.transaction() as session:
            return accounts.disable(session, username, self.clock.now())

    def actor_by_name(self, username: str) -> Actor | None:
        with self.ctx.db.reading() as session:
            return directory.find_actor(session, username)

    def actor_for_token(self, token: str) -> Actor | None:
        with self.ctx.db.reading() as session:
            return tokens.actor_for(session, token, self.clock.now())

    def issue_token(self, username: str, days: int | None = None) -> str:
        """A new API token, valid `days` days (default: the setting); shown once, only its hash kept."""
        with self.ctx.db.transaction() as session:
            return tokens.issue(session, username, self.clock.now(), days or self.settings.token_days)

    def tokens_of(self, username: str) -> list[tokens.TokenView]:
        with self.ctx.db.reading() as session:
            return tokens.of(session, username)

    def revoke_token(self, token_id: int) -> None:
        with self.ctx.db.transaction() as session:
            tokens.revoke(session, token_id, self.clock.now())

    def add_user(
        self,
        username: str,
        display_name: str,
        password: str,
        *,
        unit: str | None,
        roles: list[str],
        post: str = "",
    ) -> None:
        with self.ctx.db.transaction() as session:
            directory.add_user(session, username, display_name, password, unit=unit, roles=roles, post=post)

    def users(self) -> list[tuple[Actor, str]]:
        with self.ctx.db.reading() as session:
            return directory.list_users(session)

    def verify_audit(self) -> int | None:
        """The seq of the first tampered audit event — or of the anchored head, when the newest events
        were deleted (engine/audit_anchor.py) — or None when the chain is intact."""
        with self.ctx.db.reading() as session:
            broken = audit.verify(session, self.ctx.audit_key)
            return broken or audit_anchor.missing_tail(self.ctx, session)

    def now(self) -> datetime:
        return self.clock.now()
