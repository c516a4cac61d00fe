"""The greedy solver: valid schedules fast, honest reports when it cannot."""

from __future__ import annotations

from random import Random

import pytest

from scheduling.engine import acgme, greedy
from scheduling.engine.model import (
    Assignment,
    Demand,
    Eligibility,
    Person,
    PersonKind,
    PersonLimits,
    Progress,
    Request,
    RequestKind,
    SolveStatus,
    Unavailability,
)
from scheduling.engine.scenarios import scenario
from scheduling.engine.validator import validate

from .helpers import R1, R2, SHIFTS, make_problem


@pytest.mark.parametrize("name", ["S", "M"])
def test_it_returns_a_valid_schedule_for_residency_scenarios(name):
    problem = scenario(name)
    solution = greedy.solve(problem)
    report = validate(problem, solution.assignments)
    assert solution.status == SolveStatus.FEASIBLE
    assert report.is_valid, report.hard[:3]
    assert solution.violations == ()
    assert solution.objective == report.objective
    assert solution.algorithm == "greedy"


def every_day(shift, days=28, target=1):
    return tuple(Demand(d, shift, target=target) for d in range(days))


@pytest.mark.parametrize(
    ("demands", "rule_kept"),
    [
        (every_day("call"), acgme.CALL_FREQUENCY),
        (every_day("night"), acgme.NIGHT_FLOAT),
        (every_day("day"), acgme.FREE_DAYS),
        (every_day("day") + every_day("night"), acgme.WEEKLY_HOURS),
        (every_day("call") + every_day("post") + every_day("late"), acgme.REST_AFTER_LONG),
        (every_day("call") + every_day("post5") + every_day("morning"), acgme.CONTINUOUS_DUTY),
        (every_day("night") + every_day("home"), acgme.FREE_DAYS),
    ],
)
def test_it_stops_short_of_the_acgme_limits(demands, rule_kept):
    # Targets ask for far more than one resident may work; only the rules stop the greedy.
    problem = make_problem(demands=demands)
    solution = greedy.solve(problem)
    report = validate(problem, solution.assignments)
    assert report.is_valid, report.hard[:3]
    assert solution.assignments  # it did work as much as allowed
    assert rule_kept not in {v.rule for v in report.violations}


@pytest.mark.parametrize(
    "limits",
    [
        PersonLimits(max_weekends=1),
        PersonLimits(max_consecutive_work=3),
        PersonLimits(min_consecutive_off=2),
        PersonLimits(max_total_minutes=40 * 60),
        PersonLimits(max_shifts={"day": 5}),
    ],
)
def test_it_respects_person_limits(limits):
    person = Person("r2", PersonKind.RESIDENT, pgy=2, limits=limits)
    problem = make_problem(days=14, people=[person], demands=every_day("day", 14))
    solution = greedy.solve(problem)
    assert validate(problem, solution.assignments).is_valid
    assert len(solution.assignments) >= 2


def test_it_agrees_with_the_validator_on_random_problems():
    # Every rule the greedy checks incrementally must match the validator's reading: with no
    # minimums, anything the validator rejects is a disagreement.
    for seed in range(12):
        rng = Random(seed)
        shifts = rng.sample([s.id for s in SHIFTS], 6)
        people = [Person(f"p{i}", PersonKind.RESIDENT, pgy=rng.randint(1, 3)) for i in range(3)]
        demands = tuple(Demand(d, s, target=rng.randint(0, 2)) for d in range(30) for s in shifts)
        problem = make_problem(days=30, people=people, demands=demands)
        solution = greedy.solve(problem, seed=seed)
        report = validate(problem, solution.assignments)
        assert report.is_valid, (seed, shifts, report.hard[:2])


def test_it_reports_what_it_could_not_avoid():
    # One resident cannot take 24 h call three days running (14 h rest after each).
    demands = tuple(Demand(d, "call", target=1, minimum=1) for d in range(3))
    problem = make_problem(days=3, demands=demands)
    solution = greedy.solve(problem)
    assert solution.status == SolveStatus.UNKNOWN
    assert {v.rule for v in solution.violations} == {"coverage.minimum"}
    assert [v.day for v in solution.violations] == [1]


def test_it_keeps_fixed_assignments_and_reports_their_violations():
    fixed = (Assignment("r2", 0, "call"), Assignment("r2", 1, "morning"))
    problem = make_problem(days=7, fixed=fixed, demands=every_day("day", 7))
    solution = greedy.solve(problem)
    assert set(fixed) <= set(solution.assignments)
    assert acgme.CONTINUOUS_DUTY in {v.rule for v in solution.violations}


def test_it_returns_invalid_for_contradictory_data():
    problem = make_problem(days=3, demands=(Demand(0, "day", target=1, minimum=2, maximum=1),))
    solution = greedy.solve(problem)
    assert solution.status == SolveStatus.INVALID
    assert solution.assignments == ()
    assert any("above maximum" in c for c in solution.conflicts)


def test_it_reports_progress():
    seen: list[Progress] = []
    greedy.solve(make_problem(days=3, demands=every_day("day", 3)), on_progress=seen.append)
    assert seen and seen[-1].objective is not None


def test_it_stops_when_asked():
    solution = greedy.solve(scenario("S"), should_stop=lambda: True)
    assert solution.status == SolveStatus.CANCELLED


def test_it_is_deterministic_for_a_seed():
    problem = scenario("S", seed=3)
    first = greedy.solve(problem, seed=5).assignments
    assert greedy.solve(problem, seed=5).assignments == first


def test_it_honours_the_supervision_ratio():
    people = [Person(f"a{i}", pgy=1) for i in range(4)] + [Person("f0", PersonKind.FACULTY)]
    demands = (
        Demand(0, "day", target=1, eligibility=Eligibility(kinds=frozenset({PersonKind.FACULTY}))),
        Demand(0, "d8", target=4, supervisor_shift="day"),
    )
    problem = make_problem(days=1, people=people, demands=demands)
    solution = greedy.solve(problem)
    on_clinic = [a for a in solution.assignments if a.shift == "d8"]
    assert len(on_clinic) == 2  # one faculty covers two PGY-1 residents
    assert solution.status == SolveStatus.FEASIBLE


def test_it_prefers_people_without_an_off_request():
    problem = make_problem(
        days=1,
        people=[R1, R2],
        demands=(Demand(0, "day", target=1),),
        requests=(Request("r1", 0, RequestKind.OFF, 1),),
    )
    (assignment,) = greedy.solve(problem).assignments
    assert assignment.person == "r2"


def test_it_skips_unavailable_people():
    problem = make_problem(
        days=1,
        people=[R1, R2],
        demands=(Demand(0, "day", target=2),),
        unavailable=(Unavailability("r1", 0),),
    )
    assert [a.person for a in greedy.solve(problem).assignments] == ["r2"]
