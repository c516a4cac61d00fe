"""A quick improvement after the greedy construction.

Moves aim at the objective's soft terms the construction could not see coming: a broken OFF
request (give the shift to someone else), an unmet ON request (add the person, or let them
take someone's place), and uneven fairness counts (hand one duty from the busiest member of a
group to the least busy). A move is applied only when it lowers the objective, keeps coverage
counts, passes every incremental hard-rule check, and does not move a fixed assignment.
The caller re-validates the result and keeps the construction if anything went wrong.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from .greedy_builder import Builder
from .model import Assignment, Demand, PersonKind, RequestKind

Cell = tuple[int, str]


def improve(builder: Builder, deadline: float) -> int:
    """Apply improving moves until none is found or time runs out; the number applied."""
    b = builder
    demand_at: dict[Cell, list[Demand]] = {}
    for d in b.problem.demands:
        demand_at.setdefault((d.day, d.shift), []).append(d)
    single = {cell: ds[0] for cell, ds in demand_at.items() if len(ds) == 1}
    baseline = set(b.problem.baseline)
    moves = 0
    for _ in range(20):  # rounds; each round revisits every remaining pain point
        applied = 0
        for attempt in _attempts(b, single):
            if time.perf_counter() >= deadline:
                return moves + applied
            applied += attempt(baseline)
        moves += applied
        if not applied:
            break
    return moves


def _attempts(b: Builder, single: dict[Cell, Demand]) -> Iterator:
    """Candidate moves, most valuable kinds first."""
    problem = b.problem
    by_day: dict[int, list[tuple[Cell, Demand]]] = {}
    for cell, demand in single.items():
        by_day.setdefault(cell[0], []).append((cell, demand))
    for r in problem.requests:
        cells = [c for c in _cells_of(b, r.person, r.day) if r.shift in (None, c[1])]
        if r.kind == RequestKind.OFF and cells:
            for cell in cells:
                if cell in single:
                    yield lambda base, c=cell, q=r.person: _replace_best(b, single[c], q, base)
        elif r.kind == RequestKind.ON and not cells:
            for cell, demand in by_day.get(r.day, ()):
                if r.shift in (None, cell[1]):
                    yield lambda base, d=demand, p=r.person: _add_or_swap_in(b, d, p, base)
    for g, group in enumerate(problem.fairness):
        values = {pid: b.measured[pid, g] for pid in group.people}
        if not values or max(values.values()) - min(values.values()) < 2:
            continue
        busiest = max(sorted(values), key=values.__getitem__)
        for cell in [c for c in _cells_of(b, busiest, None) if b.measures[g](*c)]:
            if cell in single:
                yield lambda base, c=cell, q=busiest: _replace_best(b, single[c], q, base)


def _cells_of(b: Builder, pid: str, day: int | None) -> list[Cell]:
    items = b.states[pid].items
    return [(i.day, i.shift) for i in items if day is None or i.day == day]


def _replace_best(b: Builder, demand: Demand, q: str, baseline: set) -> int:
    """Give q's place on the demand's cell to the candidate that lowers the objective most."""
    cell = (demand.day, demand.shift)
    if cell in b.partners:
        return 0  # a linked cell moves only with its partner: left as built
    if q not in b.cells.get(cell, ()) or _is_fixed(b, q, cell) or not _may_leave(b, q, cell):
        return 0
    admitted = b.admission.admitted(demand.eligibility)
    if q not in admitted:
        return 0
    best, best_delta = None, 0.0
    for p in sorted(admitted):
        if p in b.cells[cell] or not _same_role(b, q, p, demand):
            continue
        delta = _delta(b, cell, leaving=q, joining=p, baseline=baseline)
        if delta < best_delta and b.states[p].blocker(*cell) is None:
            best, best_delta = p, delta
    if best is None:
        return 0
    b.drop(q, *cell)
    b.take(best, *cell)
    return 1


def _add_or_swap_in(b: Builder, demand: Demand, p: str, baseline: set) -> int:
    """Put p on the cell: as an extra person if coverage allows, else in someone's place."""
    cell = (demand.day, demand.shift)
    if cell in b.partners:
        return 0  # a linked cell moves only with its partner: left as built
    admitted = b.admission.admitted(demand.eligibility)
    assigned = b.cells.get(cell, [])
    if p not in admitted or p in assigned or b.states[p].blocker(*cell) is not None:
        return 0
    if demand.supervisor_shift and not b.supervision_allows(p, demand):
        return 0
    if not b.lead_allows(p, demand):
        return 0
    count = sum(1 for pid in assigned if pid in admitted)
    if demand.maximum is None or count < demand.maximum:
        coverage = -demand.under_weight if count < demand.target else demand.over_weight
        if coverage + _delta(b, cell, leaving=None, joining=p, baseline=baseline) < 0:
            b.take(p, *cell)
            return 1
    best, best_delta = None, 0.0
    for q in sorted(assigned):
        if q not in admitted or _is_fixed(b, q, cell) or not _same_role(b, q, p, demand):
            continue
        delta = _delta(b, cell, leaving=q, joining=p, baseline=baseline)
        if delta < best_delta and _may_leave(b, q, cell):
            best, best_delta = q, delta
    if best is None:
        return 0
    b.drop(best, *cell)
    b.take(p, *cell)
    return 1


