"""Quiet by default (issue 10 #12): the server logs each request and every error; the engine's and
SpiffWorkflow's detail (a line per task state change, per timer fired) only at debug level."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime

import pytest
from flask import Flask

from engine import CHINA_TZ, Engine
from engine.documents import render_pdf
from engine.documents.sheet import Sheet
from tests.web.conftest import START, Browser
from web.logs import DETAIL_LOGGERS, configure


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (root.level, list(root.handlers), {n: logging.getLogger(n).level for n in DETAIL_LOGGERS})
    yield
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


def _detail(records: list[logging.LogRecord]) -> list[str]:
    return [r.name for r in records if r.name.split(".")[0] in DETAIL_LOGGERS]


def test_a_request_is_one_line_with_method_path_status_and_time(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="qinglian.http"):
        app.test_client().get("/login?next=/tasks/7")
    lines = [r.getMessage() for r in caplog.records if r.name == "qinglian.http"]
    assert len(lines) == 1 and lines[0].startswith("GET /login 200 ") and lines[0].endswith(" ms")
    assert "next=" not in lines[0]


def test_at_the_default_level_completing_steps_logs_no_engine_detail(
    restore_logging: None, engine: Engine, browser: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    configure("info")
    handler = caplog.handler
    logging.getLogger().addHandler(handler)
    engine.start(engine.actor_by_name("zhaoliu"), "mini", START)  # type: ignore[arg-type]
    browser.login("zhaoliu")
    assert not _detail(caplog.records), _detail(caplog.records)[:5]
    assert any(r.name == "qinglian.http" for r in caplog.records)


def test_at_debug_level_the_engine_detail_is_there(
    restore_logging: None, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    configure("debug")
    logging.getLogger().addHandler(caplog.handler)
    engine.start(engine.actor_by_name("zhaoliu"), "mini", START)  # type: ignore[arg-type]
    assert any(name.startswith("spiff") for name in _detail(caplog.records))


def test_at_the_default_level_laying_a_pdf_out_logs_no_detail(
    restore_logging: None, caplog: pytest.LogCaptureFixture
) -> None:
    """A server lays out a stopping server's last PDFs itself: WeasyPrint's seven progress lines per PDF
    (and fontTools' subsetting) are detail, not the server's log."""
    configure("info")
    logging.getLogger().addHandler(caplog.handler)
    sheet = Sheet(
        "表格",
        (),
        "示纪函〔2026〕1号",
        "函询通知书",
        "张三",
        (),
        (),
        "2026年1月1日",
        False,
        (),
        "",
        "",
        "示例县",
    )
    assert render_pdf(sheet, datetime(2026, 1, 1, tzinfo=CHINA_TZ)).startswith(b"%PDF")
    layout = [r.getMessage() for r in caplog.records if r.name.split(".")[0] in ("weasyprint", "fontTools")]
    assert layout == []
