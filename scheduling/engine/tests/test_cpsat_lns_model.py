"""With 2+ workers the exact search keeps the one-worker free-day encoding (its LP bound and
proofs) while only the LNS's own model uses the chain literals (run.LNS_OWN_MODEL); an
incumbent found on one model is completed on the other before it hints a search there."""

from __future__ import annotations

import threading
from collections import defaultdict
from time import perf_counter

import pytest
from ortools.sat.python import cp_model

from scheduling.engine import cpsat
from scheduling.engine.cpsat import acgme as cpsat_acgme
from scheduling.engine.cpsat import run
from scheduling.engine.cpsat.build import Builder
from scheduling.engine.cpsat.lns import Incumbent, RosterLns
from scheduling.engine.model import SolveStatus
from scheduling.engine.tests.test_cpsat import roster_problem
from scheduling.engine.tests.test_cpsat_lns import solved_incumbent
from scheduling.engine.validator import validate


def _spy_encodings(monkeypatch: pytest.MonkeyPatch) -> dict[int, set[str]]:
    """id(builder) -> the free-day encodings its model received."""
    seen: dict[int, set[str]] = defaultdict(set)
    for name, encoding in (("_free_day_literals", "literals"), ("_free_days", "intervals")):
        original = getattr(cpsat_acgme, name)

        def spy(*args: object, _original: object = original, _encoding: str = encoding) -> None:
            seen[id(args[0])].add(_encoding)
            _original(*args)  # type: ignore[operator]

        monkeypatch.setattr(cpsat_acgme, name, spy)
    return seen


def test_with_an_lns_the_exact_search_keeps_the_intervals_and_only_the_lns_has_the_literals(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = _spy_encodings(monkeypatch)
    exact: list[Builder] = []
    moves: list[Builder] = []
    monitor_init = run._Monitor.__init__
    prepare = RosterLns.prepare

    def spy_monitor(self: run._Monitor, builder: Builder, *args: object) -> None:
        exact.append(builder)
        monitor_init(self, builder, *args)  # type: ignore[arg-type]

    def spy_prepare(self: RosterLns) -> None:
        prepare(self)
        assert self.model_builder is not None
        moves.append(self.model_builder)

    monkeypatch.setattr(run._Monitor, "__init__", spy_monitor)
    monkeypatch.setattr(RosterLns, "prepare", spy_prepare)
    problem = roster_problem(people=8, days=28, seed=5)
    solution = cpsat.solve(problem, time_limit=3.0, seed=0, workers=2)
    assert [seen[id(b)] for b in exact] == [{"intervals"}]
    assert moves and all(seen[id(b)] == {"literals"} for b in moves)
    assert solution.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    report = validate(problem, solution.assignments)
    assert report.is_valid, [v.message for v in report.hard]
    assert solution.objective == report.objective
    assert solution.bound is not None and solution.bound <= report.objective + 1e-9


def _satisfies(builder: Builder, full: list[int]) -> float | None:
    """The objective of ``full`` (every variable of ``builder``'s model) when it satisfies the
    model, else None."""
    model = builder.model.clone()
    proto = model.Proto()
    assert len(full) == len(proto.variables)
    for variable, value in zip(proto.variables, full, strict=True):
        variable.domain.clear()
        variable.domain.extend((value, value))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    status = solver.Solve(model)
    return solver.ObjectiveValue() if status == cp_model.OPTIMAL else None


def test_an_incumbent_of_either_model_is_completed_on_the_other() -> None:
    problem = roster_problem(people=6, days=21, seed=5)
    assert cpsat_acgme.FREE_DAYS == "intervals"  # the exact search's model: the one-worker's
    exact, values, objective, full = solved_incumbent(problem)
    incumbent = Incumbent(perf_counter())
    incumbent.offer(objective, values, full)  # found by the exact search, on its own model
    lns = RosterLns(
        exact,
        incumbent,
        seed=0,
        deadline=perf_counter() + 30,
        stopped=threading.Event(),
        on_improve=lambda: None,
        model=lambda: cpsat.build_model(problem, free_days="literals"),
    )
    lns.prepare()
    own = lns.model_builder
    assert own is not None and own is not exact and lns.tag is own
    # The exact model's variables are no hint for the LNS's model: it completes the decisions.
    _, got, mine, version = incumbent.snapshot(lns.tag)
    assert got == values and mine is None
    theirs = lns._own_full(values, mine, version)
    assert theirs is not None and len(theirs) != len(full)
    assert _satisfies(own, theirs) == objective
    # An LNS schedule (on its model) comes back to the exact search completed on the intervals.
    incumbent.offer(objective - 1, values, theirs, lns.tag)
    assert incumbent.full_solution() is None and incumbent.full_solution(lns.tag) == theirs
    back = run._full_for(exact, incumbent, 5.0)
    assert back is not None and _satisfies(exact, back) == objective
