"""Working days on the Chinese calendar (工作日, 调休) and deadline arithmetic — DOMAIN.md §10.

Pure: no clock, no I/O. Data comes from the ``holidays`` package plus an admin-editable override table.
A deadline that rests on a year whose State Council schedule is not in the data is flagged provisional,
never silently guessed (``holidays`` quietly returns only the fixed/lunar days for such years, without 调休).
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import holidays

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    """A due date (ending 24:00 China time), whether it rests on unpublished data, and the data it used."""

    due: date
    provisional: bool
    calendar_version: str


class WorkCalendar:
    """Chinese working days: Mon–Fri minus public holidays, plus adjusted working weekends, plus overrides."""

    def __init__(
        self,
        extra_holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
        published_years_extra: Iterable[int] = (),
    ) -> None:
        self._extra_holidays = frozenset(_require_date(d) for d in extra_holidays)
        self._extra_workdays = frozenset(_require_date(d) for d in extra_workdays)
        clash = self._extra_holidays & self._extra_workdays
        if clash:
            # The admin table must say one thing per day; picking a winner silently would hide the mistake.
            days = ", ".join(d.isoformat() for d in sorted(clash))
            raise ValueError(f"both extra holiday and extra workday: {days}")
        self._published_extra = frozenset(published_years_extra)
        # year -> (public holidays, adjusted working weekends); filled lazily, each entry from a fresh
        # holidays.China object, so concurrent readers never share a mutating holidays instance.
        self._years: dict[int, tuple[frozenset[date], frozenset[date]]] = {}
        self._running: dict[int, tuple[int, ...]] = {}  # year -> working days up to each day of the year
        overrides = repr(
            (sorted(self._extra_holidays), sorted(self._extra_workdays), sorted(self._published_extra))
        )
        digest = hashlib.sha256(overrides.encode()).hexdigest()[:12]
        self.version = f"holidays-{holidays.__version__}+overrides:{digest}"

    @classmethod
    def default(cls) -> WorkCalendar:
        """The calendar from the ``holidays`` data alone, without local overrides."""
        return cls()

    @property
    def published_years(self) -> frozenset[int]:
        """Years whose official schedule is in the data (they have 调休 weekends), plus any added by hand."""
        first, last = holidays.China.start_year, holidays.China.end_year
        return frozenset(y for y in range(first, last + 1) if self._is_published(y))

    def is_provisional(self, d: date) -> bool:
        """True if ``d`` lies in a year whose official schedule is not in the data yet."""
        return not self._is_published(d.year)

    def is_working_day(self, d: date) -> bool:
        """True if ``d`` is a working day in China, after the local overrides."""
        _require_date(d)
        if d in self._extra_holidays:
            return False
        if d in self._extra_workdays:
            return True
        public_holidays, weekend_workdays = self._year(d.year)
        if d.weekday() >= 5:  # 调休: some Saturdays and Sundays are working days
            return d in weekend_workdays
        return d not in public_holidays

    def add_working_days(self, start: date, n: int) -> Deadline:
        """The n-th working day after ``start`` (start excluded, 民法典 §201); n < 0 counts backwards."""
        _require_date(start)
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        d, left = start, abs(n)
        while left:
            d += step
            if self.is_working_day(d):
                left -= 1
        first = start + step if n else start
        return self._deadline(d, min(first, d), max(first, d))

    def add_months(self, start: date, months: int) -> Deadline:
        """Same date ``months`` later, else that month's end; then the next working day (民法典 §202–203)."""
        _require_date(start)
        carry, month0 = divmod(start.month - 1 + months, 12)
        year, month = start.year + carry, month0 + 1
        target = date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
        due = target
        while not self.is_working_day(due):
            due += _ONE_DAY
        return self._deadline(due, target, due)

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after ``a`` up to and including ``b``; negative if ``b`` is before ``a``."""
        _require_date(a)
        _require_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        whole_years = sum(self._running_count(y)[-1] for y in range(a.year, b.year))
        return whole_years + self._upto(b) - self._upto(a)

    def _upto(self, d: date) -> int:
        """Working days from 1 January of d's year up to and including d."""
        return self._running_count(d.year)[d.timetuple().tm_yday - 1]

    def _running_count(self, year: int) -> tuple[int, ...]:
        # The running count of a year's working days, built once: deadline boards ask about many dates.
        found = self._running.get(year)
        if found is None:
            day, total, counts = date(year, 1, 1), 0, []
            while day.year == year:
                total += self.is_working_day(day)
                counts.append(total)
                day += _ONE_DAY
            found = self._running.setdefault(year, tuple(counts))
        return found

    def _deadline(self, due: date, lo: date, hi: date) -> Deadline:
        # Provisional if any day whose status was consulted lies in a year without a published schedule.
        provisional = any(not self._is_published(y) for y in range(lo.year, hi.year + 1))
        return Deadline(due=due, provisional=provisional, calendar_version=self.version)

    def _is_published(self, year: int) -> bool:
        # Every State Council schedule since 2001 moves at least one weekend, so "has a 调休 weekend" means
        # "the schedule is in the data"; a new release of `holidays` extends this without a code change.
        return year in self._published_extra or bool(self._year(year)[1])

    def _year(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        data = self._years.get(year)
        if data is None:
            cn = holidays.China(years=year)
            data = (
                frozenset(d for d in cn if d.year == year),
                frozenset(d for d in cn.weekend_workdays if d.year == year),
            )
            self._years[year] = data
        return data


def _require_date(d: date) -> date:
    # A datetime compares unequal to every date, so it would never match a holiday: refuse it.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a date in China local time, got {d!r}")
    return d
