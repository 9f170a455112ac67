"""API of the person picker (issue 10 #2): GET /people?task=ID|process=ID&field=NAME&q=TEXT, the people
that field accepts (the same answer as the pages' /people)."""

from __future__ import annotations

from typing import Any

from ..people import found
from . import bp


@bp.get("/people")
def people() -> Any:
    return found()
