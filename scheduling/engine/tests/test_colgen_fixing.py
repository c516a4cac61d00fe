"""Reduced-cost fixing (colgen/fixing.py, cpsat/fixing.py): the cheapest roster through every
cell against brute force, no fixing ever cutting a schedule at least as good as the upper bound
(every schedule of a tiny instance enumerated; the proven optima of Instances 1-4), and the
solve path's schedules on the reduced model against the validator and the evaluator."""

from __future__ import annotations

import numpy as np
import pytest

from scheduling.engine import cpsat
from scheduling.engine.colgen import relax
from scheduling.engine.colgen import run as generic
from scheduling.engine.colgen.fixing import Reduced, reduced_costs, through
from scheduling.engine.colgen.master import Master
from scheduling.engine.colgen.pricing import Pricer
from scheduling.engine.cpsat import fixing as cpsat_fixing
from scheduling.engine.model import Problem, SolveStatus
from scheduling.engine.nrp import evaluate, parse_instance, roster_from_assignments, to_problem
from scheduling.engine.tests.test_nrp_colgen import (
    CASES,
    SHARED,
    _best_known,
    _case_rows,
    _enumerated,
    _row_costs,
    _single,
    _spec,
    _tiny_instance,
    form,
    needs_shared,
)
from scheduling.engine.validator import validate

__all__ = ["form"]  # the fixture: both forms of the DP


def _brute_through(rows: np.ndarray, cost: np.ndarray, shifts: int) -> np.ndarray:
    """(days, shifts + 1): the cheapest feasible roster working each shift (last: off) each day."""
    totals = _row_costs(rows, cost)
    out = np.full((rows.shape[1], shifts + 1), np.inf)
    for d in range(rows.shape[1]):
        for s in range(-1, shifts):
            on = rows[:, d] == s
            if on.any():
                out[d, s] = totals[on].min()
    return out


@pytest.mark.parametrize("case", CASES)
def test_it_finds_the_cheapest_roster_through_every_cell_like_brute_force(
    case: str, form: str
) -> None:
    instance = _single(*CASES[case])
    rows = _case_rows(case)
    spec = _spec(instance)
    pricer = Pricer(spec)
    assert pricer.stacked == (form == "stacked")
    shifts = len(instance.shifts)
    rng = np.random.default_rng(13)
    for _ in range(8):
        cost = rng.integers(-20, 20, size=(instance.days, shifts)).astype(float)
        found = through(pricer, cost)
        assert found is not None
        # Patterns are single shifts here: pattern k is shift spec.patterns[k][0].
        by_shift = np.full((instance.days, shifts + 1), np.inf)
        for k, pattern in enumerate(spec.patterns):
            by_shift[:, pattern[0]] = found[:, k]
        by_shift[:, -1] = found[:, -1]
        assert np.allclose(by_shift, _brute_through(rows, cost, shifts))
        assert found.min() == pytest.approx(pricer.solve(cost)[0])


@pytest.mark.parametrize("case", ["caps-minutes-no-weekend", "successions", "two-weekends"])
def test_it_never_overestimates_through_a_cell_when_the_dp_is_relaxed(case: str) -> None:
    instance = _single(*CASES[case])
    spec = _spec(instance)
    pricer = Pricer(spec, relax_caps=True, relax_weekends=True)
    shifts = len(instance.shifts)
    cost = np.random.default_rng(17).normal(0, 10, size=(instance.days, shifts))
    found = through(pricer, cost)
    assert found is not None
    exact = _brute_through(_case_rows(case), cost, shifts)
    for k, pattern in enumerate(spec.patterns):
        assert (found[:, k] <= exact[:, pattern[0]] + 1e-9).all()
    assert (found[:, -1] <= exact[:, -1] + 1e-9).all()


