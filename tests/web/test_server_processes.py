"""`qinglian serve --workers 2` (issue 11 #11): two gunicorn processes answer, a timer worker process runs
beside them, the metrics of both are summed, every log line is JSON with its request id, and SIGTERM
(systemd's stop) ends them all."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, make_workflows_dir

TOKEN = "a-scraper-token-for-this-test"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 — our test server
        return response.status, dict(response.headers), response.read()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    env = {
        **os.environ,
        "QINGLIAN_INSTANCE_DIR": str(tmp_path / "instance"),
        "QINGLIAN_WORKFLOWS_DIR": str(make_workflows_dir(tmp_path, FIXTURES / "mini")),
        "QINGLIAN_METRICS_TOKEN": TOKEN,
    }
    env.pop("QINGLIAN_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "web", "init"], env=env, check=True, capture_output=True)
    port, log = _free_port(), tmp_path / "server.log"
    command = [
        sys.executable,
        "-m",
        "web",
        "serve",
        "--workers",
        "2",
        "--port",
        str(port),
        "--log-format",
        "json",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60  # waiting for the processes to boot, not for a timer
    while time.monotonic() < deadline:
        try:
            _get(f"{base}/healthz")
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield base, process, log
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


def _children(parent: int) -> set[int]:
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(parent):
            found.add(int(status.parent.name))
    return found


def test_two_processes_answer_their_metrics_are_summed_and_sigterm_ends_them_all(server) -> None:  # type: ignore[no-untyped-def]
    base, process, log = server
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as slow:
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: qinglian\r\n")  # one process waits for the rest
        asked = len([_get(f"{base}/healthz") for _ in range(20)])  # so the other one answers these
        slow.sendall(b"Connection: close\r\n\r\n")
        assert slow.recv(64).startswith(b"HTTP/1.1 200")
    lines = [json.loads(x) for x in log.read_text().splitlines() if x.startswith("{")]
    answered = {x["process"] for x in lines if x["message"].startswith("GET /healthz 200")}
    assert len(answered) == 2
    status, headers, _ = _get(f"{base}/healthz", **{"X-Request-ID": "trace-4711"})
    assert status == 200 and headers["X-Request-ID"] == "trace-4711"
    status, _, body = _get(f"{base}/metrics", Authorization=f"Bearer {TOKEN}")
    lines = [json.loads(x) for x in log.read_text().splitlines() if x.startswith("{")]
    healthz = sum(1 for x in lines if x["message"].startswith("GET /healthz 200"))
    assert healthz > asked  # the boot probe, the rounds and the traced request
    summed = f'qinglian_request_seconds_count{{method="GET",route="/healthz"}} {float(healthz)}'
    assert summed in body.decode() and "qinglian_open_tasks 0.0" in body.decode()  # both processes' counts
    for headers in ({}, {"Authorization": "Bearer wrong"}):  # the metrics are the scraper's alone
        with pytest.raises(urllib.error.HTTPError) as refused:
            _get(f"{base}/metrics", **headers)
        refused.value.close()
        assert refused.value.code == 404
    assert any(x["request_id"] == "trace-4711" for x in lines)
    children = _children(process.pid)  # gunicorn's master (with its two processes) and the timer worker
    assert sorted(len(_children(pid)) for pid in children) == [0, 2]
    everyone = children | {pid for child in children for pid in _children(child)}
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in everyone)


def test_one_process_stopped_by_sigterm_leaves_cleanly(tmp_path: Path) -> None:
    """`qinglian serve` (waitress) stopped as systemd stops it: exit code 0, after finishing what was on its
    way (the PDFs being rendered), not killed mid-way."""
    env = {
        **os.environ,
        "QINGLIAN_INSTANCE_DIR": str(tmp_path / "instance"),
        "QINGLIAN_WORKFLOWS_DIR": str(make_workflows_dir(tmp_path, FIXTURES / "mini")),
    }
    env.pop("QINGLIAN_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "web", "init"], env=env, check=True, capture_output=True)
    port = _free_port()
    command = [sys.executable, "-m", "web", "serve", "--port", str(port), "--no-worker"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60  # waiting for the process to boot, not for a timer
        while time.monotonic() < deadline:
            try:
                assert _get(f"http://127.0.0.1:{port}/healthz")[0] == 200
                break
            except OSError:
                time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
