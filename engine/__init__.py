"""Qinglian's engine: SpiffWorkflow runtime, persistence, timers, access and audit. Never imports Flask."""

from .api import Engine
from .clock import CHINA_TZ, FrozenClock, SystemClock
from .config import Settings
from .errors import (
    CalendarError,
    Conflict,
    DeployRejected,
    EngineError,
    InvalidSubmission,
    NotFound,
    NotPermitted,
    ProcessFailed,
    Refused,
)
from .keys import KeyProblem
from .records import Actor, TaskView

__all__ = [
    "CHINA_TZ",
    "Actor",
    "CalendarError",
    "Conflict",
    "DeployRejected",
    "Engine",
    "EngineError",
    "FrozenClock",
    "InvalidSubmission",
    "KeyProblem",
    "NotFound",
    "NotPermitted",
    "ProcessFailed",
    "Refused",
    "Settings",
    "SystemClock",
    "TaskView",
]
