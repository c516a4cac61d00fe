"""The exact search's core on the model without the ACGME rules (run.RELAXED_SEARCH): its
schedules reach the incumbent only completed in the full model, so only when they keep every
rule; a two-worker solve of a program with ACGME rules runs it and still returns a valid
optimum."""

from __future__ import annotations

from datetime import date

import pytest
from ortools.sat.python import cp_model

from scheduling.engine import cpsat
from scheduling.engine.cpsat import run
from scheduling.engine.cpsat.lns import Incumbent, restricted
from scheduling.engine.model import Demand, Horizon, Person, PersonKind, Problem, SolveStatus
from scheduling.engine.tests.test_cpsat_relaxed import SHIFTS, TIGHT, brute_force_optimum, tiny
from scheduling.engine.validator import validate


def call_every_day() -> Problem:
    # Call asked every day: the relaxation's optimum (call all four days) breaks the one call
    # night and the one free day per 4-day window.
    return Problem(
        Horizon(date(2026, 7, 6), 4),
        SHIFTS,
        (Person("r0", PersonKind.RESIDENT, pgy=1),),
        tuple(Demand(d, "call", target=1, under_weight=5) for d in range(4)),
        acgme=TIGHT,
    )


def offered(problem: Problem, calls: set[int]) -> Incumbent:
    """The incumbent after the monitor saw the relaxed model's schedule with call on ``calls``."""
    full = run.build_model(problem)
    relaxed = run.build_model(problem, acgme=False)
    incumbent = Incumbent(0.0)
    monitor = run._Monitor(full, incumbent, lambda phase: None)
    monitor.relaxed = relaxed
    index = {key: var.Index() for key, var in relaxed.x.items()}
    values = {key: int(key[2] == "call" and key[1] in calls) for key in relaxed.x}
    model = restricted(relaxed.model, index, values, set())
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.Solve(model, monitor) == cp_model.OPTIMAL
    return incumbent


def test_a_relaxed_schedule_that_breaks_a_rule_never_reaches_the_incumbent():
    assert offered(call_every_day(), {0, 1, 2, 3}).get()[1] is None


def test_a_relaxed_schedule_that_keeps_the_rules_reaches_it_with_its_full_objective():
    problem = call_every_day()
    objective, values, _ = offered(problem, {0}).get()
    assert values is not None
    plan = run.build_model(problem).assignments(values)
    report = validate(problem, plan)
    assert report.is_valid and objective == report.objective == 15  # three days uncovered


@pytest.mark.parametrize("seed", range(2))
def test_two_workers_search_the_relaxed_model_and_return_a_valid_optimum(seed, monkeypatch):
    built: list[bool] = []
    original = run.build_model

    def spy(problem, **kwargs):
        built.append(kwargs.get("acgme", True))
        return original(problem, **kwargs)

    monkeypatch.setattr(run, "build_model", spy)
    problem = tiny(seed)
    solved = cpsat.solve(problem, time_limit=20, seed=0, workers=2)
    assert False in built  # the model without the ACGME rules was searched
    assert validate(problem, solved.assignments).is_valid
    assert solved.status == SolveStatus.OPTIMAL
    assert solved.objective == brute_force_optimum(problem)
