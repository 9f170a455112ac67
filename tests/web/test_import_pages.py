"""批量导入 on the page and over the API (issue 12 D1): the 营商办 uploads the 行政服务中心's approval items,
sees which rows became cases and why the others did not; nobody else may."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest

from engine import CHINA_TZ, Engine
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir
from tests.engine.test_imports import GOOD_LATE, GOOD_OPEN, HEADER

BAD_DATE = "SP-2025-0209,药品零售许可,康宁药房,SPJ,2025-02-30,是,,0,承诺时限,5,"
FILE = "\n".join([HEADER, GOOD_LATE, BAD_DATE, GOOD_OPEN]).encode()


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    workflows = make_workflows_dir(tmp_path, WORKFLOWS / "approval_supervision")
    built = build_engine(tmp_path, workflows, at=datetime(2025, 9, 15, 9, tzinfo=CHINA_TZ))
    yield built
    built.close()


def test_the_office_imports_a_file_and_sees_each_refused_row_with_its_line(as_user) -> None:  # type: ignore[no-untyped-def]
    office = as_user("gaoyuan")
    inbox = office.client.get("/").text
    assert "/processes/approval_supervision/import" in inbox and "批量导入：审批时限监督" in inbox
    page = office.client.get("/processes/approval_supervision/import")
    assert page.status_code == 200
    assert "办理时限（工作日）" in page.text and "必填" in page.text
    response = office.post_form(
        "/processes/approval_supervision/import",
        {"file": (io.BytesIO(FILE), "审批事项.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "已登记 2 件，未登记 1 行" in response.text
    assert "第 3 行" in response.text and "受理日期" in response.text
    assert "SP-2025-0201 食品经营许可（新办）（县行政审批服务局）" in response.text
    again = office.post_form(
        "/processes/approval_supervision/import",
        {"file": (io.BytesIO(FILE), "审批事项.csv")},
        content_type="multipart/form-data",
    )
    assert "已登记 0 件，未登记 3 行" in again.text  # nothing twice


def test_a_file_that_is_not_the_table_is_refused_with_the_reason(as_user) -> None:  # type: ignore[no-untyped-def]
    office = as_user("gaoyuan")
    response = office.post_form(
        "/processes/approval_supervision/import",
        {"file": (io.BytesIO(("编号,名称\n1,x").encode()), "items.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "文件未导入：未知的列：编号、名称" in response.text
    wrong = office.post_form(
        "/processes/approval_supervision/import",
        {"file": (io.BytesIO(b"x"), "items.pdf")},
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 400 and "只能导入 CSV" in wrong.text


@pytest.mark.parametrize("username", ["lichou", "zhoujiu", "zhangsan"])
def test_no_one_else_imports_or_sees_the_link(as_user, username: str) -> None:  # type: ignore[no-untyped-def]
    other = as_user(username)
    assert "/import" not in other.client.get("/").text
    assert other.client.get("/processes/approval_supervision/import").status_code in (403, 404)


def test_an_api_client_learns_the_columns_and_imports(app, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {engine.issue_token('gaoyuan')}"}
    columns = client.get("/api/v1/processes/approval_supervision/import", headers=headers).get_json()
    assert {"title": "办件编号", "field": "item_no", "required": True} in columns["columns"]
    sent = client.post(
        "/api/v1/processes/approval_supervision/import",
        data={"file": (io.BytesIO(FILE), "items.csv")},
        headers=headers,
        content_type="multipart/form-data",
    )
    body = sent.get_json()
    assert sent.status_code == 200
    assert [r["line"] for r in body["imported"]] == [2, 4]
    assert body["refused"][0]["line"] == 3 and "受理日期" in body["refused"][0]["errors"]
    refused = client.post(
        "/api/v1/processes/approval_supervision/import",
        data={"file": (io.BytesIO(b"a,b\n1,2"), "items.csv")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422 and "未知的列" in refused.get_json()["error"]
    other = {"Authorization": f"Bearer {engine.issue_token('lichou')}"}
    assert client.get("/api/v1/processes/approval_supervision/import", headers=other).status_code == 403
