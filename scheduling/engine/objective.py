"""The objective terms of model.py's docstring, computed from a schedule on its own."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from .model import Demand, FairnessGroup, Problem, Request, RequestKind, ShiftCategory

TERMS = (
    "coverage_under",
    "coverage_over",
    "requests_on",
    "requests_off",
    "fairness",
    "changes",
    "targets",
)


def demand_cost(demand: Demand, n: int) -> tuple[int, int]:
    """Weighted shortfall below and excess above one demand's target with ``n`` assigned."""
    if n < demand.target:
        return demand.under_weight * (demand.target - n), 0
    if n > demand.target:
        return 0, demand.over_weight * (n - demand.target)
    return 0, 0


def coverage_terms(demands: Sequence[Demand], counts: Sequence[int]) -> tuple[float, float]:
    """Weighted shortfall below and excess above each demand's target."""
    under = over = 0.0
    for demand, n in zip(demands, counts, strict=True):
        u, o = demand_cost(demand, n)
        under += u
        over += o
    return under, over


def request_terms(
    problem: Problem, person_pairs: Mapping[str, Sequence[tuple[int, str]]]
) -> tuple[float, float]:
    """ON requests not met and OFF requests broken (the person works what they asked off)."""
    on = off = 0.0
    for request in broken_requests(problem, person_pairs):
        if request.kind == RequestKind.ON:
            on += request.weight
        else:
            off += request.weight
    return on, off


def broken_requests(
    problem: Problem, person_pairs: Mapping[str, Sequence[tuple[int, str]]]
) -> list[Request]:
    """The requests the schedule does not honour: ON requests not worked, OFF requests worked
    (shift None: any shift that day)."""
    worked_days: dict[str, set[int]] = {}
    worked_cells: dict[str, set[tuple[int, str]]] = {}
    broken = []
    for request in problem.requests:
        pid = request.person
        if pid not in worked_cells:
            pairs = person_pairs.get(pid, ())
            worked_cells[pid] = set(pairs)
            worked_days[pid] = {day for day, _ in pairs}
        if request.shift is None:
            works = request.day in worked_days[pid]
        else:
            works = (request.day, request.shift) in worked_cells[pid]
        if (request.kind == RequestKind.ON) != works:
            broken.append(request)
    return broken


def fairness_measure(problem: Problem, measure: str) -> Callable[[int, str], bool]:
    """Whether an assignment (day, shift) counts toward a fairness measure."""
    shifts = problem.shift_by_id
    horizon = problem.horizon
    if measure == "call":
        calls = {ShiftCategory.IN_HOUSE_CALL, ShiftCategory.AT_HOME_CALL}
        return lambda day, shift: shifts[shift].category in calls
    if measure == "night":
        return lambda day, shift: shifts[shift].category == ShiftCategory.NIGHT_FLOAT
    if measure == "weekend":
        weekend = {d for d in range(horizon.days) if horizon.is_weekend(d)}
        return lambda day, shift: day in weekend
    if measure == "holiday":
        return lambda day, shift: day in horizon.holidays
    raise ValueError(f"unknown fairness measure {measure!r}")


def group_counts(
    problem: Problem, group: FairnessGroup, person_pairs: Mapping[str, Sequence[tuple[int, str]]]
) -> dict[str, int]:
    """The group's measure for each member (counted by shift type and by day, not per pair)."""
    counts = fairness_measure(problem, group.measure)
    shifts = [s.id for s in problem.shift_types]
    days = range(problem.horizon.days)
    by_shift = group.measure in ("call", "night")
    counted_shifts = {s for s in shifts if counts(0, s)} if by_shift else set()
    counted_days = {d for d in days if counts(d, shifts[0])} if shifts and not by_shift else set()
    found = {}
    for pid in sorted(group.people):
        pairs = person_pairs.get(pid, ())
        if by_shift:
            found[pid] = sum(1 for _, shift in pairs if shift in counted_shifts)
        else:
            found[pid] = sum(1 for day, _ in pairs if day in counted_days)
    return found


def fairness_term(problem: Problem, person_pairs: Mapping[str, Sequence[tuple[int, str]]]) -> float:
    total = 0.0
    for group in problem.fairness:
        if not group.people:
            continue
        values = group_counts(problem, group, person_pairs).values()
        total += group.weight * (max(values) - min(values))
    return total


def change_term(problem: Problem, cells: set[tuple[str, int, str]]) -> float:
    """change_weight per baseline assignment absent from the schedule."""
    if not problem.change_weight:
        return 0.0
    missing = sum(1 for a in problem.baseline if (a.person, a.day, a.shift) not in cells)
    return float(problem.change_weight * missing)


def target_term(problem: Problem, person_pairs: Mapping[str, Sequence[tuple[int, str]]]) -> float:
    """Weighted (not hard) ShiftCaps: weight per assignment above the cap."""
    total = 0.0
    for person in problem.people:
        soft = [c for c in person.limits.caps if not c.hard and c.weight]
        if not soft:
            continue
        pairs = person_pairs.get(person.id, ())
        for cap in soft:
            n = sum(1 for day, shift in pairs if cap.covers(day, shift))
            total += cap.weight * max(0, n - cap.cap)
    return total
