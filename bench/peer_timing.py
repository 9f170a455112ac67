"""`make peer` (bench/peer.py): timing the two sides in turns (start, complete, whole instance, throughput)
and printing the table of the figures (and returning them for the JSON)."""

from __future__ import annotations

import argparse
import http.client
import importlib.metadata
import statistics
import threading
import time
from typing import Any

from bench.peer_install import SpiffInstall
from bench.peer_sides import Client, HTTPError, Side

WALK: list[dict[str, Any]] = [  # the three steps' submissions
    {"applicant": "张三", "amount": 1200},
    {"approved": True, "note": "同意"},
    {"archive_no": "GD-0001"},
]
SLICES = 2  # the throughput run alternates between the sides in this many slices each


def walk(side: Side, client: Client, instance: int, task: Any, samples: list[float] | None = None) -> None:
    """Complete the instance's three tasks (timing each into `samples`); it must end after the third."""
    for step, data in enumerate(WALK, 1):
        if task is None:
            raise HTTPError(f"{side.name}: instance {instance} has no open task before step {step}")
        t0 = time.perf_counter()
        task = side.complete(client, instance, task, data)
        if samples is not None:
            samples.append(time.perf_counter() - t0)
    if task is not None:
        raise HTTPError(f"{side.name}: instance {instance} still has an open task after the third step")


def whole(side: Side, client: Client) -> float:
    t0 = time.perf_counter()
    walk(side, client, *side.start(client))
    return time.perf_counter() - t0


def turns(sides: list[Side], rounds: int) -> list[tuple[int, Side]]:
    """Round by round, each side in turn: whatever else loads the machine loads both sides alike."""
    return [(i, side) for i in range(rounds) for side in sides]


def measure(sides: list[Side], rounds: int, warmup: int) -> dict[str, dict[str, float]]:
    """Median ms of start, complete and whole instance per side, `rounds` each after `warmup` whole
    instances, the sides taking turns."""
    clients = {side.name: side.client() for side in sides}
    samples: dict[str, dict[str, list[float]]] = {
        s.name: {"start": [], "complete": [], "whole": []} for s in sides
    }
    opened: dict[str, list[tuple[int, Any]]] = {side.name: [] for side in sides}
    for _i, side in turns(sides, warmup):
        whole(side, clients[side.name])
    for side in sides:
        side.start_parts.clear()
    for _i, side in turns(sides, rounds):
        t0 = time.perf_counter()
        opened[side.name].append(side.start(clients[side.name]))
        samples[side.name]["start"].append(time.perf_counter() - t0)
    for i, side in turns(sides, rounds):
        walk(side, clients[side.name], *opened[side.name][i], samples[side.name]["complete"])
    for _i, side in turns(sides, rounds):
        samples[side.name]["whole"].append(whole(side, clients[side.name]))
    return {side.name: _figures(side, samples[side.name], rounds) for side in sides}


def _figures(side: Side, samples: dict[str, list[float]], rounds: int) -> dict[str, float]:
    figures = {op: _ms(times) for op, times in samples.items()}
    if side.start_parts:  # SpiffArena's three requests of the timed starts (the first `rounds`)
        parts = zip(*side.start_parts[:rounds], strict=True)
        figures.update(
            {f"start.{n}": _ms(list(p)) for n, p in zip(("create", "run", "find"), parts, strict=True)}
        )
    return figures


def throughput(side: Side, clients: int, seconds: float) -> tuple[int, float, int]:
    """(whole instances done, seconds taken, failed requests) with `clients` clients for `seconds`."""
    done = [0] * clients
    errors = [0] * clients
    stop_at = time.monotonic() + seconds

    def run(i: int) -> None:
        client = side.client()
        while time.monotonic() < stop_at:
            try:
                whole(side, client)
                done[i] += 1
            except (HTTPError, OSError, http.client.HTTPException):
                errors[i] += 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done), time.perf_counter() - t0, sum(errors)


def _ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


# ---------------------------------------------------------------- the report

ROWS = [
    ("start", "start an instance (its first task in hand)"),
    ("complete", "complete one task"),
    ("whole", "whole instance (start + 3 completions)"),
]


def report(figures: dict[str, dict[str, Any]], args: argparse.Namespace, install: SpiffInstall) -> dict:
    q, s = figures["Qinglian"], figures["SpiffArena"]
    print(
        f"\nQinglian vs SpiffArena {install.label} — bench/peer_model (start → 3 user tasks → end), SQLite, "
        f"one server process each, the same http.client code; {args.rounds} rounds after {args.warmup} "
        "warm-up instances, medians"
    )
    print(f"{'operation':<46}{'Qinglian ms':>13}{'SpiffArena ms':>15}{'ratio peer/Qinglian':>22}")
    operations = {}
    for key, label in ROWS:
        ratio = s[key] / q[key]
        operations[key] = {"qinglian_ms": q[key], "spiffarena_ms": s[key], "ratio": ratio}
        print(f"{label:<46}{q[key]:>13.2f}{s[key]:>15.2f}{ratio:>21.2f}x")
    label = f"throughput, {args.clients} clients, {args.seconds:g} s (inst/s)"
    ratio = q["throughput"] / s["throughput"]  # as above: how many times better Qinglian does
    print(f"{label:<46}{q['throughput']:>13.1f}{s['throughput']:>15.1f}{ratio:>21.2f}x  (Qinglian/peer)")
    operations["throughput"] = {
        "qinglian_per_s": q["throughput"],
        "spiffarena_per_s": s["throughput"],
        "ratio": ratio,
        "failed_requests": {"qinglian": q["errors"], "spiffarena": s["errors"]},
    }
    print(
        f"SpiffArena's start is three requests: create {s['start.create']:.2f} ms, "
        f"run {s['start.run']:.2f} ms, find its open task {s['start.find']:.2f} ms; "
        "Qinglian's is one (its answer lists the open task)."
    )
    if q["errors"] or s["errors"]:
        print(f"failed requests under load: Qinglian {q['errors']}, SpiffArena {s['errors']}")
    return {
        "spiffarena": {"source": install.label, **install.versions},
        "qinglian": {"SpiffWorkflow": importlib.metadata.version("SpiffWorkflow")},
        "rounds": args.rounds,
        "warmup": args.warmup,
        "operations": operations,
        "spiffarena_start_parts_ms": {k: s[f"start.{k}"] for k in ("create", "run", "find")},
    }


def bench_sides(sides: list[Side], args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    print(f"timing {' and '.join(side.name for side in sides)}, taking turns …", flush=True)
    figures = measure(sides, args.rounds, args.warmup)
    totals = {side.name: [0, 0.0, 0] for side in sides}
    for _ in range(SLICES):  # the throughput run in turns too: SLICES slices of seconds / SLICES each
        for side in sides:
            for k, v in enumerate(throughput(side, args.clients, args.seconds / SLICES)):
                totals[side.name][k] += v
    for name, (done, taken, errors) in totals.items():
        figures[name].update(throughput=done / taken, errors=errors)
    return figures


def report_processes(side: Side, workers: int, database: str, args: argparse.Namespace) -> dict[str, Any]:
    """Qinglian's throughput with `serve --workers N` (gunicorn), the issue's aim being ≥ 50 instances/s."""
    done, taken, errors = throughput(side, args.clients, args.seconds)
    rate = done / taken
    print(
        f"Qinglian with `serve --workers {workers}` (gunicorn) on {database}, {args.clients} clients, "
        f"{args.seconds:g} s: {rate:.1f} instances/s, {errors} failed requests"
    )
    return {"workers": workers, "clients": args.clients, "instances_per_s": rate, "failed_requests": errors}
