"""The greedy's quick improvement: objective down, hard rules kept, fixed shifts untouched."""

from __future__ import annotations

import time
from random import Random

from scheduling.engine.greedy_builder import Builder
from scheduling.engine.greedy_improve import improve
from scheduling.engine.model import Assignment, Demand, FairnessGroup, Request, RequestKind
from scheduling.engine.validator import validate

from .helpers import R1, R2, make_problem

OFF_DAY_0 = (Request("r1", 0, RequestKind.OFF, 5),)


def built(problem, plan):
    builder = Builder(problem, Random(0))
    for a in problem.fixed:
        builder.take(a.person, a.day, a.shift)
    for pid, day, shift in plan:
        builder.take(pid, day, shift)
    return builder


def improved(problem, plan):
    builder = built(problem, plan)
    improve(builder, time.perf_counter() + 5)
    return builder.assignments()


def test_it_hands_a_shift_to_someone_without_an_off_request():
    problem = make_problem(
        days=3, people=[R1, R2], demands=(Demand(0, "day", target=1),), requests=OFF_DAY_0
    )
    result = improved(problem, [("r1", 0, "day")])
    assert result == (Assignment("r2", 0, "day"),)
    assert validate(problem, result).objective == 0


def test_it_never_moves_a_fixed_assignment():
    problem = make_problem(
        days=3,
        people=[R1, R2],
        demands=(Demand(0, "day", target=1),),
        requests=OFF_DAY_0,
        fixed=(Assignment("r1", 0, "day"),),
    )
    assert improved(problem, []) == (Assignment("r1", 0, "day"),)


def test_it_adds_a_person_who_asked_to_work_when_coverage_allows():
    problem = make_problem(
        days=3,
        people=[R1, R2],
        demands=(Demand(0, "day", target=2, maximum=2),),
        requests=(Request("r2", 0, RequestKind.ON, 3),),
    )
    assert Assignment("r2", 0, "day") in improved(problem, [("r1", 0, "day")])


def test_it_evens_out_a_fairness_group():
    group = FairnessGroup("calls", frozenset({"r1", "r2"}), "call", weight=2)
    demands = tuple(Demand(d, "call", target=1) for d in (0, 3, 6, 9))
    problem = make_problem(days=12, people=[R1, R2], demands=demands, fairness=(group,))
    plan = [("r1", d, "call") for d in (0, 3, 6, 9)]
    before = validate(problem, [Assignment(*a) for a in plan])
    after = validate(problem, improved(problem, plan))
    assert after.penalties["fairness"] < before.penalties["fairness"]
    assert after.is_valid


def test_it_keeps_the_acgme_rules_when_moving_shifts():
    # r2 would take r1's call on day 1, but r2 already has a call on day 0 (14 h rest).
    problem = make_problem(
        days=3,
        people=[R1, R2],
        demands=(Demand(0, "call", target=1), Demand(1, "call", target=1)),
        requests=(Request("r1", 1, RequestKind.OFF, 5),),
    )
    result = improved(problem, [("r2", 0, "call"), ("r1", 1, "call")])
    assert validate(problem, result).is_valid
    assert Assignment("r2", 1, "call") not in result
