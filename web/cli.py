"""The `qinglian` command: set up, serve, run timers and workers, manage people, check the audit trail."""

from __future__ import annotations

import json
import signal
import threading
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from engine import (
    CHINA_TZ,
    DeployRejected,
    Engine,
    InvalidSubmission,
    NotFound,
    NotPermitted,
    Refused,
    Settings,
)
from engine.demo import seed_county
from engine.reindex import reindex as reindex_cases
from engine.storyline import seed_demo_cases
from engine.worker import run_forever

from .cli_common import open_engine as _engine
from .cli_designer import test_command
from .cli_imports import import_command
from .cli_operations import audit, backup_command, keys, restore_command, token
from .logs import FORMATS, LEVELS
from .logs import configure as configure_logging
from .server import run_processes

LOG_FORMAT_ENV = "QINGLIAN_LOG_FORMAT"


def _logins_file(settings: Settings) -> Path:
    return Path(settings.instance_dir) / "demo-logins.json"


@click.group(invoke_without_command=True)
@click.pass_context
def main(ctx: click.Context) -> None:
    """清廉 Qinglian — integrity and accountability workflows."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@main.command()
@click.option("--demo", is_flag=True, help="seed the demo county with one account per role")
def init(demo: bool) -> None:
    """Create the database, deploy workflows/ and (with --demo) seed the demo users."""
    engine = _engine()
    try:
        for result in engine.deploy():
            state = "新部署" if result.created else "已是最新"
            click.echo(f"流程 {result.process_id} 版本 {result.version}（{state}）")
    except DeployRejected as exc:
        raise click.ClickException("部署失败：\n" + "\n".join(exc.problems)) from exc
    if demo:
        _seed_demo(engine)
        cases = seed_demo_cases(engine.settings)
        if cases:
            click.echo(f"演示案件 Demo cases: {cases}（workflows/storyline.json）")
        _print_logins(_logins_file(engine.settings))


def _seed_demo(engine: Engine) -> None:
    path = _logins_file(engine.settings)
    passwords = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    with engine.ctx.db.transaction() as session:
        seed_county(session, Path(engine.settings.workflows_dir) / "county.toml", passwords)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(passwords, ensure_ascii=False, indent=1), encoding="utf-8")
    path.chmod(0o600)


def _print_logins(path: Path) -> None:
    if not path.exists():
        return
    passwords = json.loads(path.read_text(encoding="utf-8"))
    engine = _engine()
    click.echo("演示账号 Demo logins (username / password — roles):")
    for actor, unit in engine.users():
        if actor.username in passwords:
            roles = ",".join(sorted(actor.roles)) or "-"
            secret = passwords[actor.username]
            click.echo(f"  {actor.username:<10} {secret:<16} {actor.display_name} {unit} [{roles}]")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="server processes")
@click.option("--no-worker", is_flag=True, help="run no timer worker (run `qinglian worker` elsewhere)")
@click.option("--log-level", type=click.Choice(LEVELS), default="info", show_default=True)
@click.option(
    "--log-format", type=click.Choice(FORMATS), default="text", show_default=True, envvar=LOG_FORMAT_ENV
)
def serve(host: str, port: int, workers: int, no_worker: bool, log_level: str, log_format: str) -> None:
    """Serve the web app: one process (waitress, the timer worker a thread of it), or --workers N
    processes under gunicorn with a timer worker process beside them."""
    configure_logging(log_level, log_format)
    engine = _engine()
    logins = _logins_file(engine.settings)
    if logins.exists():
        click.echo(f"演示账号 demo logins: {logins}")
    click.echo(f"清廉 Qinglian: http://{host}:{port}/")
    if workers > 1:
        engine.close()
        code = run_processes(engine.settings, host, port, workers, not no_worker, log_level, log_format)
        raise SystemExit(code)
    from waitress import serve as waitress_serve

    from web import create_app

    engine.render_pdfs_in_background()  # answers never wait for a PDF's layout
    signal.signal(signal.SIGTERM, _leave)  # systemd's stop: leave as Ctrl-C does, not mid-way
    waitress_serve(
        create_app(engine.settings, engine, start_worker=not no_worker), host=host, port=port, threads=8
    )


def _leave(_signum: int, _frame: object) -> None:
    """Stop serving and exit normally: the PDFs on their way are rendered first, the layout process ends."""
    raise SystemExit(0)


@main.command()
@click.option("--log-level", type=click.Choice(LEVELS), default="info", show_default=True)
@click.option(
    "--log-format", type=click.Choice(FORMATS), default="text", show_default=True, envvar=LOG_FORMAT_ENV
)
def worker(log_level: str, log_format: str) -> None:
    """Run a timer worker until interrupted (any number may run against PostgreSQL)."""
    configure_logging(log_level, log_format)
    engine = _engine()
    stop = threading.Event()
    click.echo("定时器工作进程已启动 (Ctrl-C 退出)")
    try:
        run_forever(engine.ctx, stop)
    except KeyboardInterrupt:
        stop.set()


@main.command()
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
def deploy(path: Path | None) -> None:
    """Deploy PATH (a process folder or a folder of them; default workflows/)."""
    try:
        results = _engine().deploy(path, by="cli")
    except DeployRejected as exc:
        raise click.ClickException("部署失败：\n" + "\n".join(exc.problems)) from exc
    for r in results:
        click.echo(f"{r.process_id} v{r.version} {'deployed' if r.created else 'unchanged'}")


@main.group()
def timers() -> None:
    """Timers and deadlines."""


@timers.command("run")
@click.option("--now", "now_text", help="fire as of this ISO-8601 moment (default: the real time)")
def timers_run(now_text: str | None) -> None:
    """Fire every timer due at that moment, print what fired, exit."""
    now = None
    if now_text:
        now = datetime.fromisoformat(now_text)
        now = now if now.tzinfo else now.replace(tzinfo=CHINA_TZ)
    engine = _engine(now)
    fired = engine.fire_due_timers()
    for item in fired:
        click.echo(f"#{item.instance_id} {item.title}: {'、'.join(item.fired)}")
    click.echo(f"{len(fired)} 个案件的定时器已触发")
    click.echo(f"{engine.notices.sweep_deadlines()} 条期限提醒已发出")
    click.echo(f"{engine.sweep_case_deadlines()} 条案件期限提醒已发出")


@main.group()
def users() -> None:
    """Accounts."""


@users.command("list")
@click.option("--json", "as_json", is_flag=True)
def users_list(as_json: bool) -> None:
    """Every account: username, display name, roles, unit."""
    rows = [
        {
            "username": a.username,
            "display_name": a.display_name,
            "roles": sorted(a.roles),
            "unit": a.unit_id,
            "unit_name": unit,
        }
        for a, unit in _engine().users()
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for r in rows:
        click.echo(f"{r['username']:<12} {r['display_name']:<6} {','.join(r['roles']):<8} {r['unit_name']}")


@users.command("add")
@click.argument("username")
@click.option("--name", "display_name", required=True)
@click.option("--unit", default=None)
@click.option("--role", "roles", multiple=True)
@click.option("--post", default="")
@click.password_option()
def users_add(
    username: str, display_name: str, unit: str | None, roles: tuple[str, ...], post: str, password: str
) -> None:
    """Create an account (password of at least 12 characters)."""
    try:
        _engine().add_user(username, display_name, password, unit=unit, roles=list(roles), post=post)
    except InvalidSubmission as exc:
        raise click.ClickException("; ".join(exc.errors.values())) from exc
    click.echo(f"已创建 {username}")


@users.command("passwd")
@click.argument("username")
@click.password_option()
def users_passwd(username: str, password: str) -> None:
    """Give an account a new password; every session it has open ends."""
    try:
        ended = _engine().set_password(username, password)
    except InvalidSubmission as exc:
        raise click.ClickException("; ".join(exc.errors.values())) from exc
    click.echo(f"已为 {username} 设置新密码，结束登录会话 {ended} 个")


@users.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable an account: it can no longer sign in, and every session it has open ends."""
    try:
        ended = _engine().disable_account(username)
    except InvalidSubmission as exc:
        raise click.ClickException("; ".join(exc.errors.values())) from exc
    click.echo(f"已停用 {username}，结束登录会话 {ended} 个")


