"""Reliability fixtures: every test here runs on SQLite and on a throwaway PostgreSQL cluster.

- `pg_cluster` (session): initdb + pg_ctl in a temp dir (via `runuser -u postgres` when run as root),
  stopped and removed at the end of the session. No binaries: skip, except under CI=true: fail.
- `postgres_url`: a fresh PostgreSQL database per test (dropped afterwards).
- `db_url`: parametrized over ["sqlite", "postgresql"]: a temp SQLite file URL or `postgres_url`.
- `rig`: `db_url` filled with the demo county and the mini process. Seeding hashes 17 passwords
  (~2 s), so it is done once per session into a template that each test clones (a copy of the
  SQLite file, or `CREATE DATABASE … TEMPLATE` of a PostgreSQL database holding the same rows).
"""

from __future__ import annotations

import atexit
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Integer, text

from engine.db.models import Base
from engine.db.uow import Database
from tests.conftest import FIXTURES, build_engine, make_workflows_dir
from tests.reliability.pgcluster import PgCluster, Unavailable, find_bindir
from tests.reliability.support import Rig


def _no_postgres(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    try:
        cluster = PgCluster(find_bindir())
    except Unavailable as exc:
        _no_postgres(str(exc))
    atexit.register(cluster.stop)  # also on an interrupted session; stop() is idempotent
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(
    request: pytest.FixtureRequest,
    pg_cluster: PgCluster,
    seeded_template: Callable[[str, PgCluster | None], str],
) -> Iterator[str]:
    """A fresh database on the throwaway cluster, dropped after the test: empty, or (when the test
    uses `rig`) cloned straight from the seeded template, saving a second CREATE DATABASE."""
    template = seeded_template("postgresql", pg_cluster) if "rig" in request.fixturenames else None
    name = f"t_{uuid.uuid4().hex[:12]}"
    yield pg_cluster.create_database(name, template=template)
    pg_cluster.drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'instance' / 'qinglian.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture(scope="session")
def mini_workflows(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_workflows_dir(tmp_path_factory.mktemp("workflows"), FIXTURES / "mini")


@pytest.fixture(scope="session")
def seeded_template(
    tmp_path_factory: pytest.TempPathFactory, mini_workflows: Path
) -> Callable[[str, PgCluster | None], str]:
    """Build (once per backend) a database with the county seeded and the mini process deployed.

    Seeding hashes every demo password (argon2, seconds on a busy 2-core box), so it is done once,
    on SQLite; the PostgreSQL template gets the same rows copied over."""
    built: dict[str, str] = {}

    def template(backend: str, cluster: PgCluster | None) -> str:
        if "sqlite" not in built:
            tmp = tmp_path_factory.mktemp("template-sqlite")
            built["sqlite"] = str(tmp / "template.db")
            build_engine(tmp, mini_workflows, database_url=f"sqlite:///{built['sqlite']}").close()
        if backend == "postgresql" and backend not in built:
            assert cluster is not None
            _copy_rows(f"sqlite:///{built['sqlite']}", cluster.create_database("ql_template"))
            built[backend] = "ql_template"
        return built[backend]

    return template


def _copy_rows(source_url: str, target_url: str) -> None:
    """Create the schema at `target_url` and copy every row of `source_url` into it."""
    source, target = Database(source_url), Database(target_url)
    target.create_schema()
    try:
        with source.engine.connect() as src, target.engine.begin() as dst:
            for table in Base.metadata.sorted_tables:  # parents before children
                rows = [dict(row._mapping) for row in src.execute(table.select())]
                if rows:
                    dst.execute(table.insert(), rows)
            for table in Base.metadata.sorted_tables:  # serial ids continue after the copied ones
                pk = list(table.primary_key.columns)
                if len(pk) == 1 and isinstance(pk[0].type, Integer):
                    dst.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                            f"coalesce(max({pk[0].name}), 0) + 1, false) FROM {table.name}"
                        )
                    )
    finally:
        source.dispose()
        target.dispose()


@pytest.fixture
def rig(
    db_url: str,
    tmp_path: Path,
    mini_workflows: Path,
    seeded_template: Callable[[str, PgCluster | None], str],
) -> Iterator[Rig]:
    """`db_url`, seeded from the template; `rig.engine(at)` opens Engines ("processes") on it."""
    if db_url.startswith("sqlite"):
        target = Path(db_url.split("///", 1)[1])
        target.parent.mkdir(parents=True, exist_ok=True)
        source = seeded_template("sqlite", None)
        shutil.copyfile(source, target)
        if Path(source + "-wal").exists():  # normally checkpointed away when the template engine closed
            shutil.copyfile(source + "-wal", str(target) + "-wal")
    # PostgreSQL: `postgres_url` already cloned the template for this test
    rig = Rig(db_url, mini_workflows, tmp_path)
    rig.engine()
    yield rig
    rig.close()
