"""Credential levels, shift caps and linked call days: the validator's reading, every solver
honours it, and check_problem names an impossible combination before any solve."""

from __future__ import annotations

from typing import Any

import pytest

from scheduling.engine.checks import check_problem
from scheduling.engine.model import (
    Assignment,
    Demand,
    Eligibility,
    Link,
    Person,
    PersonKind,
    PersonLimits,
    Problem,
    ShiftCap,
    Solution,
    Unavailability,
)
from scheduling.engine.solvers import get_solver
from scheduling.engine.validator import SUPERVISED_ALONE, Report, validate

from .helpers import R2, SHIFTS, C, check, make_problem, shift, work

SOLVERS = ["greedy", "cpsat", "mip", "hybrid"]
ACLS = Eligibility(skills=frozenset({"ACLS"}))
LEAD = Person("lead", PersonKind.RESIDENT, pgy=3, skills=frozenset({"ACLS"}))
JUNIOR = Person("junior", PersonKind.RESIDENT, pgy=1, supervised_skills=frozenset({"ACLS"}))
DAY_SHIFTS = tuple(s for s in SHIFTS if s.id in ("day", "call"))


def _solve(name: str, problem: Problem) -> tuple[Solution, Report]:
    solution = get_solver(name)(problem, time_limit=10.0, seed=0, workers=1)
    return solution, validate(problem, solution.assignments)


def _one_day(people: list[Person], minimum: int, **extra: Any) -> Problem:
    demands = (Demand(0, "day", target=minimum, minimum=minimum, maximum=2, eligibility=ACLS),)
    return make_problem(days=1, people=people, shifts=DAY_SHIFTS, demands=demands, **extra)


# ------------------------------------------------------------------ credential levels
def test_it_admits_a_supervised_holder_but_not_alone() -> None:
    problem = _one_day([LEAD, JUNIOR], 1)
    assert SUPERVISED_ALONE in check(problem, work("junior", [(0, "day")]))
    assert SUPERVISED_ALONE not in check(
        problem, [*work("junior", [(0, "day")]), *work("lead", [(0, "day")])]
    )


@pytest.mark.parametrize("solver", SOLVERS)
def test_it_never_leaves_a_supervised_holder_alone(solver: str) -> None:
    # The lead is away: the junior alone would cover the minimum, but may not.
    problem = make_problem(
        days=1,
        people=[LEAD, JUNIOR],
        shifts=DAY_SHIFTS,
        demands=(Demand(0, "day", target=1, minimum=0, maximum=2, eligibility=ACLS),),
        unavailable=(Unavailability("lead", 0),),
    )
    solution, report = _solve(solver, problem)
    assert report.is_valid
    assert not [a for a in solution.assignments if a.person == "junior"]


@pytest.mark.parametrize("solver", SOLVERS)
def test_it_pairs_a_supervised_holder_with_a_lead(solver: str) -> None:
    problem = _one_day([LEAD, JUNIOR], 2)
    solution, report = _solve(solver, problem)
    assert report.is_valid
    assert {a.person for a in solution.assignments} == {"lead", "junior"}


def test_it_names_a_day_with_no_independent_holder_before_solving() -> None:
    problem = _one_day([JUNIOR], 1)
    assert any(
        "no one holds ACLS independently on Mon 6 April 2026" in c for c in check_problem(problem)
    )


def test_it_names_a_day_with_no_valid_holder_before_solving() -> None:
    problem = _one_day([LEAD], 1, unavailable=(Unavailability("lead", 0, "day", "ACLS expired"),))
    assert any("no one with a valid ACLS on Mon 6 April 2026" in c for c in check_problem(problem))


def test_it_says_why_an_unavailable_holder_may_not_work() -> None:
    problem = _one_day([LEAD], 0, unavailable=(Unavailability("lead", 0, "day", "ACLS expired"),))
    messages = [v.message for v in validate(problem, work("lead", [(0, "day")])).violations]
    assert any("ACLS expired" in message for message in messages)


# ------------------------------------------------------------------ shift caps
def _calls(days: int, people: list[Person], minimum: int = 1, **extra: Any) -> Problem:
    demands = tuple(
        Demand(d, "call", target=minimum, minimum=minimum, maximum=1) for d in range(days)
    )
    return make_problem(
        days=days, people=people, shifts=DAY_SHIFTS, demands=demands, acgme=None, **extra
    )


def _capped(pid: str, cap: int, *, hard: bool = True) -> Person:
    group = ShiftCap("calls in block 1", frozenset({"call"}), cap, hard=hard)
    return Person(pid, PersonKind.RESIDENT, pgy=2, limits=PersonLimits(caps=(group,)))


def test_it_reports_a_broken_cap_hard_or_as_a_warning() -> None:
    plan = work("a", [(0, "call"), (2, "call")])
    hard = validate(_calls(4, [_capped("a", 1)], 0), plan)
    soft = validate(_calls(4, [_capped("a", 1, hard=False)], 0), plan)
    assert not hard.is_valid and "limit.cap" in hard.rules()
    assert soft.is_valid and "limit.cap" in soft.rules()


