"""`qinglian` commands of operators: backup and restore, API tokens, the audit trail, the identity keys."""

from __future__ import annotations

from pathlib import Path

import click

from engine import CHINA_TZ, InvalidSubmission, NotFound, Refused

from .cli_common import open_engine as _engine


@click.command("backup")
@click.argument("folder", type=click.Path(path_type=Path))
def backup_command(folder: Path) -> None:
    """A consistent online copy of the database and the stored files into FOLDER (new or empty)."""
    try:
        copy = _engine().operations.backup(folder)
    except Refused as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已备份到 {copy.folder}：" + "，".join(f"{k} {v}" for k, v in copy.counts.items()))


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore_command(folder: Path) -> None:
    """Restore a backup into the configured database, which must be empty (new)."""
    try:
        copy = _engine(migrate=False).operations.restore(folder)
    except Refused as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已从 {copy.folder} 恢复：" + "，".join(f"{k} {v}" for k, v in copy.counts.items()))


@click.group()
def token() -> None:
    """API tokens: make one, list a person's, revoke one."""


@token.command("new")
@click.argument("username")
@click.option("--days", type=int, default=None, help="days it stays valid (default: QINGLIAN_TOKEN_DAYS)")
def token_new(username: str, days: int | None) -> None:
    """Print a new API token for USERNAME (shown once; only its hash is kept)."""
    try:
        click.echo(_engine().issue_token(username, days))
    except InvalidSubmission as exc:
        raise click.ClickException("; ".join(exc.errors.values())) from exc


@token.command("list")
@click.argument("username")
def token_list(username: str) -> None:
    """USERNAME's tokens: number, made, expires, state."""
    engine = _engine()
    try:
        found = engine.tokens_of(username)
    except InvalidSubmission as exc:
        raise click.ClickException("; ".join(exc.errors.values())) from exc
    now = engine.clock.now()
    for t in found:
        made, ends = (x.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") for x in (t.created_at, t.expires_at))
        click.echo(f"{t.id:>5}  创建 {made}  到期 {ends}  {t.state(now)}")


@token.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Revoke token TOKEN_ID (see `qinglian token list`): it stops working at once."""
    try:
        _engine().revoke_token(token_id)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"令牌 {token_id} 已撤销")


@click.group()
def audit() -> None:
    """The audit trail."""


@audit.command("anchor")
def audit_anchor_command() -> None:
    """Write the chain's head (last event number and hash) to instance/audit.head now."""
    head = _engine().operations.anchor_audit()
    click.echo(f"审计链头已记录：第 {head.seq} 条" if head else "审计链为空")


@audit.command("verify")
def audit_verify() -> None:
    """Check the hash chain; exit 1 naming the first altered event."""
    bad = _engine().verify_audit()
    if bad is not None:
        raise click.ClickException(f"审计链在第 {bad} 条被篡改（audit chain broken at event {bad}）")
    click.echo("审计链完整（audit chain intact）")


@click.group()
def keys() -> None:
    """The key ring that seals reporters' identity."""


@keys.command("rotate")
def keys_rotate() -> None:
    """Seal every reporter's identity under a new key, then drop the old keys."""
    try:
        count = _engine().operations.rotate_identity_keys()
    except Refused as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已更换身份信息密钥，重新加密 {count} 项")
