"""The MIP solver on small residency problems: every schedule it returns passes the validator
with the ACGME rules active, its objective is the validator's, and it stops, reports and names
infeasibility as the shared solver interface promises."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import date, time
from pathlib import Path

import pytest

from scheduling.engine import mip
from scheduling.engine.model import (
    AcgmeRules,
    Demand,
    Eligibility,
    FairnessGroup,
    Horizon,
    Person,
    PersonKind,
    PersonLimits,
    Problem,
    Progress,
    Request,
    RequestKind,
    ShiftCategory,
    ShiftType,
    SolveStatus,
)
from scheduling.engine.validator import validate

ROOT = Path(__file__).resolve().parents[3]
JULY = date(2026, 7, 6)  # a Monday
LIMIT = 10.0  # generous: the small problems solve to optimality in about a second
C = ShiftCategory


def resident(pid: str, pgy: int = 2, **limits: object) -> Person:
    return Person(pid, PersonKind.RESIDENT, pgy=pgy, limits=PersonLimits(**limits))  # type: ignore[arg-type]


def long_days(days: int = 28, minimum: int = 0) -> Problem:
    """One resident and a 14-hour shift every day: the 80-hour and free-day rules bind."""
    shifts = (ShiftType("long", time(7), 14 * 60),)
    demands = tuple(Demand(d, "long", target=1, minimum=minimum, under_weight=10)
                    for d in range(days))  # fmt: skip
    return Problem(Horizon(JULY, days), shifts, (resident("R"),), demands, acgme=AcgmeRules())


def ward(days: int = 28) -> Problem:
    """Four residents on days, 24 h call and night float, with requests and call fairness."""
    shifts = (
        ShiftType("day", time(7), 12 * 60, C.DAY),
        ShiftType("call", time(7), 24 * 60, C.IN_HOUSE_CALL,
                  forbidden_next=frozenset({"day", "call"})),
        ShiftType("post", time(7), 4 * 60, C.TRANSITION),
        ShiftType("night", time(19), 12 * 60, C.NIGHT_FLOAT, forbidden_next=frozenset({"day"})),
    )  # fmt: skip
    people = tuple(resident(f"r{i}", pgy=1 + i % 3, max_consecutive_work=6) for i in range(4))
    seniors = Eligibility(pgy_min=2)
    demands = []
    for d in range(days):
        demands += [
            Demand(d, "day", target=2, minimum=1, maximum=3),
            Demand(d, "call", target=1, under_weight=4),
            Demand(d, "post", target=0, maximum=1, over_weight=0),
            Demand(d, "night", target=1, under_weight=2, eligibility=seniors),
        ]
    requests = (
        Request("r0", 3, RequestKind.OFF, 3),
        Request("r1", 5, RequestKind.ON, 2, "call"),
        Request("r2", 9, RequestKind.OFF, 1, "night"),
    )
    fairness = (FairnessGroup("call", frozenset(p.id for p in people), "call"),)
    return Problem(Horizon(JULY, days, "America/New_York"), shifts, people, tuple(demands),
                   requests=requests, fairness=fairness, acgme=AcgmeRules())  # fmt: skip


def solve_valid(problem: Problem, **kwargs: object) -> mip.Solution:
    solution = mip.solve(problem, time_limit=LIMIT, **kwargs)  # type: ignore[arg-type]
    report = validate(problem, solution.assignments)
    assert report.is_valid, [v.message for v in report.hard]
    assert solution.objective == report.objective
    return solution


def test_it_keeps_weekly_hours_and_free_days() -> None:
    problem = long_days()
    solution = solve_valid(problem)
    assert solution.status == SolveStatus.OPTIMAL
    assert len(solution.assignments) == 22  # 22 x 14 h = 308 h <= 320 h; 23 would be 322 h
    loose = mip.solve(replace(problem, acgme=None), time_limit=LIMIT)
    assert "acgme.weekly_hours" in validate(problem, loose.assignments).rules()


def test_it_returns_a_valid_ward_schedule_with_the_validators_objective() -> None:
    solution = solve_valid(ward(14), seed=3)
    assert solution.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert solution.assignments
    assert solution.objective is not None
    assert solution.bound is None or solution.bound <= solution.objective


def test_it_uses_a_hint_as_its_start() -> None:
    problem = ward(14)
    first = solve_valid(problem)
    again = solve_valid(problem, hint=first.assignments)
    assert again.objective == first.objective


def test_it_names_the_rules_that_make_a_problem_infeasible() -> None:
    solution = mip.solve(long_days(minimum=1), time_limit=LIMIT)
    assert solution.status == SolveStatus.INFEASIBLE
    assert solution.assignments == ()
    assert "ACGME weekly duty hours for R" in solution.conflicts


def test_it_reports_contradictory_data_as_invalid() -> None:
    problem = replace(long_days(), demands=(Demand(0, "long", target=1, minimum=2),))
    solution = mip.solve(problem, time_limit=LIMIT)
    assert solution.status == SolveStatus.INVALID
    assert solution.conflicts


def test_it_honours_should_stop() -> None:
    solution = mip.solve(ward(), time_limit=LIMIT, should_stop=lambda: True)
    assert solution.status == SolveStatus.CANCELLED
    assert validate(ward(), solution.assignments).is_valid or not solution.assignments


def test_it_reports_progress_at_start_and_end() -> None:
    seen: list[Progress] = []
    solution = mip.solve(ward(14), time_limit=LIMIT, on_progress=seen.append)
    assert seen[0].phase == "start"
    assert seen[-1].phase == "done"
    assert seen[-1].objective == solution.objective


def test_it_falls_back_to_cbc_without_highs(monkeypatch: pytest.MonkeyPatch) -> None:
    import pulp

    monkeypatch.setattr(pulp.HiGHS, "available", lambda self: False)
    solution = solve_valid(long_days())
    assert solution.status == SolveStatus.OPTIMAL
    assert len(solution.assignments) == 22


def test_it_solves_the_first_shift_benchmark_instance_to_its_published_optimum() -> None:
    path = ROOT.parent / "shared" / "benchmarks" / "schedulingbenchmarks_nrp" / "Instance1.txt"
    if not path.exists():
        pytest.skip("shift benchmark instances not present")
    from scheduling.engine.nrp import parse_instance, to_problem

    problem = to_problem(parse_instance(path))
    solution = solve_valid(problem)
    assert solution.objective == 607  # best_known.csv, proven optimal


def test_it_imports_without_django() -> None:
    code = "import sys, scheduling.engine.mip; assert 'django' not in sys.modules"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_it_solves_after_a_solve_with_another_thread_count() -> None:
    """HiGHS sizes one thread pool per process at its first solve; a later solve with another
    worker count must still solve (it once came back "unknown" at once)."""
    for workers in (2, 1, 2):
        solution = solve_valid(long_days(7), workers=workers)
        assert solution.status == SolveStatus.OPTIMAL, workers
