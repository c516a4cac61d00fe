"""Behaviour shared by both planners (CP-SAT and PuLP/HiGHS), checked through validate_plan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from scheduling.engine.model import Progress, SolveStatus
from scheduling.engine.rotation import cpsat, mip
from scheduling.engine.rotation.model import (
    CurriculumRequirement,
    FairnessWeight,
    LeaveRequest,
    Lock,
    PlanProblem,
    PlanSolution,
    RotationPreference,
    SequencingKind,
    SequencingRule,
)
from scheduling.engine.rotation.precheck import precheck_plan
from scheduling.engine.rotation.scenarios import plan_scenario
from scheduling.engine.rotation.tests.builders import small_problem
from scheduling.engine.rotation.validator import validate_plan

Solve = Callable[..., PlanSolution]
SOLVERS = [pytest.param(cpsat.solve_plan, id="cpsat"), pytest.param(mip.solve_plan, id="mip")]

RULES = (
    SequencingRule(SequencingKind.BEFORE, "WARDS", "NF", pgy_levels=frozenset({1})),
    SequencingRule(SequencingKind.MAX_CONSECUTIVE, "heavy", limit=1),
    SequencingRule(SequencingKind.NOT_FOLLOWED_BY, "night_float", "icu"),
)


def rich_problem() -> PlanProblem:
    """small_problem with every kind of rule, wish and lock switched on."""
    return small_problem(
        locks=(Lock("R3", 1, "ICU"), Lock("R5", 2, "CLINIC", half=1)),
        leave=(
            LeaveRequest("R1", 3, approved=True),
            LeaveRequest("R2", 0, approved=False, weight=3),
        ),
        preferences=(
            RotationPreference("R4", "ELEC", 2, 2),
            RotationPreference("R6", "NF", 0, -4),
            RotationPreference("R5", "ELEC", None, 2),
        ),
        sequencing=RULES,
        weights=(FairnessWeight(2),),
        split_weight=1,
    )


def solve(solver: Solve, problem: PlanProblem, **kwargs: Any) -> PlanSolution:
    return solver(problem, time_limit=kwargs.pop("time_limit", 20.0), **kwargs)


@pytest.mark.parametrize("solver", SOLVERS)
def test_it_returns_a_plan_that_meets_every_hard_rule(solver: Solve) -> None:
    problem = rich_problem()
    solution = solve(solver, problem)
    report = validate_plan(problem, solution.assignments)
    assert solution.status is SolveStatus.OPTIMAL
    assert report.valid, report.violations


@pytest.mark.parametrize("solver", SOLVERS)
def test_it_reports_the_objective_the_validator_computes(solver: Solve) -> None:
    problem = rich_problem()
    solution = solve(solver, problem)
    assert solution.objective == validate_plan(problem, solution.assignments).objective
    assert solution.bound == solution.objective


@pytest.mark.parametrize("solver", SOLVERS)
def test_it_respects_sequencing_rules_it_would_otherwise_break(solver: Solve) -> None:
    # Every PGY-1 wants night float first; "wards before night float" must win.
    wishes = tuple(RotationPreference(r, "NF", 0, 5) for r in ("R1", "R2"))
    problem = small_problem(preferences=wishes, sequencing=RULES)
    solution = solve(solver, problem)
    report = validate_plan(problem, solution.assignments)
    assert report.valid, report.violations
    assert report.penalties["preference"] > 0


@pytest.mark.parametrize("solver", SOLVERS)
def test_it_splits_a_block_when_the_curriculum_asks_for_half_a_block(solver: Solve) -> None:
    half_clinic = CurriculumRequirement(1, "CLINIC", 0.5, 0.5)
    problem = replace(small_problem(), requirements=(half_clinic,), split_weight=1)
    solution = solve(solver, problem)
    halves = [a for a in solution.assignments if a.resident == "R1" and a.half is not None]
    assert validate_plan(problem, solution.assignments).valid
    assert {a.half for a in halves} == {1, 2}
    assert "CLINIC" in {a.rotation for a in halves}


@pytest.mark.parametrize("solver", SOLVERS)
def test_it_names_a_conflict_found_by_counting(solver: Solve) -> None:
    too_much = (CurriculumRequirement(1, "WARDS", 3, 4), CurriculumRequirement(1, "NF", 2, 2))
    solution = solve(solver, small_problem(requirements=too_much))
    assert solution.status is SolveStatus.INVALID
    assert "PGY-1 needs 5 required blocks but the year has 4" in solution.conflicts
    assert solution.assignments == ()


def sequencing_conflict() -> PlanProblem:
    # R1 is locked to night float in the first block but must do wards before night float:
    # no count shows it, only search does.
    return small_problem(locks=(Lock("R1", 0, "NF"),), sequencing=RULES[:1])


def test_it_leaves_the_sequencing_conflict_to_the_solvers() -> None:
    assert precheck_plan(sequencing_conflict()) == []


def test_it_names_both_sides_of_a_conflict_only_search_finds() -> None:
    solution = solve(cpsat.solve_plan, sequencing_conflict())
    assert solution.status is SolveStatus.INFEASIBLE
    assert any(c.startswith("sequencing.before") for c in solution.conflicts)
    assert "lock: R1 on NF in block 0" in solution.conflicts


def test_it_names_the_requirement_to_drop_when_the_mip_proves_infeasibility() -> None:
    solution = solve(mip.solve_plan, sequencing_conflict())
    assert solution.status is SolveStatus.INFEASIBLE
    assert len(solution.conflicts) == 1
    assert solution.conflicts[0].startswith(("sequencing.before", "lock: R1 on NF"))


@pytest.mark.parametrize("solver", SOLVERS)
def test_it_is_deterministic_for_a_fixed_seed(solver: Solve) -> None:
    problem = rich_problem()
    first = solve(solver, problem, seed=7, workers=1)
    second = solve(solver, problem, seed=7, workers=1)
    assert first.assignments == second.assignments


@pytest.mark.parametrize("solver", SOLVERS)
def test_it_reports_progress_from_start_to_end(solver: Solve) -> None:
    seen: list[Progress] = []
    solution = solve(solver, rich_problem(), on_progress=seen.append)
    assert [seen[0].phase, seen[-1].phase] == ["start", "done"]
    assert seen[-1].objective == solution.objective


@pytest.mark.parametrize("solver", SOLVERS)
def test_it_honours_should_stop(solver: Solve) -> None:
    # A 90-resident year is far from solved when the stop arrives at the first poll.
    calls: list[int] = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) > 1

    solution = solve(solver, plan_scenario(90), time_limit=600.0, should_stop=stop)
    assert solution.status is SolveStatus.CANCELLED


def test_the_mip_plans_after_a_shift_solve_with_another_thread_count() -> None:
    """One worker process runs both kinds of run: a two-thread shift MIP first must not leave
    HiGHS unable to plan with one thread (it came back "unknown" at once)."""
    from scheduling.engine import mip as shift_mip
    from scheduling.engine.tests.test_mip import long_days

    shift_mip.solve(long_days(7), time_limit=10.0, workers=2)
    solution = mip.solve_plan(rich_problem(), time_limit=20.0, workers=1)
    assert solution.status is SolveStatus.OPTIMAL
