"""Yearly ceilings on a supervisor shift counted before a long horizon is built (issue 20)."""

from __future__ import annotations

import random
from datetime import date, time

import pytest

from scheduling.engine import cpsat, long_horizon
from scheduling.engine.acgme import FREE_DAYS
from scheduling.engine.cpsat import ceilings, year
from scheduling.engine.model import (
    AcgmeRules,
    Assignment,
    Demand,
    Eligibility,
    Horizon,
    Person,
    PersonKind,
    PersonLimits,
    Problem,
    ShiftType,
    SolveStatus,
)
from scheduling.engine.validator import validate

MONDAY = date(2026, 4, 6)
DAYS = 2 * year.WINDOW_DAYS
WARD = ShiftType("ward", time(7), 720)
ATT = ShiftType("att", time(7), 600)


@pytest.fixture
def by_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(long_horizon, "MIN_DAYS", 2 * year.WINDOW_DAYS)
    monkeypatch.setattr(long_horizon, "MAX_VARIABLES", 0)


def two_blocks(ceiling: tuple[int, int]) -> Problem:
    """A ward of 3 to 4 residents a day (3 for the minimum, 4 wanted at an under-cover cost of
    100), supervised by attendings on "att" (1 to 2 a day; PGY-1s at 1:2, the others 1:4), two
    faculty with yearly ceilings ``ceiling``. Block A (days 0-27): three seniors and a PGY-1,
    so one attending a day suffices for the minimum (a senior off leaves two seniors and the
    PGY-1: 2 + 1 + 1 <= 4); four residents, the target, need two. Block B (days 28-55): two
    seniors and two PGY-1s, 3 to 3: a senior off (4 days of any 28 each, on different days,
    as two PGY-1s cannot make three) leaves 2 + 2 + 1 > 4, so 8 days need two attendings.
    The year needs 56 + 8 = 64 attending days at least."""
    seniors_a = [Person(f"SA{i}", PersonKind.RESIDENT, pgy=2) for i in range(3)]
    junior_a = [Person("JA", PersonKind.RESIDENT, pgy=1)]
    seniors_b = [Person(f"SB{i}", PersonKind.RESIDENT, pgy=2) for i in range(2)]
    juniors_b = [Person(f"JB{i}", PersonKind.RESIDENT, pgy=1) for i in range(2)]
    faculty = [
        Person(f"F{i}", PersonKind.FACULTY, limits=PersonLimits(max_shifts={"att": cap}))
        for i, cap in enumerate(ceiling)
    ]
    a = frozenset(p.id for p in seniors_a + junior_a)
    b = frozenset(p.id for p in seniors_b + juniors_b)
    ward = tuple(
        Demand(d, "ward", 4, 3, 4, 100, supervisor_shift="att", eligibility=Eligibility(people=a))
        for d in range(28)
    ) + tuple(
        Demand(d, "ward", 3, 3, 3, supervisor_shift="att", eligibility=Eligibility(people=b))
        for d in range(28, DAYS)
    )
    att = tuple(
        Demand(d, "att", 1, 1, 2, eligibility=Eligibility(kinds=frozenset({PersonKind.FACULTY})))
        for d in range(DAYS)
    )
    return Problem(
        Horizon(MONDAY, DAYS),
        (WARD, ATT),
        (*seniors_a, *junior_a, *seniors_b, *juniors_b, *faculty),
        ward + att,
        acgme=AcgmeRules(),
        name="two-blocks",
    )


def test_it_counts_the_second_attendings_the_supervision_and_free_days_force() -> None:
    needs = ceilings.needs(two_blocks((32, 32)), "att", year.partition(DAYS), time_limit=20)
    assert needs.exact
    assert [(first, n, base) for first, _, n, base in needs.chunks] == [(0, 28, 28), (28, 36, 28)]
    assert (needs.total, needs.minimums, needs.supervised) == (64, 56, ("ward",))


def test_a_year_whose_ceilings_are_one_day_short_is_reported_before_any_window(
    by_windows: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_window(*args: object, **kwargs: object) -> None:
        raise AssertionError("a window was built")

    monkeypatch.setattr(year, "_build_by_windows", no_window)
    monkeypatch.setattr(year, "_greedy_start", no_window)
    solution = cpsat.solve(two_blocks((32, 31)), time_limit=60, seed=0, workers=1)
    assert solution.status is SolveStatus.INFEASIBLE
    assert not solution.assignments
    (cause,) = solution.conflicts
    assert "att: every compliant schedule needs at least 64 att shifts" in cause
    assert "56 for the demands' minimums and 8 more" in cause
    assert "allow at most 63: 1 short" in cause
    assert "the residents on ward" in cause


def test_a_year_with_just_enough_is_built_compliant_window_by_window(
    by_windows: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No greedy start: the windows build it. With the ceilings shared by days, or over the
    # first window's look-ahead too (where no ACGME window is whole, so block B's days look
    # cheap), block A bought second attendings for its ward's target of four and block B found
    # too few left (measured: each of the three fails). Shared by the count over the days a
    # window keeps, block A keeps to one a day.
    monkeypatch.setattr(year, "_greedy_start", lambda *args, **kwargs: None)
    problem = two_blocks((32, 32))
    solution = cpsat.solve(problem, time_limit=60, seed=0, workers=1)
    report = validate(problem, solution.assignments)
    assert report.is_valid, report.hard[:3]
    assert sum(a.shift == "att" for a in solution.assignments) == 64


def test_more_working_days_than_the_free_days_leave_always_break_them() -> None:
    """ceilings._free_day_room: a resident on 12 h day shifts on more than 24 days of a 28-day
    window has fewer than 4 free periods there, whatever the days."""
    resident = Person("R", PersonKind.RESIDENT, pgy=2)
    problem = Problem(
        Horizon(MONDAY, 28),
        (WARD,),
        (resident,),
        tuple(Demand(d, "ward", 0, maximum=1) for d in range(28)),
        acgme=AcgmeRules(),
    )
    assert ceilings._free_day_room(problem, {"ward"}) == 24
    rng = random.Random(0)
    for _ in range(40):
        days = rng.sample(range(28), rng.choice((24, 25, 26)))
        report = validate(problem, [Assignment("R", d, "ward") for d in days])
        broken = any(v.rule == FREE_DAYS for v in report.hard)
        assert broken == (len(days) > 24), sorted(days)
