"""(f) issue 11 #13: 5,000 timers due at one moment, fired by two `qinglian worker` processes on PostgreSQL.

One mini case is served (its reply waits with a reminder and a deadline timer) and cloned 4,999 times, so
5,000 running cases have their timers due at the same instant, long past. Two worker processes start; the
figure is the time from their start until no case has a timer due, and the check is that every case
fired once: one 逾期处理决定 step and one `timers_fired` audit event each.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from bench.cases import workflows_folder
from bench.clones import clone_cases
from engine import CHINA_TZ, Engine, FrozenClock, Settings
from engine.db.models import AuditEvent, HumanTask, ProcessInstance
from engine.demo import seed_county

ROOT = Path(__file__).resolve().parent.parent
SESSION_KEY, AUDIT_KEY = "bench-session-key-" + "s" * 20, "bench-audit-key-" + "a" * 20
LIMIT_S = 600.0  # give up after this long: the figure then says so


def bench_timers(folder: Path, total: int = 5000, workers: int = 2) -> None:
    from tests.pgcluster import PgCluster, Unavailable, find_bindir

    try:
        cluster = PgCluster(find_bindir())
        cluster.start()
    except (Unavailable, RuntimeError) as exc:
        print(f"(f) timers at scale: skipped, no PostgreSQL ({exc})")
        return
    try:
        url = cluster.create_database("timers")
        settings = _settings(folder, url)
        engine = _seeded(settings)
        clone_cases(engine, total)
        engine.close()
        env = {
            **os.environ,
            "QINGLIAN_DATABASE_URL": url,
            "QINGLIAN_INSTANCE_DIR": settings.instance_dir,
            "QINGLIAN_WORKFLOWS_DIR": settings.workflows_dir,
            "QINGLIAN_SECRET_KEY": SESSION_KEY,
            "QINGLIAN_AUDIT_KEY": AUDIT_KEY,
            "QINGLIAN_WORKER_INTERVAL": "0.2",
        }
        command = [sys.executable, "-m", "web", "worker", "--log-level", "warning"]
        started = time.monotonic()
        fleet = [
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL) for _ in range(workers)
        ]
        try:
            engine = Engine(settings)
            while _still_due(engine) and time.monotonic() - started < LIMIT_S:
                time.sleep(0.25)
            elapsed = time.monotonic() - started
        finally:
            for worker in fleet:
                worker.terminate()
                worker.wait(timeout=60)
        twice, missed, events = _exactly_once(engine, total)
        engine.close()
        print(
            f"(f) {total:,} timers due at one moment, {workers} workers on PostgreSQL: "
            f"all fired in {elapsed:.1f} s (target <= 60 s), {total / elapsed:.0f} cases/s; "
            f"fired twice {twice}, not fired {missed}, timers_fired events {events:,}"
        )
    finally:
        cluster.stop()


def _settings(folder: Path, url: str) -> Settings:
    workflows = workflows_folder(folder, ROOT / "tests" / "fixtures" / "mini")
    return Settings(
        database_url=url,
        instance_dir=str(folder / "instance"),
        workflows_dir=str(workflows),
        secret_key=SESSION_KEY,
        audit_key=AUDIT_KEY,
    )


def _seeded(settings: Settings) -> Engine:
    engine = Engine(settings, clock=FrozenClock(datetime(2025, 9, 1, 9, tzinfo=CHINA_TZ)))
    engine.init_schema()
    with engine.ctx.db.transaction() as session:
        seed_county(session, ROOT / "workflows" / "county.toml", {})
    engine.deploy()
    start = {"case_no": "M-001", "subject_name": "冯乙", "subject_unit": "SJJ", "handling_office": "JC1"}
    case = engine.start(engine.actor_by_name("zhaoliu"), "mini", {**start, "subject_user": "fengyi"})  # type: ignore[arg-type]
    officer = engine.actor_by_name("qianqi")
    serve = next(t for t in engine.inbox(officer) if t.instance_id == case)  # type: ignore[arg-type]
    engine.complete(officer, serve.id, {"served_at": "2025-09-01"})  # type: ignore[arg-type]
    return engine


def _still_due(engine: Engine) -> int:
    now = datetime.now(CHINA_TZ)
    with engine.ctx.db.reading() as session:
        due = select(func.count()).select_from(ProcessInstance).where(ProcessInstance.next_timer_at <= now)
        return session.scalar(due.where(ProcessInstance.status == "running")) or 0


def _exactly_once(engine: Engine, total: int) -> tuple[int, int, int]:
    """(cases with the step twice, cases without it, timers_fired events)."""
    with engine.ctx.db.reading() as session:
        per_case = dict(
            session.execute(
                select(HumanTask.instance_id, func.count())
                .where(HumanTask.bpmn_id == "escalate")
                .group_by(HumanTask.instance_id)
            ).all()
        )
        events = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "timers_fired")
        )
    return sum(1 for n in per_case.values() if n > 1), total - len(per_case), events or 0
