"""CP-SAT's "infeasible" is a claim the engine stands behind (issue 12): it is never made while
a schedule is known, it is proved twice, its named causes are each necessary, and on random
small problems an exhaustive search over every schedule agrees with it."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import date, time
from typing import Any

import pytest
from ortools.sat.python import cp_model

from scheduling.engine import cpsat
from scheduling.engine.cpsat import proof
from scheduling.engine.model import (
    AcgmeRules,
    Assignment,
    Demand,
    Horizon,
    Person,
    PersonKind,
    PersonLimits,
    Problem,
    ShiftCategory,
    ShiftType,
    SolveStatus,
    Unavailability,
)
from scheduling.engine.validator import validate

MONDAY = date(2026, 4, 6)  # far from DST changes
LIMIT = 10.0


def resident(pid: str, **limits: Any) -> Person:
    return Person(pid, PersonKind.RESIDENT, pgy=2, limits=PersonLimits(**limits))


def ward(days: int = 3, people: int = 2) -> Problem:
    """Enough residents for one ward shift a day: feasible."""
    shifts = (ShiftType("ward", time(7), 600),)
    staff = tuple(resident(f"R{i}") for i in range(people))
    demands = tuple(Demand(d, "ward", 1, minimum=1) for d in range(days))
    return Problem(Horizon(MONDAY, days), shifts, staff, demands, acgme=AcgmeRules())


class _WrongProof(cp_model.CpSolver):
    """The exact search (the only solve given a solution callback) answers INFEASIBLE at once,
    as a wrong proof would; every other solve is CP-SAT's own."""

    def Solve(self, model: Any, solution_callback: Any = None) -> Any:
        if solution_callback is not None:
            return cp_model.INFEASIBLE
        return super().Solve(model)


@pytest.fixture
def wrong_proof(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cpsat.run.cp_model, "CpSolver", _WrongProof)


@pytest.mark.usefixtures("wrong_proof")
def test_it_never_reports_infeasible_while_holding_a_schedule() -> None:
    problem = ward()
    hint = [Assignment("R0", d, "ward") for d in range(3)]
    solution = cpsat.solve(problem, time_limit=LIMIT, workers=1, hint=hint)
    assert solution.status == SolveStatus.FEASIBLE
    assert validate(problem, solution.assignments).is_valid


@pytest.mark.usefixtures("wrong_proof")
def test_it_ends_unknown_when_a_second_proof_does_not_confirm_infeasibility() -> None:
    solution = cpsat.solve(ward(), time_limit=LIMIT, workers=1, hint=())
    assert solution.status == SolveStatus.UNKNOWN
    assert not solution.conflicts


def test_it_reports_infeasible_when_both_proofs_agree() -> None:
    # Two shifts' worth of minutes for three days that each need her: no precheck counts
    # minutes against demand (a consecutive-day limit would be named by the precheck instead,
    # before any solve), so the solver proves it, twice.
    problem = ward(people=1)
    tired = resident("R0", max_total_minutes=1200)
    solution = cpsat.solve(replace(problem, people=(tired,)), time_limit=LIMIT, workers=1)
    assert solution.status == SolveStatus.INFEASIBLE
    assert solution.conflicts


def test_it_names_only_groups_each_needed_for_the_conflict() -> None:
    # Two residents, one ward shift a day needing both on three days in a row, but each may
    # work two days in a row at most; an unrelated weekend cap must not be named.
    shifts = (ShiftType("ward", time(7), 600),)
    staff = (resident("A", max_consecutive_work=2, max_weekends=3), resident("B"))
    demands = tuple(Demand(d, "ward", 2, minimum=2) for d in range(4))
    problem = Problem(Horizon(MONDAY, 4), shifts, staff, demands, acgme=AcgmeRules())
    causes = cpsat.diagnose(problem, time_limit=LIMIT)
    assert "max weekends for A" not in causes
    builder = cpsat.build_model(problem, diagnose=True)
    for relaxed in causes:
        rest = [builder.groups[name] for name in causes if name != relaxed]
        builder.model.clear_assumptions()
        builder.model.add_assumptions(rest)
        solver = cp_model.CpSolver()
        proof.independent(solver, time_limit=LIMIT, seed=0)
        assert solver.Solve(builder.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE), relaxed


