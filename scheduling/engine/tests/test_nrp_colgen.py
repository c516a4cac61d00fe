"""The roster-pattern relaxation: pricing DP against brute force, the bound against known optima,
the price-and-branch roster against the benchmark evaluator and the generic validator."""

from __future__ import annotations

import csv
import dataclasses
import functools
import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from scheduling.engine.colgen import pricing
from scheduling.engine.colgen import run as generic
from scheduling.engine.colgen.master import Master
from scheduling.engine.colgen.person import PersonSpec, ProblemTables, person_spec
from scheduling.engine.colgen.pricing import Pricer
from scheduling.engine.nrp import evaluate, parse_instance, to_problem
from scheduling.engine.nrp.__main__ import main
from scheduling.engine.nrp.colgen import relax
from scheduling.engine.nrp.instance import NrpCover, NrpInstance, NrpRequest, NrpShift, NrpStaff
from scheduling.engine.nrp.roster import Roster, assignments_from_roster
from scheduling.engine.validator import validate

SHARED = Path(__file__).resolve().parents[3].parent / "shared/benchmarks/schedulingbenchmarks_nrp"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"shared benchmark instances not found at {SHARED}"
)

TWO_SHIFTS = (NrpShift("D", 480), NrpShift("L", 600, ("D",)))
THREE_SHIFTS = (NrpShift("E", 480), NrpShift("L", 600, ("E",)), NrpShift("N", 480, ("E", "L")))

# (shifts, days, staff, days off): every rule binds somewhere.
CASES = {
    "caps-minutes-no-weekend": (
        TWO_SHIFTS, 8, NrpStaff("A", {"D": 8, "L": 2}, 3000, 960, 3, 2, 2, 0), {3}
    ),
    "loose": (TWO_SHIFTS, 8, NrpStaff("B", {}, 10_000, 0, 8, 1, 1, 1), set()),
    "long-min-run": (
        TWO_SHIFTS, 8, NrpStaff("C", {"L": 0}, 2400, 1400, 4, 3, 1, 1), {0}
    ),
    "tight-runs": (
        TWO_SHIFTS, 8, NrpStaff("D", {"D": 3, "L": 3}, 4000, 0, 2, 2, 3, 1), set()
    ),
    "successions": (
        THREE_SHIFTS, 7, NrpStaff("E", {"N": 2}, 3000, 1000, 4, 1, 2, 0), {6}
    ),
    "two-weekends": (
        (NrpShift("D", 480),), 14, NrpStaff("F", {}, 4320, 3360, 5, 2, 2, 1), {9}
    ),
}  # fmt: skip


def _single(shifts: tuple[NrpShift, ...], days: int, staff: NrpStaff, off: set[int]) -> NrpInstance:
    return NrpInstance("tiny", days, shifts, (staff,), {staff.id: frozenset(off)})


def _feasible_rows(instance: NrpInstance) -> np.ndarray:
    """Every feasible roster of the one staff member, as shift indexes (-1 off)."""
    sid, ids = instance.staff[0].id, instance.shift_ids
    rows = []
    for row in itertools.product(range(-1, len(ids)), repeat=instance.days):
        roster: Roster = {sid: [None if s < 0 else ids[s] for s in row]}
        if evaluate(instance, roster).feasible:
            rows.append(row)
    return np.array(rows)


def _spec(instance: NrpInstance, index: int = 0) -> PersonSpec:
    """The generic DP's view of one staff member (through the benchmark's mapping)."""
    return person_spec(ProblemTables(to_problem(instance)), index)


def _shifts(spec: PersonSpec, roster: list[int | None]) -> list[int]:
    """A generic roster (one single-shift pattern or None a day) as shift indexes, -1 off."""
    return [-1 if k is None else spec.patterns[k][0] for k in roster]


@functools.cache
def _case_rows(case: str) -> np.ndarray:
    return _feasible_rows(_single(*CASES[case]))


def _row_costs(rows: np.ndarray, cost: np.ndarray) -> np.ndarray:
    padded = np.concatenate([cost, np.zeros((cost.shape[0], 1))], axis=1)  # column -1: off
    return padded[np.arange(rows.shape[1]), rows].sum(axis=1)


