"""`make bench`: the performance figures of issue 2, printed (never asserted in tests).

(a) completing one user task through the engine's public API (lock, load, validate, run, save, project,
    audit, commit) next to the same step on raw SpiffWorkflow in memory with JSON (de)serialization;
(b) the inbox query with 10,000 and with 100,000 instances stored;
(c) POST /api/v1/tasks/<id>/complete against a running server on 127.0.0.1;
(d) the server's peak RSS after (b) and (c), and its PDF layout process's;
(e) issue 8: the dashboard, the case list with a filter and with a Chinese search, at 10,000 and 100,000
    cases (bench/supervision.py);
(f) issue 11 #13: 5,000 timers due at one moment, two worker processes on PostgreSQL (bench/timers.py).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.cases import CASES, Case, workflows_folder  # noqa: E402
from bench.seed import clone_instances  # noqa: E402
from bench.stopping import stop  # noqa: E402
from bench.timers import bench_timers  # noqa: E402
from engine import CHINA_TZ, Engine, FrozenClock, Settings  # noqa: E402
from engine.db.models import HumanTask  # noqa: E402
from engine.demo import seed_county  # noqa: E402

PASSWORDS: dict[str, str] = {}
_SERIAL = itertools.count(1)


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def make_engine(folder: Path, case: Case, database_url: str = "") -> Engine:
    """An engine on a new database (SQLite in `folder` unless `database_url`): the demo county, the case's
    process deployed."""
    workflows = workflows_folder(folder, case.folder)
    settings = Settings(
        database_url=database_url, instance_dir=str(folder), workflows_dir=str(workflows), secret_key="bench"
    )
    today = FrozenClock(datetime.now(CHINA_TZ))  # the real day: the walk's dates all lie before it
    engine = Engine(settings, clock=today)
    engine.init_schema()
    with engine.ctx.db.transaction() as session:
        seed_county(session, ROOT / "workflows" / "county.toml", PASSWORDS)
    engine.deploy()
    return engine


def ready_task_ids(engine: Engine, case: Case, count: int) -> list[int]:
    """Start `count` instances; returns the ids of their open `case.task` tasks (inbox and server load)."""
    starter = engine.actor_by_name(case.starter)
    ids = []
    for _ in range(count):
        instance_id = engine.start(starter, case.process_id, case.start_data(next(_SERIAL)))  # type: ignore[arg-type]
        ids.append(_open_task(engine, instance_id, case.task))
    return ids


def _open_task(engine: Engine, instance_id: int, bpmn_id: str) -> int:
    with engine.ctx.db.reading() as session:
        return session.scalars(
            select(HumanTask.id).where(
                HumanTask.instance_id == instance_id,
                HumanTask.bpmn_id == bpmn_id,
                HumanTask.status == "ready",
            )
        ).one()


def walk_samples(
    engine: Engine, case: Case, rounds: int, complete: Callable[[str, int, dict], None]
) -> list[float]:
    """Start `rounds` instances and walk each through `case.walk`, timing every completion."""
    starter = engine.actor_by_name(case.starter)
    samples = []
    for _ in range(rounds):
        instance_id = engine.start(starter, case.process_id, case.start_data(next(_SERIAL)))  # type: ignore[arg-type]
        for bpmn_id, username, data in case.walk:
            task_id = _open_task(engine, instance_id, bpmn_id)
            t0 = time.perf_counter()
            complete(username, task_id, data)
            samples.append(time.perf_counter() - t0)
    return samples


def bench_engine_complete(engine: Engine, case: Case, rounds: int) -> float:
    actors = {username: engine.actor_by_name(username) for _b, username, _d in case.walk}
    samples = walk_samples(
        engine, case, rounds, lambda user, task, data: engine.complete(actors[user], task, data)
    )  # type: ignore[arg-type]
    return _median_ms(samples)


def bench_raw_spiff(case: Case, rounds: int) -> float:
    from bench.raw_spiff import raw_complete_samples

    return _median_ms(raw_complete_samples(ROOT / "workflows", case, rounds))


def bench_inbox(engine: Engine, case: Case, total: int) -> float:
    ready_task_ids(engine, case, 1)  # the newest instance, the one cloned, waits at `case.task`
    clone_instances(engine, case, total)
    actor = engine.actor_by_name(case.actor)
    engine.inbox(actor)  # type: ignore[arg-type]
    samples = []
    for _ in range(50):
        t0 = time.perf_counter()
        engine.inbox(actor)  # type: ignore[arg-type]
        samples.append(time.perf_counter() - t0)
    return _median_ms(samples)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_http(engine: Engine, folder: Path, case: Case, rounds: int) -> tuple[float, float, float]:
    """(median ms of POST complete along the walk, peak RSS MiB of the server, RSS MiB of its child
    processes at the end: the PDF layout) against `qinglian serve`."""
    import psutil

    tokens = {username: engine.issue_token(username) for _b, username, _d in case.walk}
    port = _free_port()
    env = {
        **os.environ,
        "QINGLIAN_INSTANCE_DIR": str(folder),
        "QINGLIAN_WORKFLOWS_DIR": str(folder / "workflows"),
        "QINGLIAN_SECRET_KEY": "bench",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "web", "serve", "--port", str(port), "--no-worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        conn = _wait_for(port)
        proc = psutil.Process(server.pid)
        peak = proc.memory_info().rss

        def post(username: str, task_id: int, data: dict) -> None:
            nonlocal peak
            headers = {"Authorization": f"Bearer {tokens[username]}", "Content-Type": "application/json"}
            conn.request(
                "POST", f"/api/v1/tasks/{task_id}/complete", body=json.dumps({"data": data}), headers=headers
            )
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"complete {task_id}: HTTP {response.status}")

        samples = walk_samples(engine, case, rounds, post)
        peak = max(peak, proc.memory_info().rss)
        layout = sum(child.memory_info().rss for child in proc.children())  # its PDF layout process
        return _median_ms(samples), peak / 2**20, layout / 2**20
    finally:
        stop(server, grace=10)


def _wait_for(port: int) -> http.client.HTTPConnection:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/login")
            conn.getresponse().read()
            return conn
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def bench_supervision(folder: Path, sizes: list[int]) -> None:
    """(e): median server time of the supervisors' pages as the database grows (issue 8)."""
    from bench.supervision import grow, measure, search_name
    from web import create_app

    folder.mkdir()
    engine = make_engine(folder, CASES["clue_disposal"])
    ready_task_ids(engine, CASES["clue_disposal"], 1)  # one real clue: the model of the clones
    engine.clock.set(datetime.now(CHINA_TZ))  # type: ignore[attr-defined]  # the dashboard's "this year"
    app = create_app(engine.settings, engine)
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    client.post("/login", data={"username": "zhangsan", "password": PASSWORDS["zhangsan"]})
    today = datetime.now(CHINA_TZ).date()
    figures: dict[str, dict[int, float]] = {"dashboard": {}, "list": {}, "search": {}}
    for size in sizes:
        grow(engine, size, today)
        name = search_name(engine)
        figures["dashboard"][size] = measure(client, "/dashboard")
        figures["list"][size] = measure(client, "/instances?process=clue_disposal&status=running")
        figures["search"][size] = measure(client, f"/instances?q={name}")
        print(
            f"(e) {size:,} cases: dashboard {figures['dashboard'][size]:.0f} ms, case list (running clues) "
            f"{figures['list'][size]:.0f} ms, search {name} {figures['search'][size]:.0f} ms"
        )
    if len(sizes) > 1:
        lo, hi = sizes[0], sizes[-1]
        growth = ", ".join(f"{k} {v[hi] / v[lo]:.2f}x" for k, v in figures.items())
        print(f"    growth {lo:,} -> {hi:,}: {growth} (target <= 200 ms and <= 1.5x)")
    engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--case", default="clue_disposal", choices=sorted(CASES))
    parser.add_argument("--rounds", type=int, default=30, help="walks through the process")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--only", choices=["supervision", "timers"], help="run one part only")
    args = parser.parse_args()
    case = CASES[args.case]
    folder = Path(tempfile.mkdtemp(prefix="qinglian-bench-"))
    if args.only == "timers":
        try:
            bench_timers(folder / "timers")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    if args.only == "supervision":
        try:
            bench_supervision(folder / "supervision", [int(s) for s in args.sizes.split(",")])
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    try:
        engine = make_engine(folder, case)
        print(
            f"Qinglian benchmarks — process {case.process_id}: {args.rounds} walks of {len(case.walk)} tasks "
            f"(inbox and server load: open {case.task} tasks), SQLite"
        )
        engine_ms = bench_engine_complete(engine, case, args.rounds)
        raw_ms = bench_raw_spiff(case, args.rounds)
        print(
            f"(a) complete one user task (median over the walk): engine {engine_ms:.2f} ms (incl. commit), "
            f"raw SpiffWorkflow+JSON {raw_ms:.2f} ms, ratio {engine_ms / raw_ms:.2f}x (target <= 2x)"
        )
        figures = {}
        for size in [int(s) for s in args.sizes.split(",")]:
            figures[size] = bench_inbox(engine, case, size)
            print(f"(b) inbox query with {size:,} instances stored: {figures[size]:.2f} ms")
        sizes = sorted(figures)
        if len(sizes) > 1:
            print(
                f"    growth {sizes[0]:,} -> {sizes[-1]:,}: {figures[sizes[-1]] / figures[sizes[0]]:.2f}x "
                "(target <= 1.5x, <= 20 ms)"
            )
        http_ms, rss, layout_rss = bench_http(engine, folder, case, args.rounds)
        print(
            f"(c) POST /api/v1/tasks/<id>/complete (median over the walk): {http_ms:.2f} ms (target <= 5 ms)"
        )
        print(
            f"(d) server peak RSS after (b) and (c): {rss:.0f} MiB; "
            f"its PDF layout process: {layout_rss:.0f} MiB"
        )
        engine.close()
        if args.case == "clue_disposal":
            bench_supervision(folder / "supervision", [int(s) for s in args.sizes.split(",")])
        bench_timers(folder / "timers")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