@main.command()
def reindex() -> None:
    """Rebuild the search text and the dashboard's facts of every case from its state."""
    click.echo(f"{reindex_cases(_engine().ctx)} 个案件已重新索引")


@main.group()
def calendar() -> None:
    """The working-day calendar."""


@calendar.command("add")
@click.argument("start", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.argument("n", type=int)
def calendar_add(start: datetime, n: int) -> None:
    """Print the date N working days after START (start day excluded)."""
    deadline = _engine().calendar.add_working_days(date(start.year, start.month, start.day), n)
    suffix = "（暂定：该年度放假安排尚未公布 provisional）" if deadline.provisional else ""
    click.echo(f"{deadline.due.isoformat()}{suffix}")


def _keeper(username: str) -> Any:
    engine = _engine()
    actor = engine.actor_by_name(username)
    if actor is None:
        raise click.ClickException(f"没有用户 {username}")
    return engine, actor


def _report(change: Any) -> None:
    try:
        moved = change()
    except (NotPermitted, Refused, NotFound) as exc:
        raise click.ClickException(str(exc)) from exc
    for m in moved:
        click.echo(f"期限调整：{m.title}（案件 {m.instance_id}）{m.old} → {m.new}")
    click.echo(f"共调整 {len(moved)} 个待办事项的期限")


@calendar.command("list")
def calendar_list() -> None:
    """The county's overrides: extra holidays and working days, with their reasons."""
    for d in _engine().calendar_desk.days():
        kind = "放假" if d.kind == "holiday" else "上班"
        click.echo(f"{d.day}  {kind}  {d.note}（{d.set_by_name or d.set_by}，{d.set_at:%Y-%m-%d}）")


@calendar.command("set")
@click.argument("day")
@click.argument("kind", type=click.Choice(["holiday", "workday"]))
@click.option("--note", required=True, help="依据和理由")
@click.option("--as", "username", required=True, help="登记人（须为 roles.toml calendar_editors 的角色）")
def calendar_set(day: str, kind: str, note: str, username: str) -> None:
    """Make DAY an extra holiday or working day; every open deadline follows."""
    engine, actor = _keeper(username)
    _report(lambda: engine.calendar_desk.set_day(actor, day, kind, note))


@calendar.command("clear")
@click.argument("day")
@click.option("--note", required=True, help="撤销理由")
@click.option("--as", "username", required=True)
def calendar_clear(day: str, note: str, username: str) -> None:
    """Give DAY back to the national schedule; every open deadline follows."""
    engine, actor = _keeper(username)
    _report(lambda: engine.calendar_desk.clear_day(actor, day, note))


@calendar.command("recompute")
@click.option("--note", required=True, help="如：国务院办公厅公布2027年部分节假日安排")
@click.option("--as", "username", required=True)
def calendar_recompute(note: str, username: str) -> None:
    """After upgrading the holidays data (a newly published year): recompute every open deadline."""
    engine, actor = _keeper(username)
    _report(lambda: engine.calendar_desk.recompute(actor, note))


@main.command("settings")
def show_settings() -> None:
    """List every setting with its environment variable and default."""
    for env, default, help_text in Settings.documented():
        click.echo(f"{env}={default}\n    {help_text}")


for _command in (backup_command, restore_command, token, audit, keys, import_command, test_command):
    main.add_command(_command)
