"""Stopping a benchmark's server as systemd does (SIGTERM), killed when it takes longer than `grace`.

A server given SIGTERM lays out the PDFs still queued before it leaves — minutes after a long walk of
issuing steps. A benchmark's database is thrown away, so its last PDFs are not needed.
"""

from __future__ import annotations

import subprocess


def stop(server: subprocess.Popen, grace: float) -> None:  # type: ignore[type-arg]
    server.terminate()
    try:
        server.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
