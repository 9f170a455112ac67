"""WeasyPrint's layout in a child process of its own, for a server.

A PDF takes about half a second of pure-Python layout. On the server's rendering thread it held the GIL
against every request the process answered meanwhile: a step completed while the previous step's letter
was being laid out took twice as long (`make bench` (c): 28 ms instead of 16). In a child process the
layout runs on the other core and the process answering requests only waits for the bytes.

The child is started when the first PDF is due (after gunicorn has forked its workers: each worker has
its own) and started again if it dies; a PDF whose child died is left to the worker's safety net
(engine/pdf_rendering.py `render_left_over`).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime

from .pdf import render_pdf
from .sheet import Sheet

ORPHAN_CHECK_SECONDS = 1.0


class LayoutProcess:
    """`render_pdf` run in a child process; callable like it. Thread-safe; `close()` ends the child."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def __call__(self, sheet: Sheet, at: datetime) -> bytes:
        """The PDF, laid out by the child; a child found dead is replaced once (BrokenProcessPool if the
        new one dies too: the PDF is left to the worker)."""
        try:
            return self._lay_out(sheet, at)
        except BrokenProcessPool:  # killed, or out of memory, since the last PDF or during this one
            return self._lay_out(sheet, at)

    def _lay_out(self, sheet: Sheet, at: datetime) -> bytes:
        pool = self._running()
        try:
            future = pool.submit(render_pdf, sheet, at)
        except BrokenProcessPool:
            self._forget(pool)  # the next call starts a new child
            raise
        except RuntimeError:  # the server is stopping (Ctrl-C): its last PDFs are laid out here
            return render_pdf(sheet, at)
        try:
            return future.result()
        except BrokenProcessPool:
            self._forget(pool)
            raise

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    def _running(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),  # never fork a threaded server
                    initializer=_serve_parent,
                    initargs=(os.getpid(),),
                )
            return self._pool

    def _forget(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False)


def _serve_parent(parent: int) -> None:
    """The child's set-up: Ctrl-C in the terminal reaches the whole process group, but the server stops
    the child itself; and a server stopped without closing it (SIGTERM, SIGKILL) leaves no child behind
    (it holds its task queue's both ends, so it would wait for work forever)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_SECONDS)
    os._exit(0)
