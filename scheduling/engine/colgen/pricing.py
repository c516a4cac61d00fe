"""Pricing for the roster-pattern relaxation: one person's cheapest whole roster, by dynamic
programming over the days with the person's sequence rules as states.

The person is a :class:`~.person.PersonSpec` (what it keeps exactly and what it relaxes is said
there). A roster is one day pattern (a set of shifts) or a day off per day. Its cost is the sum
of a per-(day, shift) cost and a per-worked-day cost the caller gives (request penalties minus
the master's duals); off days cost nothing.

State = a small *control* state times a dense numpy *resource* tensor:

- control: ``("W", successor class, run length, exempt, night run)`` after a worked day, ``("O",
  run length, exempt)`` after a day off, ``("S",)`` before day 0. The successor class is the set
  of patterns forbidden after the last one (patterns with equal sets share one state); run
  lengths are capped where the rules stop caring (at the max consecutive days when it can bind,
  else at the minimum; days off at their minimum); ``exempt`` marks a run begun on day 0 that is
  still shorter than its minimum; the night run counts consecutive night-float days (only when
  a cap applies).
- resources (one tensor axis each, only where the rule can bind): total minutes in units of the
  gcd of the pattern lengths, weekends worked, and one count per :class:`~.person.Counter`
  (shift-type maxima, caps, the ACGME window's duty minutes and calls) whose limit can bind.

Patterns that are interchangeable for every rule (same successor set, same predecessor set,
same length, same counter increments every day, same night flag) form one *move*: each day it
costs its cheapest member allowed that day. The DP keeps, for every control state, the cheapest
cost of each resource cell (an exact state, so no dominance test is needed) and a back-pointer
per cell; the total work per day is a few numpy operations per (control state, move) pair.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .person import PersonSpec, PricingTooLarge
from .states import PricerStates
from .tensors import End, Layout, Pointer, ends_of, move_slices, no_pointer

INF = np.inf
STACK_CELLS = 512  # largest box (resource cells) priced in the stacked form
# Back-pointers of one pricing call (every day, control state and resource cell) above this
# are refused rather than risking the process's memory on a very large instance.
MEMORY_LIMIT = 512 * 2**20

__all__ = ["MEMORY_LIMIT", "STACK_CELLS", "Pricer", "PricingTooLarge", "make_pricer"]


def make_pricer(spec: PersonSpec, structure: np.ndarray | None = None) -> Pricer:
    """The exact DP when it fits in :data:`MEMORY_LIMIT`, else one that ignores the counters
    (shift-type maxima, caps, ACGME window), then also the weekends: a relaxation, so its
    minimum is still a lower bound (the Lagrangian bound stays valid, only weaker) but its
    rosters must be checked before use. Raises :class:`PricingTooLarge` when even that does not
    fit."""
    try:
        return Pricer(spec, structure=structure)
    except PricingTooLarge:
        pass
    try:
        return Pricer(spec, relax_caps=True, structure=structure)
    except PricingTooLarge:
        return Pricer(spec, relax_caps=True, relax_weekends=True, structure=structure)


class Pricer(PricerStates):
    """The DP for one person over its states (states.py); build once, call :meth:`solve` with
    each cost matrix. ``relax_caps`` / ``relax_weekends`` drop the counters / the weekend
    limit."""

    def __init__(
        self,
        spec: PersonSpec,
        *,
        relax_caps: bool = False,
        relax_weekends: bool = False,
        structure: np.ndarray | None = None,
    ) -> None:
        super().__init__(
            spec,
            relax_caps=relax_caps,
            relax_weekends=relax_weekends,
            structure=structure,
            memory_limit=MEMORY_LIMIT,
            stack_cells=STACK_CELLS,
        )

    def pattern_cost(self, cell_cost: np.ndarray, day_cost: np.ndarray | None = None) -> np.ndarray:
        """(days, patterns) cost of working each pattern each day, inf where not allowed."""
        width = self.incidence.shape[0]
        cost = cell_cost[:, :width] @ self.incidence
        if day_cost is not None:
            cost += day_cost[:, None]
        return np.where(self.allowed, cost, INF)

    def solve(
        self, cell_cost: np.ndarray, day_cost: np.ndarray | None = None
    ) -> tuple[float, list[int | None]]:
        """The cheapest feasible roster under ``cell_cost[day, shift]`` (+ ``day_cost[day]`` per
        worked day): (cost, pattern index or None per day). (inf, []) when the person has no
        feasible roster."""
        found = self.solve_many(cell_cost, 1, day_cost)
        return found[0] if found else (INF, [])

    def solve_many(
        self,
        cell_cost: np.ndarray,
        count: int,
        day_cost: np.ndarray | None = None,
        banned: np.ndarray | None = None,
    ) -> list[tuple[float, list[int | None]]]:
        """Up to ``count`` rosters, cheapest first: the cheapest of all, then the cheapest
        ending in each other final state (distinct rosters). [] when none is feasible.
        ``banned`` (days, patterns + 1; the last column a day off): choices not allowed."""
        move_cost, move_pick = self._move_costs(cell_cost, day_cost, banned)
        if self.stacked:
            ends, pointer = self._stacked(move_cost)
        else:
            ends, pointer = self._per_control(move_cost)
        return self._found(ends, pointer, move_pick, count)

    def _move_costs(
        self, cell_cost: np.ndarray, day_cost: np.ndarray | None, banned: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each move's cost per day and the member that achieves it; row -1 is a day off."""
        days = self.days
        pattern_cost = self.pattern_cost(cell_cost, day_cost)
        move_cost = np.zeros((len(self.moves) + 1, days))
        if banned is not None:
            pattern_cost[banned[:, :-1]] = INF
            move_cost[-1, banned[:, -1]] = INF
        move_pick = np.empty((len(self.moves), days), dtype=np.int64)
        for k, m in enumerate(self.moves):
            sub = pattern_cost[:, list(m.members)]
            best = sub.argmin(axis=1)
            move_pick[k] = np.asarray(m.members)[best]
            move_cost[k] = sub[np.arange(days), best]
        return move_cost, move_pick

    def _found(
        self, ends: list[End], pointer: Pointer, move_pick: np.ndarray, count: int
    ) -> list[tuple[float, list[int | None]]]:
        ends.sort()
        found = []
        for value, control, at in ends[:count]:
            cell = tuple(a + lo for a, (lo, _) in zip(at, self._boxes[self.days], strict=True))
            found.append((value, self._backtrack(pointer, move_pick, control, cell)))
        return found

    def _per_control(self, move_cost: np.ndarray) -> tuple[list[End], Pointer]:
        """The DP with one tensor per reachable control state and a few numpy operations per
        transition: the faster form when the boxes are large."""
        values: dict[int, np.ndarray] = {0: np.zeros((1,) * len(self.shape))}
        back: list[dict[int, np.ndarray]] = []
        for day in range(self.days):
            box = self._boxes[day + 1]
            if any(lo >= hi for lo, hi in box):
                return [], no_pointer
            size = tuple(hi - lo for lo, hi in box)
            new: dict[int, np.ndarray] = {}
            arg: dict[int, np.ndarray] = {}
            moved: dict[tuple[int, tuple[int, ...]], np.ndarray | None] = {}
            for ti, t, delta in self._plan(day):
                src = values.get(t.src)
                if src is None:
                    continue
                key = (t.src, delta)
                if key not in moved:  # moves of one length share the shifted tensor
                    moved[key] = self._moved(src, day, size, delta)
                base = moved[key]
                if base is None:
                    continue
                cand = base + move_cost[t.move, day]
                old = new.get(t.dst)
                if old is None:
                    new[t.dst] = cand
                    arg[t.dst] = np.full(size, ti, dtype=self._index_type)
                else:
                    better = cand < old
                    np.copyto(old, cand, where=better)
                    arg[t.dst][better] = ti
            values = {c: v for c, v in new.items() if np.isfinite(v).any()}
            back.append(arg)

        def pointer(day: int, control: int, local: tuple[int, ...]) -> int:
            return int(back[day][control][local])

        return ends_of(values.items()), pointer

    def _moved(
        self, src: np.ndarray, day: int, size: tuple[int, ...], delta: tuple[int, ...]
    ) -> np.ndarray | None:
        """``src`` (over the box before ``day``) moved up by ``delta`` into the day's box;
        None when no cell survives, ``src`` itself (not a copy) when nothing moves."""
        key = (day, delta)
        if key not in self._cuts:
            self._cuts[key] = move_slices(self._boxes[day], self._boxes[day + 1], delta)
        cut = self._cuts[key]
        if cut is None:
            return None
        if not cut:
            return src
        out = np.full(size, INF)
        out[cut[0]] = src[cut[1]]
        return out

    def _stacked(self, move_cost: np.ndarray) -> tuple[list[End], Pointer]:
        """The DP with every control state in one tensor and a dozen numpy operations per day
        (transitions gathered, segment minima by destination): the faster form when the boxes
        are small and Python's per-operation cost would dominate."""
        days = self.days
        # One tensor for all control states: axis 0 is the control, the others the day's box
        # of resource cells (cell i of the box is resource cell box.lo + i).
        values = np.full((len(self.controls),) + (1,) * len(self.shape), INF)
        values[0] = 0.0
        back: list[np.ndarray] = []
        for day in range(days):
            lay = self._layout(day)
            if lay is None:
                return [], no_pointer
            parts = []
            for srcs, cut in lay.groups:
                if not cut:
                    parts.append(values[srcs])
                else:
                    part = np.full((len(srcs), *lay.size), INF)
                    take: tuple[Any, ...] = (srcs, *cut[1])
                    part[(slice(None), *cut[0])] = values[take]
                    parts.append(part)
            cand = np.concatenate(parts)[lay.rows]
            cand += move_cost[lay.moves, day].reshape(lay.column)
            best = np.minimum.reduceat(cand, lay.starts, axis=0)
            # The first transition of each destination's segment that reaches its minimum.
            hits = np.where(cand == best[lay.segment], lay.priority, 0)
            back.append(len(lay.rows) - np.maximum.reduceat(hits, lay.starts, axis=0))
            values = np.full((len(self.controls), *lay.size), INF)
            values[lay.dsts] = best

        def pointer(day: int, control: int, local: tuple[int, ...]) -> int:
            lay = self._layouts[day]
            assert lay is not None
            return int(lay.transitions[int(back[day][(lay.where[control], *local)])])

        return ends_of(enumerate(values)), pointer

    def _stacked_batch(self, move_cost: np.ndarray) -> tuple[list[list[End]], list[Pointer]] | None:
        """:meth:`_stacked` for several people sharing this pricer's structure at once (a
        leading batch axis on every tensor; ``move_cost`` is (people, moves + 1, days)). None
        when no roster is feasible for anyone."""
        batch = move_cost.shape[0]
        controls = len(self.controls)
        values = np.full((batch, controls) + (1,) * len(self.shape), INF)
        values[:, 0] = 0.0
        back: list[np.ndarray] = []
        everything = slice(None)
        for day in range(self.days):
            lay = self._layout(day)
            if lay is None:
                return None
            parts = []
            for srcs, cut in lay.groups:
                if not cut:
                    parts.append(values[:, srcs])
                else:
                    part = np.full((batch, len(srcs), *lay.size), INF)
                    take: tuple[Any, ...] = (everything, srcs, *cut[1])
                    part[(everything, everything, *cut[0])] = values[take]
                    parts.append(part)
            cand = np.concatenate(parts, axis=1)[:, lay.rows]
            cand += move_cost[:, lay.moves, day].reshape((batch, *lay.column))
            best = np.minimum.reduceat(cand, lay.starts, axis=1)
            hits = np.where(cand == best[:, lay.segment], lay.priority, 0)
            back.append(len(lay.rows) - np.maximum.reduceat(hits, lay.starts, axis=1))
            values = np.full((batch, controls, *lay.size), INF)
            values[:, lay.dsts] = best

        def pointer_of(b: int) -> Pointer:
            def pointer(day: int, control: int, local: tuple[int, ...]) -> int:
                lay = self._layouts[day]
                assert lay is not None
                return int(lay.transitions[int(back[day][(b, lay.where[control], *local)])])

            return pointer

        return [ends_of(enumerate(values[b])) for b in range(batch)], [
            pointer_of(b) for b in range(batch)
        ]

    def _layout(self, day: int) -> Layout | None:
        """How one day's transitions read the previous day's tensor (cached per day); None
        when no resource cell is left (no feasible roster)."""
        if day in self._layouts:
            return self._layouts[day]
        box = self._boxes[day + 1]
        if any(lo >= hi for lo, hi in box):
            self._layouts[day] = None
            return None
        size = tuple(hi - lo for lo, hi in box)
        live = []  # (transition, its delta, the cut moving its source)
        cuts: dict[tuple[int, ...], tuple[tuple[slice, ...], ...] | None] = {}
        for ti, t, delta in self._plan(day):
            if delta not in cuts:
                cuts[delta] = move_slices(self._boxes[day], box, delta)
            if cuts[delta] is not None:
                live.append((t.dst, ti, t, delta))
        live.sort(key=lambda item: (item[0], item[1]))
        sources: dict[tuple[int, ...], set[int]] = {}
        for _, _, t, d in live:
            sources.setdefault(d, set()).add(t.src)
        groups = []
        row_of: dict[tuple[int, tuple[int, ...]], int] = {}  # rows in the order of groups
        for delta, cut in cuts.items():
            if cut is None:
                continue
            srcs = sorted(sources[delta])
            for src in srcs:
                row_of[(src, delta)] = len(row_of)
            groups.append((np.array(srcs, dtype=np.int64), cut))
        dsts = sorted({dst for dst, *_ in live})
        first: dict[int, int] = {}
        for i, item in enumerate(live):
            first.setdefault(item[0], i)
        starts = [first[d] for d in dsts]
        segment = np.repeat(np.arange(len(dsts)), np.diff([*starts, len(live)]))
        column = (len(live),) + (1,) * len(size)
        layout = Layout(
            size=size,
            groups=groups,
            rows=np.array([row_of[(t.src, d)] for _, _, t, d in live], dtype=np.int64),
            moves=np.array([t.move for _, _, t, _ in live], dtype=np.int64),
            transitions=np.array([ti for _, ti, _, _ in live], dtype=np.int64),
            dsts=np.array(dsts, dtype=np.int64),
            starts=np.array(starts, dtype=np.int64),
            segment=segment,
            priority=(len(live) - np.arange(len(live))).reshape(column).astype(np.int16),
            column=column,
            where={d: i for i, d in enumerate(dsts)},
        )
        self._layouts[day] = layout
        return layout

    def _backtrack(
        self, pointer: Pointer, move_pick: np.ndarray, control: int, cell: tuple[int, ...]
    ) -> list[int | None]:
        roster: list[int | None] = [None] * self.days
        for day in range(self.days - 1, -1, -1):
            box = self._boxes[day + 1]
            local = tuple(c - lo for c, (lo, _) in zip(cell, box, strict=True))
            t = self.transitions[pointer(day, control, local)]
            step = self._delta(t, day)
            assert step is not None
            if t.move >= 0:
                roster[day] = int(move_pick[t.move, day])
            cell = tuple(c - d for c, d in zip(cell, step, strict=True))
            control = t.src
        assert control == 0 and not any(cell)
        return roster
