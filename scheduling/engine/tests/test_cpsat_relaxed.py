"""The relaxation bound (the CP-SAT model without its ACGME rules) never exceeds a proven
optimum: residency S (solved to optimality) and tiny fairness programs solved by brute force."""

from __future__ import annotations

from datetime import date, time
from itertools import product
from random import Random

import pytest

from scheduling.engine import cpsat
from scheduling.engine.cpsat.relaxed import relaxed_bound
from scheduling.engine.model import (
    AcgmeRules,
    Assignment,
    Demand,
    FairnessGroup,
    Horizon,
    Person,
    PersonKind,
    Problem,
    Request,
    RequestKind,
    ShiftCategory,
    ShiftType,
    SolveStatus,
)
from scheduling.engine.scenarios import scenario
from scheduling.engine.validator import validate

SHIFTS = (
    ShiftType("day", time(7), 12 * 60),
    ShiftType("call", time(7), 24 * 60, ShiftCategory.IN_HOUSE_CALL),
)
# A 4-day window: one free day and one call night per window bind on a 4-day horizon.
TIGHT = AcgmeRules(window_days=4, min_free_days_per_window=1, max_call_nights_per_window=1)


def tiny(seed: int) -> Problem:
    rng = Random(seed)
    people = tuple(Person(f"r{i}", PersonKind.RESIDENT, pgy=1) for i in range(2))
    demands = tuple(
        Demand(d, s, target=rng.randint(0, 2), under_weight=rng.randint(1, 3))
        for d in range(4)
        for s in ("day", "call")
    )
    requests = tuple(
        Request(p.id, rng.randrange(4), rng.choice(list(RequestKind)), rng.randint(1, 3))
        for p in people
    )
    return Problem(
        Horizon(date(2026, 7, 6), 4),
        SHIFTS,
        people,
        demands,
        requests=requests,
        fairness=(FairnessGroup("call", frozenset(p.id for p in people), "call", 2),),
        acgme=TIGHT,
    )


def brute_force_optimum(problem: Problem) -> float:
    """The least objective over every schedule (one shift or none per person and day) the
    validator accepts."""
    cells = [(p.id, d) for p in problem.people for d in range(problem.horizon.days)]
    best = float("inf")
    for choice in product((None, "day", "call"), repeat=len(cells)):
        plan = [Assignment(p, d, s) for (p, d), s in zip(cells, choice, strict=True) if s]
        report = validate(problem, plan)
        if report.is_valid:
            best = min(best, report.objective)
    return best


@pytest.mark.parametrize("seed", range(4))
def test_it_never_exceeds_the_brute_force_optimum(seed):
    problem = tiny(seed)
    optimum = brute_force_optimum(problem)
    solved = cpsat.solve(problem, time_limit=20, seed=0, workers=1)
    assert solved.status == SolveStatus.OPTIMAL and solved.objective == optimum
    bound = relaxed_bound(problem, time_limit=20)
    assert bound is not None and bound <= optimum


def test_it_is_lower_than_the_optimum_when_the_rules_bind():
    # Work asked every day: the ACGME rules make the optimum leave days uncovered, the
    # relaxation covers every day, so its bound is strictly lower (it really drops the rules).
    problem = Problem(
        Horizon(date(2026, 7, 6), 4),
        SHIFTS,
        (Person("r0", PersonKind.RESIDENT, pgy=1),),
        tuple(Demand(d, "call", target=1, under_weight=5) for d in range(4)),
        acgme=TIGHT,
    )
    optimum = brute_force_optimum(problem)
    bound = relaxed_bound(problem, time_limit=20)
    assert bound is not None and bound < optimum


def test_it_stays_at_or_below_residency_s_optimum():
    problem = scenario("S")
    solved = cpsat.solve(problem, time_limit=60, seed=0, workers=1)
    assert solved.status == SolveStatus.OPTIMAL
    bound = relaxed_bound(problem, time_limit=10)
    assert bound is not None and solved.objective is not None and bound <= solved.objective


def test_it_gives_nothing_without_acgme_rules():
    problem = Problem(Horizon(date(2026, 7, 6), 2), SHIFTS, (), ())
    assert relaxed_bound(problem, time_limit=1) is None
