"""Is this process ready to serve (issue 11 #11): the database answers and its schema is the one this
version expects. What a load balancer's readiness probe asks; liveness needs no engine at all."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .context import EngineContext
from .db.migrate import pending


def readiness(ctx: EngineContext) -> list[str]:
    """What keeps the process from serving; empty when it is ready."""
    try:
        with ctx.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            behind = pending(connection)
    except SQLAlchemyError:
        return ["数据库不可达（database unreachable）"]
    return ["数据库结构不是最新，请运行 qinglian init（migrations pending）"] if behind else []
