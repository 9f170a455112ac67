"""A throwaway PostgreSQL cluster for the reliability suite: initdb in a temp dir, trust auth, 127.0.0.1.

PostgreSQL refuses to run as root, so when the suite runs as root every server command goes through
`runuser -u postgres --` and the temp dir is handed to that user; as any other user it runs directly.
CI and a developer get the same cluster (what `start()` runs; see README.md for the full command):

    runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D $DIR/data -U postgres -A trust \
        -E UTF8 --locale=C --no-sync
    runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D $DIR/data -l $DIR/server.log -w -t 60 \
        -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off ..." start
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any

SERVER_OPTIONS = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c max_connections=300 -c shared_buffers=32MB"
)


class Unavailable(RuntimeError):
    """No PostgreSQL server binaries (or no way to run them) on this machine."""


def find_bindir() -> Path:
    """A PostgreSQL bin dir with initdb, pg_ctl and postgres: QINGLIAN_PG_BINDIR if set (and only
    it), else the newest /usr/lib/postgresql/*/bin (Debian, Ubuntu), else the one of pg_ctl on PATH."""
    explicit = os.environ.get("QINGLIAN_PG_BINDIR")
    if explicit:
        candidates = [explicit]
    else:
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_major, reverse=True)
        on_path = shutil.which("pg_ctl")
        candidates.append(str(Path(on_path).parent) if on_path else "")
    for folder in filter(None, candidates):
        if all((Path(folder) / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    raise Unavailable(f"PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in {candidates}")


def _major(path: str) -> int:
    part = Path(path).parent.name
    return int(part) if part.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    """One temporary cluster; `create_database` / `drop_database` hand out fresh databases."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                runuser = None
            if not runuser:
                raise Unavailable("running as root, but there is no `postgres` user or no runuser")
            self.as_postgres = [runuser, "-u", "postgres", "--"]
        self.base = Path(tempfile.mkdtemp(prefix="qinglian-pg-"))
        self.port = 0
        self.started = False

    # --- server ------------------------------------------------------------------------------------
    def start(self) -> None:
        if self.as_postgres:
            shutil.chown(self.base, "postgres", "postgres")
        self._run("initdb", "-D", str(self.base / "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C", "--no-sync")  # fmt: skip
        last_error = ""
        for _attempt in range(3):  # a free port can be taken between probing and binding
            self.port = _free_port()
            options = f"-p {self.port} -k {self.base} {SERVER_OPTIONS}"
            result = self._run(
                "pg_ctl", "-D", str(self.base / "data"), "-l", str(self.base / "server.log"),
                "-w", "-t", "60", "-o", options, "start", check=False,
            )  # fmt: skip
            if result.returncode == 0:
                self.started = True
                return
            last_error = result.stdout + result.stderr + self._log_tail()
        raise RuntimeError(f"PostgreSQL did not start:\n{last_error}")

    def stop(self) -> None:
        """Stop the server (immediate: nothing in it is worth a checkpoint) and remove the temp dir."""
        if self.started:
            self._run("pg_ctl", "-D", str(self.base / "data"), "-m", "immediate", "-w", "stop", check=False)
            self.started = False
        shutil.rmtree(self.base, ignore_errors=True)

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [*self.as_postgres, str(self.bindir / tool), *args]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=self.base, check=False)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{result.stdout}{result.stderr}")
        return result

    def _log_tail(self) -> str:
        log = self.base / "server.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    # --- databases ---------------------------------------------------------------------------------
    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres") -> Any:
        import psycopg  # here, so the cluster part also runs under an interpreter without psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True
        )

    def create_database(self, name: str, template: str | None = None) -> str:
        from psycopg import sql

        with self.connect() as conn:
            stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template:
                stmt = sql.SQL("{} TEMPLATE {}").format(stmt, sql.Identifier(template))
            conn.execute(stmt)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        from psycopg import sql

        with self.connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def copy_rows(source_url: str, target_url: str) -> None:
    """Create the schema at `target_url` and copy every row of `source_url` into it."""
    from sqlalchemy import Integer, text

    from engine.db.models import Base
    from engine.db.uow import Database

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