def _is_fixed(b: Builder, pid: str, cell: Cell) -> bool:
    return Assignment(pid, *cell) in b.fixed


def _same_role(b: Builder, q: str, p: str, demand: Demand) -> bool:
    """Swapping keeps supervision intact: same kind, and no heavier supervision need."""
    people = b.problem.person_by_id
    if people[q].kind != people[p].kind:
        return False
    if demand.eligibility.leads(people[q]) and not demand.eligibility.leads(people[p]):
        return False  # a lead leaves only for another lead (credential levels, model.py)
    if demand.supervisor_shift and people[p].kind == PersonKind.RESIDENT:
        return b.weight(people[p]) <= b.weight(people[q])
    return True


def _may_leave(b: Builder, q: str, cell: Cell) -> bool:
    """Removing a shift may break a minimum (total minutes, consecutive days)."""
    limits = b.problem.person_by_id[q].limits
    state = b.states[q]
    day, shift = cell
    if limits.min_total_minutes is not None:
        minutes = b.problem.shift_by_id[shift].minutes
        if state.nominal_minutes - minutes < limits.min_total_minutes:
            return False
    if limits.min_consecutive_off is None and limits.min_consecutive_work is None:
        return True
    return len(state.day_shifts.get(day, ())) > 1  # the day stays worked: runs unchanged


def _delta(b: Builder, cell: Cell, *, leaving: str | None, joining: str, baseline: set) -> float:
    """Objective change of the requests, fairness and change terms for the move."""
    day, shift = cell
    change = 0.0
    for pid, sign in ((leaving, -1), (joining, +1)):
        if pid is None:
            continue
        worked = {s for d, s in _cells_of(b, pid, day)}
        after = worked - {shift} if sign < 0 else worked | {shift}
        change += _request_cost(b, pid, day, after) - _request_cost(b, pid, day, worked)
        if Assignment(pid, day, shift) in baseline:
            change += -sign * b.problem.change_weight
    for g, group in enumerate(b.problem.fairness):
        if not b.measures[g](day, shift):
            continue
        if leaving not in group.people and joining not in group.people:
            continue
        values = {pid: b.measured[pid, g] for pid in group.people}
        before = max(values.values()) - min(values.values())
        if leaving in values:
            values[leaving] -= 1
        if joining in values:
            values[joining] += 1
        change += group.weight * (max(values.values()) - min(values.values()) - before)
    return change


def _request_cost(b: Builder, pid: str, day: int, shifts: set[str]) -> float:
    cost = 0.0
    for kind, weight, shift in b.requests.get((pid, day), ()):
        works = bool(shifts) if shift is None else shift in shifts
        if (kind == RequestKind.ON) != works:
            cost += weight
    return cost
