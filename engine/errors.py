"""Domain errors of the engine; web/errors.py alone maps them to HTTP."""

from __future__ import annotations


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""


class NotFound(EngineError):
    """The object does not exist, or the actor may not know that it exists."""


class NotPermitted(EngineError):
    """The actor may see the object but not perform this action."""


class Conflict(EngineError):
    """The task was already completed, or another action won the race."""


class Refused(EngineError):
    """The request was understood but is not allowed as it stands (reassign to a recused person, a
    deadline moved backwards, an intervention without its reason)."""


class InvalidSubmission(EngineError):
    """Submitted data failed validation; `errors` maps field name to a Chinese message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class ProcessFailed(EngineError):
    """A script, condition or decision failed, or the step budget ran out; nothing was changed."""

    def __init__(self, message: str, incident_id: int | None = None, detail: str | None = None):
        super().__init__(message)
        self.incident_id = incident_id
        self.detail = detail  # for the incident (supervisors) only, when the message must stay general


class DeployRejected(EngineError):
    """A workflow file failed parsing or lint; nothing was deployed."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class CalendarError(EngineError):
    """A date could not be computed on the working-day calendar."""
