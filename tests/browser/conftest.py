"""A live Qinglian server on 127.0.0.1 and headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from engine import Engine
from tests.conftest import ROOT
from web import create_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",
]
# Chromium on Linux takes its UI language (file input 选择文件, date fields 2026/03/23) from LANGUAGE, not
# from --lang or the context's locale; the Chinese strings come with Debian's chromium-l10n (.ci/run).
CHROMIUM_ENV = {**os.environ, "LANGUAGE": "zh_CN"}


def _require_browser() -> None:
    vendor = ROOT / "web" / "static" / "vendor" / "bpmn-js"
    missing = [
        what
        for what, ok in (("chromium", Path(CHROMIUM).exists()), ("bpmn-js vendor", vendor.exists()))
        if not ok
    ]
    if missing:
        message = f"browser test needs {', '.join(missing)} (run `make setup`; CI installs chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@dataclass
class LiveServer:
    url: str
    engine: Engine


def serve(engine: Engine) -> Iterator[LiveServer]:
    """Run the real app for `engine` on a free loopback port until the generator is closed."""
    app = create_app(engine.settings, engine)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", engine)
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=CHROMIUM_ENV, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