@pytest.fixture(params=["stacked", "per-control"])
def form(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both forms of the DP (chosen by the size of the resource boxes)."""
    monkeypatch.setattr(pricing, "STACK_CELLS", 10**9 if request.param == "stacked" else 0)
    return str(request.param)


@pytest.mark.parametrize("case", CASES)
def test_it_prices_the_cheapest_feasible_roster_like_brute_force(case: str, form: str) -> None:
    instance = _single(*CASES[case])
    rows = _case_rows(case)
    assert len(rows) > 1
    spec = _spec(instance)
    pricer = Pricer(spec)
    assert pricer.exact
    rng = np.random.default_rng(7)
    for _ in range(12):
        cost = rng.integers(-20, 20, size=(instance.days, len(instance.shifts))).astype(float)
        value, roster = pricer.solve(cost)
        assert value == pytest.approx(_row_costs(rows, cost).min())
        column = np.array([_shifts(spec, roster)])
        assert (column == rows).all(axis=1).any()  # the DP's roster is feasible
        assert _row_costs(column, cost)[0] == pytest.approx(value)


@pytest.mark.parametrize("case", CASES)
def test_it_prices_several_distinct_feasible_rosters_cheapest_first(case: str, form: str) -> None:
    instance = _single(*CASES[case])
    rows = _case_rows(case)
    spec = _spec(instance)
    pricer = Pricer(spec)
    assert pricer.stacked == (form == "stacked")
    cost = np.random.default_rng(3).normal(0, 10, size=(instance.days, len(instance.shifts)))
    found = pricer.solve_many(cost, 4)
    assert found[0][0] == pytest.approx(_row_costs(rows, cost).min())
    values = [value for value, _ in found]
    assert values == sorted(values)
    columns = np.array([_shifts(spec, roster) for _, roster in found])
    assert len({tuple(c) for c in columns}) == len(found)
    for column, value in zip(columns, values, strict=True):
        assert (column == rows).all(axis=1).any()
        assert _row_costs(column[None, :], cost)[0] == pytest.approx(value)


def test_it_reports_a_person_without_any_feasible_roster() -> None:
    staff = NrpStaff("X", {}, 4000, 3000, 2, 1, 1, 0)  # 7 shifts needed, 2-day runs, no weekend
    instance = _single(TWO_SHIFTS, 7, staff, set())
    assert Pricer(_spec(instance)).solve(np.zeros((7, 2))) == (math.inf, [])
    result = relax(instance, time_limit=2, ip_time_limit=1)
    assert result.infeasible_staff == ("X",) and result.bound is None and result.roster is None


def _tiny_instance() -> NrpInstance:
    staff = (
        NrpStaff("A", {"D": 6, "L": 2}, 2400, 960, 3, 2, 1, 1),
        NrpStaff("B", {"L": 3}, 2400, 480, 3, 1, 2, 1),
        NrpStaff("C", {"D": 6, "L": 0}, 1920, 0, 2, 1, 1, 0),
    )
    cover = tuple(
        NrpCover(d, s, need, 100, 1)
        for d, s, need in [(0, "D", 2), (1, "D", 2), (1, "L", 1), (2, "L", 1), (3, "D", 2),
                           (4, "D", 1), (4, "L", 1), (5, "D", 2)]
    )  # fmt: skip
    return NrpInstance(
        "tiny",
        6,
        TWO_SHIFTS,
        staff,
        {"C": frozenset({2})},
        on_requests=(NrpRequest("A", 0, "D", 3), NrpRequest("B", 4, "L", 2)),
        off_requests=(NrpRequest("C", 3, "D", 5), NrpRequest("A", 5, "D", 1)),
        cover=cover,
    )


def _enumerated(instance: NrpInstance) -> list[np.ndarray]:
    alone = dataclasses.replace(instance, cover=(), on_requests=(), off_requests=())
    return [_feasible_rows(dataclasses.replace(alone, staff=(st,))) for st in instance.staff]


def _optimum(instance: NrpInstance, rows: list[np.ndarray]) -> tuple[int, tuple[int, ...]]:
    """The optimum over every combination of feasible rosters (numpy over the combinations):
    (objective, index of each person's row)."""
    data, _ = generic.build(to_problem(instance))
    cells = data.D * data.S
    costs, onehots = [], []
    for p, person_rows in enumerate(rows):
        costs.append(data.const[p] + _row_costs(person_rows, data.cell_cost[p]))
        hot = np.zeros((len(person_rows), cells + 1))
        flat = np.where(person_rows < 0, cells, np.arange(data.D) * data.S + person_rows)
        np.put_along_axis(hot, flat, 1.0, axis=1)
        onehots.append(hot[:, :cells])
    cover = [(c.day * data.S + instance.shift_ids.index(c.shift), c) for c in instance.cover]
    total = np.zeros(1)
    count = np.zeros((1, cells))
    for cost, hot in zip(costs, onehots, strict=True):
        total = (total[:, None] + cost[None, :]).reshape(-1)
        count = (count[:, None, :] + hot[None, :, :]).reshape(-1, cells)
    for cell, c in cover:
        n = count[:, cell]
        total += c.under_weight * np.maximum(0, c.requirement - n)
        total += c.over_weight * np.maximum(0, n - c.requirement)
    best = int(total.argmin())
    return round(float(total[best])), tuple(
        int(i) for i in np.unravel_index(best, [len(r) for r in rows])
    )


def test_it_bounds_and_solves_a_tiny_instance_like_full_enumeration() -> None:
    instance = _tiny_instance()
    rows = _enumerated(instance)
    optimum, _ = _optimum(instance, rows)
    data, _ = generic.build(to_problem(instance))
    master = Master(data, seed=0)  # the LP over every feasible roster
    for p, person_rows in enumerate(rows):
        pattern = {pat[0]: k for k, pat in enumerate(data.specs[p].patterns)}
        for row in person_rows:
            master.add(p, tuple(-1 if s < 0 else pattern[int(s)] for s in row))
    solved = master.solve_lp(30)
    assert solved is not None
    result = relax(instance, time_limit=10, ip_time_limit=5)
    assert result.bound is not None and result.bound <= optimum
    if result.converged:
        assert result.bound == math.ceil(solved[0] - 1e-6)
    assert result.roster is not None and result.objective is not None
    assert result.objective >= optimum
    assert evaluate(instance, result.roster).objective == result.objective


def test_it_starts_the_master_ip_from_a_given_roster() -> None:
    instance = _tiny_instance()
    rows = _enumerated(instance)
    optimum, picks = _optimum(instance, rows)
    ids = instance.shift_ids
    best = {
        st.id: [None if s < 0 else ids[s] for s in person_rows[i]]
        for st, person_rows, i in zip(instance.staff, rows, picks, strict=True)
    }
    assert evaluate(instance, best).objective == optimum  # the enumeration agrees
    result = relax(instance, time_limit=0.0, ip_time_limit=5, start=best)
    assert result.objective == optimum


def _best_known() -> dict[str, int]:
    with open(SHARED / "best_known.csv") as fh:
        return {r["instance"]: int(r["best_known_solution"]) for r in csv.DictReader(fh)}


@needs_shared
@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_it_never_bounds_above_the_known_optimum(number: int) -> None:
    name = f"Instance{number}"
    instance = parse_instance(SHARED / f"{name}.txt")
    result = relax(instance, time_limit=2, ip_time_limit=1)
    optimum = _best_known()[name]  # all four are proven optimal
    assert result.bound is not None and result.bound <= optimum
    if result.roster is not None:
        assert result.objective is not None and result.objective >= optimum
        assert evaluate(instance, result.roster).objective == result.objective
        report = validate(to_problem(instance), assignments_from_roster(result.roster))
        assert not report.hard and report.objective == result.objective


@needs_shared
def test_it_writes_a_roster_the_evaluate_command_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance, out = str(SHARED / "Instance1.txt"), str(tmp_path / "roster.tsv")
    assert main(["relax", instance, "--time-limit", "2", "--ip-time-limit", "1", "--out", out]) == 0
    assert main(["evaluate", instance, out]) == 0  # feasible, and both checkers agree
    assert "objective" in capsys.readouterr().out


def test_it_refuses_a_pricing_dp_over_its_memory_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pricing, "MEMORY_LIMIT", 100)
    result = relax(_tiny_instance(), time_limit=1, ip_time_limit=1)
    assert result.error is not None and "MiB" in result.error
    assert result.bound is None and result.roster is None


@pytest.mark.parametrize("case", ["caps-minutes-no-weekend", "successions", "two-weekends"])
def test_it_prices_a_lower_bound_when_the_dp_drops_caps_and_weekends(case: str) -> None:
    instance = _single(*CASES[case])
    pricer = Pricer(_spec(instance), relax_caps=True, relax_weekends=True)
    assert not pricer.exact
    rng = np.random.default_rng(11)
    for _ in range(6):
        cost = rng.normal(0, 10, size=(instance.days, len(instance.shifts)))
        value, _ = pricer.solve(cost)
        assert value <= _row_costs(_case_rows(case), cost).min() + 1e-9


def test_it_keeps_the_bound_valid_when_pricing_is_relaxed(monkeypatch: pytest.MonkeyPatch) -> None:
    def relaxed(spec: PersonSpec, structure: np.ndarray | None = None) -> Pricer:
        return Pricer(spec, relax_caps=True, relax_weekends=True, structure=structure)

    monkeypatch.setattr(generic, "make_pricer", relaxed)
    instance = _tiny_instance()
    optimum, _ = _optimum(instance, _enumerated(instance))
    result = relax(instance, time_limit=5, ip_time_limit=2)
    assert not result.converged  # nothing is proven with a relaxed DP
    assert result.bound is not None and result.bound <= optimum
    if result.roster is not None:
        assert evaluate(instance, result.roster).objective == result.objective
        assert result.objective is not None and result.objective >= optimum


def test_it_converges_to_the_lp_value_of_the_roster_model() -> None:
    instance = _tiny_instance()
    data, pricers = generic.build(to_problem(instance))
    master = Master(data, seed=0)
    for p, pricer in enumerate(pricers):
        _, roster = pricer.solve(data.cell_cost[p], data.day_cost[p])
        master.add(p, generic._column(roster))
    gen = generic._generate(data, pricers, master, math.inf, 0.5, 0.0, frozenset())
    assert gen.converged and gen.lp_value is not None
    # At convergence the Lagrangian bound is the LP value (the duals' signs are right).
    assert gen.bound == pytest.approx(gen.lp_value)
