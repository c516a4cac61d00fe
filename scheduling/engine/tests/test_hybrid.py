"""The hybrid solver: it chooses a chain by measured rules, returns valid schedules with the
validator's objective on residency problems with ACGME rules, names its chain, and passes
progress, cancellation and infeasibility through."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import date, time
from pathlib import Path

from scheduling.engine import hybrid
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
from scheduling.engine.solvers import get_solver
from scheduling.engine.validator import validate

ROOT = Path(__file__).resolve().parents[3]
JULY = date(2026, 7, 6)  # a Monday
LIMIT = 10.0
C = ShiftCategory


def ward(days: int = 14) -> Problem:
    """Four residents on days, 24 h call and night float, with requests and call fairness."""
    shifts = (
        ShiftType("day", time(7), 12 * 60, C.DAY),
        ShiftType("call", time(7), 24 * 60, C.IN_HOUSE_CALL,
                  forbidden_next=frozenset({"day", "call"})),
        ShiftType("night", time(19), 12 * 60, C.NIGHT_FLOAT, forbidden_next=frozenset({"day"})),
    )  # fmt: skip
    people = tuple(
        Person(f"r{i}", PersonKind.RESIDENT, pgy=1 + i % 3,
               limits=PersonLimits(max_consecutive_work=6))
        for i in range(4)
    )  # fmt: skip
    demands = []
    for d in range(days):
        demands += [
            Demand(d, "day", target=2, minimum=1, maximum=3),
            Demand(d, "call", target=1, under_weight=4),
            Demand(d, "night", target=1, under_weight=2, eligibility=Eligibility(pgy_min=2)),
        ]
    requests = (Request("r0", 3, RequestKind.OFF, 3), Request("r1", 5, RequestKind.ON, 2, "call"))
    fairness = (FairnessGroup("call", frozenset(p.id for p in people), "call"),)
    return Problem(Horizon(JULY, days, "America/New_York"), shifts, people, tuple(demands),
                   requests=requests, fairness=fairness, acgme=AcgmeRules())  # fmt: skip


def staff_roster() -> Problem:
    """A shift-benchmark-like roster: staff, no ACGME, minimum runs of work and days off."""
    limits = PersonLimits(max_shifts_per_day=1, min_consecutive_work=2, min_consecutive_off=2,
                          max_consecutive_work=5)  # fmt: skip
    people = tuple(Person(f"s{i}", PersonKind.STAFF, limits=limits) for i in range(4))
    shifts = (ShiftType("D", time(0), 8 * 60),)
    demands = tuple(Demand(d, "D", target=2, under_weight=10) for d in range(14))
    return Problem(Horizon(JULY, 14), shifts, people, demands)


def test_it_returns_a_valid_schedule_with_the_validators_objective() -> None:
    problem = ward()
    solution = hybrid.solve(problem, time_limit=LIMIT, seed=1)
    report = validate(problem, solution.assignments)
    assert solution.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert report.is_valid, [v.message for v in report.hard]
    assert solution.objective == report.objective


def test_it_names_the_chain_it_ran() -> None:
    solution = hybrid.solve(ward(), time_limit=LIMIT)
    assert solution.algorithm == "hybrid(greedy>mip)"


def test_it_chooses_the_mip_for_residency_programs() -> None:
    plan = hybrid.choose(hybrid.features(ward()))
    assert plan.exact == "mip"


def test_it_chooses_cpsat_for_rosters_with_runs() -> None:
    plan = hybrid.choose(hybrid.features(staff_roster()))
    assert plan.exact == "cpsat"


def test_it_keeps_the_greedy_schedule_when_no_exact_model_fits_the_limit() -> None:
    plan = hybrid.choose(hybrid.features(ward()), time_limit=0.01)
    assert plan.exact == "none"
    solution = hybrid.solve(ward(), time_limit=0.01)
    assert solution.algorithm == "hybrid(greedy)"


def test_it_solves_rosters_with_runs_validly() -> None:
    problem = staff_roster()
    solution = hybrid.solve(problem, time_limit=LIMIT)
    assert validate(problem, solution.assignments).is_valid
    assert solution.algorithm == "hybrid(greedy>cpsat)"


def test_it_passes_progress_through_from_start_to_done() -> None:
    seen: list[Progress] = []
    solution = hybrid.solve(ward(), time_limit=LIMIT, on_progress=seen.append)
    assert seen[0].phase == "hybrid:start"
    assert seen[-1].phase == "hybrid:done"
    assert seen[-1].objective == solution.objective
    assert any(p.phase.startswith("mip:") for p in seen)


def test_it_honours_should_stop() -> None:
    solution = hybrid.solve(ward(), time_limit=LIMIT, should_stop=lambda: True)
    assert solution.status == SolveStatus.CANCELLED
    assert "mip" not in solution.algorithm  # nothing ran after the stop


def test_it_names_the_rules_of_an_infeasible_problem() -> None:
    shifts = (ShiftType("long", time(7), 14 * 60),)
    resident = Person("R", PersonKind.RESIDENT, pgy=2)
    demands = tuple(Demand(d, "long", target=1, minimum=1) for d in range(28))
    problem = Problem(Horizon(JULY, 28), shifts, (resident,), demands, acgme=AcgmeRules())
    solution = hybrid.solve(problem, time_limit=LIMIT)
    assert solution.status == SolveStatus.INFEASIBLE
    assert "ACGME weekly duty hours for R" in solution.conflicts


def test_it_reports_contradictory_data_as_invalid() -> None:
    problem = replace(ward(), demands=(Demand(0, "day", target=1, minimum=9),))
    assert hybrid.solve(problem, time_limit=LIMIT).status == SolveStatus.INVALID


def test_it_is_registered_as_a_solver() -> None:
    assert get_solver("hybrid") is hybrid.solve
    assert get_solver("mip").__module__ == "scheduling.engine.mip"


def test_it_imports_without_django() -> None:
    code = "import sys, scheduling.engine.hybrid; assert 'django' not in sys.modules"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
