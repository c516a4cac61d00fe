"""The roster LNS's cost map and neighbourhoods (cpsat/neighbourhoods.py), its in-place move
model and size adaptation (cpsat/subproblem.py), and the two-worker solve with each way of
handling a stalled exact search: schedules always pass the validator."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from ortools.sat.python import cp_model

from scheduling.engine import cpsat
from scheduling.engine.cpsat import acgme as cpsat_acgme
from scheduling.engine.cpsat import run
from scheduling.engine.cpsat.lns import complete
from scheduling.engine.cpsat.neighbourhoods import KINDS, CostMap, Targets, neighbourhood
from scheduling.engine.cpsat.subproblem import Sizes, Workspace
from scheduling.engine.model import Problem, SolveStatus, Unavailability
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


def test_a_fair_move_frees_the_maximum_and_who_can_take_it_never_who_cannot_count() -> None:
    problem = roster_problem(people=8, days=14, seed=5)
    # R6 and R7 never take call: the group's minimum is theirs (0) whatever the schedule.
    never = tuple(Unavailability(p, d, "call") for p in ("R6", "R7") for d in range(14))
    builder = cpsat.build_model(replace(problem, unavailable=never))
    values = dict.fromkeys(builder.x, 0)
    for person, days in {"R0": (0, 3, 6), "R1": (1, 4, 7), "R2": (2,)}.items():
        for day in days:
            values[(person, day, "call")] = 1
    targets = Targets(builder)
    costs = CostMap(targets, values)
    for seed in range(20):
        used, free = neighbourhood("fair", targets, costs, values, random.Random(seed), 2, 2)
        assert used == "fair"
        freed = {key[0] for key in free}
        assert free == {k for p in freed for k in targets.keys_of[p]}  # whole rosters
        assert not freed & {"R6", "R7"}  # they can neither give a call nor take one
        assert freed & {"R0", "R1"} and freed & {"R3", "R4", "R5"}  # a giver and a taker


@pytest.mark.parametrize("workers", [1, 2])
def test_the_free_day_literals_only_where_an_lns_runs_and_the_schedule_passes_the_validator(
    workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []
    original = cpsat_acgme._free_day_literals

    def spy(*args: object) -> None:
        built.append(args[1].id)  # type: ignore[attr-defined]
        original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(cpsat_acgme, "_free_day_literals", spy)
    problem = roster_problem(people=8, days=28, seed=5)
    solution = cpsat.solve(problem, time_limit=3.0, seed=0, workers=workers)
    assert bool(built) is (workers >= 2)
    assert solution.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    report = validate(problem, solution.assignments)
    assert report.is_valid, [v.message for v in report.hard]
    assert solution.objective == report.objective


@pytest.mark.parametrize("on_stall", ["none", "restart", "lns"])
def test_two_workers_return_a_valid_schedule_whatever_happens_on_a_stall(
    on_stall: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stall right away: the exact search is restarted or handed over within the solve.
    monkeypatch.setattr(run, "ON_STALL", on_stall)
    monkeypatch.setattr(run, "STALL_MIN", 0.0)
    monkeypatch.setattr(run, "STALL_SHARE", 0.0)
    monkeypatch.setattr(run, "STALL_LNS_GAINS", 0)  # hand over whether or not the LNS improved
    problem = roster_problem(people=8, days=14, seed=5)
    solution = cpsat.solve(problem, time_limit=3.0, seed=0, workers=2)
    assert solution.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    report = validate(problem, solution.assignments)
    assert report.is_valid, [v.message for v in report.hard]
    assert solution.objective == report.objective
    assert solution.bound is None or solution.bound <= report.objective + 1e-9


def solved_incumbent(problem: Problem) -> tuple[cpsat.run.Builder, dict, float, list[int]]:
    """A schedule of ``problem`` (one short exact solve) with every model variable's value."""
    builder = cpsat.build_model(problem)
    solution = cpsat.solve(problem, time_limit=2.0, seed=0, workers=1)
    picked = {(a.person, a.day, a.shift) for a in solution.assignments}
    values = {key: int(key in picked) for key in builder.x}
    completed = complete(builder, values, 5.0)
    assert completed is not None
    objective, full = completed
    return builder, values, objective, full


