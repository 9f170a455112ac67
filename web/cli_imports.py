"""`qinglian import PROCESS FILE --as USER` (issue 12 D1): one case per row of a CSV/XLSX file, as the
批量导入 page does it; prints what was imported and every refused row with its line."""

from __future__ import annotations

from pathlib import Path

import click

from engine import NotFound, NotPermitted, Refused

from .cli_common import open_engine as _engine


@click.command("import")
@click.argument("process_id")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "username", required=True, help="who imports (must be allowed to start the process)")
def import_command(process_id: str, file: Path, username: str) -> None:
    """Import one case of PROCESS_ID per row of FILE (.csv or .xlsx); exit 1 if any row was refused."""
    engine = _engine()
    actor = engine.actor_by_name(username)
    if actor is None:
        raise click.ClickException(f"用户 {username} 不存在或已停用")
    try:
        report = engine.imports.run(actor, process_id, file.name, file.read_bytes())
    except (NotFound, NotPermitted, Refused) as exc:
        raise click.ClickException(f"文件未导入：{exc}") from exc
    for line, instance_id, title in report.imported:
        click.echo(f"第 {line} 行：已登记 #{instance_id} {title}")
    for line, errors in report.refused:
        reasons = "；".join(text if field == "_" else f"{field}：{text}" for field, text in errors.items())
        click.echo(f"第 {line} 行：未登记（{reasons}）", err=True)
    click.echo(f"已登记 {len(report.imported)} 件，未登记 {len(report.refused)} 行")
    if report.refused:
        raise SystemExit(1)
