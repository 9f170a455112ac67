"""The supervisors' tables (issue 8): what a case is found by, the facts its figures count, the
interventions made in it, the void of its documents, and the requests that someone withdraw from it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UTCDateTime


class CaseText(Base):
    """What a case is found by in the full-text search (engine/search.py): the collected names and
    opinions (`content`, one per line) and their tokens (`body`, indexed by FTS5 / a GIN index)."""

    __tablename__ = "case_text"
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), primary_key=True)
    content: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)


class CaseFact(Base):
    """A figure-bearing fact of a case, recorded as the case moves on (workflows/statistics.toml): a clue
    and its source, a disposal, a measure taken against a person, a 函询 round, an inspection's score, a
    整改 task… The dashboard counts these; a fact is updated by later steps, never deleted."""

    __tablename__ = "case_fact"
    __table_args__ = (
        UniqueConstraint("instance_id", "kind", "key"),
        Index("ix_case_fact_kind_at", "kind", "at"),
        Index("ix_case_fact_kind_done", "kind", "done_at"),  # answered in a period; still open
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    key: Mapped[str] = mapped_column(String(80), default="")
    code: Mapped[str] = mapped_column(String(40), default="")
    label: Mapped[str] = mapped_column(String(200), default="")
    person: Mapped[str] = mapped_column(String(64), default="")
    unit_id: Mapped[str | None] = mapped_column(String(16))
    at: Mapped[date | None] = mapped_column(Date)
    due: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[date | None] = mapped_column(Date)
    num: Mapped[float | None] = mapped_column(Float)


class Intervention(Base):
    """A supervisor's intervention in a case (催办, 转办, 延期, 中止, 恢复, 作废, 重试), with its reason:
    shown in the case history, written to the audit trail."""

    __tablename__ = "intervention"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"))
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    details: Mapped[dict] = mapped_column(JSON)


class DocumentVoid(Base):
    """A document of a cancelled (作废) case: void from then on; its number is never given again."""

    __tablename__ = "document_void"
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)


class RecusalRequest(Base):
    """A request that someone withdraw from a case (回避, 监察法 §58, DOMAIN.md §9), and its decision."""

    __tablename__ = "recusal_request"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))  # who is to withdraw
    requested_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))  # who entered the request
    requester: Mapped[str] = mapped_column(String(16))  # 本人 | 被反映人 | 检举控告人 | 其他
    form: Mapped[str] = mapped_column(String(8))  # 书面 | 口头 (recorded by staff)
    grounds: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | approved | rejected
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opinion: Mapped[str] = mapped_column(Text, default="")
    upper_level: Mapped[str] = mapped_column(
        String(200), default=""
    )  # the 纪委书记's own: the decision above


class MessageWait(Base):
    """A running instance waits for a message (an armed intermediate catch event): for which values of
    its process's correlation keys (process.toml `catches`)."""

    __tablename__ = "message_wait"
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), primary_key=True)
    message: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    match: Mapped[dict] = mapped_column(JSON)  # {key: value} the message's payload must agree with


class MessagePost(Base):
    """A message thrown for a waiting instance: kept until one waits for it (it may be thrown first),
    then marked delivered; never deleted (every message is evidence)."""

    __tablename__ = "message_post"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[dict] = mapped_column(JSON)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_to: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CalendarDay(Base):
    """A local override of the working-day calendar (issue 9 #19): an extra holiday or working day."""

    __tablename__ = "calendar_day"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # holiday | workday
    note: Mapped[str] = mapped_column(Text)  # why (the county's notice, the State Council's schedule)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ExtensionRequest(Base):
    """A request by a step's holder for a later deadline (延期申请, issue 9 #19), and its decision."""

    __tablename__ = "extension_request"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    requested_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[str] = mapped_column(Text)
    wanted_due: Mapped[date] = mapped_column(Date)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending | approved | refused
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(Text)
    granted_due: Mapped[date | None] = mapped_column(Date)
