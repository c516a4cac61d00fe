"""Reduced-cost fixing from the roster-pattern relaxation: which (person, day, shift) cells no
schedule better than a known one can use.

At duals ``y`` (master.py) every schedule's objective is at least::

    L(y) + sum_p (rc_p(roster of p) - min_j rc_pj)

(``rc_pj`` = ``c_pj - y a_pj``, the pricing DP's cost of the roster; each term of the sum is
non-negative), so a schedule in which person p works shift s on day d costs at least
``L(y) + excess[p, d, s]``, where ``excess`` is the cheapest roster through that cell minus the
person's cheapest roster. The cheapest roster through every (day, choice) comes from one
forward and one backward pass of the person's DP (:func:`through`), exact on the DP's states;
a DP that relaxes rules (person.py, ``make_pricer``) gives a lower value, and the soft caps'
cost it leaves out only raises a roster's real cost, so ``excess`` never overestimates and no
fixing cuts a schedule it should keep.

A cell with ``L(y) + excess > upper`` (``upper`` an incumbent's objective) is in no schedule of
objective ``upper`` or better: its decision may be fixed to 0 (:func:`fixed_cells`); a day whose
day off is so excluded must be worked. The incumbent itself always survives its own fixings
(its every cell has ``L(y) + excess <= upper``), so the reduced model's bound is the problem's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .master import Data
from .pricing import Pricer
from .tensors import move_slices

INF = np.inf
# A pass keeps every day's values (floats, forward and backward): refused above this, the
# person's cells are then left unfixed (nothing is claimed).
MEMORY_LIMIT = 256 * 2**20
TOLERANCE = 1e-6  # the duals are floats: a cell is fixed only with this much to spare


def through(
    pricer: Pricer, cell_cost: np.ndarray, day_cost: np.ndarray | None = None
) -> np.ndarray | None:
    """(days, patterns + 1): the DP's cheapest roster whose day d is pattern k (the last column:
    a day off), inf where no roster of the DP has it; None when the passes would keep more than
    :data:`MEMORY_LIMIT` bytes."""
    days = pricer.days
    if 2 * 4 * pricer.memory > MEMORY_LIMIT:  # floats (8 bytes) where pointers take 2
        return None
    move_cost, _ = pricer._move_costs(cell_cost, day_cost)
    pattern_cost = pricer.pattern_cost(cell_cost, day_cost)
    boxes = pricer._boxes
    plans = [pricer._plan(day) for day in range(days)]
    # forward[d][control]: the cheapest start of a roster in that state after d days.
    forward: list[dict[int, np.ndarray]] = [{0: np.zeros((1,) * len(pricer.shape))}]
    for day in range(days):
        box = boxes[day + 1]
        if any(lo >= hi for lo, hi in box):
            return np.full((days, len(pricer.allowed[0]) + 1), INF)
        new: dict[int, np.ndarray] = {}
        for _, t, delta in plans[day]:
            src = forward[day].get(t.src)
            if src is None:
                continue
            moved = _shift(src, boxes[day], box, delta)
            if moved is not None:
                _lower(new, t.dst, moved + move_cost[t.move, day])
        forward.append(new)
    # backward[d][control]: the cheapest end of a roster from that state after d days.
    last = tuple(hi - lo for lo, hi in boxes[days])
    backward: list[dict[int, np.ndarray]] = [{} for _ in range(days)]
    backward.append({c: np.zeros(last) for c in forward[days]})
    # rest[d, move]: the cheapest roster through the move on day d, without the move's cost.
    rest = np.full((days, len(pricer.moves) + 1), INF)
    for day in range(days - 1, -1, -1):
        back: dict[int, np.ndarray] = {}
        for _, t, delta in plans[day]:
            nxt = backward[day + 1].get(t.dst)
            if nxt is None:
                continue
            moved = _shift(nxt, boxes[day + 1], boxes[day], tuple(-d for d in delta))
            if moved is None:
                continue
            _lower(back, t.src, moved + move_cost[t.move, day])
            src = forward[day].get(t.src)
            if src is not None:
                rest[day, t.move] = min(rest[day, t.move], float((src + moved).min()))
        backward[day] = back
    out = np.full((days, len(pricer.allowed[0]) + 1), INF)
    out[:, -1] = rest[:, -1] + move_cost[-1]
    for k, m in enumerate(pricer.moves):
        members = list(m.members)
        out[:, members] = rest[:, k, None] + pattern_cost[:, members]
    return out


def _shift(
    src: np.ndarray,
    before: tuple[tuple[int, int], ...],
    box: tuple[tuple[int, int], ...],
    delta: tuple[int, ...],
) -> np.ndarray | None:
    """``src`` (over ``before``) moved by ``delta`` into ``box``; None when nothing lands."""
    cut = move_slices(before, box, delta)
    if cut is None:
        return None
    if not cut:
        return src
    out = np.full(tuple(hi - lo for lo, hi in box), INF)
    out[cut[0]] = src[cut[1]]
    return out


def _lower(into: dict[int, np.ndarray], key: int, value: np.ndarray) -> None:
    old = into.get(key)
    if old is None:
        into[key] = value.copy()
    else:
        np.minimum(old, value, out=old)


@dataclass(frozen=True)
class Reduced:
    """What reduced-cost fixing needs from one dual point (picklable: the relaxation's child
    process sends it to the solver)."""

    lagrangian: float  # L(y), unrounded
    people: tuple[str, ...]  # Problem.people order
    shifts: tuple[str, ...]  # Problem.shift_types order
    excess: np.ndarray  # (P, D, S): cheapest roster through the cell minus the cheapest (inf)
    off: np.ndarray  # (P, D): the same for a day off

    def fixed_cells(self, upper: float) -> tuple[list[tuple[str, int, str]], list[tuple[str, int]]]:
        """(cells no schedule of objective ``upper`` or better works, (person, day)s every such
        schedule works)."""
        limit = upper - self.lagrangian + TOLERANCE
        zeros = [
            (self.people[p], int(d), self.shifts[s])
            for p, d, s in zip(*np.nonzero(self.excess > limit), strict=True)
        ]
        ones = [
            (self.people[p], int(d)) for p, d in zip(*np.nonzero(self.off > limit), strict=True)
        ]
        return zeros, ones


def reduced_costs(data: Data, pricers: list[Pricer], y: np.ndarray) -> Reduced | None:
    """:class:`Reduced` at duals ``y`` (the sign each row allows); None when some person's
    passes are too large or a person has no roster."""
    P, D, S = data.P, data.D, data.S
    lagrangian = float(y @ data.rhs_array) + data.extras_term(y) + data.global_const
    excess = np.full((P, D, S), INF)
    off = np.full((P, D), INF)
    for p, pricer in enumerate(pricers):
        costs = through(pricer, data.cell_cost[p] + data.dual_cells(p, y), data.day_cost[p])
        if costs is None:
            return None
        least = float(costs.min(initial=INF))
        if not math.isfinite(least):
            return None
        lagrangian += data.const[p] + least
        off[p] = costs[:, -1] - least
        for k, pattern in enumerate(data.specs[p].patterns):
            for s in pattern:
                np.minimum(excess[p, :, s], costs[:, k] - least, out=excess[p, :, s])
    return Reduced(
        lagrangian=lagrangian,
        people=tuple(data.people),
        shifts=tuple(s.id for s in data.problem.shift_types),
        excess=excess,
        off=off,
    )
