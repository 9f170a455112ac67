"""Shared fixtures: an engine on a temporary SQLite file, the demo county, a frozen clock."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import tomllib
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from engine import CHINA_TZ, Engine, FrozenClock, Settings
from engine.demo import seed_county
from tests.pgcluster import PgCluster, Unavailable, copy_rows, find_bindir

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / "workflows"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
pytest_plugins = ["tests.demo_county"]  # the demo county (`demo`), shared by the tests that read it


def make_workflows_dir(tmp: Path, *process_dirs: Path) -> Path:
    """A workflows folder with the real roles and county, and the given process folders."""
    target = tmp / "workflows"
    target.mkdir()
    for name in ("roles.toml", "county.toml", "statistics.toml", "four_forms.toml"):
        shutil.copy(WORKFLOWS / name, target / name)
    if (WORKFLOWS / "documents").is_dir():  # statutory document templates, shared by every process
        shutil.copytree(WORKFLOWS / "documents", target / "documents")
    for folder in process_dirs:
        shutil.copytree(folder, target / folder.name)
    return target


SESSION_KEY = "test-session-key-of-the-test-deployment"
AUDIT_KEY = "test-audit-key-of-the-test-deployment"  # one audit chain for every engine of a test
_TEMPLATE: dict[str, Path] = {}


@pytest.fixture(scope="session", autouse=True)
def _template_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    _TEMPLATE["folder"] = tmp_path_factory.mktemp("template")


def _seeded_sqlite_template() -> Path:
    """One SQLite file with the schema and the demo county, hashed once per test session (argon2 is slow
    on purpose), copied by every test that needs a fresh database."""
    if "path" not in _TEMPLATE:
        folder = _TEMPLATE.get("folder") or Path(tempfile.mkdtemp(prefix="qinglian-template-"))
        engine = Engine(Settings(instance_dir=str(folder), workflows_dir=str(WORKFLOWS)))
        engine.init_schema()
        with engine.ctx.db.transaction() as session:
            seed_county(session, WORKFLOWS / "county.toml", dict(PASSWORDS))
        engine.close()
        _TEMPLATE["path"] = folder / "qinglian.db"
    return _TEMPLATE["path"]


def build_engine(
    tmp: Path, workflows: Path, database_url: str = "", at: datetime | None = None, seed: bool = True
) -> Engine:
    """A fresh engine: schema, demo county (passwords in PASSWORDS) and `workflows` deployed."""
    if not database_url:
        (tmp / "instance").mkdir(parents=True, exist_ok=True)
        shutil.copy(_seeded_sqlite_template(), tmp / "instance" / "qinglian.db")
    settings = Settings(
        database_url=database_url,
        instance_dir=str(tmp / "instance"),
        workflows_dir=str(workflows),
        secret_key=SESSION_KEY,
        audit_key=AUDIT_KEY,
    )
    engine = Engine(settings, clock=FrozenClock(at or datetime(2025, 9, 1, 9, 0, tzinfo=CHINA_TZ)))
    engine.init_schema()
    if database_url and seed:
        with engine.ctx.db.transaction() as session:
            seed_county(session, workflows / "county.toml", dict(PASSWORDS))
    engine.deploy()
    return engine


# Fixed demo passwords for tests (the CLI hands out random ones), one per user of county.toml.
_COUNTY = tomllib.loads((WORKFLOWS / "county.toml").read_text("utf-8"))
PASSWORDS = {name: f"pw-{name}-123456" for name in _COUNTY["users"]}


@pytest.fixture
def mini_engine(tmp_path: Path) -> Iterator[Engine]:
    """An engine with only the small test process deployed."""
    engine = build_engine(tmp_path, make_workflows_dir(tmp_path, FIXTURES / "mini"))
    yield engine
    engine.close()


@pytest.fixture
def actor(mini_engine: Engine):  # type: ignore[no-untyped-def]
    """Look up a demo user as an Actor: actor("zhaoliu")."""

    def lookup(username: str):  # type: ignore[no-untyped-def]
        found = mini_engine.actor_by_name(username)
        assert found is not None, username
        return found

    return lookup


def _no_postgres(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A throwaway PostgreSQL cluster for the whole session (started as the postgres user when root)."""
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


@pytest.fixture(scope="session")
def pg_county_template(pg_cluster: PgCluster) -> str:
    """A PostgreSQL database holding the schema and the seeded demo county, to clone per test."""
    copy_rows(f"sqlite:///{_seeded_sqlite_template()}", pg_cluster.create_database("ql_county"))
    return "ql_county"


@pytest.fixture
def fresh_postgres(pg_cluster: PgCluster, pg_county_template: str) -> Iterator[str]:
    """The URL of a new database cloned from the county template, dropped after the test."""
    name = f"s_{uuid.uuid4().hex[:12]}"
    yield pg_cluster.create_database(name, template=pg_county_template)
    pg_cluster.drop_database(name)
