"""The injectable clock and China's local date."""

from datetime import UTC, date, datetime, timedelta

import pytest

from engine.clock import CHINA_TZ, Clock, FrozenClock, SystemClock, local_today


def test_system_clock_is_aware_utc_and_current() -> None:
    now = SystemClock().now()
    assert now.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - now) < timedelta(seconds=5)


def test_frozen_clock_stands_still_until_moved() -> None:
    clock = FrozenClock(datetime(2025, 9, 26, 1, 0, tzinfo=UTC))
    assert clock.now() == clock.now() == datetime(2025, 9, 26, 1, 0, tzinfo=UTC)
    clock.advance(timedelta(hours=2))
    assert clock.now() == datetime(2025, 9, 26, 3, 0, tzinfo=UTC)
    clock.set(datetime(2026, 2, 10, 8, 0, tzinfo=CHINA_TZ))
    assert clock.now() == datetime(2026, 2, 10, 0, 0, tzinfo=UTC)


def test_frozen_clock_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="aware"):
        FrozenClock(datetime(2025, 9, 26, 9, 0))
    clock = FrozenClock(datetime(2025, 9, 26, 1, 0, tzinfo=UTC))
    with pytest.raises(ValueError, match="aware"):
        clock.set(datetime(2025, 9, 26, 9, 0))
    assert clock.now() == datetime(2025, 9, 26, 1, 0, tzinfo=UTC)


def test_both_clocks_satisfy_the_protocol() -> None:
    assert isinstance(SystemClock(), Clock)
    assert isinstance(FrozenClock(datetime(2025, 1, 1, tzinfo=UTC)), Clock)


@pytest.mark.parametrize(
    ("utc", "china_date"),
    [
        (datetime(2025, 9, 30, 15, 59, tzinfo=UTC), date(2025, 9, 30)),  # 23:59 in Beijing
        (datetime(2025, 9, 30, 16, 0, tzinfo=UTC), date(2025, 10, 1)),  # midnight in Beijing: National Day
    ],
)
def test_local_today_is_the_date_in_china_not_in_utc(utc: datetime, china_date: date) -> None:
    assert local_today(FrozenClock(utc)) == china_date
