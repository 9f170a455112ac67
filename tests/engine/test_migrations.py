"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine.db.migrate import include_name
from engine.db.models import Base
from engine.db.uow import Database


def _differences(url: str) -> list:
    db = Database(url)
    try:
        db.create_schema()
        db.create_schema()  # a second run is a no-op
        with db.engine.connect() as connection:
            return compare_metadata(
                MigrationContext.configure(connection, opts={"include_name": include_name}), Base.metadata
            )
    finally:
        db.dispose()


def test_migrations_match_the_models_on_sqlite(tmp_path: Path) -> None:
    assert _differences(f"sqlite:///{tmp_path / 'm.db'}") == []


@pytest.mark.postgres
def test_migrations_match_the_models_on_postgresql(pg_cluster) -> None:  # type: ignore[no-untyped-def]
    url = pg_cluster.create_database("migrations_check")
    try:
        assert _differences(url) == []
    finally:
        pg_cluster.drop_database("migrations_check")
