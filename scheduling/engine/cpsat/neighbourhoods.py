"""Where an incumbent's cost sits, and the large neighbourhoods aimed at it (lns.py).

A schedule's cost is local: a demand short of its target on one day, requests broken by one
person, the people at the extremes of a fairness spread, a person above a weighted cap. The
LNS frees the decisions that can change such a cost rather than a few people at random:

* ``cover``: one costly demand drawn by its cost; for a shortfall the eligible people not on
  it that day (off duty first), for an excess the people on it; their whole rosters, so their
  runs and totals can move with them;
* ``window``: every person over a window of days centred on a day drawn by its cost (cover
  and requests), plus a couple of whole rosters so runs crossing the window's edges can move;
* ``costly``: the people whose own rosters cost most (broken requests, fairness extremes,
  weighted caps, baseline changes), drawn by that cost, with a few others to trade with;
* ``people``: a few people at random (diversification);
* ``day``: the people working on a costly day (their swaps fix that day's cover);
* ``fair``: a fairness group drawn by its weighted spread: everybody at its maximum (or at its
  minimum) at once, since the spread only narrows when all of them move, and the members who
  can take the difference: below the maximum the eligible ones (with a decision that counts),
  lowest first; above the minimum, highest first. A minimum held by members who can never
  count is not a side to move.

The cost is read with the validator's own functions (objective.py), so it is the objective's
decomposition, not a second copy of it. Sizes are counted in people (whole rosters) or days
and adapted by the caller.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TypeVar

from ..model import Demand, FairnessGroup
from ..objective import broken_requests, demand_cost, fairness_measure, group_counts
from .build import Builder, Key

KINDS = ("cover", "window", "costly", "people", "day", "fair")
T = TypeVar("T")
# A fairness group's weighted spread, its members at the maximum, at the minimum, every member,
# the group and every member's count.
Spread = tuple[float, list[str], list[str], list[str], FairnessGroup, dict[str, int]]


class Targets:
    """The static part: each weighted demand with the decisions that count toward it."""

    def __init__(self, builder: Builder) -> None:
        self.b = builder
        problem = builder.problem
        self.people = sorted({k[0] for k in builder.x})
        self.keys_of: dict[str, list[Key]] = defaultdict(list)
        for key in builder.x:
            self.keys_of[key[0]].append(key)
        self.demands: list[tuple[Demand, list[Key]]] = []
        for demand in problem.demands:
            if demand.under_weight == 0 and demand.over_weight == 0:
                continue
            keys = [
                (p.id, demand.day, demand.shift)
                for p in problem.people
                if (p.id, demand.day, demand.shift) in builder.x and demand.eligibility.admits(p)
            ]
            if keys:
                self.demands.append((demand, keys))
        # Per fairness group, the members with a decision that counts toward its measure.
        self.eligible: dict[FairnessGroup, frozenset[str]] = {}
        for group in problem.fairness:
            counts = fairness_measure(problem, group.measure)
            self.eligible[group] = frozenset(
                p for p in group.people if any(counts(d, s) for _, d, s in self.keys_of.get(p, ()))
            )


class CostMap:
    """The cost of one incumbent by demand, by person and by day."""

    def __init__(self, targets: Targets, values: Mapping[Key, int]) -> None:
        b = targets.b
        problem = b.problem
        self.cells: list[tuple[int, bool, Demand, list[Key]]] = []  # cost, short?, demand, keys
        self.day_cost = [0.0] * b.days
        for demand, keys in targets.demands:
            n = sum(values[k] for k in keys)
            under, over = demand_cost(demand, n)
            if under or over:
                self.cells.append((under + over, under > 0, demand, keys))
                self.day_cost[demand.day] += under + over
        pairs: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for (p, d, s), v in values.items():
            if v:
                pairs[p].append((d, s))
        self.person_cost: dict[str, float] = defaultdict(float)
        self.spreads: list[Spread] = []
        for request in broken_requests(problem, pairs):
            self.person_cost[request.person] += request.weight
            if 0 <= request.day < b.days:
                self.day_cost[request.day] += request.weight
        for group in problem.fairness:
            if group.weight == 0 or len(group.people) < 2:
                continue
            counts = group_counts(problem, group, pairs)
            hi, lo = max(counts.values()), min(counts.values())
            if hi == lo:
                continue
            top = [pid for pid, n in counts.items() if n == hi]
            bottom = [pid for pid, n in counts.items() if n == lo]
            spread = group.weight * (hi - lo)
            self.spreads.append((spread, top, bottom, sorted(counts), group, counts))
            for pid in top + bottom:
                self.person_cost[pid] += group.weight * (hi - lo)
        if problem.change_weight:
            for a in problem.baseline:
                if not values.get((a.person, a.day, a.shift), 0):
                    self.person_cost[a.person] += problem.change_weight
        for person in problem.people:
            for cap in person.limits.caps:
                if cap.hard or not cap.weight:
                    continue
                n = sum(1 for d, s in pairs.get(person.id, ()) if cap.covers(d, s))
                if n > cap.cap:
                    self.person_cost[person.id] += cap.weight * (n - cap.cap)
        self.pairs = pairs


def _weighted(rng: random.Random, items: Sequence[T], weights: list[float]) -> T:
    return rng.choices(items, weights=weights, k=1)[0]


def _sample_by(rng: random.Random, pool: Mapping[str, float], k: int) -> set[str]:
    """Up to ``k`` distinct people drawn by weight (without replacement)."""
    left = dict(pool)
    chosen: set[str] = set()
    while left and len(chosen) < k:
        people = list(left)
        pick = rng.choices(people, weights=[left[p] for p in people], k=1)[0]
        chosen.add(pick)
        del left[pick]
    return chosen


def neighbourhood(
    kind: str,
    targets: Targets,
    costs: CostMap,
    values: Mapping[Key, int],
    rng: random.Random,
    size: int,
    days: int,
) -> tuple[str, set[Key]]:
    """The decisions freed by one move of ``kind`` (``size`` people, ``days`` days), and the
    kind that was actually used (a kind with nothing to aim at falls back to ``people``)."""
    b = targets.b
    people = targets.people
    size = max(1, min(size, len(people)))

    def rosters(chosen: set[str], extra: int) -> set[Key]:
        while len(chosen) < min(size + extra, len(people)):
            chosen.add(rng.choice(people))
        return {k for p in chosen for k in targets.keys_of[p]}

    if kind == "cover" and costs.cells:
        _, short, _, keys = _weighted(rng, costs.cells, [float(c[0]) for c in costs.cells])
        if short:
            off = [k[0] for k in keys if not any(values.get((k[0], k[1], s), 0)
                                                 for s in b.shifts_of[(k[0], k[1])])]  # fmt: skip
            other = [k[0] for k in keys if not values[k] and k[0] not in set(off)]
            pool = {p: 3.0 for p in off} | {p: 1.0 for p in other}
        else:
            pool = {k[0]: 1.0 for k in keys if values[k]}
        return kind, rosters(_sample_by(rng, pool, max(1, size - 1)), 1)
    if kind == "window":
        span = max(1, min(days, b.days))
        weights = [c + 1e-3 for c in costs.day_cost]
        centre = _weighted(rng, range(b.days), weights)
        start = max(0, min(b.days - span, centre - span // 2 + rng.randint(-1, 1)))
        window = range(start, start + span)
        extra = set(rng.sample(people, min(2, len(people))))
        return kind, {k for k in b.x if k[1] in window or k[0] in extra}
    if kind == "costly" and costs.person_cost:
        chosen = _sample_by(rng, costs.person_cost, max(1, (size + 1) // 2))
        return kind, rosters(chosen, 0)
    if kind == "day" and any(costs.day_cost):
        weights = [c + 1e-3 for c in costs.day_cost]
        day = _weighted(rng, range(b.days), weights)
        busy = {p: 1.0 for p, pairs in costs.pairs.items() if any(d == day for d, _ in pairs)}
        return kind, rosters(_sample_by(rng, busy, size), 1)
    if kind == "fair" and costs.spreads:
        spread = _weighted(rng, costs.spreads, [c[0] for c in costs.spreads])
        chosen = _fair(targets, spread, rng, size)
        if chosen:
            return kind, {k for p in chosen for k in targets.keys_of[p]}
    chosen = set(rng.sample(people, size))
    return "people", {k for p in chosen for k in targets.keys_of[p]}


def _fair(
    targets: Targets,
    spread: Spread,
    rng: random.Random,
    size: int,
) -> set[str]:
    """The people of one ``fair`` move: one extreme of a group's spread, all at once, and the
    members who can take the difference from it (module docstring)."""
    _, top, bottom, _, group, counts = spread
    eligible = targets.eligible.get(group, frozenset()) & set(targets.keys_of)
    hi, lo = counts[top[0]], counts[bottom[0]]
    # A minimum only rises where its members can count; else the maximum is the side to move.
    lowest = [p for p in bottom if p in eligible]
    raise_minimum = bool(lowest) and rng.random() < 0.5
    side = lowest if raise_minimum else [p for p in top if p in eligible]
    chosen = set(rng.sample(side, min(len(side), max(4, 3 * size))))
    # Donors to a minimum, highest first; takers from a maximum, lowest first (ties at random).
    order = [
        p
        for p in sorted(eligible - chosen)
        if (counts[p] > lo if raise_minimum else counts[p] < hi)
    ]
    rng.shuffle(order)
    order.sort(key=lambda p: -counts[p] if raise_minimum else counts[p])
    chosen |= set(order[: max(2, size // 2 + 1)])
    return chosen
