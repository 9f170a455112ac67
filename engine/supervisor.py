"""What supervisors read: their scope, the case list, the dashboard's statistics. Every read is limited
to the cases the caller may see; a person without a supervision scope gets NotFound on the supervisor
pages (roles.toml: monitor, sees, sees_office, sees_unit)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from . import audit, stats
from .case_audit import CaseAudit, case_audit
from .caselist import STATUS_NAMES, CaseFilter, all_cases, case_page
from .clock import CHINA_TZ, local_today
from .context import EngineContext
from .db.models import ProcessVersion, Unit, User, UserRole
from .errors import NotFound
from .exports import MAX_ROWS, ExportFile, Sheet, render
from .process_view import ProcessMap, process_map
from .queries import IncidentDetail, incident_details
from .records import Actor, Page
from .reports import SECTIONS, render_report, report_period
from .roles import Scope
from .stats.deadlines import Deadline, open_deadlines


@dataclass(frozen=True)
class Choices:
    """What the filters of the supervisor pages offer: (code, name) pairs."""

    units: tuple[tuple[str, str], ...]
    offices: tuple[tuple[str, str], ...]
    processes: tuple[tuple[str, str], ...]


class Supervisor:
    """Built by the Engine (`engine.supervisor`); safe to share between threads."""

    def __init__(self, ctx: EngineContext):
        self.ctx = ctx

    def scope(self, actor: Actor) -> Scope | None:
        """The cases this person supervises, or None."""
        return self.ctx.roles.scope(actor.roles, actor.unit_id)

    def require(self, actor: Actor) -> Scope:
        """The person's scope; NotFound for everyone without one (supervisor pages do not exist for them)."""
        scope = self.scope(actor)
        if scope is None:
            raise NotFound("页面不存在")
        return scope

    def cases(self, actor: Actor, f: CaseFilter) -> Page:
        """A page of the cases the actor may see, filtered, searched and sorted."""
        with self.ctx.db.reading() as session:
            return case_page(self.ctx, session, actor, f)

    def deadlines(self, actor: Actor, f: stats.StatFilter) -> list[Deadline]:
        """Open steps with a due date in the cases the actor may see, earliest first, with their owner."""
        with self.ctx.db.reading() as session:
            return open_deadlines(stats.Facts(self.ctx, session, actor, f))

    def stat_filter(self, args: dict[str, Any]) -> stats.StatFilter:
        """The dashboard filter from query-string values (default: this year up to today)."""
        return stats.StatFilter.parse(args, local_today(self.ctx.clock))

    def statistic(self, actor: Actor, name: str, f: stats.StatFilter) -> stats.Statistic:
        """One named statistic (stats.STATISTICS) in the actor's scope."""
        self.require(actor)
        with self.ctx.db.reading() as session:
            return stats.compute(self.ctx, session, actor, name, f)

    def dashboard(self, actor: Actor, f: stats.StatFilter) -> list[stats.Statistic]:
        """Every statistic, in the order of the dashboard."""
        self.require(actor)
        with self.ctx.db.reading() as session:
            return stats.compute_all(self.ctx, session, actor, f)

    def choices(self, actor: Actor) -> Choices:
        """Units, handling offices and processes to filter by. The offices are the units of the people
        who handle cases (roles.toml sees_office) and the offices that run processes (process.toml
        office): a unit with no officers holds no cases."""
        handling = [code for code, role in self.ctx.roles.roles.items() if role.sees_office]
        with self.ctx.db.reading() as session:
            names = dict(session.execute(select(Unit.id, Unit.name)).all())
            offices = set(
                session.scalars(
                    select(User.unit_id)
                    .join(UserRole, UserRole.user_id == User.id)
                    .where(UserRole.role.in_(handling))
                )
            )
            processes = {}
            for pid, meta in session.execute(
                select(ProcessVersion.process_id, ProcessVersion.meta).order_by(ProcessVersion.version)
            ):
                processes[pid] = meta["process"].get("name_zh", pid)
                offices.add(meta["process"].get("office"))
        return Choices(
            tuple(sorted(names.items())),
            tuple(sorted((o, names.get(o, o)) for o in offices if o)),
            tuple(sorted(processes.items())),
        )

    def process_map(
        self, actor: Actor, process_id: str, version: int | None = None, diagram: str | None = None
    ) -> ProcessMap:
        """A process version's diagram with the cases in scope standing on each step."""
        self.require(actor)
        with self.ctx.db.reading() as session:
            return process_map(self.ctx, session, actor, process_id, version, diagram)

    def case_audit(self, actor: Actor, instance_id: int) -> CaseAudit:
        """The audit trail of a case in the actor's scope, with whether its chain verifies."""
        with self.ctx.db.reading() as session:
            return case_audit(self.ctx, session, actor, instance_id)

    def incidents(self, actor: Actor) -> list[IncidentDetail]:
        """Cases stopped by a script or engine error, with the error, the step and the case data."""
        self.require(actor)
        with self.ctx.db.reading() as session:
            return incident_details(self.ctx, session, actor)

    # --- exports ---------------------------------------------------------------------------------
    def export_statistic(self, actor: Actor, name: str, f: stats.StatFilter, fmt: str) -> ExportFile:
        """A statistic's tables as CSV or XLSX; audited."""
        found = self.statistic(actor, name, f)
        sheets = [
            Sheet(t.title, t.columns, tuple(tuple(c.value for c in row) for row in t.rows))
            for t in found.tables
        ]
        title = f"{found.title}（{f.date_from}至{f.date_to}）"
        return self._export(actor, fmt, title, sheets, {"statistic": name, **f.query_args()})

    def export_cases(self, actor: Actor, f: CaseFilter, fmt: str) -> ExportFile:
        """Every case of the list as filtered (not just one page), as CSV or XLSX; audited."""
        with self.ctx.db.reading() as session:
            rows = all_cases(self.ctx, session, actor, f, MAX_ROWS)
        names = {code: name for code, name in self.choices(actor).processes}
        sheet = Sheet(
            "案件",
            ("编号", "标题", "流程", "版本", "状态", "单位", "承办部门", "是否逾期", "登记时间", "最近更新"),
            tuple(
                (
                    r.business_key or "",
                    r.title,
                    names.get(r.process_id, r.process_id),
                    r.version,
                    STATUS_NAMES.get(r.status, r.status),
                    r.unit,
                    r.office,
                    "逾期" if r.overdue else "",
                    _local(r.started_at),
                    _local(r.updated_at),
                )
                for r in rows
            ),
        )
        return self._export(actor, fmt, "案件清单", [sheet], {"cases": f.query_args()})

    def report(self, actor: Actor, kind: str, value: str) -> ExportFile:
        """The monthly (YYYY-MM) or quarterly (YYYY-Qn) report to the upper level, as DOCX; audited."""
        period = report_period(kind, value)
        f = self.stat_filter({"from": period.first.isoformat(), "to": period.last.isoformat()})
        found = [self.statistic(actor, name, f) for name in SECTIONS]
        now = self.ctx.clock.now()
        author, county = f"{actor.display_name}（{actor.username}）", self.ctx.settings.county
        content = render_report(period, found, author, now, county)
        file = ExportFile(f"{period.label}监督执纪工作情况报告.docx", DOCX, content, 0)
        return self._audited(actor, file, {"report": kind, "period": value, "format": "docx"})

    def _export(
        self, actor: Actor, fmt: str, title: str, sheets: list[Sheet], what: dict[str, Any]
    ) -> ExportFile:
        file = render(fmt, title, sheets, actor, self.ctx.clock.now())
        return self._audited(actor, file, {**what, "format": fmt, "rows": file.rows})

    def _audited(self, actor: Actor, file: ExportFile, what: dict[str, Any]) -> ExportFile:
        """Every export leaves the office in the audit trail: who, when, what, which file."""
        with self.ctx.db.transaction() as session:
            audit.append(
                session,
                self.ctx.audit_key,
                at=self.ctx.clock.now(),
                actor=actor.username,
                kind="exported",
                payload={**what, "file": file.filename},
            )
        return file


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _local(at: Any) -> str:
    return at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if at else ""
