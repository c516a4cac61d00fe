"""Price and dive (colgen/dive.py) and its hook on the solve path (cpsat/relaxation.py): every
roster is one the validator accepts and, on the benchmark's proven instances, one the
benchmark evaluator scores the same and never below the optimum."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from scheduling.engine.colgen import dive, exact_relaxation, relax
from scheduling.engine.colgen import run as generic
from scheduling.engine.colgen.generation import _generate
from scheduling.engine.cpsat import relaxation
from scheduling.engine.cpsat.lns import Incumbent
from scheduling.engine.cpsat.run import build_model
from scheduling.engine.model import Assignment
from scheduling.engine.nrp import evaluate, parse_instance, to_problem
from scheduling.engine.nrp.roster import roster_from_assignments
from scheduling.engine.scenarios import scenario
from scheduling.engine.tests.helpers import generated_master
from scheduling.engine.validator import validate

SHARED = Path(__file__).resolve().parents[3].parent / "shared/benchmarks/schedulingbenchmarks_nrp"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"shared benchmark instances not found at {SHARED}"
)


def _optimum(name: str) -> int:
    with open(SHARED / "best_known.csv") as fh:
        return {r["instance"]: int(r["best_known_solution"]) for r in csv.DictReader(fh)}[name]


@needs_shared
@pytest.mark.parametrize("form", ["cells", "people"])
@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_it_dives_to_a_roster_the_evaluator_scores_alike_never_below_the_optimum(
    number: int, form: str
) -> None:
    name = f"Instance{number}"
    instance = parse_instance(SHARED / f"{name}.txt")
    problem = to_problem(instance)
    data, pricers, master = generated_master(problem)
    diver = dive.dive_cells if form == "cells" else dive.dive_people
    columns = diver(data, pricers, master, math.inf, 0.5)
    assert columns is not None and len(columns) == data.P
    schedule = [a for p, c in enumerate(columns) for a in data.assignments(p, c)]
    report = validate(problem, schedule)
    assert report.is_valid
    evaluation = evaluate(instance, roster_from_assignments(instance, schedule))
    assert evaluation.feasible and evaluation.objective == report.objective
    assert report.objective >= _optimum(name)


@needs_shared
def test_it_undoes_every_fixing_of_the_dive() -> None:
    problem = to_problem(parse_instance(SHARED / "Instance2.txt"))
    data, pricers, master = generated_master(problem)
    dive.dive_cells(data, pricers, master, math.inf, 0.5)
    upper = np.asarray(master.h.getLp().col_upper_)[master.slacks :]
    lower = np.asarray(master.h.getLp().col_lower_)[master.slacks :]
    assert (lower == 0).all() and np.isinf(upper).all()


@needs_shared
def test_it_hands_relax_callers_its_bound_and_each_valid_roster_as_found() -> None:
    instance = parse_instance(SHARED / "Instance3.txt")
    problem = to_problem(instance)
    found: list[tuple[tuple[Assignment, ...], float]] = []
    bounds: list[int] = []
    result = relax(problem, time_limit=5, ip_time_limit=2, smoothing=0.5,
                   on_roster=lambda s, o: found.append((s, o)), on_bound=bounds.append)  # fmt: skip
    assert bounds == [result.bound]
    assert found and found[-1] == (result.assignments, result.objective)
    for schedule, objective in found:
        report = validate(problem, schedule)
        assert report.is_valid and report.objective == objective
    objectives = [o for _, o in found]
    assert objectives == sorted(objectives, reverse=True)  # each better than the last


def test_it_stops_the_relaxation_when_told() -> None:
    result = relax(scenario("S", 0), time_limit=60, ip_time_limit=60, should_stop=lambda: True)
    assert result.iterations == 0 and result.assignments is None


@needs_shared
def test_it_runs_the_relaxation_first_only_where_every_pricing_dp_is_exact() -> None:
    assert exact_relaxation(to_problem(parse_instance(SHARED / "Instance1.txt")))
    assert not exact_relaxation(scenario("M", 0))  # the ACGME windows are relaxed
    assert relaxation.wanted(to_problem(parse_instance(SHARED / "Instance1.txt")), 2)
    assert not relaxation.wanted(to_problem(parse_instance(SHARED / "Instance1.txt")), 1)
    assert not relaxation.wanted(scenario("M", 0), 2)
    # Whatever its size: the child gives its core back when a round costs too much
    # (test_colgen_rounds.py).
    assert relaxation.wanted(to_problem(parse_instance(SHARED / "Instance12.txt")), 2)


@needs_shared
def test_it_hands_the_solve_a_valid_roster_and_its_bound() -> None:
    name = "Instance2"
    instance = parse_instance(SHARED / f"{name}.txt")
    problem = to_problem(instance)
    builder = build_model(problem)
    incumbent = Incumbent(0.0)
    offered: list[bool] = []
    bound = relaxation.run(
        problem, builder, incumbent, time_limit=20, deadline=math.inf, seed=0,
        should_stop=lambda: False, on_improve=lambda: offered.append(True),
    )  # fmt: skip
    objective, values, _ = incumbent.get()
    assert offered and objective is not None and values is not None
    schedule = builder.assignments(values)
    report = validate(problem, schedule)
    assert report.is_valid and report.objective == objective
    assert evaluate(instance, roster_from_assignments(instance, schedule)).objective == objective
    assert bound is not None and bound <= _optimum(name) <= objective


@needs_shared
def test_it_gives_each_master_solve_its_own_time_whatever_the_runs_before_took() -> None:
    problem = to_problem(parse_instance(SHARED / "Instance5.txt"))
    data, pricers, master = generated_master(problem)
    while master.h.getRunTime() < 0.2:  # HiGHS's run clock: every solve of this master so far
        _generate(data, pricers, master, math.inf, 0.5, 0.0, frozenset(), rounds=1)
        master.add(0, (-1,) * data.D, penalty=float(len(master.columns)))  # a change to solve
    assert master.solve_lp(0.1) is not None


@needs_shared
def test_it_completes_the_dives_fixings_to_a_valid_roster_that_keeps_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = "Instance3"
    instance = parse_instance(SHARED / f"{name}.txt")
    problem = to_problem(instance)
    monkeypatch.setattr(dive, "RISE", -1.0)  # every round "rises": the first fixings go
    got: list[generic.Fixings] = []
    relax(problem, time_limit=5, ip_time_limit=2, smoothing=0.5, on_fixings=got.append)
    assert len(got) == 1  # once per dive
    cells, worked = got[0]
    assert cells and all((a.person, a.day) in set(cells) for a in worked)
    builder = build_model(problem)
    incumbent = Incumbent(0.0)
    objective = relaxation.finish(builder, incumbent, cells, worked, 20.0)
    _, values, _ = incumbent.get()
    assert objective is not None and values is not None
    schedule = builder.assignments(values)
    kept = {(a.person, a.day, a.shift) for a in schedule if (a.person, a.day) in set(cells)}
    assert kept == {(a.person, a.day, a.shift) for a in worked}
    report = validate(problem, schedule)
    assert report.is_valid and report.objective == objective >= _optimum(name)
    assert evaluate(instance, roster_from_assignments(instance, schedule)).objective == objective


@needs_shared
def test_it_frees_the_days_around_each_shortfall_and_keeps_the_roster_valid(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = "Instance3"
    instance = parse_instance(SHARED / f"{name}.txt")
    problem = to_problem(instance)
    builder = build_model(problem)
    nobody = {key: 0 for key in builder.x}  # every demand with a target is short
    short = {d.day for d in problem.demands if d.target > 0 and d.under_weight > 0}
    near = {d for day in short for d in range(day - relaxation.SPREAD, day + relaxation.SPREAD + 1)}
    assert relaxation.released(builder, nobody) == {k for k in builder.x if k[1] in near}
    monkeypatch.setattr(dive, "RISE", -1.0)
    got: list[generic.Fixings] = []
    relax(problem, time_limit=5, ip_time_limit=2, smoothing=0.5, on_fixings=got.append)
    cells, worked = got[0]
    plain = relaxation.finish(builder, Incumbent(0.0), cells, worked, 20.0)
    incumbent = Incumbent(0.0)
    objective = relaxation.finish(builder, incumbent, cells, worked, 20.0, release_limit=20.0)
    _, values, _ = incumbent.get()
    assert plain is not None and objective is not None and values is not None
    assert objective <= plain
    schedule = builder.assignments(values)
    report = validate(problem, schedule)
    assert report.is_valid and report.objective == objective >= _optimum(name)
    assert evaluate(instance, roster_from_assignments(instance, schedule)).objective == objective
