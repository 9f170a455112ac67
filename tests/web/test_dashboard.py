"""The supervisors' pages and API (issue 8): the dashboard's charts and tables lead to the cases they
count; lists and statistics export to CSV/XLSX with who and when, audited; everyone without a
supervision scope gets 404 on every supervisor page and endpoint."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from engine import Engine
from engine.db.models import AuditEvent
from tests.conftest import PASSWORDS
from tests.supervision_data import PERIOD, seeded_engine
from tests.web.conftest import Browser
from web import create_app

SUPERVISORS = {
    "zhaoliu",
    "lisi",
    "zhangsan",
    "qianqi",
    "sunba",
    "wushi",
    "zhoujiu",
    "zhengjia",
    "chenbing",
    "huangzi",
    "weiwu",  # 巡察办: follows the 整改 of 巡察 findings (roles.toml sees)
    "gaoyuan",  # 营商办: runs 审批时限监督 (issue 12)
    "luoxue",  # 网信办: registers and follows 网络舆情 (issue 12)
}
Q = "?" + urlencode(PERIOD)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Flask]]:
    for engine in seeded_engine(tmp_path_factory.mktemp("dashboard")):
        yield engine, create_app(engine.settings, engine)


def signed_in(app: Flask, username: str) -> Browser:
    browser = Browser(app.test_client())
    browser.login(username)
    return browser


def api(app: Flask, engine: Engine, username: str, url: str):  # type: ignore[no-untyped-def]
    return app.test_client().get(url, headers={"Authorization": f"Bearer {engine.issue_token(username)}"})


@pytest.mark.parametrize("username", sorted(PASSWORDS))
def test_supervisor_pages_and_endpoints_exist_only_for_a_supervision_scope(world, username: str) -> None:  # type: ignore[no-untyped-def]
    engine, app = world
    client = signed_in(app, username).client
    expected = 200 if username in SUPERVISORS else 404
    for page in (
        "/dashboard" + Q,
        "/dashboard/forms.csv" + Q,
        "/dashboard/report.docx?month=2026-06",
        "/incidents",
    ):
        assert client.get(page).status_code == expected, page
    for page in ("/processes/clue_disposal/view", "/processes/clue_disposal/view.bpmn"):
        assert client.get(page).status_code == expected, page
    assert api(app, engine, username, "/api/v1/reports/quarter?value=2026-Q2").status_code == expected
    assert api(app, engine, username, "/api/v1/stats/forms" + Q).status_code == expected
    assert api(app, engine, username, "/api/v1/stats/rectification?format=xlsx").status_code == expected
    assert ("监督看板" in client.get("/").text) == (username in SUPERVISORS)


def test_the_dashboard_draws_every_statistic_and_each_figure_opens_its_cases(world) -> None:  # type: ignore[no-untyped-def]
    _engine, app = world
    client = signed_in(app, "zhangsan").client
    page = client.get("/dashboard" + Q).text
    for section in (
        "deadlines",
        "inquiries",
        "clues",
        "forms",
        "inspections",
        "rectification",
        "accountability",
        "business_env",
        "custody",
        "interference",
        "online_opinion",
        "warning_education",
        "duty_reports",
    ):
        assert f'id="{section}"' in page
    charts = [json.loads(html.unescape(raw)) for raw in re.findall(r'data-chart="([^"]*)"', page)]
    pie = next(c for c in charts if c["categories"][:2] == ["第一种形态", "第二种形态"])
    assert pie["type"] == "pie" and pie["series"][0]["data"] == [3, 2, 0, 0]
    listed = client.get(pie["series"][0]["links"][1]).text  # 第二种形态 → the cases behind it
    assert sorted(re.findall(r'<a href="/instances/\d+">(c\d)</a>', listed)) == ["c2", "c3"]
    assert "来自监督看板的统计口径" in listed and "处理措施（四种形态）" in listed and "党纪轻处分" in listed


def _csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _exports(engine: Engine) -> list[dict]:
    with engine.ctx.db.reading() as session:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "exported").order_by(AuditEvent.seq)
        )
        return [{"actor": e.actor, **json.loads(e.payload)} for e in rows]


def test_a_statistic_exports_to_csv_and_xlsx_with_the_exporter_and_time(world) -> None:  # type: ignore[no-untyped-def]
    engine, app = world
    client = signed_in(app, "zhangsan").client
    before = len(_exports(engine))
    response = client.get("/dashboard/forms.csv" + Q)
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = _csv_rows(response.data)
    assert rows[0] == ["运用“四种形态”（2026-01-01至2026-06-30）"]
    assert rows[1][0].startswith("导出人：张三（zhangsan）  导出时间：2026-07-01 09:00")
    assert ["第一种形态", "3", "60.0%"] in rows and ["合计", "5", "100.0%"] in rows
    book = load_workbook(io.BytesIO(client.get("/dashboard/forms.xlsx" + Q).data))
    sheet = book[book.sheetnames[0]]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][0].startswith("导出人：张三（zhangsan）") and ["第二种形态", 2, "40.0%"] in values
    assert [e["file"] for e in _exports(engine)[before:]] == [
        "运用“四种形态”（2026-01-01至2026-06-30）-20260701.csv",
        "运用“四种形态”（2026-01-01至2026-06-30）-20260701.xlsx",
    ]
    assert _exports(engine)[-1]["actor"] == "zhangsan" and _exports(engine)[-1]["rows"] == 15


def test_the_case_list_exports_every_case_it_holds_and_only_those(world) -> None:  # type: ignore[no-untyped-def]
    engine, app = world
    rows = _csv_rows(signed_in(app, "qianqi").client.get("/instances?format=csv&per_page=1").data)
    assert rows[4][:2] == ["编号", "标题"] and sorted(r[1] for r in rows[5:]) == [
        "c1",
        "c3",
        "c4",
    ]  # her office's
    assert _exports(engine)[-1]["actor"] == "qianqi" and _exports(engine)[-1]["rows"] == 3
    api_rows = _csv_rows(api(app, engine, "zhoujiu", "/api/v1/instances?format=csv").data)
    assert sorted(r[1] for r in api_rows[5:]) == ["c5", "p1", "r1", "u1", "u2"]


def test_the_api_lists_cases_with_a_total_and_gives_every_statistic(world) -> None:  # type: ignore[no-untyped-def]
    engine, app = world
    listed = api(
        app, engine, "zhangsan", "/api/v1/instances?process=clue_disposal&per_page=3&sort=title&desc=0"
    ).json
    assert listed["total"] == 4 and [i["title"] for i in listed["items"]] == ["c1", "c2", "c3"]
    assert listed["items"][0]["unit"] == "县市场监督管理局" and listed["items"][0]["office_id"] == "JC1"
    forms = api(app, engine, "zhangsan", "/api/v1/stats/forms" + Q).json
    first = forms["tables"][0]
    assert first["columns"] == ["形态", "人次", "占比"] and first["rows"][0][1]["value"] == 3
    behind = api(app, engine, "zhangsan", first["rows"][1][1]["cases"]).json
    assert sorted(i["title"] for i in behind["items"]) == ["c2", "c3"]
    assert api(app, engine, "zhangsan", "/api/v1/stats/nonsense").status_code == 404
    refused = api(app, engine, "zhangsan", "/api/v1/stats/forms?from=2026-13-01")
    assert refused.status_code == 400 and "from" in refused.json["errors"]


def test_a_process_gives_its_versions_and_start_form(world) -> None:  # type: ignore[no-untyped-def]
    engine, app = world
    found = api(app, engine, "wangwu", "/api/v1/processes/clue_disposal").json  # 信访室 may start, not count
    assert found["may_start"] is True and found["start_form"]["properties"]["clue_no"]["type"] == "string"
    assert [(v["version"], v["cases"], v["running"]) for v in found["versions"]] == [(1, None, None)]
    counted = api(app, engine, "zhaoliu", "/api/v1/processes/clue_disposal").json
    assert [(v["version"], v["cases"], v["running"]) for v in counted["versions"]] == [(1, 4, 2)]
    assert api(app, engine, "wangwu", "/api/v1/processes/nope").status_code == 404


def test_the_quarterly_report_is_written_from_the_same_figures(world) -> None:  # type: ignore[no-untyped-def]
    from docx import Document

    engine, app = world
    response = signed_in(app, "zhangsan").client.get("/dashboard/report.docx?quarter=2026-Q2")
    disposition = response.headers["Content-Disposition"]
    assert response.status_code == 200 and quote("2026年第二季度监督执纪工作情况报告.docx") in disposition
    text = [p.text for p in Document(io.BytesIO(response.data)).paragraphs]
    assert "示例县纪委监委2026年第二季度监督执纪工作情况报告" in text
    # Q2: 丙 (问责：诫勉) and 甲 (诫勉谈话) first form; 乙 (党纪轻处分) and 甲 (组织处理) second form
    assert any("处理4人次，其中第一种形态2人次（50.0%）、第二种形态2人次（50.0%）" in t for t in text)
    assert any(t.startswith("制表：张三（zhangsan）") for t in text)
    assert _exports(engine)[-1]["file"] == "2026年第二季度监督执纪工作情况报告.docx"
    refused = api(app, engine, "zhangsan", "/api/v1/reports/month?value=2026-13")
    assert refused.status_code == 400 and "period" in refused.json["errors"]
    assert api(app, engine, "wangwu", "/api/v1/reports/month?value=2026-06").status_code == 404


def test_exported_text_never_runs_as_a_formula(world) -> None:  # type: ignore[no-untyped-def]
    from engine.exports import Sheet, render

    engine, _app = world
    sheet = Sheet("t", ("a", "b"), (('=HYPERLINK("http://x")', -3), ("+1", "@SUM(A1)"), ("正常", "-减")))
    csv_rows = _csv_rows(
        render("csv", "t", [sheet], engine.actor_by_name("zhangsan"), datetime.now(UTC)).content
    )
    assert csv_rows[5:] == [['\'=HYPERLINK("http://x")', "-3"], ["'+1", "'@SUM(A1)"], ["正常", "'-减"]]
    book = load_workbook(
        io.BytesIO(render("xlsx", "t", [sheet], engine.actor_by_name("zhangsan"), datetime.now(UTC)).content)
    )
    cells = [[c.value for c in row] for row in book[book.sheetnames[0]].iter_rows(min_row=5)]
    assert cells == [['=HYPERLINK("http://x")', -3], ["+1", "@SUM(A1)"], ["正常", "-减"]]
    types = [[c.data_type for c in row] for row in book[book.sheetnames[0]].iter_rows(min_row=5)]
    assert types == [["s", "n"], ["s", "s"], ["s", "s"]]  # text, never a formula


def test_a_unit_head_lists_his_units_inspections_and_rectification_but_opens_no_file(world) -> None:  # type: ignore[no-untyped-def]
    engine, app = world
    client = signed_in(app, "zhengjia").client
    listed = client.get("/instances").text
    assert (
        "<td>u1" in listed and "<td>r1" in listed and "<td>c1" not in listed
    )  # 县市场监督管理局's, not the clues
    assert not re.findall(r'<a href="/instances/\d+">', listed)  # rows, not links: the files are the office's
    u1 = api(app, engine, "zhangsan", "/api/v1/instances?process=unit_inspection&unit=SJJ").json["items"][0][
        "id"
    ]
    assert client.get(f"/instances/{u1}").status_code == 404
    assert api(app, engine, "zhengjia", f"/api/v1/instances/{u1}").status_code == 404