@pytest.mark.parametrize("solver", SOLVERS)
def test_it_keeps_everyone_within_their_cap(solver: str) -> None:
    problem = _calls(6, [_capped("a", 2), _capped("b", 2), _capped("c", 2)])
    solution, report = _solve(solver, problem)
    assert report.is_valid
    per_person = {p: sum(1 for a in solution.assignments if a.person == p) for p in "abc"}
    assert per_person == {"a": 2, "b": 2, "c": 2}


@pytest.mark.parametrize("solver", ["cpsat", "mip", "hybrid"])
def test_it_weighs_a_weighted_cap_in_the_objective(solver: str) -> None:
    soft = ShiftCap("calls in block 1", frozenset({"call"}), 1, hard=False, weight=50)
    alone = Person("a", PersonKind.RESIDENT, pgy=2, limits=PersonLimits(caps=(soft,)))
    spread, report = _solve(solver, _calls(6, [alone, _capped("b", 6), _capped("c", 6)]))
    assert (
        report.penalties["targets"] == 0
        and len([x for x in spread.assignments if x.person == "a"]) <= 1
    )
    forced, report = _solve(solver, _calls(6, [alone]))
    assert report.is_valid and report.penalties["targets"] == 5 * 50
    assert forced.objective == report.objective


def test_it_names_caps_that_leave_too_few_shifts_for_the_minimums() -> None:
    causes = check_problem(_calls(6, [_capped("a", 2), _capped("b", 2)]))
    assert any(
        "calls in block 1" in c and "leaves 4" in c and "minimums need 6" in c for c in causes
    )


# ------------------------------------------------------------------ linked days (call pattern)
def _weekend_calls(people: list[Person]) -> Problem:
    # Day 4 is Friday 10 April 2026, day 5 Saturday.
    return _calls(7, people, linked=(Link(4, 5, frozenset({"call"})),))


def test_it_reports_a_friday_call_without_the_saturday() -> None:
    people = [Person(p, PersonKind.RESIDENT, pgy=2) for p in "ab"]
    assert "policy.call_pattern" in check(
        _weekend_calls(people), [*work("a", [(4, "call")]), *work("b", [(5, "call")])]
    )


@pytest.mark.parametrize("solver", SOLVERS)
def test_it_gives_friday_and_saturday_call_to_one_person(solver: str) -> None:
    people = [Person(p, PersonKind.RESIDENT, pgy=2) for p in "abc"]
    solution, report = _solve(solver, _weekend_calls(people))
    assert report.is_valid
    friday = {a.person for a in solution.assignments if a.day == 4}
    saturday = {a.person for a in solution.assignments if a.day == 5}
    assert friday == saturday and len(friday) == 1


def test_it_names_a_call_pattern_a_fixed_call_cannot_keep() -> None:
    people = [Person(p, PersonKind.RESIDENT, pgy=2) for p in "ab"]
    problem = _calls(
        7,
        people,
        0,
        linked=(Link(4, 5, frozenset({"call"})),),
        fixed=(Assignment("a", 4, "call"),),
        unavailable=(Unavailability("a", 5),),
    )
    assert any(
        "call pattern" in c and "a is fixed on call day 4" in c for c in check_problem(problem)
    )


# ------------------------------------------------------------------ consecutive days and rest
def _limited(pid: str, days: int) -> Person:
    return Person(pid, PersonKind.RESIDENT, pgy=2, limits=PersonLimits(max_consecutive_work=days))


@pytest.mark.parametrize("solver", SOLVERS)
def test_it_keeps_runs_within_the_consecutive_day_limit(solver: str) -> None:
    problem = _calls(7, [_limited("a", 2), _limited("b", 2)])
    solution, report = _solve(solver, problem)
    assert report.is_valid
    for pid in "ab":
        days = sorted(a.day for a in solution.assignments if a.person == pid)
        assert not any(days[i + 2] == days[i] + 2 for i in range(len(days) - 2))


def test_it_names_consecutive_day_limits_that_leave_days_uncovered() -> None:
    causes = check_problem(_calls(7, [_limited("a", 2)]))
    assert any("cover at most 5 of the 7 days" in c and "a at most 2" in c for c in causes)


def test_it_names_fixed_shifts_too_close_for_the_rest_rule() -> None:
    rested = (
        shift("n", "19:00", 720, C.NIGHT_FLOAT, forbidden_next=("d",)),
        shift("d", "07:00", 720),
    )
    problem = make_problem(
        days=2,
        people=[R2],
        shifts=rested,
        demands=(),
        fixed=(Assignment("r2", 0, "n"), Assignment("r2", 1, "d")),
    )
    assert any("too little rest" in c for c in check_problem(problem))
