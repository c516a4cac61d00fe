"""The CP-SAT solver on small residency problems: every schedule it returns passes the
validator, including ACGME rules a naive model would break (each case checks that the same
problem without ACGME rules does break them, so the case is tight)."""

from __future__ import annotations

import random
import threading
from dataclasses import replace
from datetime import date, time

import pytest

from scheduling.engine import cpsat
from scheduling.engine.model import (
    AcgmeRules,
    Assignment,
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
from scheduling.engine.validator import Report, validate

JULY = date(2026, 7, 1)  # a Wednesday
LIMIT = 20.0  # generous: these problems solve to optimality in well under a second


def resident(pid: str, pgy: int = 2, **limits: object) -> Person:
    return Person(pid, PersonKind.RESIDENT, pgy=pgy, limits=PersonLimits(**limits))  # type: ignore[arg-type]


def every_day(
    days: int, shift: str, target: int = 1, weight: int = 10, **kw: object
) -> list[Demand]:
    return [Demand(d, shift, target=target, under_weight=weight, **kw) for d in range(days)]  # type: ignore[arg-type]


def solve_valid(problem: Problem) -> tuple[cpsat.run.Solution, Report]:
    solution = cpsat.solve(problem, time_limit=LIMIT, seed=0, workers=1)
    assert solution.status == SolveStatus.OPTIMAL
    report = validate(problem, solution.assignments)
    assert report.is_valid, [v.message for v in report.hard]
    assert solution.objective == report.objective
    return solution, report


def naive_breaks(problem: Problem, rule: str) -> None:
    """Without the ACGME rules the optimum breaks ``rule``: the case really tests the encoding."""
    loose = cpsat.solve(replace(problem, acgme=None), time_limit=LIMIT, seed=0, workers=1)
    rules = {v.rule for v in validate(problem, loose.assignments).hard}
    assert rule in rules


def test_it_keeps_weekly_hours_and_free_days() -> None:
    shifts = (ShiftType("long", time(7), 14 * 60),)
    problem = Problem(
        Horizon(JULY, 28),
        shifts,
        (resident("R"),),
        tuple(every_day(28, "long")),
        acgme=AcgmeRules(),
    )
    solution, _ = solve_valid(problem)
    assert len(solution.assignments) == 22  # 22 x 14 h = 308 h <= 320 h; 23 would be 322 h
    naive_breaks(problem, "acgme.weekly_hours")
    naive_breaks(problem, "acgme.free_days")


def test_it_keeps_continuous_duty_within_24_plus_4() -> None:
    shifts = (
        ShiftType("call", time(7), 24 * 60, ShiftCategory.IN_HOUSE_CALL),
        ShiftType("day", time(7), 12 * 60),
    )
    demands = (Demand(1, "call", 1, under_weight=10), Demand(2, "day", 1, under_weight=10))
    problem = Problem(Horizon(JULY, 5), shifts, (resident("R"),), demands, acgme=AcgmeRules())
    solution, _ = solve_valid(problem)
    assert len(solution.assignments) == 1
    naive_breaks(problem, "acgme.continuous_duty")


def test_it_rests_14_hours_after_a_24_hour_period() -> None:
    shifts = (
        ShiftType("call", time(7), 24 * 60, ShiftCategory.IN_HOUSE_CALL),
        ShiftType("eve", time(17), 6 * 60),
    )
    demands = (Demand(1, "call", 1, under_weight=10), Demand(2, "eve", 1, under_weight=10))
    problem = Problem(Horizon(JULY, 5), shifts, (resident("R"),), demands, acgme=AcgmeRules())
    solution, _ = solve_valid(problem)
    assert len(solution.assignments) == 1
    naive_breaks(problem, "acgme.rest_after_long_period")


def test_it_limits_consecutive_night_float() -> None:
    shifts = (ShiftType("nf", time(19), 12 * 60, ShiftCategory.NIGHT_FLOAT),)
    problem = Problem(
        Horizon(JULY, 10), shifts, (resident("R"),), tuple(every_day(10, "nf")), acgme=AcgmeRules()
    )
    solution, _ = solve_valid(problem)
    assert len(solution.assignments) == 9  # e.g. 6 nights, one off, 3 nights
    naive_breaks(problem, "policy.night_float_consecutive")


def test_it_limits_in_house_call_nights_per_window() -> None:
    shifts = (ShiftType("call", time(18), 8 * 60, ShiftCategory.IN_HOUSE_CALL),)
    problem = Problem(
        Horizon(JULY, 28),
        shifts,
        (resident("R"),),
        tuple(every_day(28, "call")),
        acgme=AcgmeRules(),
    )
    solution, _ = solve_valid(problem)
    assert len(solution.assignments) == 9
    naive_breaks(problem, "acgme.call_frequency")


def test_it_measures_real_time_across_the_dst_change() -> None:
    # 07:00 to 07:00 wall clock on the night clocks go back lasts 25 real hours.
    shifts = (ShiftType("call", time(7), 24 * 60, ShiftCategory.IN_HOUSE_CALL),)
    horizon = Horizon(date(2026, 10, 30), 4, timezone="America/New_York")
    demands = (Demand(1, "call", 1, under_weight=10), Demand(3, "call", 1, under_weight=10))
    problem = Problem(horizon, shifts, (resident("R"),), demands, acgme=AcgmeRules())
    solution, _ = solve_valid(problem)
    assert solution.assignments == (Assignment("R", 3, "call"),)
    naive_breaks(problem, "acgme.continuous_duty")


def test_it_keeps_pgy1_residents_off_moonlighting() -> None:
    shifts = (ShiftType("moon", time(18), 6 * 60, ShiftCategory.MOONLIGHTING),)
    people = (resident("R1", pgy=1), resident("R3", pgy=3))
    problem = Problem(
        Horizon(JULY, 2), shifts, people, tuple(every_day(2, "moon", target=2)), acgme=AcgmeRules()
    )
    solution, _ = solve_valid(problem)
    assert {a.person for a in solution.assignments} == {"R3"}


def test_it_covers_residents_with_faculty_by_ratio() -> None:
    shifts = (
        ShiftType("ward", time(7), 600),
        ShiftType("attend", time(7), 600, ShiftCategory.ATTENDING),
    )
    people = (
        Person("F", PersonKind.FACULTY),
        *(resident(f"R{i}", pgy=1) for i in range(3)),
    )
    demands = (
        Demand(
            0,
            "ward",
            3,
            under_weight=10,
            supervisor_shift="attend",
            eligibility=Eligibility(kinds=frozenset({PersonKind.RESIDENT})),
        ),
        Demand(
            0,
            "attend",
            1,
            maximum=1,
            eligibility=Eligibility(kinds=frozenset({PersonKind.FACULTY})),
        ),
    )
    problem = Problem(Horizon(JULY, 1), shifts, people, demands)
    solution, _ = solve_valid(problem)
    ward = [a for a in solution.assignments if a.shift == "ward"]
    assert len(ward) == 2  # one PGY-1 faculty ratio is 1:2


def roster_problem(people: int = 4, days: int = 7, seed: int = 1) -> Problem:
    """A small rostering problem with every soft term, used for objective and determinism."""
    rng = random.Random(seed)
    shifts = (
        ShiftType("am", time(7), 480),
        ShiftType("pm", time(15), 480, forbidden_next=frozenset({"am"})),
        ShiftType("call", time(20), 660, ShiftCategory.IN_HOUSE_CALL),
    )
    staff = tuple(
        resident(
            f"R{i}",
            max_consecutive_work=5,
            min_consecutive_off=2,
            max_weekends=1,
            max_shifts_per_day=1,
            min_consecutive_work=2,
        )
        for i in range(people)
    )
    demands = [
        Demand(d, s.id, target=rng.randint(1, 2), under_weight=rng.randint(5, 20), over_weight=2)
        for d in range(days)
        for s in shifts
    ]
    requests = [
        Request(
            f"R{rng.randrange(people)}",
            rng.randrange(days),
            rng.choice([RequestKind.ON, RequestKind.OFF]),
            rng.randint(1, 4),
            rng.choice([None, "am", "pm"]),
        )
        for _ in range(3 * people)
    ]
    baseline = tuple(Assignment(f"R{i}", i % days, "am") for i in range(people))
    return Problem(
        Horizon(JULY, days),
        shifts,
        staff,
        tuple(demands),
        requests=tuple(requests),
        fairness=(FairnessGroup("calls", frozenset(p.id for p in staff), "call", weight=3),),
        baseline=baseline,
        change_weight=4,
        acgme=AcgmeRules(),
    )


def test_it_reports_the_validators_objective_with_every_soft_term() -> None:
    problem = roster_problem()
    solution, report = solve_valid(problem)
    assert report.penalties["fairness"] >= 0 and solution.objective == report.objective


def test_it_is_deterministic_for_a_fixed_seed_and_one_worker() -> None:
    problem = roster_problem(seed=2)
    first = cpsat.solve(problem, time_limit=LIMIT, seed=7, workers=1)
    second = cpsat.solve(problem, time_limit=LIMIT, seed=7, workers=1)
    assert first.assignments == second.assignments
    assert first.objective == second.objective


def test_it_uses_a_given_hint() -> None:
    problem = roster_problem(seed=3)
    first = cpsat.solve(problem, time_limit=LIMIT, workers=1)
    again = cpsat.solve(problem, time_limit=LIMIT, workers=1, hint=first)
    assert again.status == SolveStatus.OPTIMAL and again.objective == first.objective


def big_problem() -> Problem:
    return roster_problem(people=40, days=28, seed=5)


def test_it_honours_should_stop_with_the_best_schedule_so_far() -> None:
    problem = big_problem()
    seen = threading.Event()

    def progress(p: Progress) -> None:
        if p.objective is not None:
            seen.set()

    solution = cpsat.solve(
        problem, time_limit=120, workers=1, on_progress=progress, should_stop=seen.is_set
    )
    assert solution.status == SolveStatus.CANCELLED
    assert solution.wall_time < 60  # stopped long before the limit
    assert solution.assignments and validate(problem, solution.assignments).is_valid


def test_it_reports_progress() -> None:
    reports: list[Progress] = []
    solution = cpsat.solve(
        roster_problem(), time_limit=LIMIT, workers=1, on_progress=reports.append
    )
    assert reports
    assert reports[-1].objective == solution.objective
    assert solution.time_to_first_feasible is not None
    assert solution.wall_time >= solution.time_to_first_feasible


def test_it_names_the_conflicting_rules_of_an_infeasible_problem() -> None:
    saturday = date(2026, 7, 4)
    shifts = (ShiftType("ward", time(7), 600),)
    people = (
        resident("A", max_weekends=0, max_total_minutes=6000),
        resident("B", max_shifts={"ward": 0}),
    )
    demands = (Demand(0, "ward", 1, minimum=1), Demand(2, "ward", 1, minimum=1))
    problem = Problem(Horizon(saturday, 3), shifts, people, demands, acgme=AcgmeRules())
    solution = cpsat.solve(problem, time_limit=LIMIT, workers=1)
    assert solution.status == SolveStatus.INFEASIBLE
    assert set(solution.conflicts) == {
        "coverage minimum for ward on 2026-07-04",
        "max weekends for A",
    }


def test_it_returns_invalid_for_contradictory_data() -> None:
    shifts = (ShiftType("ward", time(7), 600),)
    problem = Problem(Horizon(JULY, 2), shifts, (resident("A"),), (Demand(0, "nowhere", 1),))
    solution = cpsat.solve(problem, time_limit=LIMIT, workers=1)
    assert solution.status == SolveStatus.INVALID
    assert solution.conflicts


@pytest.mark.parametrize("workers", [1, 2])
def test_it_solves_with_any_worker_count(workers: int) -> None:
    solution = cpsat.solve(roster_problem(seed=4), time_limit=LIMIT, workers=workers)
    assert solution.status == SolveStatus.OPTIMAL
    assert validate(roster_problem(seed=4), solution.assignments).is_valid