# ------------------------------------------------------------------ random small problems
SHIFTS = (
    ShiftType("day", time(7), 720),
    ShiftType("night", time(19), 720, ShiftCategory.NIGHT_FLOAT),
    ShiftType("call", time(7), 1440, ShiftCategory.IN_HOUSE_CALL),
    ShiftType("pm", time(13), 360),
)
MAX_CHOICES = 10  # 2^10 schedules to enumerate at most


def random_problem(rng: random.Random) -> Problem:
    days = rng.randint(2, 4)
    shifts = tuple(rng.sample(SHIFTS, rng.randint(1, 2)))
    people = tuple(
        resident(
            f"R{i}",
            max_consecutive_work=rng.choice([None, 1, 2]),
            max_total_minutes=rng.choice([None, 720, 1440, 2160]),
            # The data checks reject a minimum run above the maximum, so the pair is kept apart.
            min_consecutive_work=None if i % 2 else rng.choice([None, 2]),
        )
        for i in range(rng.randint(1, 3))
    )
    people = tuple(
        p if p.limits.min_consecutive_work is None else resident(p.id, min_consecutive_work=2)
        for p in people
    )
    demands = []
    for d in range(days):
        for s in shifts:
            if rng.random() < 0.7:
                low = rng.choice([0, 1, 1, 2])
                high = rng.choice([None, low, low + 1])
                target = max(low, 1) if high is None else min(max(low, 1), high)
                demands.append(Demand(d, s.id, target, minimum=low, maximum=high))
    unavailable = tuple(
        Unavailability(p.id, d) for p in people for d in range(days) if rng.random() < 0.15
    )
    return Problem(
        Horizon(MONDAY, days),
        shifts,
        people,
        tuple(demands),
        unavailable=unavailable,
        acgme=AcgmeRules(),
    )


def some_valid_schedule(problem: Problem) -> list[Assignment] | None:
    """Exhaustive search over every set of eligible, available assignments."""
    away = {(u.person, u.day) for u in problem.unavailable}
    choices = sorted(
        {
            Assignment(p.id, demand.day, demand.shift)
            for demand in problem.demands
            for p in problem.people
            if demand.eligibility.admits(p) and (p.id, demand.day) not in away
        },
        key=lambda a: (a.person, a.day, a.shift),
    )
    assert len(choices) <= MAX_CHOICES
    for size in range(len(choices) + 1):
        for subset in itertools.combinations(choices, size):
            if validate(problem, list(subset)).is_valid:
                return list(subset)
    return None


def small_random_problems(count: int, seed: int) -> list[Problem]:
    rng = random.Random(seed)
    out: list[Problem] = []
    while len(out) < count:
        problem = random_problem(rng)
        people = {p.id for p in problem.people}
        if len(people) * len({(d.day, d.shift) for d in problem.demands}) <= MAX_CHOICES:
            out.append(problem)
    return out


@pytest.mark.parametrize("problem", small_random_problems(60, seed=12), ids=lambda p: "")
def test_it_reports_infeasible_only_when_an_exhaustive_search_finds_no_schedule(
    problem: Problem,
) -> None:
    solution = cpsat.solve(problem, time_limit=LIMIT, workers=1)
    witness = some_valid_schedule(problem)
    if solution.status in (SolveStatus.INFEASIBLE, SolveStatus.INVALID):
        assert witness is None, f"a valid schedule exists: {witness}"
    else:
        assert solution.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
        assert validate(problem, solution.assignments).is_valid