def _schedules(problem: Problem, rows: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Every combination of feasible rosters of the tiny instance: (objective, the choice of
    each (person, day): shift index, -1 off) per combination."""
    data, _ = generic.build(problem)
    total = np.zeros(1)
    picks = np.zeros((1, 0, data.D), dtype=np.int64)
    for p, person_rows in enumerate(rows):
        cost = data.const[p] + _row_costs(person_rows, data.cell_cost[p])
        n = len(person_rows)
        total = (total[:, None] + cost[None, :]).reshape(-1)
        picks = np.concatenate(
            [np.repeat(picks, n, axis=0), np.tile(person_rows, (len(picks), 1))[:, None, :]],
            axis=1,
        )
    for demand in problem.demands:
        s = [t.id for t in problem.shift_types].index(demand.shift)
        count = (picks[:, :, demand.day] == s).sum(axis=1)
        total += demand.under_weight * np.maximum(0, demand.target - count)
        total += demand.over_weight * np.maximum(0, count - demand.target)
    return total, picks


def _assert_keeps_every_schedule_it_should(reduced: Reduced, total: np.ndarray, picks: np.ndarray):
    people, days = picks.shape[1], picks.shape[2]
    p_idx = np.arange(people)[None, :, None]
    d_idx = np.arange(days)[None, None, :]
    worked = picks >= 0
    excess = np.where(
        worked, reduced.excess[p_idx, d_idx, np.maximum(picks, 0)], reduced.off[p_idx, d_idx]
    )
    # Every schedule costs at least L(y) plus the excess of any one of its cells.
    assert (total + 1e-6 >= reduced.lagrangian + excess.max(axis=(1, 2))).all()
    for upper in np.unique(total)[:6]:
        zeros, ones = reduced.fixed_cells(float(upper))
        keep = total <= upper
        shift_of = {sid: i for i, sid in enumerate(reduced.shifts)}
        for person, day, shift in zeros:
            p = reduced.people.index(person)
            assert not (picks[keep, p, day] == shift_of[shift]).any()
        for person, day in ones:
            assert (picks[keep, reduced.people.index(person), day] >= 0).all()


def test_it_never_fixes_a_cell_of_a_schedule_as_good_as_the_upper_bound() -> None:
    """Every schedule of a tiny instance, at random duals and at the LP's."""
    instance = _tiny_instance()
    problem = to_problem(instance)
    total, picks = _schedules(problem, _enumerated(instance))
    data, pricers = generic.build(problem)
    rng = np.random.default_rng(19)
    points = [np.where(data.ge, np.abs(y), y) for y in rng.normal(0, 40, size=(6, data.R))]
    master = Master(data, seed=0)
    for p, pricer in enumerate(pricers):
        for _, roster in pricer.solve_many(data.cell_cost[p], 3, data.day_cost[p]):
            master.add(p, tuple(-1 if k is None else k for k in roster))
    gen = generic._generate(data, pricers, master, 1e18, 0.5, 0.0, frozenset())
    assert gen.converged and gen.duals is not None
    fixed = 0
    for y in [gen.duals, *points]:
        reduced = reduced_costs(data, pricers, y)
        assert reduced is not None
        assert reduced.lagrangian <= total.min() + 1e-6
        _assert_keeps_every_schedule_it_should(reduced, total, picks)
        fixed += len(reduced.fixed_cells(float(total.min()))[0])
    assert fixed > 0  # the test has teeth: something is fixed at the optimum


def _reduced(problem: Problem) -> Reduced:
    got: list[Reduced] = []
    relax(problem, time_limit=10, ip_time_limit=0.1, dive=False, on_reduced=got.append)
    assert got
    return got[0]


@needs_shared
@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_it_never_fixes_a_cell_of_a_known_optimal_schedule(number: int) -> None:
    name = f"Instance{number}"
    problem = to_problem(parse_instance(SHARED / f"{name}.txt"))
    optimum = _best_known()[name]
    solved = cpsat.solve(problem, time_limit=60, workers=1, seed=0)  # no relaxation, no fixing
    assert solved.status == SolveStatus.OPTIMAL and solved.objective == optimum
    reduced = _reduced(problem)
    assert reduced.lagrangian <= optimum + 1e-6
    zeros, ones = reduced.fixed_cells(optimum)
    used = {(a.person, a.day, a.shift) for a in solved.assignments}
    assert not used & set(zeros)
    assert {(person, day) for person, day, _ in used} >= set(ones)
    assert zeros  # something is fixed: at the optimum the LP is tight on these


@needs_shared
def test_it_returns_valid_schedules_from_the_reduced_model(monkeypatch: pytest.MonkeyPatch) -> None:
    name = "Instance3"
    instance = parse_instance(SHARED / f"{name}.txt")
    problem = to_problem(instance)
    optimum = _best_known()[name]
    applied: list[int] = []
    apply = cpsat_fixing.Fixer.apply

    def counted(self: cpsat_fixing.Fixer, model: object) -> int:
        applied.append(apply(self, model))  # type: ignore[arg-type]
        return applied[-1]

    monkeypatch.setattr(cpsat_fixing.Fixer, "apply", counted)
    solved = cpsat.solve(problem, time_limit=20, workers=2, seed=0)
    assert applied and applied[0] > 0  # the exact search ran on a reduced model
    report = validate(problem, solved.assignments)
    assert report.is_valid and report.objective == solved.objective
    assert evaluate(instance, roster_from_assignments(instance, solved.assignments)).objective == (
        solved.objective
    )
    assert solved.objective is not None and solved.objective >= optimum
    assert solved.bound is not None and solved.bound <= optimum
