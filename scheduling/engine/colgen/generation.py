"""Column generation rounds on the restricted master: solve its LP, price every person at
(smoothed) duals, add the rosters that price out, and keep the best Lagrangian bound (run.py
says why it is valid). The dive (dive.py) calls the same rounds with some cells banned."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .batch import batch_key, solve_batch
from .master import Column, Data, Master
from .pricing import Pricer

EPS = 1e-6
PER_PERSON = 3  # columns a pricing round may add per person (best roster per final state)


def _column(roster: list[int | None]) -> Column:
    return tuple(-1 if k is None else k for k in roster)


def groups(pricers: list[Pricer]) -> list[list[int]]:
    """People whose pricers share one structure (priced in one batched DP)."""
    found: dict[tuple, list[int]] = {}
    for p, pricer in enumerate(pricers):
        key = (batch_key(pricer.spec), pricer.exact, pricer.shape, pricer.stacked)
        found.setdefault(key, []).append(p)
    return list(found.values())


def affords(share: float, round_seconds: float, min_rounds: float) -> bool:
    """Whether ``share`` seconds of column generation afford ``min_rounds`` rounds of
    ``round_seconds`` (the first round measured: later ones grow with the master)."""
    return round_seconds * min_rounds <= share


@dataclass
class _Generation:
    bound: float = -math.inf  # the best L(y); meaningful only with nobody fixed
    duals: np.ndarray | None = None  # the y of that bound
    lp_value: float | None = None
    converged: bool = False
    iterations: int = 0
    empty: set[int] = field(default_factory=set)
    gave_up: bool = False  # the first round showed the share affords too few rounds
    trace: list[tuple[float, float, float]] = field(default_factory=list)


def _generate(
    data: Data,
    pricers: list[Pricer],
    master: Master,
    deadline: float,
    smoothing: float,
    began: float,
    fixed: frozenset[int],
    rounds: int | None = None,
    batches: list[list[int]] | None = None,
    initial: tuple[np.ndarray, float] | None = None,
    banned: dict[int, np.ndarray] | None = None,
    stop: Callable[[], bool] | None = None,
    min_rounds: float | None = None,
) -> _Generation:
    """Column generation until no column prices out, the deadline or ``rounds`` pricing rounds;
    people in ``fixed`` are not priced (their roster is fixed in the master, and there is then
    no bound). ``initial``: duals and their Lagrangian, the first centre of the smoothing.
    ``banned``: per person, the (day, choice) cells its rosters may not use (the dive's
    fixings); a person left without any roster is in ``empty``. ``stop``: polled each round.
    ``min_rounds``: after the first complete round (its LP solve and its pricing), give up
    (``gave_up``) when the whole share, ``deadline - began``, affords fewer rounds of that
    round's time (:func:`affords`)."""
    gen = _Generation()
    if batches is None:
        batches = groups(pricers)
    center: np.ndarray | None = None  # the duals of the best bound so far
    if initial is not None and not fixed:
        center, gen.bound = initial  # (duals, their Lagrangian)
        gen.duals = center
    smooth = smoothing > 0
    while time.monotonic() < deadline and (rounds is None or gen.iterations < rounds):
        if stop is not None and stop():
            break
        round_began = time.monotonic()
        solved = master.solve_lp(deadline - time.monotonic())
        if solved is None:
            break
        gen.lp_value, pi, y = solved
        gen.iterations += 1
        # Wentges smoothing: price at a point between the best-bound duals and the LP's; a
        # convex combination keeps the signs, so its L(y) is a bound like any other. (With
        # people fixed there is no bound, so no centre: plain pricing.)
        at = y if center is None or not smooth else smoothing * center + (1 - smoothing) * y
        total = float(at @ data.rhs_array) + data.extras_term(at) + data.global_const
        added, complete = 0, True
        for group in batches:
            people = [p for p in group if p not in fixed]
            if not people:
                continue
            if time.monotonic() >= deadline:
                complete = False  # a partial round gives no bound and proves nothing
                break
            priced = solve_batch(
                [pricers[p] for p in people],
                [data.cell_cost[p] + data.dual_cells(p, at) for p in people],
                [data.day_cost[p] for p in people],
                PER_PERSON,
                None if banned is None else [banned.get(p) for p in people],
            )
            for p, found in zip(people, priced, strict=True):
                if not found:  # only under the dive's fixings: the person had one at the start
                    gen.empty.add(p)
                    complete = False
                    continue
                total += data.const[p] + found[0][0]
                for _, roster in found:
                    column = _column(roster)
                    rows = data.rows(p, column)
                    reduced = data.cost(p, column) - pi[p]
                    reduced -= sum(y[r] * c for r, c in rows.items())
                    # Against the LP's own duals; a relaxed DP's roster may break a dropped rule.
                    if reduced < -EPS and (pricers[p].exact or data.valid(p, column)):
                        added += master.add(p, column)
        if complete and not fixed:
            if total > gen.bound:
                gen.bound, center = total, at
                gen.duals = at
            gen.trace.append((time.monotonic() - began, gen.lp_value, gen.bound))
        if (
            min_rounds is not None
            and gen.iterations == 1
            and complete
            and not affords(deadline - began, time.monotonic() - round_began, min_rounds)
        ):
            gen.gave_up = True
            break
        if complete and added == 0:
            if at is y:
                # Proven only when every DP is exact; a relaxed one has simply run dry.
                gen.converged = all(pricer.exact for pricer in pricers)
                break
            smooth = False  # a mispricing: price at the LP's duals next
        else:
            smooth = smoothing > 0
    return gen
