"""The objective terms exactly as model.py's docstring defines them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scheduling.engine.model import (
    Assignment,
    Demand,
    FairnessGroup,
    Horizon,
    Person,
    Request,
    RequestKind,
)
from scheduling.engine.objective import TERMS
from scheduling.engine.validator import validate

from .helpers import START, TZ, make_problem, work

PEOPLE = [Person(f"p{i}", pgy=2) for i in range(4)]


def penalties(assignments, **problem):
    problem.setdefault("people", PEOPLE)
    problem.setdefault("acgme", None)
    return validate(make_problem(days=14, **problem), assignments).penalties


def everyone(day, shift, n):
    return [Assignment(f"p{i}", day, shift) for i in range(n)]


@pytest.mark.parametrize(
    ("assigned", "under", "over"),
    [(0, 6, 0), (2, 2, 0), (3, 0, 0), (4, 0, 5)],
)
def test_it_weighs_coverage_below_and_above_target(assigned, under, over):
    demand = Demand(0, "day", target=3, under_weight=2, over_weight=5)
    found = penalties(everyone(0, "day", assigned), demands=(demand,))
    assert (found["coverage_under"], found["coverage_over"]) == (under, over)


@pytest.mark.parametrize(
    ("wish", "plan", "on", "off"),
    [
        (Request("p0", 1, RequestKind.ON, 3), [], 3, 0),
        (Request("p0", 1, RequestKind.ON, 3), [(1, "night")], 0, 0),  # any shift that day
        (Request("p0", 1, RequestKind.ON, 3, "day"), [(1, "night")], 3, 0),
        (Request("p0", 1, RequestKind.ON, 3, "day"), [(1, "day")], 0, 0),
        (Request("p0", 1, RequestKind.OFF, 2), [], 0, 0),
        (Request("p0", 1, RequestKind.OFF, 2), [(1, "night")], 0, 2),
        (Request("p0", 1, RequestKind.OFF, 2, "day"), [(1, "night")], 0, 0),
        (Request("p0", 1, RequestKind.OFF, 2, "day"), [(1, "day")], 0, 2),
    ],
)
def test_it_prices_requests(wish, plan, on, off):
    found = penalties(work("p0", plan), requests=(wish,))
    assert (found["requests_on"], found["requests_off"]) == (on, off)


@pytest.mark.parametrize(
    ("measure", "plan", "spread"),
    [
        ("call", [(0, "call"), (4, "call"), (8, "home")], 3),
        ("call", [(0, "day")], 0),
        ("night", [(0, "night"), (1, "night")], 2),
        ("weekend", [(5, "day"), (6, "day"), (7, "day")], 2),  # 11 and 12 April 2026
        ("holiday", [(2, "day"), (3, "day")], 1),
    ],
)
def test_it_prices_fairness_as_max_minus_min(measure, plan, spread):
    group = FairnessGroup("g", frozenset({"p0", "p1"}), measure, weight=2)
    problem = make_problem(days=14, people=PEOPLE, acgme=None, fairness=(group,))
    problem = replace(problem, horizon=Horizon(START, 14, TZ, frozenset({2})))
    assert validate(problem, work("p0", plan)).penalties["fairness"] == 2 * spread


def test_it_prices_baseline_changes():
    baseline = (Assignment("p0", 0, "day"), Assignment("p1", 0, "day"))
    found = penalties(work("p0", [(0, "day")]), baseline=baseline, change_weight=7)
    assert found["changes"] == 7


def test_it_sums_the_terms_into_the_objective():
    report = validate(
        make_problem(
            days=14,
            people=PEOPLE,
            acgme=None,
            demands=(Demand(0, "day", target=2, under_weight=3),),
            requests=(Request("p1", 0, RequestKind.ON, 4),),
        ),
        work("p0", [(0, "day")]),
    )
    assert set(report.penalties) == set(TERMS)
    assert report.objective == 3 + 4