def test_the_workspace_fixes_outside_the_neighbourhood_frees_inside_and_hints_the_incumbent() -> (
    None
):
    problem = roster_problem(people=6, days=7, seed=3)
    builder, values, _, full = solved_incumbent(problem)
    index = {key: var.Index() for key, var in builder.x.items()}
    work = Workspace(builder.model, index)
    keys = sorted(builder.x)
    for version, free in enumerate((set(keys[: len(keys) // 2]), set(keys[len(keys) // 3 :]))):
        proto = work.prepare(values, free, full, version).Proto()
        for key, i in index.items():
            domain = tuple(proto.variables[i].domain)
            if key in free:
                assert domain == work.original[key]
            else:
                assert domain == (values[key], values[key])
        assert list(proto.solution_hint.vars) == list(range(len(full)))
        assert list(proto.solution_hint.values) == full
    # The full model the workspace was copied from is untouched.
    assert all(tuple(builder.model.Proto().variables[i].domain) == work.original[k]
               for k, i in index.items())  # fmt: skip


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_move_on_the_workspace_returns_a_valid_schedule_never_worse_than_the_incumbent(
    seed: int,
) -> None:
    problem = roster_problem(people=8, days=14, seed=5)
    builder, values, objective, full = solved_incumbent(problem)
    targets = Targets(builder)
    costs = CostMap(targets, values)
    index = {key: var.Index() for key, var in builder.x.items()}
    work = Workspace(builder.model, index)
    rng = random.Random(seed)
    for move, kind in enumerate(KINDS):
        _, free = neighbourhood(kind, targets, costs, values, rng, size=3, days=4)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 5.0
        status = solver.Solve(work.prepare(values, free, full, move))
        assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE)  # the incumbent is in reach
        solution = list(solver.ResponseProto().solution)
        moved = {key: solution[i] for key, i in index.items()}
        assert all(moved[k] == values[k] for k in builder.x if k not in free)
        report = validate(problem, builder.assignments(moved))
        assert report.is_valid, [v.message for v in report.hard]
        assert report.objective == solver.ObjectiveValue() <= objective


def test_sizes_grow_when_a_move_is_solved_to_optimality() -> None:
    sizes = Sizes(people=30, days=28, size=5, span=4)
    sizes.update("people", solved=True, improved=False)
    assert (sizes.size, sizes.days) == (6, 4)
    sizes.update("window", solved=True, improved=True)
    assert (sizes.size, sizes.days) == (6, 5)


def test_sizes_shrink_when_a_move_times_out_without_improving() -> None:
    sizes = Sizes(people=30, days=28, size=10, span=4)
    sizes.update("cover", solved=False, improved=False)
    assert (sizes.size, sizes.days) == (8, 4)  # a share of the size, not a fixed step
    sizes.update("window", solved=False, improved=False)
    assert (sizes.size, sizes.days) == (8, 3)


def test_sizes_hold_when_a_move_times_out_but_improves() -> None:
    sizes = Sizes(people=30, days=28, size=10, span=4)
    sizes.update("costly", solved=False, improved=True)
    sizes.update("window", solved=False, improved=True)
    assert (sizes.size, sizes.days) == (10, 4)


def test_sizes_stay_between_one_and_the_instance() -> None:
    sizes = Sizes(people=3, days=2, size=3, span=2)
    for _ in range(5):
        sizes.update("people", solved=True, improved=False)
        sizes.update("window", solved=True, improved=False)
    assert (sizes.size, sizes.days) == (3, 2)
    for _ in range(10):
        sizes.update("people", solved=False, improved=False)
        sizes.update("window", solved=False, improved=False)
    assert (sizes.size, sizes.days) == (1, 1)


def test_the_stalled_exact_search_keeps_its_core_while_the_lns_finds_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A stall right away, but the LNS may not take the core before it has improved anything.
    monkeypatch.setattr(run, "ON_STALL", "lns")
    monkeypatch.setattr(run, "STALL_MIN", 0.0)
    monkeypatch.setattr(run, "STALL_SHARE", 0.0)
    monkeypatch.setattr(run, "STALL_LNS_GAINS", 10**9)
    started: list[int] = []
    original = run.RosterLns.__init__

    def counted(self: run.RosterLns, *args: object, **kwargs: object) -> None:
        started.append(1)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(run.RosterLns, "__init__", counted)
    problem = roster_problem(people=8, days=14, seed=5)
    solution = cpsat.solve(problem, time_limit=3.0, seed=0, workers=2)
    assert solution.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert len(started) == 1  # no second LNS
