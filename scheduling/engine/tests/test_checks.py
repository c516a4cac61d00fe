"""check_problem names contradictory data before any solver runs."""

from __future__ import annotations

import pytest

from scheduling.engine.checks import ProblemError, check_problem, require_consistent
from scheduling.engine.model import (
    Assignment,
    Demand,
    Eligibility,
    FairnessGroup,
    Person,
    PersonLimits,
    Request,
    RequestKind,
    Unavailability,
)

from .helpers import R1, R2, make_problem

SENIORS = Eligibility(pgy_min=2)


def causes(**problem):
    problem.setdefault("people", [R1, R2])
    problem.setdefault("demands", ())
    return check_problem(make_problem(days=7, **problem))


def test_it_accepts_consistent_data():
    assert causes(demands=(Demand(0, "day", target=1, minimum=1, maximum=2),)) == []


@pytest.mark.parametrize(
    ("problem", "fragment"),
    [
        ({"demands": (Demand(0, "day", target=2, minimum=3, maximum=2),)}, "above maximum"),
        ({"demands": (Demand(0, "day", target=0, minimum=1),)}, "target 0 outside"),
        ({"demands": (Demand(0, "day", target=3, minimum=1, maximum=2),)}, "target 3 outside"),
        ({"demands": (Demand(0, "nope", target=0),)}, "unknown shift type 'nope'"),
        ({"demands": (Demand(9, "day", target=0),)}, "outside the 7-day horizon"),
        (
            {"demands": (Demand(0, "day", target=0), Demand(0, "day", target=0))},
            "2 demands for day on day 0",
        ),
        ({"unavailable": (Unavailability("ghost", 0),)}, "unknown person 'ghost'"),
        ({"requests": (Request("r1", 0, RequestKind.ON, 1, "nope"),)}, "unknown shift"),
        ({"fixed": (Assignment("ghost", 0, "day"),)}, "unknown person 'ghost'"),
        ({"fairness": (FairnessGroup("g", frozenset({"r1"}), "naps"),)}, "unknown measure"),
        (
            {
                "people": [
                    Person("r1", limits=PersonLimits(min_total_minutes=9, max_total_minutes=8))
                ]
            },
            "minimum total minutes 9 above maximum 8",
        ),
        (
            {"people": [Person("r1", limits=PersonLimits(max_shifts={"nope": 1}))]},
            "limit on unknown shift type",
        ),
        ({"people": [R1, R1]}, "duplicate person id 'r1'"),
        (
            {
                "fixed": (Assignment("r1", 0, "day"),),
                "unavailable": (Unavailability("r1", 0),),
            },
            "fixed on day day 0 but unavailable",
        ),
        (
            {
                "fixed": (Assignment("r1", 0, "day"),),
                "demands": (Demand(0, "day", target=1, eligibility=SENIORS),),
            },
            "not eligible",
        ),
        (
            {"fixed": (Assignment("r1", 0, "day"), Assignment("r1", 0, "eve"))},
            "overlapping fixed assignments",
        ),
        ({"fixed": (Assignment("r1", 0, "moon"),)}, "PGY-1 and fixed on moonlighting"),
        (
            {
                "fixed": (Assignment("r1", 0, "day"), Assignment("r2", 0, "day")),
                "demands": (Demand(0, "day", target=1, maximum=1),),
            },
            "above its maximum 1",
        ),
        (
            {"demands": (Demand(0, "day", target=2, minimum=2, eligibility=SENIORS),)},
            "only 1 eligible people are available",
        ),
        (
            {
                "demands": (Demand(0, "day", target=1, minimum=1, eligibility=SENIORS),),
                "unavailable": (Unavailability("r2", 0, "day"),),
            },
            "only 0 eligible people",
        ),
    ],
)
def test_it_names_each_contradiction(problem, fragment):
    found = causes(**problem)
    assert any(fragment in cause for cause in found), found


def test_it_allows_a_fixed_assignment_without_demand():
    assert causes(fixed=(Assignment("r1", 0, "day"),)) == []


def test_it_raises_problem_error_with_the_causes():
    problem = make_problem(days=7, demands=(Demand(0, "day", target=2, minimum=3, maximum=2),))
    with pytest.raises(ProblemError) as caught:
        require_consistent(problem)
    assert isinstance(caught.value, ValueError)
    assert caught.value.causes == tuple(check_problem(problem))
    assert "above maximum" in str(caught.value)
