"""Tables (SQLAlchemy 2 declarative). Portable SQL only: SQLite and PostgreSQL run the same schema."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (naive storage) and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base; `Base.metadata.create_all` builds a fresh schema."""


class Unit(Base):
    __tablename__ = "unit"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    post: Mapped[str] = mapped_column(String(120), default="")
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("unit.id"))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[str] = mapped_column(String(120), default="", server_default="")  # notices by SMTP


class UserRole(Base):
    __tablename__ = "user_role"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(8), primary_key=True)


class Recusal(Base):
    """A declared conflict of interest (回避): the user may not handle matters about the subject."""

    __tablename__ = "recusal"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    subject_name: Mapped[str] = mapped_column(String(64), index=True)  # as declared, for people to read
    subject_key: Mapped[str] = mapped_column(String(64), index=True)  # what matching uses (person_keys)
    reason: Mapped[str] = mapped_column(String(200))


class ApiToken(Base):
    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginLock(Base):
    """Wrong passwords for one account from one address (issue 11 #10): five in a row lock that address out
    of that account for a while; the account itself stays open to everyone else, so nobody can lock a
    named person out by guessing at his password."""

    __tablename__ = "login_lock"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(64), primary_key=True)  # the client's address
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SignIn(Base):
    """One signed-in browser session (issue 11 #4): its cookie carries a random token whose hash is kept
    here, so a logout, a password change or a disabled account ends it on the server."""

    __tablename__ = "sign_in"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_why: Mapped[str] = mapped_column(String(16), default="", server_default="")


