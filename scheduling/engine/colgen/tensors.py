"""The pricing DP's tensor helpers: final states, the stacked form's per-day layout, and the
slices that move a tensor of resource cells from one day's box to the next."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

End = tuple[float, int, tuple[int, ...]]  # (value, final control, cell within the last box)
Pointer = Callable[[int, int, tuple[int, ...]], int]  # (day, control, cell) -> transition


def no_pointer(day: int, control: int, local: tuple[int, ...]) -> int:
    raise AssertionError("no roster to trace back")


def ends_of(values: Iterable[tuple[int, np.ndarray]]) -> list[End]:
    """The cheapest cell of each final control state that has a finite one."""
    ends = []
    for c, v in values:
        at = tuple(int(a) for a in np.unravel_index(int(v.argmin()), v.shape))
        if np.isfinite(v[at]):
            ends.append((float(v[at]), c, at))
    return ends


@dataclass(frozen=True)
class Layout:
    size: tuple[int, ...]  # the day's box
    groups: list[tuple[np.ndarray, tuple[tuple[slice, ...], ...]]]  # (sources, cut) per delta
    rows: np.ndarray  # per live transition (sorted by destination): its row among the groups
    moves: np.ndarray  # its move (-1: a day off)
    transitions: np.ndarray  # its index in Pricer.transitions
    dsts: np.ndarray  # the destination controls, sorted
    starts: np.ndarray  # where each destination's transitions start
    segment: np.ndarray  # the destination (position in dsts) of each transition
    priority: np.ndarray  # len - position, shaped to broadcast over the box
    column: tuple[int, ...]  # shape broadcasting one value per transition over the box
    where: dict[int, int]  # destination control -> position in dsts


def move_slices(
    before: tuple[tuple[int, int], ...], box: tuple[tuple[int, int], ...], delta: tuple[int, ...]
) -> tuple[tuple[slice, ...], ...] | None:
    """(destination slices, source slices) moving a tensor over ``before`` by ``delta`` into
    ``box``; () when the move is the identity, None when no cell survives."""
    if before == box and not any(delta):
        return ()
    dst, take = [], []
    for (lo0, hi0), (lo, hi), d in zip(before, box, delta, strict=True):
        first, last = max(lo - d, lo0), min(hi - d, hi0)  # source cells, absolute
        if first >= last:
            return None
        dst.append(slice(first + d - lo, last + d - lo))
        take.append(slice(first - lo0, last - lo0))
    return tuple(dst), tuple(take)
