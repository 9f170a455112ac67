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

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, build_engine, make_workflows_dir
from tests.pgcluster import PgCluster, copy_rows
from tests.reliability.support import Rig


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
            copy_rows(f"sqlite:///{built['sqlite']}", cluster.create_database("ql_template"))
            built[backend] = "ql_template"
        return built[backend]

    return template


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