class ProcessVersion(Base):
    """An immutable deployed version of one process: its sources and serialized specs."""

    __tablename__ = "process_version"
    __table_args__ = (
        UniqueConstraint("process_id", "version"),
        UniqueConstraint("process_id", "sha256"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    meta: Mapped[dict] = mapped_column(JSON)
    sources: Mapped[dict] = mapped_column(JSON)
    spec_json: Mapped[str] = mapped_column(Text)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deployed_by: Mapped[str] = mapped_column(String(64))


class ProcessInstance(Base):
    __tablename__ = "process_instance"
    # One case number per process, also when two officers register at the same moment.
    __table_args__ = (
        UniqueConstraint("process_id", "business_key"),
        Index("ix_process_instance_subject", "process_id", "subject_name"),  # 重复件 check at A-1
        Index("ix_process_instance_started", "started_at"),  # case list: period filter and sort
        Index("ix_process_instance_updated", "updated_at"),  # case list: default sort
        Index("ix_process_instance_confidentiality", "confidentiality"),  # the few 机密 cases, for scope
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    process_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    state_json: Mapped[str] = mapped_column(Text)
    serializer_version: Mapped[str] = mapped_column(String(16))
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    business_key: Mapped[str | None] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(200))
    subject_name: Mapped[str] = mapped_column(String(64), default="")
    unit_id: Mapped[str | None] = mapped_column(String(16), index=True)
    handling_office: Mapped[str | None] = mapped_column(String(16), index=True)  # 承办室 (process.toml)
    confidentiality: Mapped[str] = mapped_column(String(16), default="内部")
    started_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012 — optimistic lock (RELIABILITY F1)


class HumanTask(Base):
    """Projection of READY user tasks: what the inbox reads; rebuilt after every engine run."""

    __tablename__ = "human_task"
    __table_args__ = (
        UniqueConstraint("instance_id", "task_guid"),
        Index("ix_human_task_inbox", "status", "role", "unit_id"),
        Index("ix_human_task_assignee", "assignee_id", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_guid: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(8))
    unit_id: Mapped[str | None] = mapped_column(String(16))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    status: Mapped[str] = mapped_column(String(16))
    form_ref: Mapped[str | None] = mapped_column(String(120))
    instructions: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    calendar_version: Mapped[str | None] = mapped_column(String(80))
    data: Mapped[dict | None] = mapped_column(JSON)  # an open step's data: its page needs no workflow load
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class InstanceParticipant(Base):
    """Who takes part in an instance: staff see the case file, external people only their tasks."""

    __tablename__ = "instance_participant"
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True, index=True)
    kind: Mapped[str] = mapped_column(String(16))


class InstanceRecusal(Base):
    """A user recused from one instance never sees it, nor acts on it."""

    __tablename__ = "instance_recusal"
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)


class AuditEvent(Base):
    """Append-only, hash-chained log of every action (who, when, what)."""

    __tablename__ = "audit_event"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    instance_id: Mapped[int | None] = mapped_column(Integer, index=True)
    task_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Attachment(Base):
    """A stored file, addressed by the SHA-256 of its content; never overwritten."""

    __tablename__ = "attachment"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AttachmentLink(Base):
    """An attachment as uploaded to one instance, under the name the uploader gave it. An upload is
    pending until the submission that names it is accepted: a refused form attaches nothing to the case."""

    __tablename__ = "attachment_link"
    __table_args__ = (UniqueConstraint("instance_id", "sha256", "filename"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id"), index=True
    )  # None: staged
    sha256: Mapped[str] = mapped_column(ForeignKey("attachment.sha256"))
    filename: Mapped[str] = mapped_column(String(200))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Notification(Base):
    """A notice in one person's notification centre (and their e-mail when SMTP is configured)."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_unread", "user_id", "read_at"),
        Index("ix_notification_task", "task_id", "kind", "due_date"),  # told of this deadline yet?
        # one "due soon" and one "overdue" notice per task, deadline and person, however often the sweep
        # runs; a deadline moved (延期, 恢复) is a new one to tell of
        Index(
            "ux_notification_task_kind",
            "user_id",
            "task_id",
            "kind",
            "due_date",
            unique=True,
            sqlite_where=text("task_id IS NOT NULL AND kind IN ('due_soon', 'overdue')"),
            postgresql_where=text("task_id IS NOT NULL AND kind IN ('due_soon', 'overdue')"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    lane: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(16), default="notice", server_default="notice")
    task_id: Mapped[int | None] = mapped_column(Integer)
    due_date: Mapped[date | None] = mapped_column(Date)  # the deadline a due_soon/overdue notice is about
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Incident(Base):
    """A failed action (script error, budget exceeded), kept for supervisors; the action was rolled back."""

    __tablename__ = "incident"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(40))
    error: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    step: Mapped[str] = mapped_column(
        String(200), default="", server_default=""
    )  # the task completed, if any
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolution: Mapped[str | None] = mapped_column(Text)


class InstanceLink(Base):
    """One instance started another by a BPMN message (一案双查, findings → 整改, clues → 线索处置).

    A message with correlation values starts at most one instance: the unique key makes a second
    `case_filed` for the same unit and case a recorded duplicate, also when two writers race. A start by
    hand of a correlated process is kept here too (no source), so a later message does not repeat it.
    """

    __tablename__ = "instance_link"
    __table_args__ = (UniqueConstraint("message", "correlation"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # source None: started by hand; target None only until the started instance exists
    source_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    target_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    message: Mapped[str] = mapped_column(String(64))
    correlation: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DocumentCounter(Base):
    """The last number given to a document type in a year: numbers come without gaps or repeats."""

    __tablename__ = "document_counter"
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Document(Base):
    """A numbered statutory document as issued: its DOCX and PDF, by hash; never changed afterwards."""

    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("kind", "year", "seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    docx_sha256: Mapped[str] = mapped_column(ForeignKey("attachment.sha256"))
    pdf_sha256: Mapped[str | None] = mapped_column(
        ForeignKey("attachment.sha256")
    )  # None: PDF not yet rendered
    template_sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_by: Mapped[str] = mapped_column(String(64))
    fields: Mapped[dict | None] = mapped_column(JSON)  # what it was rendered from (reporter keys dropped)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))  # the voided one it replaces


# The supervisors' tables (search, facts, interventions, 回避) live in oversight.py, the designers' drafts in
# designs.py; importing them here puts them in Base.metadata wherever the models are loaded (migrations,
# schema checks).
from . import designs, oversight  # noqa: E402, F401
