"""试运行 (issue 13 #8): the draft started in a throwaway county and stepped through as each lane's people,
on the forms officers will see — never in the live database, never seen by an officer."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from engine import Engine
from engine.db.models import ProcessInstance
from tests.web.test_designer_pages import _post

START_FORM = {
    "case_no": "M-900",
    "subject_name": "试运行对象",
    "subject_unit": "SJJ",
    "subject_user": "fengyi",
    "handling_office": "JC1",
}


def test_a_designer_steps_through_the_draft_as_each_lane_without_touching_live_cases(
    as_user, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    fang = as_user("fangzheng")
    assert "开始试运行草稿" in fang.client.get("/designer/mini/sandbox").text
    prepared = _post(fang, "/designer/mini/sandbox", "/designer/mini/sandbox/prepare")
    assert (
        prepared.status_code == 200
        and "登记（试运行）" in prepared.text
        and 'id="field-case_no"' in prepared.text
    )
    refused = _post(
        fang, "/designer/mini/sandbox", "/designer/mini/sandbox/start", {**START_FORM, "case_no": "x"}
    )
    assert refused.status_code == 400 and "格式不符合要求" in refused.text
    started = _post(
        fang, "/designer/mini/sandbox", "/designer/mini/sandbox/start", START_FORM, follow_redirects=True
    )
    assert "试运行已开始" in started.text and "送达函询" in started.text
    assert "钱七（第一纪检监察室主任）" in started.text  # the step is done as the person who would hold it
    page = fang.client.get("/designer/mini/sandbox").text
    task_id = page.split("/designer/mini/sandbox/steps/")[1].split('"')[0]
    served = _post(
        fang,
        "/designer/mini/sandbox",
        f"/designer/mini/sandbox/steps/{task_id}",
        {"served_at": date.today().isoformat()},
        follow_redirects=True,
    )
    assert "已办理：送达函询" in served.text and "答复函询" in served.text and "冯乙" in served.text
    assert "已办步骤：送达函询" in served.text  # the sandbox runs on today's date: the reply is not yet due
    with engine.ctx.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(ProcessInstance)) == 0  # nothing live
    assert not any("M-900" in t.instance_title for t in engine.inbox(engine.actor_by_name("fengyi")))  # type: ignore[arg-type]
    assert as_user("qianqi").client.get("/designer/mini/sandbox").status_code == 404
    cleared = _post(fang, "/designer/mini/sandbox", "/designer/mini/sandbox/discard", follow_redirects=True)
    assert "试运行已清除" in cleared.text and "开始试运行草稿" in cleared.text
