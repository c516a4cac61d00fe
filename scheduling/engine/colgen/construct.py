"""A first schedule by sequential dynamic programming over people (issue 20).

People are taken one at a time in an order (most constrained first); each gets the roster the
pricing DP (pricing.py) finds cheapest against what the people before them already cover:

- for each demand on a (day, shift) that admits the person, working it costs the demand's
  *marginal* cost with the people already there: ``-under_weight`` while it is below its
  target, ``+over_weight`` beyond; below a hard minimum a further reward of ``big``, at a hard
  maximum a further cost of ``big``;
- plus the person's own part of the objective (requests, baseline changes: master.Data's
  per-cell and per-day costs).

Given everybody else's roster, one person's coverage terms change by exactly these marginal
costs (a person works a cell at most once), so re-pricing a person against all the others is
an exact step on the coverage and request terms; improvement passes repeat it for everyone
while the schedule gets cheaper (a roster is replaced only when strictly cheaper). Fairness
spreads and supervision ratios are not priced (cross-person terms that do not split by cell):
the validator judges the whole schedule at the end.

A DP that relaxes a rule (person.py) may return a roster the validator's per-person rules
refuse: the person's next-cheapest rosters (one per final state) are tried, and when none is
accepted the construction gives up (None), so the caller keeps its other start.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..model import Assignment, Problem
from ..validator import HARD, Report, person_violations, validate
from .master import Data
from .person import PersonSpec, PricingTooLarge, ProblemTables, person_spec
from .pricing import Pricer, make_pricer

log = logging.getLogger(__name__)

REPAIRS = 6  # re-pricings of a relaxed DP whose roster breaks a dropped limit
# Of a start's time: improvement passes after the first pass (on Instance 8 at 30 s the CP-SAT
# LNS from the partly improved start ended at 2572, from the converged one (7 s) at 2763).
IMPROVE_SHARE = 0.25
TRIES = 3  # rosters per person (cheapest first) tried against the validator's per-person rules
ORDER = "constrained"  # "constrained" (fewest usable cells first), "index" or "requests"
PASSES = 20  # improvement passes at most (each re-prices everybody once)
HARD_FACTOR = 4.0  # a hard minimum's shortfall is rewarded at this many times master.Data.big


@dataclass(frozen=True)
class Construction:
    assignments: tuple[Assignment, ...]
    objective: float  # the validator's
    valid: bool  # no hard violation (the validator's)
    passes: int  # improvement passes completed
    changed: int  # rosters replaced by the improvement passes
    wall: float
    built: float  # seconds spent building the DPs
    first_objective: float | None = None  # after the construction pass, before improvement
    first_wall: float = 0.0  # seconds to the end of the construction pass


class _Cover:
    """The demands as arrays, each one's count of admitted people at work, and per person the
    demands a (day, shift) of theirs counts toward."""

    def __init__(self, data: Data, big: float) -> None:
        problem = data.problem
        shift = {s.id: i for i, s in enumerate(problem.shift_types)}
        D, S = data.D, data.S
        self.S = S
        demands = [d for d in problem.demands if d.shift in shift and 0 <= d.day < D]
        self.cell = np.array([d.day * S + shift[d.shift] for d in demands], dtype=np.int64)
        self.target = np.array([d.target for d in demands], dtype=np.int64)
        self.minimum = np.array([d.minimum for d in demands], dtype=np.int64)
        self.maximum = np.array(
            [d.maximum if d.maximum is not None else 1 << 30 for d in demands], dtype=np.int64
        )
        self.under = np.array([d.under_weight for d in demands], dtype=float)
        self.over = np.array([d.over_weight for d in demands], dtype=float)
        self.big = big
        self.n = np.zeros(len(demands), dtype=np.int64)
        self.size = D * S
        # Per person: the demands admitting them (only on cells they may work).
        admitted: dict[object, np.ndarray] = {}
        usable = data.usable.reshape(len(problem.people), -1)
        owner = np.zeros((len(problem.people), len(demands)), dtype=bool)
        for j, d in enumerate(demands):
            if d.eligibility not in admitted:
                admitted[d.eligibility] = np.array(
                    [d.eligibility.admits(person) for person in problem.people], dtype=bool
                )
            owner[:, j] = admitted[d.eligibility] & usable[:, self.cell[j]]
        self.mine = [np.flatnonzero(row) for row in owner]
        # Demand index by cell for each person: roster cells to demand rows.
        self.by_cell: list[dict[int, np.ndarray]] = []
        for rows in self.mine:
            table: dict[int, list[int]] = {}
            for row in rows.tolist():
                table.setdefault(int(self.cell[row]), []).append(row)
            self.by_cell.append({c: np.array(js, dtype=np.int64) for c, js in table.items()})

    def marginal(self) -> np.ndarray:
        """Per demand: the change of the objective (and of the hard-rule penalty) when one more
        admitted person works it."""
        n = self.n
        step = np.where(n < self.target, -self.under, self.over)
        step = step - np.where(n < self.minimum, self.big, 0.0)
        return step + np.where(n >= self.maximum, self.big, 0.0)

    def cell_cost(self, p: int) -> np.ndarray:
        rows = self.mine[p]
        out = np.bincount(self.cell[rows], weights=self.marginal()[rows], minlength=self.size)
        return out.reshape(-1, self.S)

    def rows(self, p: int, cells: list[int]) -> np.ndarray:
        table = self.by_cell[p]
        found = [table[c] for c in cells if c in table]
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)

    def add(self, p: int, cells: list[int], sign: int) -> None:
        np.add.at(self.n, self.rows(p, cells), sign)

    def penalty(self) -> float:
        """The coverage terms and the hard-rule penalty of the counts as they stand."""
        n = self.n
        total = float((self.under * np.maximum(0, self.target - n)).sum())
        total += float((self.over * np.maximum(0, n - self.target)).sum())
        total += self.big * float(np.maximum(0, self.minimum - n).sum())
        return total + self.big * float(np.maximum(0, n - self.maximum).sum())


def _order(problem: Problem, data: Data, specs: list[PersonSpec]) -> list[int]:
    people = list(range(len(specs)))
    if ORDER == "index":
        return people
    if ORDER == "requests":
        weight = np.abs(data.cell_cost).sum(axis=(1, 2)) + np.abs(data.day_cost).sum(axis=1)
        return sorted(people, key=lambda p: (-weight[p], p))
    usable = data.usable.sum(axis=(1, 2))
    return sorted(people, key=lambda p: (usable[p], p))


def construct(
    problem: Problem,
    *,
    time_limit: float,
    improve_time: float | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Construction | None:
    """The sequential DP schedule, improved until ``improve_time`` seconds after the
    construction pass (default: no limit but ``time_limit``), everything within ``time_limit``
    seconds. None when a person's DP cannot be built or priced, no roster keeps a person's own
    rules, ``should_stop`` says so or the construction pass does not end in ``time_limit``."""
    began = time.perf_counter()
    deadline = began + time_limit

    def stop() -> bool:
        return time.perf_counter() >= deadline or (should_stop is not None and should_stop())

    tables = ProblemTables(problem)
    try:
        specs = [person_spec(tables, i) for i in range(len(problem.people))]
        pricers = [make_pricer(spec) for spec in specs]
    except PricingTooLarge:
        return None
    data = Data(problem, specs)
    cover = _Cover(data, HARD_FACTOR * data.big)
    built = time.perf_counter() - began
    P = len(specs)
    columns: list[tuple[int, ...] | None] = [None] * P
    own = np.zeros(P)  # each roster's own cost (data.cost)
    order = _order(problem, data, specs)
    for p in order:
        picked = None if stop() else _price(data, cover, pricers[p], p)
        if picked is None:
            return None
        columns[p] = picked
        own[p] = data.cost(p, picked)
        cover.add(p, _cells(data, p, picked), 1)
    first = _judge(problem, data, columns).objective
    first_wall = time.perf_counter() - began
    if improve_time is not None:
        deadline = min(deadline, time.perf_counter() + improve_time)
    passes = changed = 0
    while passes < PASSES and not stop():
        improved = 0
        for p in order:
            if stop():
                break
            old = columns[p]
            assert old is not None
            cells = _cells(data, p, old)
            cover.add(p, cells, -1)
            before = own[p] + float(cover.marginal()[cover.rows(p, cells)].sum())
            picked = _price(data, cover, pricers[p], p)
            if picked is not None and picked != old:
                new_cells = _cells(data, p, picked)
                cost = data.cost(p, picked)
                after = cost + float(cover.marginal()[cover.rows(p, new_cells)].sum())
                if after < before - 1e-9:
                    columns[p], own[p], cells = picked, cost, new_cells
                    improved += 1
            cover.add(p, cells, 1)
        else:
            passes += 1
        changed += improved
        if not improved:
            break
    report = _judge(problem, data, columns)
    return Construction(
        assignments=_assignments(data, columns),
        objective=report.objective,
        valid=report.is_valid,
        passes=passes,
        changed=changed,
        wall=time.perf_counter() - began,
        built=built,
        first_objective=first,
        first_wall=first_wall,
    )


def _cells(data: Data, p: int, column: tuple[int, ...]) -> list[int]:
    return [d * data.S + s for d, s in data.pairs(p, column)]


def _price(data: Data, cover: _Cover, pricer: Pricer, p: int) -> tuple[int, ...] | None:
    """The person's cheapest roster against the cover as it stands that keeps their own rules
    (the DP's, and the validator's per-person ones when the DP relaxes some). When a relaxed
    DP's rosters break a limit it dropped (a cap, the weekends), the cells that limit counts
    are priced up, more each time, and the DP runs again (a Lagrangian repair)."""
    cost = data.cell_cost[p] + cover.cell_cost(p)
    extra = np.zeros_like(cost)
    scale = float(np.abs(cost).max(initial=0.0)) + 1.0
    for attempt in range(REPAIRS + 1):
        count = 1 if pricer.exact else TRIES
        found = pricer.solve_many(cost + extra, count, data.day_cost[p])
        for value, roster in found:
            if not math.isfinite(value):
                break
            column = tuple(-1 if k is None else k for k in roster)
            if pricer.exact or _keeps_rules(data, p, column):
                return column
        if pricer.exact or not found or not math.isfinite(found[0][0]):
            return None
        first = tuple(-1 if k is None else k for k in found[0][1])
        over = _over_limits(pricer.spec, first, extra.shape)
        if not over:
            return None  # a relaxed rule the cells cannot price (ACGME windows, rest)
        for mask in over:
            extra[mask] += scale * 2.0**attempt
    return None


def _over_limits(
    spec: PersonSpec, column: tuple[int, ...], shape: tuple[int, ...]
) -> list[np.ndarray]:
    """(days, shifts) masks of the cells each limit the roster exceeds counts: the counters
    (shift-type maxima, caps, the ACGME window) and the weekends."""
    days = range(spec.days)
    masks = []
    for counter in spec.counters:
        used = sum(int(counter.inc[d, k]) for d, k in zip(days, column, strict=True) if k >= 0)
        if used > counter.limit:
            mask = np.zeros(shape, dtype=bool)
            for k, pattern in enumerate(spec.patterns):
                hit = counter.inc[:, k] > 0
                for s in pattern:
                    mask[hit, s] = True
            masks.append(mask)
    if spec.max_weekends is not None:
        worked = {spec.weekend_key[d] for d, k in zip(days, column, strict=True) if k >= 0}
        worked.discard(None)
        if len(worked) > spec.max_weekends:
            mask = np.zeros(shape, dtype=bool)
            mask[[d for d in days if spec.weekend_key[d] is not None], :] = True
            masks.append(mask)
    return masks


def _keeps_rules(data: Data, p: int, column: tuple[int, ...]) -> bool:
    ids = data.problem.shift_types
    pairs = [(d, ids[s].id) for d, s in data.pairs(p, column)]
    found = person_violations(data.problem, data.problem.people[p], pairs)
    return not any(v.severity in HARD for v in found)


def _assignments(data: Data, columns: list[tuple[int, ...] | None]) -> tuple[Assignment, ...]:
    return tuple(a for p, c in enumerate(columns) if c is not None for a in data.assignments(p, c))


def _judge(problem: Problem, data: Data, columns: list[tuple[int, ...] | None]) -> Report:
    return validate(problem, _assignments(data, columns))


def start_schedule(
    problem: Problem, *, time_limit: float, should_stop: Callable[[], bool] | None = None
) -> list[Assignment] | None:
    """A solver's start: the sequential DP schedule when the validator finds it valid, within
    ``time_limit`` seconds (improvement passes for IMPROVE_SHARE of them at most); else None."""
    began = time.perf_counter()
    built = construct(
        problem,
        time_limit=time_limit,
        improve_time=IMPROVE_SHARE * time_limit,
        should_stop=should_stop,
    )
    if built is None:
        log.info("sequential start: none after %.2f s", time.perf_counter() - began)
        return None
    log.info(
        "sequential start: %s, objective %s (%s after the first pass, %.2f s), %d passes, %.2f s",
        "valid" if built.valid else "invalid",
        built.objective,
        built.first_objective,
        built.first_wall,
        built.passes,
        built.wall,
    )
    return list(built.assignments) if built.valid else None
