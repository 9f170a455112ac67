"""Alembic environment: migrations run on the connection the engine hands over (no alembic.ini)."""

from alembic import context

from engine.db.migrate import include_name
from engine.db.models import Base, UTCDateTime


def render_item(kind, obj, autogen_context):  # type: ignore[no-untyped-def]
    """Migrations stand alone: our UTC column type is written as the plain DateTime it stores."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    render_item=render_item,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
