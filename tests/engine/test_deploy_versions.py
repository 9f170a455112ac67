"""Deploying workflow folders, versions: the same content keeps its version, a changed file or setting
makes the next one for new instances while running ones stay on theirs; [step_days] deadlines."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from engine import CHINA_TZ, Engine
from tests.conftest import build_engine, make_workflows_dir
from tests.engine.deploy_helpers import copy_of_mini, edit, start_data, stored_versions
from tests.engine.test_interventions import START


def test_redeploying_the_same_content_keeps_the_version(mini_engine: Engine, tmp_path: Path) -> None:
    before = stored_versions(mini_engine)
    results = mini_engine.deploy(copy_of_mini(tmp_path))
    assert [(r.process_id, r.version, r.created) for r in results] == [("mini", 1, False)]
    assert stored_versions(mini_engine) == before


def test_changed_file_makes_version_2_and_running_instances_stay_on_version_1(
    mini_engine: Engine, actor, tmp_path: Path
) -> None:
    starter, officer, subject = actor("zhaoliu"), actor("qianqi"), actor("fengyi")
    old_id = mini_engine.start(starter, "mini", start_data())
    old_tasks = mini_engine.instance(starter, old_id).ready_tasks

    folder = copy_of_mini(tmp_path)
    edit(folder, "process.bpmn", 'name="送达函询"', 'name="送达回执登记"')
    edit(folder, "process.bpmn", "add_working_days(served_at, reply_days)", "add_working_days(served_at, 5)")
    results = mini_engine.deploy(folder)
    assert [(r.version, r.created) for r in results] == [(2, True)]
    assert [v[1] for v in stored_versions(mini_engine)] == [1, 2]

    assert mini_engine.instance(starter, old_id).ready_tasks == old_tasks
    new_id = mini_engine.start(starter, "mini", start_data())
    assert mini_engine.instance(starter, old_id).version == 1
    assert mini_engine.instance(starter, new_id).version == 2
    titles = {t.instance_id: t.title for t in mini_engine.inbox(officer)}
    assert titles == {old_id: "送达函询", new_id: "送达回执登记"}

    for task in mini_engine.inbox(officer):
        mini_engine.complete(officer, task.id, {"served_at": "2025-09-01"})
    due = {t.instance_id: t.due_date for t in mini_engine.inbox(subject)}
    calendar = mini_engine.calendar
    assert due == {
        old_id: calendar.add_working_days(date(2025, 9, 1), 15).due,  # v1: reply_days from process.toml
        new_id: calendar.add_working_days(date(2025, 9, 1), 5).due,  # v2: the changed script
    }


def test_a_changed_setting_reaches_new_instances_without_a_code_change(
    mini_engine: Engine, actor, tmp_path: Path
) -> None:
    starter, officer, subject = actor("zhaoliu"), actor("qianqi"), actor("fengyi")
    old_id = mini_engine.start(starter, "mini", start_data())
    folder = copy_of_mini(tmp_path)
    edit(folder, "process.toml", "reply_days = 15", "reply_days = 10")
    assert [(r.version, r.created) for r in mini_engine.deploy(folder)] == [(2, True)]
    new_id = mini_engine.start(starter, "mini", start_data())
    for task in mini_engine.inbox(officer):
        mini_engine.complete(officer, task.id, {"served_at": "2025-09-01"})
    due = {t.instance_id: t.due_date for t in mini_engine.inbox(subject)}
    calendar = mini_engine.calendar
    assert due == {
        old_id: calendar.add_working_days(date(2025, 9, 1), 15).due,
        new_id: calendar.add_working_days(date(2025, 9, 1), 10).due,
    }


def test_step_days_give_a_step_its_deadline_in_working_days_from_its_opening(tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path, "src/mini")
    edit(folder, "process.toml", 'serve = "测试流程，不设期限"\n', "")
    edit(folder, "process.toml", "[settings]", "[step_days]\nserve = 3\n\n[settings]")
    engine = build_engine(tmp_path, make_workflows_dir(tmp_path, folder))
    try:
        engine.clock.set(datetime(2025, 9, 30, 9, 0, tzinfo=CHINA_TZ))  # type: ignore[attr-defined]
        case = engine.start(engine.actor_by_name("zhaoliu"), "mini", START)  # type: ignore[arg-type]
        (serve,) = [t for t in engine.inbox(engine.actor_by_name("qianqi")) if t.instance_id == case]  # type: ignore[arg-type]
        assert serve.due_date == date(2025, 10, 11)  # 10-09, 10-10 and the Saturday worked after 国庆
    finally:
        engine.close()
