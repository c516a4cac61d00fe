"""Per-period checks with history agree with one long check; solvers agree with the validator
(issue 13's acceptance): no seams, no schedule the validator accepts that a solver refuses."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime

import pytest

from scheduling.engine import cpsat, mip
from scheduling.engine.model import (
    AcgmeRules,
    Assignment,
    Demand,
    History,
    Problem,
    SolveStatus,
    Violation,
)
from scheduling.engine.tests.helpers import R2, SHIFTS, make_problem
from scheduling.engine.validator import validate

PERIOD = 28
MIX = ("day", "night", "call", "post", "home", "moon", "d8", "late", "early")
SHIFT_BY_ID = {s.id: s for s in SHIFTS}


def random_plan(rng: random.Random, days: int, density: float) -> list[Assignment]:
    plan = []
    for day in range(days):
        if rng.random() < density:
            plan.append(Assignment("r2", day, rng.choice(MIX)))
    return plan


def coverage(found: list[Violation]) -> dict[str, list[tuple[datetime, datetime]]]:
    """Per rule, the merged time the hard ACGME violations cover (windowed rules by their run)."""
    spans: dict[str, list[tuple[datetime, datetime]]] = {}
    for v in found:
        start, end = v.span_start or v.start, v.span_end or v.end
        assert start is not None and end is not None
        spans.setdefault(v.rule, []).append((start, end))
    merged: dict[str, list[tuple[datetime, datetime]]] = {}
    for rule, pieces in spans.items():
        out: list[tuple[datetime, datetime]] = []
        for s, e in sorted(pieces):
            if out and s <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], e))
            else:
                out.append((s, e))
        merged[rule] = out
    return merged


def hard_acgme(problem: Problem, plan: list[Assignment]) -> list[Violation]:
    return [v for v in validate(problem, plan).hard if v.rule.startswith(("acgme.", "policy."))]


@pytest.mark.parametrize("seed", range(40))
def test_it_finds_the_same_violations_per_period_with_history_as_over_one_period(seed: int) -> None:
    rng = random.Random(seed)
    plan = random_plan(rng, 2 * PERIOD, rng.choice([0.5, 0.7, 0.9]))
    long = make_problem(2 * PERIOD)
    first = [a for a in plan if a.day < PERIOD]
    second = [replace(a, day=a.day - PERIOD) for a in plan if a.day >= PERIOD]
    # History: the 28 days before a period (a night crossing into the first window day) and
    # the 27 after it.
    a = make_problem(PERIOD, history=History(tuple(second)))
    a = replace(a, history=History(tuple(replace(x, day=x.day + PERIOD) for x in second)))
    b = make_problem(
        PERIOD,
        start=long.horizon.date_of(PERIOD),
        history=History(tuple(replace(x, day=x.day - PERIOD) for x in first)),
    )
    per_period = hard_acgme(a, first) + hard_acgme(b, second)
    assert coverage(per_period) == coverage(hard_acgme(long, plan))


def night_float_plan() -> list[Assignment]:
    """24 nights in 28 days, every seventh night skipped: 36 h off each week."""
    return [Assignment("r2", d, "night") for d in range(PERIOD) if d % 7 != 3]


def night_problem() -> Problem:
    nights = (SHIFT_BY_ID["night"],)
    demands = tuple(Demand(d, "night", target=1, under_weight=10) for d in range(PERIOD))
    return make_problem(PERIOD, [R2], shifts=nights, demands=demands, acgme=NO_CAP)


NO_CAP = replace(AcgmeRules(), max_consecutive_night_float=None)


def test_it_accepts_the_24_night_plan() -> None:
    assert validate(night_problem(), night_float_plan()).is_valid


@pytest.mark.parametrize("solver", [cpsat, mip], ids=["cpsat", "mip"])
def test_it_solves_the_night_float_month_to_24_nights(solver: object) -> None:
    problem = night_problem()
    solution = solver.solve(problem, time_limit=20, seed=0, workers=1)  # type: ignore[attr-defined]
    assert solution.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert len(solution.assignments) == 24
    assert validate(problem, solution.assignments).is_valid


@pytest.mark.parametrize("solver", [cpsat, mip], ids=["cpsat", "mip"])
def test_it_re_solves_around_a_locked_legal_night_float_month(solver: object) -> None:
    problem = replace(night_problem(), fixed=tuple(night_float_plan()))
    solution = solver.solve(problem, time_limit=20, seed=0, workers=1)  # type: ignore[attr-defined]
    assert solution.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


SMALL = ("day", "night", "call", "post", "home", "d8")


def small_problem(rng: random.Random, days: int, history: bool) -> Problem:
    shifts = tuple(SHIFT_BY_ID[s] for s in SMALL)
    demands = tuple(
        Demand(d, s, target=rng.randint(0, 1), minimum=0, under_weight=rng.randint(1, 5))
        for d in range(days)
        for s in SMALL
        if rng.random() < 0.5
    )
    problem = make_problem(days, [R2], shifts=shifts, demands=demands)
    if history:
        past = [
            Assignment("r2", d, rng.choice(("day", "d8", "night")))
            for d in range(-28, 0)
            if rng.random() < 0.5
        ]
        problem = replace(problem, history=History(tuple(past)))
    return problem


@pytest.mark.parametrize("solver", [cpsat, mip], ids=["cpsat", "mip"])
@pytest.mark.parametrize("seed", range(6))
def test_it_returns_only_schedules_the_validator_accepts(solver: object, seed: int) -> None:
    rng = random.Random(seed)
    problem = small_problem(rng, 14, history=seed % 2 == 0)
    solution = solver.solve(problem, time_limit=10, seed=0, workers=1)  # type: ignore[attr-defined]
    assert solution.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    report = validate(problem, solution.assignments)
    assert report.is_valid, report.hard


@pytest.mark.parametrize("solver", [cpsat, mip], ids=["cpsat", "mip"])
@pytest.mark.parametrize("seed", range(8))
def test_it_accepts_any_validator_clean_schedule_as_locked_input(solver: object, seed: int) -> None:
    rng = random.Random(100 + seed)
    open_cells = tuple(Demand(d, sid, target=0) for d in range(14) for sid in SMALL)
    problem = replace(small_problem(rng, 14, history=seed % 2 == 0), demands=open_cells)
    plan: list[Assignment] = []
    for day in range(14):  # grown a day at a time, keeping only what the validator accepts
        candidate = Assignment("r2", day, rng.choice(SMALL))
        if rng.random() < 0.8 and validate(problem, [*plan, candidate]).is_valid:
            plan.append(candidate)
    assert plan and validate(problem, plan).is_valid
    locked = replace(problem, fixed=tuple(plan))
    solution = solver.solve(locked, time_limit=10, seed=0, workers=1)  # type: ignore[attr-defined]
    assert solution.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE), solution.conflicts
