"""The `qinglian` command line, run as an operator would (click's runner, a fresh instance folder)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import Engine
from engine.config import Settings
from tests.conftest import FIXTURES, make_workflows_dir
from tests.engine.test_notices import START, actor
from web.cli import main


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    workflows = make_workflows_dir(tmp_path, FIXTURES / "mini")
    monkeypatch.setenv("QINGLIAN_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("QINGLIAN_WORKFLOWS_DIR", str(workflows))
    monkeypatch.delenv("QINGLIAN_DATABASE_URL", raising=False)
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(main, list(args), catch_exceptions=False)
        return result.exit_code, result.output

    return invoke


def test_calendar_add_counts_working_days(run) -> None:  # type: ignore[no-untyped-def]
    assert run("calendar", "add", "2025-09-26", "15") == (0, "2025-10-23\n")
    assert run("calendar", "add", "2026-02-10", "15") == (0, "2026-03-09\n")
    code, out = run("calendar", "add", "2026-12-20", "15")
    assert code == 0 and out.startswith("2027-01-") and "provisional" in out


def test_init_demo_seeds_users_and_prints_logins(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out = run("init", "--demo")
    assert code == 0
    assert "mini" in out and "zhaoliu" in out
    passwords = json.loads((tmp_path / "instance" / "demo-logins.json").read_text())
    assert passwords["zhaoliu"] in out and len(passwords["zhaoliu"]) >= 12
    code, out = run("users", "list", "--json")
    users = {u["username"]: u for u in json.loads(out)}
    assert users["zhaoliu"]["roles"] == ["AG"] and users["zhaoliu"]["unit"] == "AGS"
    code, again = run("init", "--demo")  # idempotent: same passwords, same version
    assert code == 0 and passwords["zhaoliu"] in again and "已是最新" in again


def test_deploy_reports_a_bad_file_and_changes_nothing(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("init")
    bad = tmp_path / "bad" / "mini"
    shutil.copytree(FIXTURES / "mini", bad)
    (bad / "process.bpmn").write_text("<bpmn:definitions", encoding="utf-8")
    code, out = run("deploy", str(bad))
    assert code == 1 and "process.bpmn" in out and "XML" in out


def test_token_timers_and_audit(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("init", "--demo")
    code, token = run("token", "new", "zhaoliu")
    assert code == 0 and token.startswith("ql_")
    code, out = run("timers", "run", "--now", "2030-01-01T00:00:00+08:00")
    assert code == 0 and "0 个案件" in out
    assert run("audit", "verify") == (0, "审计链完整（audit chain intact）\n")
    assert run("audit", "anchor") == (0, "审计链为空\n")
    engine = Engine(Settings.from_env())
    engine.start(actor(engine, "zhaoliu"), "mini", {**START, "reporter_name": "欧阳举报人"})
    engine.close()
    assert run("keys", "rotate") == (0, "已更换身份信息密钥，重新加密 1 项\n")
    code, out = run("audit", "anchor")
    assert code == 0 and out.startswith("审计链头已记录：第 ")
    assert (tmp_path / "instance" / "audit.head").exists()


def test_the_county_keeps_its_own_calendar_from_the_command_line(run) -> None:  # type: ignore[no-untyped-def]
    run("init", "--demo")
    assert run("calendar", "add", "2025-09-26", "15") == (0, "2025-10-23\n")
    code, out = run("calendar", "set", "2025-10-10", "holiday", "--note", "防汛放假", "--as", "zhaoliu")
    assert code == 0 and "共调整 0 个待办事项的期限" in out  # the mini process has no deadline then
    assert run("calendar", "add", "2025-09-26", "15") == (0, "2025-10-24\n")
    code, out = run("calendar", "list")
    assert code == 0 and "2025-10-10  放假  防汛放假（赵六，" in out
    code, out = run("calendar", "set", "2025-10-11", "holiday", "--note", "x", "--as", "qianqi")
    assert code == 1 and "您无权调整工作日历" in out
    code, out = run("calendar", "clear", "2025-10-10", "--note", "取消", "--as", "zhaoliu")
    assert code == 0 and run("calendar", "add", "2025-09-26", "15") == (0, "2025-10-23\n")


def test_an_account_gets_a_new_password_or_is_disabled_from_the_command_line(run) -> None:  # type: ignore[no-untyped-def]
    run("init", "--demo")
    code, out = run("users", "passwd", "wangwu", "--password", "short")
    assert code == 1 and "密码至少 12 个字符" in out
    code, out = run("users", "passwd", "wangwu", "--password", "a-long-new-password")
    assert code == 0 and "已为 wangwu 设置新密码" in out
    code, out = run("users", "disable", "wangwu")
    assert code == 0 and "已停用 wangwu" in out
    code, out = run("users", "disable", "nobody")
    assert code == 1 and "查无此人" in out


def test_backup_from_the_command_line_prints_what_it_copied(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("init", "--demo")
    code, out = run("backup", str(tmp_path / "backup"))
    assert code == 0 and "已备份到" in out and (tmp_path / "backup" / "manifest.json").exists()
    code, out = run("restore", str(tmp_path / "backup"))  # into the same, used database: refused
    assert code == 1 and "不是空的" in out


def test_approval_items_are_imported_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import WORKFLOWS
    from tests.engine.test_imports import GOOD_LATE, HEADER

    workflows = make_workflows_dir(tmp_path, WORKFLOWS / "approval_supervision")
    monkeypatch.setenv("QINGLIAN_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("QINGLIAN_WORKFLOWS_DIR", str(workflows))
    monkeypatch.delenv("QINGLIAN_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(main, ["init", "--demo"], catch_exceptions=False).exit_code == 0
    table = tmp_path / "items.csv"
    table.write_text("\n".join([HEADER, GOOD_LATE, GOOD_LATE]), encoding="utf-8")
    result = runner.invoke(main, ["import", "approval_supervision", str(table), "--as", "gaoyuan"])
    assert result.exit_code == 1  # one row refused
    assert "第 2 行：已登记" in result.output and "第 3 行：未登记" in result.output
    assert "已登记 1 件，未登记 1 行" in result.output
    refused = runner.invoke(main, ["import", "approval_supervision", str(table), "--as", "lichou"])
    assert refused.exit_code == 1 and "文件未导入" in refused.output


def test_the_scenarios_of_a_folder_or_a_draft_run_from_the_command_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Issue 13 #4: `qinglian test [PATH]` runs the scenarios; a failing one is named and exits 1."""
    run("init", "--demo")
    code, out = run("test")
    assert code == 0 and "通过  mini/scenarios/reply_late.json" in out and "未通过 0 个" in out
    broken = tmp_path / "broken" / "mini"
    shutil.copytree(FIXTURES / "mini", broken)
    toml = broken / "process.toml"
    toml.write_text(toml.read_text("utf-8").replace("reply_days = 15", "reply_days = 10"), "utf-8")
    code, out = run("test", str(broken))
    assert code == 1 and "未通过  mini/scenarios/reply_late.json" in out
    assert (
        "数据 reply_due 为 '2025-10-16'，应为 '2025-10-23'" in out
        and "场景 2 个，通过 1 个，未通过 1 个" in out
    )
    code, out = run("test", "--draft", "mini", "--as", "fangzheng")  # the draft opens from version 1
    assert code == 0 and "场景 2 个，通过 2 个" in out
