"""Working days and deadlines as a county officer sees them (DOMAIN.md §10)."""

import dataclasses
from datetime import date, datetime, timedelta
from typing import ClassVar

import chinese_calendar
import holidays
import pytest
from holidays.calendars.gregorian import FEB
from holidays.countries.china import China

from engine.workdays import Deadline, WorkCalendar


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.default()


# --- DOMAIN.md §10 rule 6 test vectors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (date(2025, 9, 26), date(2025, 10, 23)),  # National Day + Mid-Autumn; working Sun 09-28, Sat 10-11
        (date(2026, 2, 10), date(2026, 3, 9)),  # Spring Festival, working Sat 02-14 and 02-28
        (date(2025, 12, 31), date(2026, 1, 22)),  # New Year, working Sun 2026-01-04
    ],
)
def test_fifteen_working_days_match_the_domain_vectors(cal: WorkCalendar, start: date, due: date) -> None:
    deadline = cal.add_working_days(start, 15)
    assert deadline.due == due
    assert deadline.provisional is False


# --- which days are working days ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day", [date(2025, 9, 28), date(2025, 10, 11), date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28)]
)
def test_adjusted_working_weekends_are_working_days(cal: WorkCalendar, day: date) -> None:
    assert day.weekday() >= 5, "vector should be a Saturday or Sunday"
    assert cal.is_working_day(day)


def test_national_day_week_2025_is_off_including_its_weekdays(cal: WorkCalendar) -> None:
    week = [date(2025, 10, 1) + timedelta(days=k) for k in range(8)]
    assert [cal.is_working_day(d) for d in week] == [False] * 8
    assert cal.is_working_day(date(2025, 9, 30))
    assert cal.is_working_day(date(2025, 10, 9))


def test_ordinary_weekend_is_not_a_working_day(cal: WorkCalendar) -> None:
    assert not cal.is_working_day(date(2025, 11, 15))  # Saturday
    assert not cal.is_working_day(date(2025, 11, 16))  # Sunday
    assert cal.is_working_day(date(2025, 11, 17))  # Monday


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_day_agrees_with_chinese_calendar(cal: WorkCalendar, year: int) -> None:
    day, end = date(year, 1, 1), date(year, 12, 31)
    disagreements = []
    while day <= end:
        if cal.is_working_day(day) != chinese_calendar.is_workday(day):
            disagreements.append(day)
        day += timedelta(days=1)
    assert disagreements == []


# --- counting working days ----------------------------------------------------------------------------


def test_start_day_is_excluded(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2025, 10, 13), 1).due == date(2025, 10, 14)  # Mon -> Tue


def test_received_during_a_holiday_counts_from_the_first_working_day_after(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2025, 10, 4), 1).due == date(2025, 10, 9)


def test_zero_working_days_returns_the_start_unchanged(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2025, 10, 1), 0).due == date(2025, 10, 1)


def test_three_working_days_before_a_due_date(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2025, 10, 23), -3).due == date(2025, 10, 20)


def test_counting_backwards_skips_a_holiday(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2025, 10, 9), -1).due == date(2025, 9, 30)


def test_working_days_between_counts_the_days_left(cal: WorkCalendar) -> None:
    assert cal.working_days_between(date(2025, 9, 26), date(2025, 10, 23)) == 15
    assert cal.working_days_between(date(2025, 10, 23), date(2025, 9, 26)) == -15
    assert cal.working_days_between(date(2025, 10, 2), date(2025, 10, 2)) == 0
    assert cal.working_days_between(date(2025, 10, 1), date(2025, 10, 8)) == 0
    assert cal.working_days_between(date(2025, 9, 30), date(2025, 10, 8)) == 0  # a itself never counts
    assert cal.working_days_between(date(2025, 9, 30), date(2025, 10, 9)) == 1


@pytest.mark.parametrize("n", [1, 5, 15, 30, -1, -5, -15])
def test_working_days_between_inverts_add_working_days(cal: WorkCalendar, n: int) -> None:
    start = date(2026, 1, 30)  # Spring Festival and its working Saturdays lie ahead, New Year behind
    assert cal.working_days_between(start, cal.add_working_days(start, n).due) == n


# --- calendar months (rule 3) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "due"),
    [
        (date(2025, 11, 17), 1, date(2025, 12, 17)),  # same date next month
        (date(2025, 11, 14), 2, date(2026, 1, 14)),  # across the year end
        (date(2025, 1, 31), 1, date(2025, 2, 28)),  # no Feb 31 -> month end (a Friday)
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year month end
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # month end is an adjusted working Saturday: stays
        (date(2025, 9, 1), 1, date(2025, 10, 9)),  # lands on National Day -> next working day
        (date(2025, 10, 18), 1, date(2025, 11, 18)),
        (date(2025, 11, 15), 1, date(2025, 12, 15)),  # Monday
        (date(2025, 11, 13), 1, date(2025, 12, 15)),  # Sat 12-13 -> Mon 12-15
        (date(2026, 3, 31), -1, date(2026, 2, 28)),  # backwards: month end, a working Saturday
        (date(2026, 3, 1), -1, date(2026, 2, 2)),  # backwards onto Sunday 02-01 -> still moves forward
    ],
)
def test_add_months(cal: WorkCalendar, start: date, months: int, due: date) -> None:
    assert cal.add_months(start, months).due == due


