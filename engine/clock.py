"""Injectable clock: the engine never calls ``datetime.now()`` itself, so tests run at any moment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

CHINA_TZ = ZoneInfo("Asia/Shanghai")


@runtime_checkable
class Clock(Protocol):
    """Anything that can tell the current time as a timezone-aware datetime."""

    def now(self) -> datetime:
        """Return the current moment (timezone-aware)."""
        ...


class SystemClock:
    """The real clock, in UTC."""

    def now(self) -> datetime:
        """Return the current moment in UTC."""
        return datetime.now(UTC)


class FrozenClock:
    """A clock that stands still until it is set or advanced (tests, ``timers run --now``)."""

    def __init__(self, at: datetime) -> None:
        self._at = _require_aware(at)

    def now(self) -> datetime:
        """Return the frozen moment."""
        return self._at

    def set(self, at: datetime) -> None:
        """Move the clock to ``at`` (forwards or backwards)."""
        self._at = _require_aware(at)

    def advance(self, delta: timedelta) -> None:
        """Move the clock by ``delta``."""
        self._at = self._at + delta


def local_today(clock: Clock) -> date:
    """Return today's date in China (Asia/Shanghai), whatever zone the clock reports in."""
    return clock.now().astimezone(CHINA_TZ).date()


def _require_aware(at: datetime) -> datetime:
    # A naive datetime would be read as server-local time by astimezone(): refuse it instead of guessing.
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"FrozenClock needs a timezone-aware datetime, got naive {at!r}")
    return at
