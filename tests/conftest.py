"""Shared fixtures: an engine on a temporary SQLite file, the demo county, a frozen clock."""

from __future__ import annotations

import shutil
import tempfile
import tomllib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from engine import CHINA_TZ, Engine, FrozenClock, Settings
from engine.demo import seed_county

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / "workflows"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def make_workflows_dir(tmp: Path, *process_dirs: Path) -> Path:
    """A workflows folder with the real roles and county, and the given process folders."""
    target = tmp / "workflows"
    target.mkdir()
    shutil.copy(WORKFLOWS / "roles.toml", target / "roles.toml")
    shutil.copy(WORKFLOWS / "county.toml", target / "county.toml")
    for folder in process_dirs:
        shutil.copytree(folder, target / folder.name)
    return target


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


def build_engine(tmp: Path, workflows: Path, database_url: str = "", at: datetime | None = None) -> Engine:
    """A fresh engine: schema, demo county (passwords in PASSWORDS) and `workflows` deployed."""
    if not database_url:
        (tmp / "instance").mkdir(parents=True, exist_ok=True)
        shutil.copy(_seeded_sqlite_template(), tmp / "instance" / "qinglian.db")
    settings = Settings(
        database_url=database_url,
        instance_dir=str(tmp / "instance"),
        workflows_dir=str(workflows),
        secret_key="test-secret-key-for-audit-chain",
    )
    engine = Engine(settings, clock=FrozenClock(at or datetime(2025, 9, 1, 9, 0, tzinfo=CHINA_TZ)))
    engine.init_schema()
    if database_url:
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
