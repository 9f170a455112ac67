"""A consistent online copy of a deployment's data, and its restore into an empty place (issue 11 #16).

`backup` copies the database while the server runs — SQLite through its online backup API, PostgreSQL
with `pg_dump` (one snapshot) — then the stored files, which are content-addressed and never change, so
every file a copied row names is there; except a stale upload the worker discards meanwhile
(engine/upload_sweep.py), whose row the next sweep after a restore discards too. A manifest records what
was copied and how many rows of each kind. The keys (instance/session.key, audit.key) are not in the copy:
keep them apart, and give the restored deployment the same audit key, or `audit verify` cannot vouch for
the chain.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url

from .context import EngineContext
from .db.migrate import upgrade
from .db.models import Attachment, AuditEvent, Document, ProcessInstance, User
from .errors import Refused
from .upload_sweep import ASIDE

MANIFEST = "manifest.json"
SQLITE_COPY = "qinglian.db"
PG_COPY = "qinglian.pgdump"
FILES = "files"
COUNTED = {
    "users": User,
    "instances": ProcessInstance,
    "audit_events": AuditEvent,
    "attachments": Attachment,
    "documents": Document,
}


@dataclass(frozen=True)
class Copy:
    folder: Path
    counts: dict[str, int]


def counts(ctx: EngineContext) -> dict[str, int]:
    """Rows of each kind that matters, as a backup and its restore compare them."""
    with ctx.db.reading() as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(m)) or 0) for name, m in COUNTED.items()
        }


def backup(ctx: EngineContext, folder: Path, now: datetime) -> Copy:
    """Copy the database and the files into `folder` (new or empty)."""
    if folder.exists() and any(folder.iterdir()):
        raise Refused(f"备份目录不是空的：{folder}")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    found = counts(ctx)
    url = make_url(ctx.settings.effective_database_url)
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(str(url.database)) as source, sqlite3.connect(folder / SQLITE_COPY) as target:
            source.backup(target)
    else:
        _pg("pg_dump", "--format=custom", "--no-owner", f"--file={folder / PG_COPY}", _libpq(url))
    if ctx.files_dir.exists():
        shutil.copytree(
            ctx.files_dir,
            folder / FILES,
            ignore=shutil.ignore_patterns(f"*{ASIDE}"),
            copy_function=_copy_present,
        )
    manifest = {"made_at": now.isoformat(), "database": url.get_backend_name(), "counts": found}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return Copy(folder, found)


def restore(ctx: EngineContext, folder: Path) -> Copy:
    """Bring a backup into this deployment's database, which must be empty, and its files folder."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    if inspect(ctx.db.engine).get_table_names():
        raise Refused("目标数据库不是空的：只能恢复到新建的空数据库")
    url = make_url(ctx.settings.effective_database_url)
    if manifest["database"] != url.get_backend_name():
        raise Refused(f"备份来自 {manifest['database']}，不能恢复到 {url.get_backend_name()}")
    ctx.db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(folder / SQLITE_COPY) as source, sqlite3.connect(str(url.database)) as target:
            source.backup(target)
    else:
        _pg("pg_restore", "--no-owner", f"--dbname={_libpq(url)}", str(folder / PG_COPY))
    if (folder / FILES).exists():
        shutil.copytree(folder / FILES, ctx.files_dir, dirs_exist_ok=True)
    upgrade(ctx.db.engine)  # a backup made by an older version gets this version's schema
    return Copy(folder, counts(ctx))


def _copy_present(source: str, target: str) -> None:
    """Copy a stored file unless the upload sweep removed it since the folder was listed."""
    with suppress(FileNotFoundError):
        shutil.copy2(source, target)


def _libpq(url: object) -> str:
    """The SQLAlchemy URL as the PostgreSQL tools take it (no driver name)."""
    return make_url(str(url)).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg(tool: str, *args: str) -> None:
    program = shutil.which(tool) or max(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"), default=None)
    if program is None:
        raise Refused(f"找不到 PostgreSQL 工具 {tool}（请安装 postgresql-client）")
    command = [str(program), *args]  # our own arguments: paths and the configured database URL
    result = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)  # noqa: S603
    if result.returncode != 0:
        raise Refused(f"{tool} 失败：{result.stderr.strip()[-500:]}")
