"""Price and dive: a roster from the master's LP by fixing and re-pricing, fast enough to hand a
first schedule to the solve (the restricted master IP then starts from it).

Two forms (``run.DIVE``):

- ``cells``: fix (person, day) cells, each to the choice (a day pattern or a day off) the LP
  puts at least ``CELL_NEAR`` on, and at least ``CELL_SHARE`` of the free cells, the nearest to
  whole first; columns that disagree with a fixing are barred, the pricing DP bans the other
  choices of a fixed cell, one pricing round re-prices the people not wholly fixed, repeat until
  the LP is integral. A person left without any roster under the fixings undoes this round's
  fixings of theirs, which are not tried again (the backtrack).
- ``people``: fix whole people whose LP roster is (nearly) whole, at least a tenth of those
  left (the first version; measured slower and worse on Instance 8, kept as the switch's other
  side).

Both undo their fixings before returning; None when the deadline comes first.

The cell dive's LP stays within a few units of the root's while it fixes most cells, then rises
by a hundred or more in one round (Instance 8: 1299 -> 1422 with 688 of 840 cells fixed), and
every later round makes it worse (1500-1700 at the end). The cells fixed before the first round
that raises the LP by more than ``RISE`` of its value go to ``on_rise``: completed by an exact
search over the free cells (cpsat/relaxation.py), they gave 1405 and 1406 (proved optimal for
those fixings, in under 3 s) where the dive went on to 1600-1700.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from .generation import PER_PERSON, _column, _generate
from .master import Column, Data, Master
from .pricing import Pricer

DIVE_ROUNDS = 1  # pricing rounds between two fixings (a heuristic: no need to converge)
CELL_NEAR = 0.9  # a cell whose LP choice has at least this value is fixed to it
CELL_SHARE = 0.05  # and at least this share of the free cells, the nearest to whole first
PEOPLE_NEAR = 0.9
PEOPLE_SHARE = 0.1
FREE = -2  # a cell not fixed (-1: fixed to a day off, k >= 0: to pattern k)
WHOLE = 1 - 1e-6
RISE = 0.01  # the LP's rise, as a share of its value, that hands the fixings to ``on_rise``


def dive_cells(
    data: Data,
    pricers: list[Pricer],
    master: Master,
    deadline: float,
    smoothing: float,
    stop: Callable[[], bool] | None = None,
    on_rise: Callable[[np.ndarray], None] | None = None,
) -> list[Column] | None:
    """``on_rise(fixed)``: called once, with the (person, day) choices fixed (``FREE``: not
    fixed) before the first round that raised the LP by more than ``RISE`` (some fixed)."""
    P, D = data.P, data.D
    width = 1 + max(len(spec.patterns) for spec in data.specs)  # choice + 1 (0: a day off)
    fixed = np.full((P, D), FREE, dtype=np.int64)
    tabu: set[tuple[int, int, int]] = set()
    barred = np.zeros(0, dtype=bool)

    def bans(p: int) -> np.ndarray | None:
        """The person's banned (day, choice) cells for the DP (last choice: a day off)."""
        days = np.flatnonzero(fixed[p] != FREE)
        if not len(days):
            return None
        n = len(data.specs[p].patterns)
        out = np.ones((D, n + 1), dtype=bool)
        out[np.setdiff1d(np.arange(D), days)] = False
        keep = fixed[p, days]
        out[days, np.where(keep < 0, n, keep)] = False
        return out

    def rebar() -> None:
        nonlocal barred
        cols = np.array(master.columns, dtype=np.int64).reshape(-1, D)
        owner = np.array(master.owner, dtype=np.int64)
        mine = fixed[owner]
        bad = ((mine != FREE) & (cols != mine)).any(axis=1)
        if len(barred) < len(bad):
            barred = np.concatenate([barred, np.zeros(len(bad) - len(barred), dtype=bool)])
        master.bar(np.flatnonzero(bad & ~barred), True)
        master.bar(np.flatnonzero(~bad & barred), False)
        barred = bad

    def has_column(p: int) -> bool:
        owner = np.array(master.owner, dtype=np.int64)
        return bool(((owner == p) & ~barred[: len(owner)]).any())

    before: float | None = None  # the LP before the last fixing round
    last: np.ndarray | None = None  # the fixings before the last round
    try:
        y = None
        while time.monotonic() < deadline and not (stop is not None and stop()):
            solved = master.solve_lp(deadline - time.monotonic())
            if solved is None:
                return None
            lp, _, y = solved
            if on_rise is not None and before is not None and last is not None:
                if lp > before + RISE * abs(before) and (last != FREE).any():
                    on_rise(last)
                    on_rise = None
            before, last = lp, fixed.copy()
            values = master.values()
            n = len(values)
            cols = np.array(master.columns[:n], dtype=np.int64).reshape(-1, D)
            owner = np.array(master.owner[:n], dtype=np.int64)
            top = np.zeros(P)
            np.maximum.at(top, owner, values)
            if (top >= WHOLE).all():
                picked: list[Column | None] = [None] * P
                for j in np.flatnonzero(values >= WHOLE):
                    picked[owner[j]] = master.columns[j]
                return [c for c in picked if c is not None] if None not in picked else None
            share = np.zeros((P, D, width))
            live = values > 1e-9
            rows = np.broadcast_to(owner[live][:, None], (int(live.sum()), D))
            np.add.at(share, (rows, np.arange(D)[None, :], cols[live] + 1), values[live][:, None])
            choice, weight = share.argmax(axis=2) - 1, share.max(axis=2)
            free = fixed == FREE
            for p, d, c in tabu:
                if choice[p, d] == c:
                    free[p, d] = False
            order = np.argsort(-np.where(free, weight, -1.0), axis=None)
            count = int(free.sum())
            if count == 0:
                return None  # every cell fixed or tabu and still fractional: give up
            least = max(1, math.ceil(CELL_SHARE * count))
            picks = [
                np.unravel_index(i, (P, D))
                for k, i in enumerate(order[:count])
                if k < least or weight.flat[i] >= CELL_NEAR
            ]
            step: dict[int, list[int]] = {}
            for p, d in picks:
                fixed[p, d] = choice[p, d]
                step.setdefault(int(p), []).append(int(d))
            rebar()
            for p, days in step.items():
                if has_column(p):
                    continue
                cost = data.cell_cost[p] + data.dual_cells(p, y)
                found = pricers[p].solve_many(cost, PER_PERSON, data.day_cost[p], bans(p))
                added = False
                for _, roster in found:
                    column = _column(roster)
                    if pricers[p].exact or data.valid(p, column):
                        added |= master.add(p, column)
                if not added:  # the backtrack: this round's fixings of p undone, not retried
                    for d in days:
                        tabu.add((p, d, int(fixed[p, d])))
                        fixed[p, d] = FREE
                rebar()
            whole = frozenset(int(p) for p in np.flatnonzero((fixed != FREE).all(axis=1)))
            banned = {p: b for p in range(P) if p not in whole and (b := bans(p)) is not None}
            _generate(data, pricers, master, deadline, smoothing, 0.0, whole,
                      rounds=DIVE_ROUNDS, banned=banned, stop=stop)  # fmt: skip
            rebar()
        return None
    finally:
        master.bar(np.flatnonzero(barred), False)


