"""Which page of a list a request asks for (`page`, `per_page` in the query string)."""

from __future__ import annotations

from flask import request

from engine import InvalidSubmission

PER_PAGE = 50  # a list's page when the request names no size


def requested_page(per_page: int = PER_PAGE) -> tuple[int, int]:
    """(page, per_page) from the query string, `per_page` when it names none; refused if not a number."""
    try:
        return int(request.args.get("page", 1)), int(request.args.get("per_page", per_page))
    except ValueError:
        raise InvalidSubmission({"page": "页码和每页条数须为整数"}) from None
