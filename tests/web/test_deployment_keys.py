"""No shared development key (issue 11 #1): each deployment gets its own random session key and its own
audit key, kept in the instance folder (0600) unless given in the environment; a production start with
a weak or shared key is refused, by the server and by every command; a cookie signed with the old
development key signs nobody in."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from engine import Engine, KeyProblem, Settings, files
from engine.keys import MIN_LENGTH
from tests.conftest import WORKFLOWS
from web import create_app
from web.cli import main

OLD_DEVELOPMENT_KEY = "dev-only-change-me"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _settings(folder: Path, **keys: object) -> Settings:
    return Settings(instance_dir=str(folder), workflows_dir=str(WORKFLOWS), **keys)  # type: ignore[arg-type]


def test_a_deployment_without_keys_gets_two_random_ones_kept_private(tmp_path: Path) -> None:
    engine = Engine(_settings(tmp_path / "a"))
    session_key, audit_key = engine.settings.secret_key, engine.settings.audit_key
    assert len(session_key) == 64 and len(audit_key) == 64 and session_key != audit_key
    for name, key in (("session.key", session_key), ("audit.key", audit_key)):
        path = tmp_path / "a" / name
        assert path.read_text().strip() == key
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700
    again = Engine(_settings(tmp_path / "a"))  # a restart keeps them: sessions and the chain survive
    assert (again.settings.secret_key, again.settings.audit_key) == (session_key, audit_key)
    other = Engine(_settings(tmp_path / "b"))  # another deployment shares nothing
    assert {other.settings.secret_key, other.settings.audit_key}.isdisjoint({session_key, audit_key})


def test_keys_given_in_the_environment_are_used_and_no_file_is_written(tmp_path: Path) -> None:
    given = _settings(tmp_path, secret_key="s" * MIN_LENGTH, audit_key="a" * MIN_LENGTH)
    engine = Engine(given)
    assert (engine.settings.secret_key, engine.settings.audit_key) == ("s" * MIN_LENGTH, "a" * MIN_LENGTH)
    assert not (tmp_path / "session.key").exists() and not (tmp_path / "audit.key").exists()


@pytest.mark.parametrize(
    ("keys", "said"),
    [
        ({"secret_key": OLD_DEVELOPMENT_KEY}, "QINGLIAN_SECRET_KEY"),
        ({"audit_key": "short"}, "QINGLIAN_AUDIT_KEY"),
        ({"secret_key": "k" * 40, "audit_key": "k" * 40}, "不能相同"),
    ],
)
def test_production_refuses_weak_or_shared_keys(tmp_path: Path, keys: dict[str, str], said: str) -> None:
    with pytest.raises(KeyProblem, match=said):
        Engine(_settings(tmp_path, production=True, **keys))


def test_production_starts_with_the_random_keys_of_its_instance_folder(tmp_path: Path) -> None:
    assert Engine(_settings(tmp_path, production=True)).settings.production


def test_every_command_refuses_the_development_key_in_production(tmp_path: Path) -> None:
    env = {
        "QINGLIAN_INSTANCE_DIR": str(tmp_path),
        "QINGLIAN_PRODUCTION": "1",
        "QINGLIAN_SECRET_KEY": OLD_DEVELOPMENT_KEY,
    }
    result = CliRunner().invoke(main, ["audit", "verify"], env=env)
    assert result.exit_code != 0 and "QINGLIAN_SECRET_KEY" in result.output


def test_a_cookie_signed_with_the_old_development_key_signs_nobody_in(tmp_path: Path) -> None:
    engine = Engine(_settings(tmp_path))
    engine.init_schema()
    app = create_app(engine.settings, engine)
    assert app.secret_key == engine.settings.secret_key != OLD_DEVELOPMENT_KEY
    forger = Flask("forger")
    forger.secret_key = OLD_DEVELOPMENT_KEY
    forged = SecureCookieSessionInterface().get_signing_serializer(forger).dumps({"_user_id": "1"})  # type: ignore[union-attr]
    client = app.test_client()
    client.set_cookie("session", forged)
    page = client.get("/")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_the_database_and_stored_files_are_readable_by_the_owner_alone(tmp_path: Path) -> None:
    """Issue 11 #10: made 0600 in 0700 folders, whatever the umask."""
    engine = Engine(_settings(tmp_path / "instance"))
    engine.init_schema()
    stored = files.store(engine.settings.files_dir, PDF)
    database = tmp_path / "instance" / "qinglian.db"
    kept = files.path_of(engine.settings.files_dir, stored.sha256)
    for path in (database, database.with_name("qinglian.db-wal"), kept):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for folder in (tmp_path / "instance", kept.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
