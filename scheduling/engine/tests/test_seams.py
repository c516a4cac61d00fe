"""Compliance across period edges (issue 13): each case of the issue's "Why", and the cases that
must stay clean, checked through the validator with history around the period."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from scheduling.engine import acgme
from scheduling.engine.model import (
    AcgmeRules,
    Assignment,
    History,
    LeaveReading,
    Person,
    PersonKind,
    PersonLimits,
    Severity,
)
from scheduling.engine.tests.helpers import FALL_BACK, SHIFTS, C, check, make_problem, shift, work
from scheduling.engine.validator import validate

EXTRA = (
    shift("d16", "06:00", 960),  # 06:00-22:00
    shift("c23", "07:00", 1380, C.IN_HOUSE_CALL),  # 07:00-06:00 wall clock
    shift("am3", "03:00", 240),  # 03:00-07:00
    shift("pm13", "13:00", 240),  # 13:00-17:00
    shift("moon0", "18:00", 360, C.MOONLIGHTING, counts=False),  # "does not count": it does
)
ALL = (*SHIFTS, *EXTRA)


def seam(days: int, before: list[Assignment], after: list[Assignment]) -> set[str]:
    """The second of two adjacent periods: ``before`` are the first period's assignments in
    its own day indexes (0 .. 27), shifted to history days (-28 .. -1)."""
    history = tuple(replace(a, day=a.day - 28) for a in before)
    problem = make_problem(days, shifts=ALL, history=History(history))
    return check(problem, after)


def days_of(sid: str, days: range, person: str = "r2") -> list[Assignment]:
    return work(person, [(d, sid) for d in days])


def test_it_flags_36_hours_across_a_seam() -> None:
    # Block A ends with a 24 h call (day 27, 07:00 to 07:00), block B starts with a day shift.
    found = seam(14, days_of("call", range(27, 28)), days_of("day", range(0, 1)))
    assert acgme.CONTINUOUS_DUTY in found


def test_it_keeps_a_legal_seam_clean() -> None:
    # The same call, then two days off: nothing to report on either side.
    found = seam(14, days_of("call", range(27, 28)), days_of("day", range(2, 3)))
    assert not {r for r in found if r.startswith("acgme.")}


def test_it_counts_a_shift_crossing_the_period_end_in_full() -> None:
    # 26 day shifts (312 h) + a night on day 27 (5 h before midnight, 7 h after): 317 h inside
    # the period, 324 h in the window from day 1.
    plan = days_of("day", range(1, 27)) + days_of("night", range(27, 28))
    problem = make_problem(28, shifts=ALL)
    assert acgme.WEEKLY_HOURS in check(problem, plan)


def test_it_checks_one_day_in_seven_across_two_short_periods() -> None:
    found = seam(14, days_of("d8", range(14, 28)), days_of("d8", range(0, 14)))
    assert acgme.FREE_DAYS in found


def test_it_applies_the_88_hour_exception_only_to_covered_windows() -> None:
    # 84 h a week for four weeks: within an 88 h exception, above 80 h.
    plan = days_of("day", range(0, 28))
    covered = PersonLimits(weekly_hours_limit=88, weekly_hours_days=frozenset(range(-27, 56)))
    half = PersonLimits(weekly_hours_limit=88, weekly_hours_days=frozenset(range(0, 14)))
    resident = Person("r2", PersonKind.RESIDENT, pgy=2)
    whole = check(make_problem(28, [replace(resident, limits=covered)], shifts=ALL), plan)
    part = check(make_problem(28, [replace(resident, limits=half)], shifts=ALL), plan)
    assert acgme.WEEKLY_HOURS not in whole and acgme.WEEKLY_HOURS in part


def test_it_counts_moonlighting_whatever_the_shift_type_says() -> None:
    # 312 h of day shifts + 2 x 6 h of moonlighting marked "not counting": 324 h.
    plan = days_of("day", range(0, 26)) + days_of("moon0", range(26, 28))
    assert acgme.WEEKLY_HOURS in check(make_problem(28, shifts=ALL), plan)


def test_it_counts_only_the_recorded_call_back_time_of_at_home_call() -> None:
    plan = days_of("day", range(0, 26)) + days_of("home", range(26, 28))
    quiet = make_problem(28, shifts=ALL)
    called = replace(quiet, callbacks={("r2", 26, "home"): 5 * 60, ("r2", 27, "home"): 4 * 60})
    assert acgme.WEEKLY_HOURS not in check(quiet, plan)
    assert acgme.WEEKLY_HOURS in check(called, plan)


def test_it_still_keeps_at_home_call_off_the_free_days() -> None:
    # Day shifts 6 days a week, the seventh day on the pager: no free day at all.
    plan = [(d, "day" if d % 7 else "home") for d in range(28)]
    assert acgme.FREE_DAYS in check(make_problem(28, shifts=ALL), work("r2", plan))


def test_it_warns_about_8_hours_between_two_periods_of_one_day() -> None:
    report = validate(make_problem(7, shifts=ALL), work("r2", [(0, "am3"), (0, "pm13")]))
    assert [(v.rule, v.severity) for v in report.violations] == [(acgme.MIN_REST, Severity.MEDIUM)]


def test_it_labels_the_night_float_cap_as_program_policy() -> None:
    report = validate(make_problem(14, shifts=ALL), days_of("night", range(0, 7)))
    rules = {v.rule for v in report.hard}
    assert rules == {acgme.NIGHT_FLOAT}
    assert acgme.is_policy(acgme.NIGHT_FLOAT) and "program policy" in report.hard[0].message


def test_it_switches_the_night_float_policy_off() -> None:
    rules = replace(AcgmeRules(), max_consecutive_night_float=None)
    problem = make_problem(14, shifts=ALL, acgme=rules)
    assert acgme.NIGHT_FLOAT not in check(problem, days_of("night", range(0, 7)))


@pytest.mark.parametrize(
    ("reading", "flagged"), [(LeaveReading.OMIT, True), (LeaveReading.ZERO, False)]
)
def test_it_reads_leave_days_in_the_average_as_the_program_says(
    reading: LeaveReading, flagged: bool
) -> None:
    # 7 days of leave and 21 x 14 h... 21 day shifts of 12 h = 252 h: 84 h/week over the 21
    # working days (omit), 63 h/week over 28 days (zero).
    resident = Person(
        "r2", PersonKind.RESIDENT, pgy=2, limits=PersonLimits(leave_days=frozenset(range(21, 28)))
    )
    problem = make_problem(
        28, [resident], shifts=ALL, acgme=replace(AcgmeRules(), leave_reading=reading)
    )
    assert (acgme.WEEKLY_HOURS in check(problem, days_of("day", range(0, 21)))) is flagged


def test_it_accepts_exactly_80_hours() -> None:
    # 20 shifts of 16 h = 320 h in 28 days, 8 h off between them, 8 days off.
    plan = [(d, "d16") for d in range(28) if d % 7 not in (3, 6)]
    assert len(plan) == 20
    found = check(make_problem(28, shifts=ALL), work("r2", plan))
    assert not {r for r in found if r.startswith("acgme.")}


def test_it_accepts_a_fall_back_call_of_24_real_hours() -> None:
    # 07:00 to 06:00 wall clock over the night clocks go back: 24 real hours.
    start = FALL_BACK - timedelta(days=10)
    problem = make_problem(14, shifts=ALL, start=start)
    report = validate(problem, days_of("c23", range(9, 10)))
    assert report.is_valid and not report.violations


def test_it_says_when_the_windows_reach_before_the_recorded_history() -> None:
    problem = make_problem(14, shifts=ALL, history=History((), known_from=-5))
    notes = [v for v in validate(problem, []).violations if v.rule == acgme.HISTORY_INCOMPLETE]
    assert [(n.severity, n.measured) for n in notes] == [(Severity.LOW, 22)]
