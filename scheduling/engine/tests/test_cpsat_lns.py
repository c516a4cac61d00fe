"""The roster LNS's cost map and neighbourhoods (cpsat/neighbourhoods.py), and the two-worker
solve with each way of handling a stalled exact search: schedules always pass the validator."""

from __future__ import annotations

import random

import pytest

from scheduling.engine import cpsat
from scheduling.engine.cpsat import run
from scheduling.engine.cpsat.neighbourhoods import KINDS, CostMap, Targets, neighbourhood
from scheduling.engine.model import Problem, SolveStatus
from scheduling.engine.tests.test_cpsat import roster_problem
from scheduling.engine.validator import validate


def _random_schedule(problem: Problem, seed: int) -> tuple[cpsat.run.Builder, dict]:
    builder = cpsat.build_model(problem)
    rng = random.Random(seed)
    values = {key: 0 for key in builder.x}
    for (person, day), shifts in builder.shifts_of.items():
        if rng.random() < 0.6:
            values[(person, day, rng.choice(shifts))] = 1
    return builder, values


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_cost_map_splits_the_validators_coverage_and_request_terms(seed: int) -> None:
    problem = roster_problem(people=5, days=7, seed=seed)
    builder, values = _random_schedule(problem, seed)
    costs = CostMap(Targets(builder), values)
    report = validate(problem, builder.assignments(values))
    terms = report.penalties
    assert sum(c[0] for c in costs.cells) == terms["coverage_under"] + terms["coverage_over"]
    assert sum(costs.day_cost) == (
        terms["coverage_under"] + terms["coverage_over"] + terms["requests_on"]
        + terms["requests_off"]
    )  # fmt: skip
    # Every cost-bearing person term lands on someone: requests and baseline changes exactly.
    assert sum(costs.person_cost.values()) >= terms["requests_on"] + terms["requests_off"]


@pytest.mark.parametrize("kind", KINDS)
def test_each_neighbourhood_frees_decisions_of_the_model(kind: str) -> None:
    problem = roster_problem(people=6, days=7, seed=3)
    builder, values = _random_schedule(problem, 3)
    targets = Targets(builder)
    costs = CostMap(targets, values)
    used, free = neighbourhood(kind, targets, costs, values, random.Random(0), size=2, days=2)
    assert used in KINDS
    assert free and free <= set(builder.x)


def test_a_short_demand_frees_someone_who_could_fill_it() -> None:
    problem = roster_problem(people=6, days=7, seed=3)
    builder, values = _random_schedule(problem, 3)
    targets = Targets(builder)
    values = dict.fromkeys(values, 0)  # nobody works: every demand with a target is short
    costs = CostMap(targets, values)
    assert costs.cells and all(short for _, short, _, _ in costs.cells)
    for seed in range(10):
        _, free = neighbourhood("cover", targets, costs, values, random.Random(seed), 1, 1)
        assert any(key in free for _, _, _, keys in costs.cells for key in keys)


@pytest.mark.parametrize("on_stall", ["none", "restart", "lns"])
def test_two_workers_return_a_valid_schedule_whatever_happens_on_a_stall(
    on_stall: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stall right away: the exact search is restarted or handed over within the solve.
    monkeypatch.setattr(run, "ON_STALL", on_stall)
    monkeypatch.setattr(run, "STALL_MIN", 0.0)
    monkeypatch.setattr(run, "STALL_SHARE", 0.0)
    problem = roster_problem(people=8, days=14, seed=5)
    solution = cpsat.solve(problem, time_limit=3.0, seed=0, workers=2)
    assert solution.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    report = validate(problem, solution.assignments)
    assert report.is_valid, [v.message for v in report.hard]
    assert solution.objective == report.objective
    assert solution.bound is None or solution.bound <= report.objective + 1e-9