def dive_people(
    data: Data,
    pricers: list[Pricer],
    master: Master,
    deadline: float,
    smoothing: float,
    stop: Callable[[], bool] | None = None,
) -> list[Column] | None:
    fixed: dict[int, int] = {}  # person -> fixed column
    try:
        while len(fixed) < data.P and time.monotonic() < deadline:
            if stop is not None and stop():
                return None
            gen = _generate(data, pricers, master, deadline, smoothing, 0.0, frozenset(fixed),
                            rounds=DIVE_ROUNDS)  # fmt: skip
            if gen.lp_value is None or master.solve_lp(deadline - time.monotonic()) is None:
                return None  # the deadline (the LP re-solve takes in the last columns)
            free = sorted(((v, p, j) for p, (j, v) in master.best_columns().items()
                           if p not in fixed), reverse=True)  # fmt: skip
            least = max(1, int(PEOPLE_SHARE * (data.P - len(fixed))))
            chosen = {p: j for i, (v, p, j) in enumerate(free) if v > PEOPLE_NEAR or i < least}
            if not chosen:
                return None
            for p, j in chosen.items():
                master.fix(j, True)
                fixed[p] = j
        if len(fixed) < data.P:
            return None
        return [master.columns[fixed[p]] for p in range(data.P)]
    finally:
        for j in fixed.values():
            master.fix(j, False)
