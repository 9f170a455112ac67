"""What `make load` runs against (bench/load.py): a PostgreSQL cluster of its own, the demo county's
people, the mini process with thousands of cases waiting for 钱七's office to record their 送达, tokens
and passwords for the simulated users; and the check of the database after the run."""

from __future__ import annotations

import socket
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from bench.cases import workflows_folder
from bench.clones import clone_cases
from engine import CHINA_TZ, Engine, FrozenClock, Settings
from engine.db.models import AuditEvent, HumanTask
from engine.demo import seed_county
from tests.pgcluster import PgCluster, find_bindir

ROOT = Path(__file__).resolve().parent.parent
SESSION_KEY, AUDIT_KEY = "load-session-key-" + "s" * 20, "load-audit-key-" + "a" * 20
START = {"case_no": "M-001", "subject_name": "冯乙", "subject_unit": "SJJ", "handling_office": "JC1"}


@dataclass
class World:
    cluster: PgCluster
    engine: Engine
    port: int
    env: dict[str, str]
    passwords: dict[str, str]
    tokens: dict[str, str] = field(default_factory=dict)
    serve_tasks: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.engine.close()
        self.cluster.stop()


def build_world(folder: Path, cases: int) -> World:
    cluster = PgCluster(find_bindir())
    cluster.start()
    url = cluster.create_database("load")
    workflows = workflows_folder(folder, ROOT / "tests" / "fixtures" / "mini")
    settings = Settings(
        database_url=url,
        instance_dir=str(folder / "instance"),
        workflows_dir=str(workflows),
        secret_key=SESSION_KEY,
        audit_key=AUDIT_KEY,
    )
    engine = Engine(settings, clock=FrozenClock(datetime(2025, 9, 1, 9, tzinfo=CHINA_TZ)))
    engine.init_schema()
    passwords: dict[str, str] = {}
    with engine.ctx.db.transaction() as session:
        seed_county(session, ROOT / "workflows" / "county.toml", passwords)
    engine.deploy()
    engine.start(engine.actor_by_name("zhaoliu"), "mini", {**START, "subject_user": "fengyi"})  # type: ignore[arg-type]
    clone_cases(engine, cases)
    with engine.ctx.db.transaction() as session:  # what autovacuum does soon after a bulk load
        session.execute(text("ANALYZE"))
    with engine.ctx.db.reading() as session:
        serve = select(HumanTask.id).where(HumanTask.bpmn_id == "serve", HumanTask.status == "ready")
        tasks = list(session.scalars(serve))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {
        "QINGLIAN_DATABASE_URL": url,
        "QINGLIAN_INSTANCE_DIR": settings.instance_dir,
        "QINGLIAN_WORKFLOWS_DIR": settings.workflows_dir,
        "QINGLIAN_SECRET_KEY": SESSION_KEY,
        "QINGLIAN_AUDIT_KEY": AUDIT_KEY,
    }
    world = World(cluster, engine, port, env, passwords, serve_tasks=tasks)
    engine.clock.set(datetime.now(CHINA_TZ))  # type: ignore[attr-defined]  # tokens valid from today
    world.tokens = {name: engine.issue_token(name) for name in ("qianqi", "sunba", "zhangsan")}
    return world


def check_completions(world: World, answered: list[int]) -> tuple[int, int, int]:
    """(answered 200 but not completed, completed more than once, completed without a 200 answer)."""
    with world.engine.ctx.db.reading() as session:
        done = set(
            session.scalars(
                select(HumanTask.id).where(HumanTask.bpmn_id == "serve", HumanTask.status == "completed")
            )
        )
        events: Counter[Any] = Counter(
            session.scalars(select(AuditEvent.task_id).where(AuditEvent.kind == "task_completed"))
        )
    told = set(answered)
    return (
        len(told - done),
        sum(1 for n in events.values() if n > 1) + len(answered) - len(told),
        len(done - told),
    )
