"""`qinglian test [PATH]` (issue 13 #4): the scenario files of a process folder (default: every folder of
workflows/), or with `--draft PROCESS --as USER` those of the draft saved in the designer, each run in a
throwaway county; prints one line per scenario and exits 1 if any failed or the model does not validate."""

from __future__ import annotations

from pathlib import Path

import click

from engine import DeployRejected, NotFound, Settings
from engine.catalog import discover

from .cli_common import open_engine


@click.command("test")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--draft", "draft", default="", help="run the scenarios of this process's draft instead")
@click.option("--as", "username", default="", help="the designer whose view of the draft is used")
def test_command(path: Path | None, draft: str, username: str) -> None:
    """Run the scenarios of PATH (a process folder or a folder of them), or of a draft."""
    engine = open_engine()
    try:
        if draft:
            actor = engine.actor_by_name(username) if username else None
            if actor is None:
                raise click.ClickException("请用 --as 指定流程设计员")
            results = [(draft, engine.designer.run_scenarios(actor, draft))]
        else:
            target = path or Path(Settings.from_env().workflows_dir)
            folders = [target] if (target / "process.toml").exists() else discover(target)
            results = [engine.designer.test_folder(folder) for folder in folders]
    except (DeployRejected, NotFound) as exc:
        raise click.ClickException(f"未能运行场景：{exc}") from exc
    finally:
        engine.close()
    failed = 0
    for process_id, runs in results:
        for run in runs:
            click.echo(f"{'通过' if run.passed else '未通过'}  {process_id}/{run.name}")
            if not run.passed:
                failed += 1
                click.echo(f"    {run.message}", err=True)
    total = sum(len(runs) for _, runs in results)
    click.echo(f"场景 {total} 个，通过 {total - failed} 个，未通过 {failed} 个")
    if failed:
        raise SystemExit(1)
