"""ACGME duty-hour rules, one table per rule (readings in scheduling/engine/acgme.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from scheduling.engine import acgme
from scheduling.engine.model import AcgmeRules, Person, PersonKind, PersonLimits, Severity
from scheduling.engine.validator import validate

from .helpers import F1, R1, R2, SHIFTS, check, make_problem, shift, work

# 26 twelve-hour days (312 h) plus one more shift on day 26: the 28-day window's total.
EIGHTY_HOURS = [(d, "day") for d in range(26)] + [(26, "d8")]  # exactly 320 h
EIGHTY_HOURS_AND_A_MINUTE = [(d, "day") for d in range(26)] + [(26, "d481")]


@pytest.mark.parametrize(
    ("plan", "violated"),
    [
        (EIGHTY_HOURS, False),
        (EIGHTY_HOURS_AND_A_MINUTE, True),
        # A night on the last day counts only up to the window's closing midnight (5 h).
        ([(d, "day") for d in range(26)] + [(27, "night")], False),
    ],
)
def test_it_limits_duty_to_80_hours_a_week_over_28_days(plan, violated):
    assert (acgme.WEEKLY_HOURS in check(make_problem(), work("r2", plan))) is violated


def test_it_reports_the_weekly_average_and_the_window():
    report = validate(make_problem(), work("r2", EIGHTY_HOURS_AND_A_MINUTE))
    (violation,) = [v for v in report.violations if v.rule == acgme.WEEKLY_HOURS]
    assert violation.person == "r2"
    assert violation.severity == Severity.HIGH
    assert violation.limit == 80
    assert violation.measured == pytest.approx(80 + 1 / 60 / 4)
    assert violation.start is not None and violation.end is not None
    assert (violation.end - violation.start).days == 28


def test_it_checks_every_rolling_window():
    # 30 days, duty on days 2..28: windows 1 and 2 hold it all, window 0 misses day 28.
    plan = [(d + 2, sid) for d, sid in EIGHTY_HOURS_AND_A_MINUTE]
    report = validate(make_problem(days=30), work("r2", plan))
    (violation,) = [v for v in report.violations if v.rule == acgme.WEEKLY_HOURS]
    assert violation.day == 1
    assert "2 overlapping windows" in violation.message


def test_it_uses_the_persons_rotation_exception():
    person = Person("r2", PersonKind.RESIDENT, pgy=2, limits=PersonLimits(weekly_hours_limit=88))
    problem = make_problem(people=[person])
    assert acgme.WEEKLY_HOURS not in check(problem, work("r2", EIGHTY_HOURS_AND_A_MINUTE))


def test_it_counts_real_hours_across_the_fall_dst_change():
    # Nominally 320 h, but the night of 31 Oct -> 1 Nov 2026 lasts 13 real hours.
    plan = [(d, "day") for d in range(25)] + [(26, "night")] + [(27, "d8")]
    problem = make_problem(start=date(2026, 10, 5))
    assert acgme.WEEKLY_HOURS in check(problem, work("r2", plan))


def test_it_checks_hours_on_a_horizon_shorter_than_the_window():
    plan = [(d, "day") for d in range(14)] + [(d, "night") for d in range(14)]
    problem = make_problem(days=14)
    assert acgme.WEEKLY_HOURS in check(problem, work("r2", plan))


NIGHTS_SKIPPING = [3, 10, 17, 24]


def nights_except(skipped):
    return [(d, "night") for d in range(28) if d not in skipped]


@pytest.mark.parametrize(
    ("plan", "violated"),
    [
        # Every calendar day has duty, yet each skipped night leaves 36 h free (07:00 to
        # 19:00 the next day): four 24 h free periods, each spanning two calendar days.
        (nights_except(NIGHTS_SKIPPING), False),
        (nights_except(NIGHTS_SKIPPING[:3]), True),
        # At-home call may not be placed on a free period.
        ([*nights_except(NIGHTS_SKIPPING), (10, "home")], True),
        # Twelve-hour days with four single days off: each gap is 36 h.
        ([(d, "day") for d in range(28) if d % 7 != 6], False),
        ([(d, "day") for d in range(28) if d not in (6, 13, 20)], True),
    ],
)
def test_it_requires_four_free_24_hour_periods_per_28_days(plan, violated):
    assert (acgme.FREE_DAYS in check(make_problem(), work("r2", plan))) is violated


def test_it_counts_a_48_hour_gap_as_two_free_periods():
    plan = [(d, "day") for d in range(28) if d not in (5, 6, 19, 20)]
    assert acgme.FREE_DAYS not in check(make_problem(), work("r2", plan))


def test_it_does_not_check_free_days_on_a_horizon_shorter_than_the_window():
    plan = [(d, "day") for d in range(14)]
    assert acgme.FREE_DAYS not in check(make_problem(days=14), work("r2", plan))


@pytest.mark.parametrize(
    ("plan", "violated"),
    [
        ([(0, "call")], False),
        ([(0, "call"), (1, "post")], False),  # 24 h + 4 h of transition
        ([(0, "call"), (1, "post5")], True),  # a fifth hour of transition
        ([(0, "call"), (1, "morning")], True),  # 4 more hours of patient care
        ([(0, "day"), (0, "night")], False),  # back-to-back 12 h shifts merge into 24 h
        ([(0, "day"), (0, "night"), (1, "day")], True),  # 36 h continuous
        ([(0, "pre"), (0, "call")], True),  # transition time counts only at the end
        ([(0, "night"), (1, "call")], True),  # crossing midnight into a 24 h call
    ],
)
def test_it_limits_continuous_duty_to_24_plus_4_hours(plan, violated):
    problem = make_problem()
    assert (acgme.CONTINUOUS_DUTY in check(problem, work("r2", plan))) is violated


def test_it_names_the_merged_period_and_its_allowance():
    report = validate(make_problem(), work("r2", [(0, "call"), (1, "post5")]))
    (violation,) = [v for v in report.violations if v.rule == acgme.CONTINUOUS_DUTY]
    assert violation.measured == 29
    assert violation.limit == 28
    assert violation.severity == Severity.CRITICAL


@pytest.mark.parametrize(
    ("plan", "rule", "violated"),
    [
        ([(0, "call"), (1, "night")], acgme.REST_AFTER_LONG, True),  # 12 h after 24 h call
        ([(0, "call"), (1, "late")], acgme.REST_AFTER_LONG, False),  # exactly 14 h
        ([(0, "call"), (1, "post"), (1, "late")], acgme.REST_AFTER_LONG, True),  # 10 h
        ([(0, "day"), (1, "early")], acgme.MIN_REST, False),  # exactly 8 h
        ([(0, "day"), (1, "early1")], acgme.MIN_REST, True),  # 7 h 59
        ([(0, "day"), (1, "day")], acgme.REST_AFTER_LONG, False),  # 12 h period: 8 h rule
    ],
)
def test_it_requires_rest_between_duty_periods(plan, rule, violated):
    assert (rule in check(make_problem(), work("r2", plan))) is violated


def test_it_checks_the_8_hour_rest_between_periods_of_one_day():
    # 03:00-07:00 then 13:00-17:00: 6 h off, a "should" warning (docs/rules.md).
    problem = make_problem(shifts=(*SHIFTS, shift("am", "03:00", 240), shift("pm", "13:00", 240)))
    assert acgme.MIN_REST in check(problem, work("r2", [(0, "am"), (0, "pm")]))


def test_it_treats_8_hours_off_as_a_warning():
    report = validate(make_problem(), work("r2", [(0, "day"), (1, "early1")]))
    assert [v.severity for v in report.violations] == [Severity.MEDIUM]
    assert report.is_valid


@pytest.mark.parametrize(
    ("days", "violated"),
    [(range(0, 27, 3), False), (range(0, 28, 3), True)],  # 9 and 10 call nights
)
def test_it_limits_in_house_call_to_every_third_night(days, violated):
    plan = [(d, "call") for d in days]
    assert (acgme.CALL_FREQUENCY in check(make_problem(), work("r2", plan))) is violated


@pytest.mark.parametrize(("nights", "violated"), [(6, False), (7, True)])
def test_it_limits_consecutive_night_float(nights, violated):
    plan = [(d, "night") for d in range(nights)]
    assert (acgme.NIGHT_FLOAT in check(make_problem(), work("r2", plan))) is violated


def test_it_honours_the_rule_sets_night_float_limit():
    rules = replace(AcgmeRules(), max_consecutive_night_float=4)
    plan = [(d, "night") for d in range(5)]
    assert acgme.NIGHT_FLOAT in check(make_problem(acgme=rules), work("r2", plan))


@pytest.mark.parametrize(
    ("person", "rules", "violated"),
    [
        (R1, AcgmeRules(), True),
        (R2, AcgmeRules(), False),
        (R1, replace(AcgmeRules(), pgy1_may_moonlight=True), False),
    ],
)
def test_it_forbids_pgy1_moonlighting(person, rules, violated):
    problem = make_problem(people=[person], acgme=rules)
    found = check(problem, work(person.id, [(0, "moon")]))
    assert (acgme.PGY1_MOONLIGHTING in found) is violated


def test_it_applies_acgme_rules_to_residents_only():
    plan = [(0, "day"), (0, "night"), (1, "day")]
    assert not check(make_problem(people=[F1]), work("f1", plan))


def test_it_skips_acgme_rules_without_a_rule_set():
    plan = [(0, "day"), (0, "night"), (1, "day")]
    assert not check(make_problem(acgme=None), work("r2", plan))
