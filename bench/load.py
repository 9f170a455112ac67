"""`make load` (issue 11 #12): Locust against `qinglian serve --workers N` on a PostgreSQL cluster this
script starts itself. Officers read their inbox and complete steps (by the JSON API and by the pages),
supervisors open the case list and the dashboard; afterwards the database is checked against what the
clients were told: every completion answered 200 is in it once, and none is in it that was not answered.

    python bench/load.py [--users 200] [--seconds 60] [--workers 4] [--cases 4000] [--think 5-15]
                         [--warmup 30]
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()  # before anything opens a socket: Locust's users are greenlets

import argparse  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
from locust import HttpUser, between, task  # noqa: E402
from locust.env import Environment  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_world import World, build_world, check_completions  # noqa: E402
from bench.stopping import stop  # noqa: E402

WORLD: World | None = None
ANSWERED: list[int] = []  # serve steps whose completion the server answered 200
SIGN_INS: list[float] = []  # how long each page user's sign-in took (ms), timed while users arrive


def _world() -> World:
    assert WORLD is not None
    return WORLD


class ApiOfficer(HttpUser):
    """钱七's office through the API: the inbox, then one 送达 step completed."""

    weight = 4

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {_world().tokens['qianqi']}"

    @task(2)
    def inbox(self) -> None:
        self.client.get("/api/v1/tasks", name="GET /api/v1/tasks")

    @task(3)
    def complete(self) -> None:
        if not _world().serve_tasks:
            return
        task_id = _world().serve_tasks.pop()
        body = {"data": {"served_at": "2025-09-01"}}
        with self.client.post(
            f"/api/v1/tasks/{task_id}/complete", json=body, name="POST /api/v1/tasks/<id>/complete",
            catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code == 200:
                ANSWERED.append(task_id)
                response.success()


class PageOfficer(HttpUser):
    """An officer on the pages: signs in, opens the inbox and a step."""

    weight = 2

    def on_start(self) -> None:
        _sign_in(self, "sunba")

    @task(3)
    def inbox(self) -> None:
        self.client.get("/", name="GET / (inbox page)")

    @task(1)
    def open_step(self) -> None:
        page = self.client.get("/", name="GET / (inbox page)").text
        found = re.search(r'href="(/tasks/\d+)"', page)
        if found:
            self.client.get(found.group(1), name="GET /tasks/<id> (step page)")


class Supervisor(HttpUser):
    """纪委书记: the case list (with a filter) and the dashboard."""

    weight = 1

    def on_start(self) -> None:
        _sign_in(self, "zhangsan")

    @task(2)
    def cases(self) -> None:
        self.client.get("/instances?process=mini&status=running", name="GET /instances (case list)")

    @task(1)
    def dashboard(self) -> None:
        self.client.get("/dashboard", name="GET /dashboard")


def _sign_in(user: HttpUser, username: str) -> None:
    started = time.perf_counter()
    page = user.client.get("/login", name="GET /login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = {"username": username, "password": _world().passwords[username], "csrf_token": token.group(1)}
    user.client.post("/login", data=data, name="POST /login")
    SIGN_INS.append((time.perf_counter() - started) * 1000)


def main() -> None:
    global WORLD
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4, help="server processes (gunicorn)")
    parser.add_argument("--cases", type=int, default=4000, help="cases waiting for their 送达 step")
    parser.add_argument(
        "--think", default="5-15", metavar="MIN-MAX",
        help="seconds each user waits between requests: reading a step and filling its form (5-15), or a "
        "stress test (1-3)",
    )  # fmt: skip
    parser.add_argument(
        "--warmup", type=int, default=30, help="seconds after the last user arrived before measuring"
    )
    args = parser.parse_args()
    low, high = (float(n) for n in args.think.split("-"))
    for user in (ApiOfficer, PageOfficer, Supervisor):
        user.wait_time = between(low, high)
    folder = Path(tempfile.mkdtemp(prefix="qinglian-load-"))
    world = WORLD = build_world(folder, args.cases)
    try:
        server = subprocess.Popen(
            [sys.executable, "-m", "web", "serve", "--port", str(world.port), "--workers", str(args.workers),
             "--log-level", "warning"],
            cwd=ROOT, env={**os.environ, **world.env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            _wait_for(f"{world.url}/readyz")
            env = Environment(  # stop_timeout: users finish the request they are in when the time is up
                user_classes=[ApiOfficer, PageOfficer, Supervisor], host=world.url, stop_timeout=30
            )
            runner = env.create_local_runner()

            def measure(user_count: int) -> None:  # the steady state: after the arrivals and a warm-up
                gevent.spawn_later(args.warmup, env.stats.reset_all)
                gevent.spawn_later(args.warmup + args.seconds, runner.quit)

            env.events.spawning_complete.add_listener(measure)
            runner.start(args.users, spawn_rate=max(1, args.users // 10))
            runner.greenlet.join()
        finally:
            stop(server, grace=60)
        _report(env, args, world)
    finally:
        world.close()


def _report(env: Environment, args: argparse.Namespace, world: World) -> None:
    total = env.stats.total
    print(
        f"load: {args.users} users, measured for {args.seconds} s after all arrived (in ≈ 10 s) and a "
        f"{args.warmup} s warm-up, against serve --workers {args.workers} on PostgreSQL "
        f"({os.cpu_count()} cores, Locust in the same machine), thinking {args.think} s "
        "between requests"
    )
    signs = sorted(SIGN_INS)
    if signs:
        print(
            f"  sign-ins while the users arrived: {len(signs)}, median {signs[len(signs) // 2]:.0f} ms, "
            f"p95 {signs[int(len(signs) * 0.95)]:.0f} ms (argon2id: each ≈ 150 ms of CPU on purpose)"
        )
    for name, entry in sorted(env.stats.entries.items()):
        if not entry.num_requests:
            continue  # the sign-in pages: only while the users arrived (above)
        print(
            f"  {name[0]:<45} {entry.num_requests:>6} requests  median "
            f"{entry.median_response_time:>5.0f} ms  "
            f"p95 {entry.get_response_time_percentile(0.95):>5.0f} ms  failures {entry.num_failures}"
        )
    lost, twice, unanswered = check_completions(world, ANSWERED)
    print(
        f"  all: {total.num_requests} requests, {total.total_rps:.0f}/s, p95 "
        f"{total.get_response_time_percentile(0.95):.0f} ms (target < 300 ms), failures {total.num_failures} "
        f"(target 0); completions answered {len(ANSWERED)}: lost {lost}, duplicated {twice}, "
        f"done without an answer {unanswered}"
    )


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 — our own server
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the server did not start")


if __name__ == "__main__":
    main()
