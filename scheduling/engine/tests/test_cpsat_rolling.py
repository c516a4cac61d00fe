"""Long horizons start from a schedule built window by window (issue 12)."""

from __future__ import annotations

from datetime import date, time

from scheduling.engine import cpsat
from scheduling.engine.cpsat import rolling
from scheduling.engine.model import (
    AcgmeRules,
    Assignment,
    Demand,
    Horizon,
    Person,
    PersonKind,
    Problem,
    ShiftType,
)
from scheduling.engine.validator import validate

MONDAY = date(2026, 4, 6)


def ward_year(days: int) -> Problem:
    """Three residents, two 12 h ward shifts a day: each works about 4 days in 7, so the
    80-hour and free-day windows bind across every window boundary."""
    shifts = (ShiftType("ward", time(7), 720),)
    people = tuple(Person(f"R{i}", PersonKind.RESIDENT, pgy=2) for i in range(3))
    demands = tuple(Demand(d, "ward", 2, minimum=2, maximum=2) for d in range(days))
    return Problem(Horizon(MONDAY, days), shifts, people, demands, acgme=AcgmeRules())


def test_it_builds_a_valid_schedule_of_a_long_horizon_window_by_window() -> None:
    problem = ward_year(rolling.MIN_DAYS + 10)
    chosen = rolling.rolling_start(
        problem, time_limit=60.0, seed=0, should_stop=None, solve=cpsat.solve
    )
    assert chosen is not None
    assert {a.day for a in chosen} == set(range(problem.horizon.days))
    assert validate(problem, chosen).is_valid


def test_it_fixes_the_history_and_frees_only_the_new_days() -> None:
    problem = ward_year(60)
    history = [Assignment("R0", d, "ward") for d in range(10, 20)]
    window = rolling.window_problem(problem, 10, 20, 30, history)
    assert window.horizon.start == date(2026, 4, 16)
    assert window.horizon.days == 20
    assert sorted(a.day for a in window.fixed) == list(range(10))
    assert sorted(d.day for d in window.demands) == list(range(10, 20))
