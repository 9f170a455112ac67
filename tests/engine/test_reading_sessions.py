"""A reading session writes nothing, on either database: on PostgreSQL it runs without a transaction
(under READ COMMITTED a transaction gives reads nothing and costs two round trips), so a change made in
it, by an object or by a statement, is refused rather than committed on the spot."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from engine.db.models import User
from engine.db.uow import Database
from tests.conftest import _seeded_sqlite_template


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path) -> Database:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        copy = tmp_path / "county.db"
        copy.write_bytes(_seeded_sqlite_template().read_bytes())
        return Database(f"sqlite:///{copy}")
    return Database(request.getfixturevalue("fresh_postgres"))


def test_a_change_made_while_reading_is_refused_and_never_stored(database: Database) -> None:
    try:
        with database.reading() as session:
            user = session.scalar(select(User).where(User.username == "qianqi"))
            assert user is not None
            user.display_name = "改过的名字"
            session.scalar(select(User.id).where(User.username == "zhaoliu"))  # no autoflush writes it
            with pytest.raises(RuntimeError, match="reading session writes nothing"):
                session.flush()
            with pytest.raises(RuntimeError, match="reading session writes nothing"):
                session.execute(
                    update(User).where(User.username == "qianqi").values(display_name="改过的名字")
                )
        with database.reading() as session:
            assert session.scalar(select(User.display_name).where(User.username == "qianqi")) == "钱七"
    finally:
        database.engine.dispose()
