"""The pricing DP's states for one person (pricing.py runs the DP over them): the moves
(interchangeable day patterns), the control states and their transitions, what each day allows
with its resource increments, and the box of resource cells each day can still reach.
pricing.py's docstring says what a state is."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .person import PersonSpec, PricingTooLarge
from .tensors import Layout

Control = tuple[Any, ...]  # ("S",) | ("W", fclass, length, exempt, night) | ("O", length, exempt)


@dataclass(frozen=True)
class Move:
    members: tuple[int, ...]  # pattern indexes
    fclass: int  # successor class of the members
    units: int  # length in minute units
    night: bool  # holds a night-float shift
    blocked_after: frozenset[int]  # successor classes after which the move is forbidden
    inc: np.ndarray  # (days, resource axes) increments of the counters with an axis


@dataclass(frozen=True)
class Transition:
    src: int
    move: int  # index into moves, -1 for a day off
    dst: int


class PricerStates:
    """One person's DP structure, built once (the DP itself: :class:`~.pricing.Pricer`).
    ``relax_caps`` / ``relax_weekends`` drop the counters / the weekend limit (``exact`` is then
    False, as it is when the spec itself relaxes a rule)."""

    def __init__(
        self,
        spec: PersonSpec,
        *,
        relax_caps: bool = False,
        relax_weekends: bool = False,
        structure: np.ndarray | None = None,
        memory_limit: int,
        stack_cells: int,
    ) -> None:
        """``structure``: the (days, patterns) patterns the DP's transitions and boxes allow,
        at least ``spec.allowed`` (default: it); the others cost inf. People whose specs differ
        only in ``allowed`` share one structure, and then one batched DP (:func:`solve_batch`).
        ``memory_limit`` (bytes of back-pointers) and ``stack_cells``: pricing.py's limits."""
        self.spec = spec
        self.days = days = spec.days
        npat = len(spec.patterns)
        self.allowed = spec.allowed
        shaped = spec.allowed if structure is None else structure
        # (shifts, patterns) incidence, for the pattern costs.
        shift_count = 1 + max((i for p in spec.patterns for i in p), default=0)
        self.incidence = np.zeros((shift_count, npat))
        for k, p in enumerate(spec.patterns):
            self.incidence[list(p), k] = 1.0
        avail = np.asarray(shaped.any(axis=1), dtype=bool)
        available = int(avail.sum())
        used = sorted({m for m in spec.minutes})
        self.unit = math.gcd(*used) if used else 1
        day_max = np.array(
            [max((spec.minutes[k] for k in np.flatnonzero(shaped[d])), default=0)
             for d in range(days)]
        ) // self.unit  # fmt: skip
        most = int(day_max.sum())
        self.min_units = -(-(spec.min_total or 0) // self.unit)
        if spec.max_total is not None:
            most = min(most, spec.max_total // self.unit)
        minutes_bind = self.min_units > 0 or (
            spec.max_total is not None and spec.max_total // self.unit < int(day_max.sum())
        )
        units = [m // self.unit if minutes_bind else 0 for m in spec.minutes]
        shape = [most + 1 if minutes_bind else 1]
        keys = [k for d, k in enumerate(spec.weekend_key) if k is not None and avail[d]]
        weekends = len(set(keys))
        dropped = []
        self.weekend_axis = spec.max_weekends is not None and spec.max_weekends < weekends
        if self.weekend_axis and relax_weekends:
            self.weekend_axis = False
            dropped.append("weekends")
        shape.append((spec.max_weekends or 0) + 1 if self.weekend_axis else 1)
        axes: list[int] = []  # counters with an axis
        # The most days the total minutes allow: a counter of at most n a day reaches at most
        # n times that (the shift benchmark's caps often cannot bind for this reason).
        shortest = min(spec.minutes, default=1)
        most_days = available
        if spec.max_total is not None and shortest > 0:
            most_days = min(most_days, spec.max_total // shortest)
        for c, counter in enumerate(spec.counters):
            per_day = counter.inc.max(axis=1, initial=0) if npat else np.zeros(days, np.int64)
            reach = min(int(per_day.sum()), most_days * int(per_day.max(initial=0)))
            if counter.limit < reach:
                if relax_caps:
                    dropped.append(counter.name)
                    continue
                axes.append(c)
                shape.append(counter.limit + 1)
        self.exact = spec.exact and not dropped
        self.shape = tuple(shape)
        inc = np.zeros((days, npat, len(axes)), dtype=np.int64)
        for a, c in enumerate(axes):
            inc[:, :, a] = spec.counters[c].inc
        fkeys = [spec.forbidden[k].tobytes() for k in range(npat)]
        fsets = sorted(set(fkeys))
        fclass = [fsets.index(f) for f in fkeys]
        groups: dict[tuple, list[int]] = {}
        for k in range(npat):
            blocked = frozenset(fclass[j] for j in range(npat) if spec.forbidden[j, k])
            key = (fclass[k], blocked, units[k], spec.night[k], inc[:, k, :].tobytes())
            groups.setdefault(key, []).append(k)
        self.moves = tuple(
            Move(tuple(members), fc, u, night, blocked, inc[:, members[0], :])
            for (fc, blocked, u, night, _), members in groups.items()
        )
        self.move_allowed = np.array(
            [shaped[:, list(m.members)].any(axis=1) for m in self.moves]
        ).reshape(len(self.moves), days)
        self.day_units = np.array(
            [max((m.units for k, m in enumerate(self.moves) if self.move_allowed[k, d]),
                 default=0) for d in range(days)]
        )  # fmt: skip
        self.available = available
        self._build_controls(memory_limit, stack_cells)

    # -- control states ----------------------------------------------------------------------

    def _build_controls(self, memory_limit: int, stack_cells: int) -> None:
        spec, days = self.spec, self.days
        min_work = spec.min_work or 0
        max_work = spec.max_work if spec.max_work is not None else days
        self.min_work, self.min_off = min_work, spec.min_off or 0
        self.work_cap = max_work if max_work < days else max(min_work, 1)
        self.off_cap = max(self.min_off, 1)
        night_cap = spec.night_cap if any(m.night for m in self.moves) else None
        controls: list[Control] = [("S",)]
        ids: dict[Control, int] = {("S",): 0}
        transitions: list[Transition] = []

        def cid(c: Control) -> int:
            if c not in ids:
                ids[c] = len(controls)
                controls.append(c)
            return ids[c]

        def night_after(c: Control, m: Move) -> int | None:
            if night_cap is None or not m.night:
                return 0
            run = (c[4] if c[0] == "W" else 0) + 1
            return None if run > night_cap else run

        def work_after(c: Control, m: Move) -> Control | None:
            if max_work < 1:
                return None
            night = night_after(c, m)
            if night is None:
                return None
            if c[0] == "S":
                return self._work(m.fclass, 1, True, night)
            if c[0] == "O":
                _, length, exempt = c
                if length < self.min_off and not exempt:
                    return None
                return self._work(m.fclass, 1, False, night)
            _, fc, length, exempt, _ = c
            if fc in m.blocked_after:
                return None
            if max_work < days and length + 1 > max_work:
                return None
            return self._work(m.fclass, min(length + 1, self.work_cap), exempt, night)

        def off_after(c: Control) -> Control | None:
            if c[0] == "S":
                return self._off(1, True)
            if c[0] == "O":
                _, length, exempt = c
                return self._off(min(length + 1, self.off_cap), exempt)
            _, _, length, exempt, _ = c
            if length < min_work and not exempt:
                return None
            return self._off(1, False)

        queue = [0]
        seen = {0}
        while queue:
            src = queue.pop()
            c = controls[src]
            nexts: list[tuple[int, Control | None]] = [(-1, off_after(c))]
            nexts += [(k, work_after(c, m)) for k, m in enumerate(self.moves)]
            for k, nxt in nexts:
                if nxt is None:
                    continue
                dst = cid(nxt)
                transitions.append(Transition(src, k, dst))
                if dst not in seen:
                    seen.add(dst)
                    queue.append(dst)
        self.controls = tuple(controls)
        self.transitions = tuple(transitions)
        self._plans: dict[tuple, list[tuple[int, Transition, tuple[int, ...]]]] = {}
        # Back-pointers are transition indexes, kept for every day: the smallest type that fits.
        self._index_type = np.int16 if len(transitions) < 2**15 else np.int32
        self._boxes = self._windows()
        cells = sum(math.prod(hi - lo for lo, hi in box) for box in self._boxes[1:])
        self.memory = cells * len(controls) * np.dtype(self._index_type).itemsize
        if self.memory > memory_limit:
            raise PricingTooLarge(
                f"pricing {spec.person} would keep {self.memory / 2**20:.0f} MiB of "
                f"back-pointers (limit {memory_limit / 2**20:.0f} MiB): resources {self.shape}"
            )
        self._layouts: dict[int, Layout | None] = {}
        self._cuts: dict[tuple[int, tuple[int, ...]], tuple[tuple[slice, ...], ...] | None] = {}
        # Small boxes: one stacked tensor per day beats one operation per transition.
        self.stacked = max(math.prod(hi - lo for lo, hi in b) for b in self._boxes) <= stack_cells

    def _work(self, fc: int, length: int, exempt: bool, night: int) -> Control:
        return ("W", fc, length, exempt and length < self.min_work, night)

    def _off(self, length: int, exempt: bool) -> Control:
        return ("O", length, exempt and length < self.min_off)

    # -- what a day allows -----------------------------------------------------------------------

    def _weekend_start(self, day: int) -> bool:
        """Whether ``day`` is a weekend day whose weekend began the day before."""
        keys = self.spec.weekend_key
        return day > 0 and keys[day] is not None and keys[day - 1] == keys[day]

    def _delta(self, t: Transition, day: int) -> tuple[int, ...] | None:
        """Resource increments of a transition on a day, None when the day forbids it."""
        delta = [0] * len(self.shape)
        if t.move < 0:
            return None if self.spec.must_work[day] else tuple(delta)
        if not self.move_allowed[t.move, day]:
            return None
        m = self.moves[t.move]
        delta[0] = m.units
        if self.weekend_axis and self.spec.weekend_key[day] is not None:
            # A weekend counts once: its second day adds one only when the first was off.
            first_worked = self._weekend_start(day) and self.controls[t.src][0] == "W"
            delta[1] = 0 if first_worked else 1
        delta[2:] = (int(v) for v in m.inc[day])
        return tuple(delta)

    def _plan(self, day: int) -> list[tuple[int, Transition, tuple[int, ...]]]:
        """The transitions a day allows, with their resource increments (cached by the day's
        signature: days alike share one plan)."""
        key = (
            bool(self.spec.must_work[day]),
            self.spec.weekend_key[day] is not None,
            self._weekend_start(day),
            self.move_allowed[:, day].tobytes(),
            b"".join(m.inc[day].tobytes() for m in self.moves),
        )
        if key not in self._plans:
            self._plans[key] = [
                (ti, t, delta)
                for ti, t in enumerate(self.transitions)
                if (delta := self._delta(t, day)) is not None
            ]
        return self._plans[key]

    def _windows(self) -> list[tuple[tuple[int, int], ...]]:
        """Per day (and before day 0), the box of resource cells that can still lie on a
        feasible roster: counts no higher than the days so far allow, total minutes no lower
        than the minimum minus what the remaining days can add."""
        boxes = [tuple((0, 1) for _ in self.shape)]
        units = self.day_units
        left = np.concatenate([np.cumsum(units[::-1])[::-1][1:], [0]]) if self.days else units
        worked_units = 0
        weekends: set[object] = set()
        counts = np.zeros(len(self.shape) - 2, dtype=np.int64)
        for day in range(self.days):
            movable = self.move_allowed[:, day]
            worked_units += int(units[day])
            key = self.spec.weekend_key[day]
            if key is not None and movable.any():
                weekends.add(key)
            if movable.any() and len(counts):
                counts += np.max([m.inc[day] for k, m in enumerate(self.moves) if movable[k]],
                                 axis=0)  # fmt: skip
            box = [(max(0, self.min_units - int(left[day])), min(self.shape[0], worked_units + 1))]
            box.append((0, min(self.shape[1], len(weekends) + 1)))
            box += [(0, min(n, int(c) + 1)) for n, c in zip(self.shape[2:], counts, strict=True)]
            boxes.append(tuple(box))
        return boxes
