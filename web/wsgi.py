"""The app a WSGI server imports (`gunicorn web.wsgi:app`): built from the environment's settings in each
server process, after the fork; timers run in `qinglian worker` processes, not here."""

from __future__ import annotations

import os

from web import create_app
from web.logs import configure

configure(os.environ.get("QINGLIAN_LOG_LEVEL", "info"), os.environ.get("QINGLIAN_LOG_FORMAT", "text"))
app = create_app()
app.extensions["qinglian"].render_pdfs_in_background()  # answers never wait for a PDF's layout
