"""The designers' table (issue 13): every saved revision of a process's draft, never live until deployed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UTCDateTime


class ProcessDraft(Base):
    """One saved revision of a draft: the whole set of the process's files as the designer left them
    (BPMN, DMN, forms, process.toml, scenarios). Revisions are kept; the newest is the draft."""

    __tablename__ = "process_draft"
    __table_args__ = (UniqueConstraint("process_id", "revision"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(64), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    base_version: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the version it started from
    sources: Mapped[dict] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime())
    saved_by: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(500), default="")
    deployed_version: Mapped[int | None] = mapped_column(Integer, nullable=True)  # set once deployed
