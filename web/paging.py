"""Which page of a list a request asks for (`page`, `per_page` in the query string)."""

from __future__ import annotations

from flask import request

from engine import InvalidSubmission

TASKS_PER_PAGE = 50  # the inbox's steps on a page, and the API task list's unless asked


def requested_page(per_page: int = TASKS_PER_PAGE) -> tuple[int, int]:
    """(page, per_page) from the query string, `per_page` when it names none; each refused, by its own
    name, if it is not a whole number."""
    errors, numbers = {}, {}
    for name, default in (("page", 1), ("per_page", per_page)):
        try:
            numbers[name] = int(request.args.get(name, default))
        except ValueError:
            errors[name] = "须为整数"
    if errors:
        raise InvalidSubmission(errors)
    return numbers["page"], numbers["per_page"]
