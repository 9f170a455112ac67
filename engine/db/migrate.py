"""Schema migrations with Alembic: `upgrade()` brings any database to the current schema."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


FULL_TEXT_OBJECTS = ("case_text_fts", "ix_case_text_fts")  # created by hand in 0004, not in the models


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Autogenerate compares everything but the full-text index objects (FTS5 table and its shadow
    tables on SQLite, the GIN expression index on PostgreSQL), which no model describes."""
    return not (name or "").startswith(FULL_TEXT_OBJECTS)


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def pending(connection: Connection) -> bool:
    """Has this database migrations still to apply (its revision is not this version's head)?"""
    heads = set(ScriptDirectory.from_config(_config(connection.engine)).get_heads())
    return set(MigrationContext.configure(connection).get_current_heads()) != heads


def upgrade(engine: Engine) -> None:
    """Apply every migration not yet applied (an empty database gets the whole schema)."""
    with engine.begin() as connection:
        config = _config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def revision(engine: Engine, message: str) -> None:
    """Write a new migration file from the difference between the models and the database (designers:
    after changing engine/db/models.py, on an up-to-date database)."""
    with engine.begin() as connection:
        config = _config(engine)
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
