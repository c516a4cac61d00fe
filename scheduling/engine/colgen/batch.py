"""Pricing several people at once: those whose DPs share one structure (the patterns each day
allows aside) are priced in one batched DP, a leading batch axis on every tensor."""

from __future__ import annotations

from typing import Any

import numpy as np

from .person import PersonSpec
from .pricing import Pricer


def solve_batch(
    pricers: list[Pricer],
    cell_costs: list[np.ndarray],
    day_costs: list[np.ndarray],
    count: int,
    banned: list[np.ndarray | None] | None = None,
) -> list[list[tuple[float, list[int | None]]]]:
    """:meth:`Pricer.solve_many` for people whose pricers share one structure (built with the
    same ``structure``; :func:`batch_key` equal), in one batched DP when the first one uses the
    stacked form, one by one otherwise. ``banned``: per person, choices not allowed (the dive's
    fixings; :meth:`Pricer.solve_many`)."""
    first = pricers[0]
    bans = banned if banned is not None else [None] * len(pricers)
    if len(pricers) == 1 or not first.stacked:
        return [
            p.solve_many(c, count, d, b)
            for p, c, d, b in zip(pricers, cell_costs, day_costs, bans, strict=True)
        ]
    moves = [
        p._move_costs(c, d, b)
        for p, c, d, b in zip(pricers, cell_costs, day_costs, bans, strict=True)
    ]
    solved = first._stacked_batch(np.stack([m[0] for m in moves]))
    if solved is None:
        return [[] for _ in pricers]
    ends, pointers = solved
    return [
        p._found(e, ptr, m[1], count)
        for p, e, ptr, m in zip(pricers, ends, pointers, moves, strict=True)
    ]


def batch_key(spec: PersonSpec) -> tuple[Any, ...]:
    """Everything of a spec the DP's structure depends on, but its allowed patterns."""
    return (
        spec.days,
        spec.patterns,
        spec.forbidden.tobytes(),
        spec.minutes,
        spec.min_total,
        spec.max_total,
        spec.weekend_key,
        spec.max_weekends,
        spec.min_work,
        spec.max_work,
        spec.min_off,
        tuple((c.name, c.limit, c.inc.tobytes()) for c in spec.counters),
        spec.night,
        spec.night_cap,
        spec.must_work.tobytes(),
        spec.relaxed,
    )