# --- years without a published schedule (rule 4) --------------------------------------------------------


def test_published_years_come_from_the_data(cal: WorkCalendar) -> None:
    assert {2024, 2025, 2026} <= cal.published_years
    assert 2027 not in cal.published_years
    assert 2030 not in cal.published_years


def test_deadline_in_an_unpublished_year_is_provisional_but_still_a_weekday(cal: WorkCalendar) -> None:
    deadline = cal.add_working_days(date(2030, 3, 1), 10)
    assert deadline.provisional is True
    assert deadline.due.weekday() < 5
    assert cal.add_working_days(date(2030, 3, 1), 0).provisional is True


def test_deadline_crossing_into_an_unpublished_year_is_provisional(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2026, 12, 10), 5).provisional is False
    assert cal.add_working_days(date(2026, 12, 20), 15).provisional is True
    assert cal.add_months(date(2026, 12, 15), 1).provisional is True
    assert cal.add_months(date(2026, 11, 15), 1).provisional is False


def test_counting_back_from_an_unpublished_year_into_a_published_one_is_not_provisional(
    cal: WorkCalendar,
) -> None:
    # 2027-01-01 itself is never consulted: the start day is excluded.
    assert cal.add_working_days(date(2027, 1, 1), -3).provisional is False


def test_an_admin_can_declare_a_year_published(cal: WorkCalendar) -> None:
    local = WorkCalendar(published_years_extra=[2027])
    assert 2027 in local.published_years
    assert local.add_working_days(date(2027, 3, 1), 10).provisional is False
    assert local.version != cal.version


def test_a_new_holidays_release_extends_published_years_without_a_code_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Schedule2027:  # hypothetical: Sat 2027-02-20 worked, Fri 2027-02-12 off
        special_public_holidays: ClassVar = {2027: ((FEB, 12, FEB, 20),)}

    class NewerChina(China):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, static_holidays_classes=(Schedule2027,), **kwargs)

    monkeypatch.setattr(holidays, "China", NewerChina)
    newer = WorkCalendar.default()
    assert 2027 in newer.published_years
    assert newer.is_working_day(date(2027, 2, 20))
    assert not newer.is_working_day(date(2027, 2, 12))
    assert newer.add_working_days(date(2027, 3, 1), 5).provisional is False


# --- local overrides (rule 5) ---------------------------------------------------------------------------


def test_extra_holiday_pushes_a_deadline_by_one_day() -> None:
    local = WorkCalendar(extra_holidays=[date(2025, 10, 15)])  # e.g. a local flood emergency
    assert not local.is_working_day(date(2025, 10, 15))
    assert local.add_working_days(date(2025, 9, 26), 15).due == date(2025, 10, 24)


def test_extra_workday_pulls_a_deadline_by_one_day() -> None:
    local = WorkCalendar(extra_workdays=[date(2025, 10, 4)])  # a Saturday inside National Day week
    assert local.is_working_day(date(2025, 10, 4))
    assert local.add_working_days(date(2025, 9, 26), 15).due == date(2025, 10, 22)


def test_extra_holiday_beats_an_adjusted_working_weekend() -> None:
    local = WorkCalendar(extra_holidays=[date(2025, 10, 11)])
    assert not local.is_working_day(date(2025, 10, 11))


def test_a_day_cannot_be_both_extra_holiday_and_extra_workday() -> None:
    with pytest.raises(ValueError, match="2025-10-15"):
        WorkCalendar(extra_holidays=[date(2025, 10, 15)], extra_workdays=[date(2025, 10, 15)])


# --- calendar version stored with each deadline ---------------------------------------------------------


def test_calendar_version_is_stable_for_the_same_data_and_changes_with_overrides(cal: WorkCalendar) -> None:
    a = WorkCalendar(extra_holidays=[date(2025, 10, 15), date(2025, 10, 16)])
    b = WorkCalendar(extra_holidays=(date(2025, 10, 16), date(2025, 10, 15)))
    c = WorkCalendar(extra_holidays=[date(2025, 10, 15)])
    d = WorkCalendar(extra_workdays=[date(2025, 10, 15), date(2025, 10, 16)])
    assert a.version == b.version
    assert len({cal.version, a.version, c.version, d.version}) == 4
    assert cal.version == WorkCalendar.default().version
    assert cal.version.startswith(f"holidays-{holidays.__version__}+overrides:")
    assert a.add_working_days(date(2025, 9, 26), 15).calendar_version == a.version


def test_deadline_is_immutable(cal: WorkCalendar) -> None:
    deadline = cal.add_working_days(date(2025, 9, 26), 15)
    assert isinstance(deadline, Deadline)
    with pytest.raises(dataclasses.FrozenInstanceError):
        deadline.due = date(2025, 12, 31)  # type: ignore[misc]


def test_a_datetime_is_refused_rather_than_silently_never_matching_a_holiday(cal: WorkCalendar) -> None:
    with pytest.raises(TypeError):
        cal.is_working_day(datetime(2025, 10, 1, 9, 0))
    with pytest.raises(TypeError):
        cal.add_working_days(datetime(2025, 9, 26, 9, 0), 15)
