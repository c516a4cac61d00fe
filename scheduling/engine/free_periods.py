"""The exact "one day in seven free" structure shared by the CP-SAT and MIP encodings.

The validator (acgme.py) counts, in each window [ws, we), floor(g / 24 h) over the gaps g
between busy blocks (duty and at-home call), each gap clipped to the window. That count is at
least N exactly when the solver can switch on N of these literals for the window:

* lead slices ``H(w, k)``: "[ws, ws + (k+1) x 24 h) is free" for k < N, the gap that contains
  the window's start, clipped at it;
* anchored slices ``F(a, k)``: "a busy item ends at a and [a, a + (k+1) x 24 h) is free" for an
  anchor a (an end instant of some busy item) with ws < a and a + (k+1) x 24 h <= we.

Both kinds are chains: slice k implies slice k-1 and that no busy item overlaps its own 24 h.
Sound: distinct switched-on literals are distinct 24 h free periods the validator counts (two
anchors start two different gaps; an anchored gap starts after the lead gap ends). Complete: a
schedule the validator accepts switches on min(N, floor) literals per gap, which is its count
capped at N. Real minutes throughout, so a 23 h DST day never makes a free period on its own.

Size. The 24 h "nothing busy from t" facts are shared literals ``Z(t)`` (one per distinct
instant, constant when no item can overlap); a chain node only implies its predecessor, its
Z and (first node) an anchor item. Windows that no schedule can break (nothing can be busy in
their first or last N x 24 h) get no constraint and no nodes. Window sums are taken through two
per-day prefix sums over the anchored nodes, by slice end (``by_end``) and by anchor
(``by_anchor``): for a window of 28 days and slices of at most N <= 28 days, the anchored nodes
inside [ws, we) are those ending by we minus those anchored by ws.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from .duty import MINUTES_PER_DAY

Key = Hashable  # a solver's variable key; None for a fixed (history) item


@dataclass
class Node:
    """One literal: [chain start, end) is free (this node's 24 h and all its predecessors')."""

    start: int  # of this node's own 24 h
    end: int
    previous: int | None  # index of node k-1 of the chain
    zone: int | None  # instant t of the shared Z(t), None when nothing can be busy there
    anchor_keys: list[Key] = field(default_factory=list)  # one must be on (anchored k = 0)
    anchor_fixed: bool = False  # a fixed item ends at the anchor (or a lead chain)


@dataclass
class FreeStructure:
    """Shared Z literals, chain nodes, windows and the prefix buckets of one person."""

    need: int
    zones: dict[int, list[Key]]  # t -> variables overlapping [t, t + 24 h)
    nodes: list[Node]
    windows: list[int]  # frame indexes of the windows that need a constraint
    lead: dict[int, list[int]]  # window -> its lead nodes
    by_end: list[list[int]]  # per frame day i: anchored nodes ending in (mid[i-1], mid[i]]
    by_anchor: list[list[int]]  # per frame day i: anchored nodes anchored in (mid[i-1], mid[i]]
    length: int


def free_structure(
    busy: Sequence[tuple[Key | None, int, int]],
    midnights: Sequence[int],
    windows: int,
    length: int,
    need: int,
) -> FreeStructure:
    """``busy``: (key or None when fixed, start, end) of every possibly busy item, any order;
    ``midnights[i]`` the midnight of frame day i (windows start at frame days 0 .. windows-1)."""
    day = MINUTES_PER_DAY
    items = sorted(busy, key=lambda t: t[1])
    starts = [t[1] for t in items]
    longest = max((t[2] - t[1] for t in items), default=0)
    zones: dict[int, list[Key]] = {}
    blocked: set[int] = set()
    nodes: list[Node] = []

    def overlapping(lo: int, hi: int) -> list[tuple[Key | None, int, int]]:
        out = []
        for item in items[bisect_left(starts, lo - longest) :]:
            if item[1] >= hi:
                break
            if item[2] > lo:
                out.append(item)
        return out

    def never_free(t: int) -> bool:
        """Whether a fixed item overlaps [t, t + 24 h); records Z(t) when it is a literal."""
        if t in blocked:
            return True
        if t not in zones:
            found = overlapping(t, t + day)
            if any(k is None for k, _, _ in found):
                blocked.add(t)
                return True
            zones[t] = [k for k, _, _ in found]
        return False

    def chain(start: int, anchor_keys: list[Key], anchor_fixed: bool) -> list[int]:
        """Nodes k = 0 .. need-1 from ``start``, stopping at the first that is never free."""
        made: list[int] = []
        for k in range(need):
            lo = start + k * day
            if never_free(lo):
                break
            first = k == 0
            nodes.append(
                Node(
                    lo,
                    lo + day,
                    made[-1] if made else None,
                    lo if zones[lo] else None,
                    anchor_keys if first else [],
                    anchor_fixed if first else True,
                )
            )
            made.append(len(nodes) - 1)
        return made

    active = []
    for w in range(windows):
        ws, we = midnights[w], midnights[w + length]
        if not overlapping(ws, ws + need * day) or not overlapping(we - need * day, we):
            continue  # a free stretch of need x 24 h at an end: no schedule breaks it
        active.append(w)
    lead = {w: chain(midnights[w], [], True) for w in active}

    frame_days = len(midnights)
    by_end: list[list[int]] = [[] for _ in range(frame_days)]
    by_anchor: list[list[int]] = [[] for _ in range(frame_days)]
    if active:
        lo, hi = midnights[active[0]], midnights[active[-1] + length]
        ends: dict[int, list[Key | None]] = {}
        for key, _s, e in items:
            if lo < e < hi:
                ends.setdefault(e, []).append(key)
        for anchor, keys in sorted(ends.items()):
            fixed = any(k is None for k in keys)
            made = chain(anchor, [k for k in keys if k is not None], fixed)
            a_day = bisect_left(midnights, anchor)  # first i with mid[i] >= anchor
            for index in made:
                e_day = bisect_left(midnights, nodes[index].end)
                if e_day < frame_days:
                    by_end[e_day].append(index)
                by_anchor[a_day].append(index)
    return FreeStructure(need, zones, nodes, active, lead, by_end, by_anchor, length)
