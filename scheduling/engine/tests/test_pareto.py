"""Pareto alternatives: every point is a valid schedule, the front is mutually non-dominated,
each point is one independent call, and the hypervolume behaves as a front measure must."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, time
from pathlib import Path

import pytest

from scheduling.engine import pareto
from scheduling.engine.model import (
    AcgmeRules,
    Assignment,
    Demand,
    FairnessGroup,
    Horizon,
    Person,
    PersonKind,
    Problem,
    Request,
    RequestKind,
    ShiftCategory,
    ShiftType,
)
from scheduling.engine.validator import validate

ROOT = Path(__file__).resolve().parents[3]
JULY = date(2026, 7, 6)  # a Monday


def unfair_call(days: int = 14) -> Problem:
    """Three residents; the current schedule gives every call to r0, so fewer changes cost
    fairness and requests: a real trade-off."""
    shifts = (
        ShiftType("call", time(7), 24 * 60, ShiftCategory.IN_HOUSE_CALL,
                  forbidden_next=frozenset({"call", "day"})),
        ShiftType("day", time(7), 10 * 60),
    )  # fmt: skip
    people = tuple(Person(f"r{i}", PersonKind.RESIDENT, pgy=2) for i in range(3))
    demands = tuple(
        Demand(d, s, target=1, under_weight=2, maximum=1)
        for d in range(days)
        for s in ("call", "day")
    )
    baseline = tuple(Assignment("r0", d, "call") for d in range(0, days, 2))
    requests = (Request("r1", 3, RequestKind.OFF, 2), Request("r2", 4, RequestKind.OFF, 2))
    fairness = (FairnessGroup("call", frozenset(p.id for p in people), "call", weight=2),)
    return Problem(Horizon(JULY, days, "America/New_York"), shifts, people, demands,
                   requests=requests, fairness=fairness, acgme=AcgmeRules(), baseline=baseline,
                   change_weight=1)  # fmt: skip


@pytest.fixture(scope="module")
def small_front() -> pareto.Front:
    return pareto.front(unfair_call(), time_limit=30, workers=1, steps=(4, 2))


def test_it_returns_only_valid_schedules(small_front: pareto.Front) -> None:
    problem = unfair_call()
    assert small_front.points
    for point in small_front.points:
        report = validate(problem, point.assignments)
        assert report.is_valid, [v.message for v in report.hard]
        assert point.objectives == pareto.vector(report, small_front.names)


def test_it_keeps_points_mutually_non_dominated(small_front: pareto.Front) -> None:
    vectors = [p.objectives for p in small_front.points]
    assert len(vectors) >= 2  # the current schedule really conflicts with fairness
    assert len(set(vectors)) == len(vectors)
    assert not any(pareto.dominates(a, b) for a in vectors for b in vectors)


def test_it_measures_the_front_against_its_stated_reference(small_front: pareto.Front) -> None:
    assert small_front.names == ("coverage", "fairness", "requests", "changes")
    assert small_front.hypervolume > 0
    vectors = [p.objectives for p in small_front.points]
    assert small_front.hypervolume == pareto.hypervolume(vectors, small_front.reference)


def test_it_solves_one_point_from_its_bounds_alone() -> None:
    point = pareto.solve_point(unfair_call(), {"changes": 1}, seed=0, time_limit=10)
    assert point is not None
    assert point.report.valid
    assert point.objectives[3] <= 1  # changes, within its epsilon bound


def test_it_computes_known_hypervolumes() -> None:
    assert pareto.hypervolume([(1, 1, 1)], (2, 2, 2)) == 1
    assert pareto.hypervolume([(1, 2), (2, 1)], (3, 3)) == 3
    assert pareto.hypervolume([(3, 0)], (3, 3)) == 0  # on the reference: no volume


def test_it_grows_the_hypervolume_when_a_non_dominated_point_is_added() -> None:
    reference = (10, 10, 10)
    front = [(1, 5, 5), (5, 1, 5)]
    before = pareto.hypervolume(front, reference)
    assert before > 0
    assert pareto.hypervolume([*front, (5, 5, 1)], reference) > before
    assert pareto.hypervolume([*front, (6, 6, 6)], reference) == before  # dominated: no gain


@pytest.mark.parametrize(
    "vectors, kept",
    [
        ([(1, 2), (2, 1), (2, 2)], [0, 1]),  # (2, 2) is dominated by both
        ([(1, 1), (1, 1), (0, 3)], [0, 2]),  # a repeated vector: its first index only
        ([None, (3, 3), None], [1]),  # no valid schedule at 0 and 2
        ([(1, 1, 5), (1, 1, 4)], [1]),  # equal on two, better on the third
        ([], []),
    ],
)
def test_it_picks_the_front_by_index(vectors: list, kept: list[int]) -> None:
    assert pareto.front_indices(vectors) == kept


def test_it_plans_the_grid_from_the_anchors_with_a_start_that_meets_each_bound() -> None:
    plan = pareto.plan_for(unfair_call(), steps=(2, 1))
    assert (plan.primary, plan.sweep) == ("changes", ("fairness", "requests"))
    assert pareto.anchor_order(plan)[0] == "fairness"
    anchors = [(0, 2, 4, 6), (0, 10, 4, 0)]  # coverage, fairness, requests, changes
    grid = pareto.grid_bounds(plan, anchors)
    assert [(bounds, primary) for bounds, primary, _ in grid] == [
        ({"fairness": 2.0, "requests": 4.0}, "changes"),
        ({"fairness": 6.0, "requests": 4.0}, "changes"),
    ]
    for bounds, _, start in grid:
        assert start is not None and anchors[start][1] <= bounds["fairness"]


def test_it_sweeps_changes_alone_and_minimises_each_other_objective_in_turn() -> None:
    plan = pareto.plan_for(unfair_call(), steps=(2,), one_axis=True)
    assert plan.sweep == ("changes",)
    assert plan.grid_primaries == ("fairness", "requests", "coverage")
    anchors = [(0, 2, 4, 9), (1, 10, 5, 0), (0, 8, 3, 4)]
    grid = pareto.grid_bounds(plan, anchors)
    # Levels strictly between the best (0) and the worst (9) number of changes: 3 and 6. Every
    # level has a start that meets it: the best one for the point's primary.
    assert [(b["changes"], p, k) for b, p, k in grid] == [
        (3.0, "fairness", 1), (3.0, "requests", 1), (3.0, "coverage", 1),
        (6.0, "fairness", 2), (6.0, "requests", 2), (6.0, "coverage", 2),
    ]  # fmt: skip


def test_it_leaves_out_points_their_primarys_own_anchor_answers_and_refines_the_levels() -> None:
    plan = pareto.plan_for(unfair_call(), steps=(2,), one_axis=True)
    # coverage, fairness, requests, changes; the anchors minimised these objectives:
    owners = ["fairness", "changes", "requests", "coverage"]
    anchors = [(3, 2, 6, 12), (2, 10, 6, 0), (2, 11, 3, 2), (2, 10, 6, 0)]
    grid = pareto.grid_bounds(plan, anchors, owners)
    # Coverage's own anchor (0 changes) meets every level and requests' (2 changes) every level
    # from 2 on, so 2 levels leave 2 of the 6 planned solves. Refined: 5 levels of fairness
    # (floor(12 k / 6): 2, 4, 6, 8, 10); 6 levels would add requests at level 1, 7 solves.
    assert [(b["changes"], p) for b, p, _ in grid] == [
        (2.0, "fairness"), (4.0, "fairness"), (6.0, "fairness"), (8.0, "fairness"),
        (10.0, "fairness"),
    ]  # fmt: skip
    for bounds, primary, start in grid:
        own = owners.index(primary)
        assert anchors[own][3] > bounds["changes"]  # its own anchor does not answer it
        assert start is None or anchors[start][3] <= bounds["changes"]
    # Without owners the grid is the planned one.
    assert len(pareto.grid_bounds(plan, anchors)) == 6


def test_it_sweeps_fairness_without_a_current_schedule() -> None:
    plan = pareto.plan_for(unfair_call(), names=("coverage", "fairness", "requests"), one_axis=True)
    assert (plan.sweep, plan.grid_primaries) == (("fairness",), ("requests", "coverage"))


def test_it_imports_without_django() -> None:
    code = "import sys, scheduling.engine.pareto; assert 'django' not in sys.modules"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_each_point_leaves_room_for_its_round_overhead_within_the_study_limit() -> None:
    # 4 anchors on 2 workers: two rounds share half of 60 s, 2 s of each round are overhead.
    assert pareto.anchor_seconds(60, 4, 2, overhead=2.0) == 13.0
    # 9 grid points on 2 workers: five rounds share 95 % of the 30 s left.
    assert pareto.grid_seconds(30, 9, 2, overhead=2.0) == pytest.approx(0.95 * 30 / 5 - 2.0)
    assert pareto.grid_seconds(3, 9, 2, overhead=2.0) == 1.0  # never below a second
    assert pareto.anchor_seconds(60, 4, 2) == 15.0  # no overhead given: as before
