"""`make peer` (issue 11 #15): Qinglian side by side with its nearest peer, SpiffArena's backend.

Both run the same small model (bench/peer_model/: start → 登记申请 → 审核 → 归档 → end, one lane 案管室,
a JSON-schema form of one or two fields per step), each as ONE server process on its own SQLite file,
driven over HTTP by the same client code (http.client, one kept-alive connection per client):

  start     an instance, until the client holds its first open task;
  complete  one task (the median over the three steps of --rounds instances);
  whole     instance: start it and complete its three tasks;
  throughput: --clients clients (4) running whole instances for --seconds (10 s): instances/s.

Then, the peer stopped, Qinglian's throughput alone with `serve --workers N` (--qinglian-workers, 2:
gunicorn processes), on SQLite and on a PostgreSQL cluster the script starts (as make load does): the
issue's aim is ≥ 50 instances/s on these 2 cores.

Medians over --rounds rounds after --warmup whole instances. The two sides take turns, round by round (the
throughput run in alternating slices), so whatever else loads the machine loads both alike; the figures to
compare are the ratios (SpiffArena / Qinglian), not the absolute times. Both sides validate each
submission against its form's schema on the server. The JSON of the same figures ends the output (and
goes to --json FILE if given).

Qinglian: set up like `make bench` (bench/run.py make_engine: the demo county, the model deployed), served by
`python -m web serve --no-worker --log-level warning` (waitress, one process); an API token of 赵六 (案管室,
role AG) sent as `Authorization: Bearer`.

SpiffArena: spiffworkflow-backend is not published on PyPI, so it comes from source: `git archive` of the
spiff-arena repository (--spiff-source: a git repository, bare or not, or a directory holding
spiffworkflow-backend/; default the workplace mirror below), installed once into its own virtualenv under
~/.cache/qinglian-peer/ (QINGLIAN_PEER_CACHE moves it) and reused by later runs:
  - its pyproject dependencies, constrained to the versions of its uv.lock (registry packages), with pip;
    left out: mysqlclient and psycopg2 (MySQL/PostgreSQL drivers compiled against libmysqlclient/libpq;
    SQLite needs neither), sqlalchemy-stubs and celery-stubs (type stubs; the first a GitHub fork), celery's
    `sqs` extra (pycurl; celery is off here);
  - SpiffWorkflow: the release Qinglian runs (upstream pins a GitHub commit), so both sides share one engine;
  - spiffworkflow-connector-command (GitHub only): a one-module stand-in holding the TypedDict the backend
    imports for service-task errors (the model has no service task);
  - the backend itself from its src/ (PYTHONPATH, as `uv run` uses it editable).
Each run then, in a temporary folder: the process model written into a process-model directory in the
backend's layout (bench/process_group.json, bench/peer/process_model.json, peer.bpmn and the three form
schemas side by side) and committed to a git repository there, as the backend expects of that directory;
`flask db upgrade` (its Alembic migrations) on a new SQLite file; bin/bootstrap.py and
bin/refresh_all_caches.py as bin/run_server_locally runs them; then `uvicorn spiff_web_server:asgi_app
--workers 1`. Environment: SPIFFWORKFLOW_BACKEND_DATABASE_URI=sqlite:///…, the background scheduler and
celery off, SPIFFWORKFLOW_BACKEND_VALIDATE_USER_TASK_DATA_AGAINST_SCHEMA=true, log level warning.
Authentication: the backend's API keys. The permissions file names one user of service `bootstrap`
(`bench`), in the admin group (`/*`, all actions) and in the group 案管室 (the lane: SpiffArena assigns a
lane's tasks to the group named after it); bin/bootstrap.py gives it a service account whose key is the
SPIFFWORKFLOW_API_KEY_bench the script chose, sent as the `SpiffWorkflow-Api-Key` header: what a client
of its API holds, as Qinglian's API token is. (Its built-in OpenID server, which bin/get_token scripts,
gives a JWT after a form sign-in; SPIFFWORKFLOW_BACKEND_AUTHENTICATION_DISABLED makes /login hand out a
guest token instead: both are sign-ins, not an API client's credential.)
SpiffArena's API needs three requests to start an instance and learn its open task (POST create, POST run,
GET /tasks?process_instance_id=); completing answers with the next task, as Qinglian's answers do. The
parts of its start are printed under the table.

Both servers are stopped on exit, on failure and on Ctrl-C; a SpiffArena that cannot be set up ends the run
with the reason and the end of the log that shows it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.peer_install import MIRROR, PeerSetupError, install_spiffarena  # noqa: E402
from bench.peer_servers import Servers, stand_up_qinglian, stand_up_spiffarena  # noqa: E402
from bench.peer_sides import HTTPError  # noqa: E402
from bench.peer_timing import bench_sides, report, report_processes  # noqa: E402
from tests.pgcluster import PgCluster, find_bindir  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients of the throughput run")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the throughput run")
    parser.add_argument(
        "--spiff-source", type=Path, default=Path(os.environ.get("QINGLIAN_PEER_SPIFF_SOURCE", MIRROR))
    )
    parser.add_argument(
        "--qinglian-workers", type=int, default=2, help="then Qinglian's throughput with serve --workers N"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (databases, server logs)"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # through the finally below
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C too, even where started ignoring it
    folder = Path(tempfile.mkdtemp(prefix="qinglian-peer-"))
    servers = Servers(folder)
    try:
        install = install_spiffarena(args.spiff_source)
        spiff = stand_up_spiffarena(install, folder / "spiffarena", servers)
        qinglian = stand_up_qinglian(folder / "qinglian", servers)
        result = report(bench_sides([qinglian, spiff], args), args, install)
        if args.qinglian_workers > 1:
            servers.stop()  # the machine's cores to Qinglian's processes alone
            result["qinglian_processes"] = processes_alone(folder, servers, args)
    except PeerSetupError as exc:
        print(f"\nmake peer: setup failed: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except HTTPError as exc:
        print(f"\nmake peer: a request failed: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        print("\nmake peer: interrupted; stopping the servers", file=sys.stderr)
        raise SystemExit(130) from None
    finally:
        servers.stop()
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.json:
        args.json.write_text(text + "\n")
    print("\nJSON:\n" + text)


def processes_alone(folder: Path, servers: Servers, args: argparse.Namespace) -> dict[str, dict]:
    """Qinglian's throughput with several server processes, on SQLite (one writer at a time) and on a
    PostgreSQL cluster started here (cases locked one by one)."""
    figures = {}
    several = stand_up_qinglian(folder / "qinglian-sqlite", servers, args.qinglian_workers)
    figures["sqlite"] = report_processes(several, args.qinglian_workers, "SQLite", args)
    servers.stop()
    cluster = PgCluster(find_bindir())
    cluster.start()
    try:
        url = cluster.create_database("peer")
        several = stand_up_qinglian(folder / "qinglian-postgresql", servers, args.qinglian_workers, url)
        figures["postgresql"] = report_processes(several, args.qinglian_workers, "PostgreSQL", args)
        servers.stop()
    finally:
        cluster.stop()
    return figures


if __name__ == "__main__":
    main()
