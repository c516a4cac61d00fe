"""The greedy's schedule under construction, shared by the construction and the improvement.

``Builder`` holds each person's incremental state (greedy_state) and who is on each (day, shift);
greedy.py fills it, greedy_improve.py moves shifts within it. The ranking it applies is the one
greedy.py's docstring describes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from math import lcm
from random import Random

from .duty import timeline_for
from .greedy_state import Context, PersonState
from .model import Assignment, Demand, Person, PersonKind, Problem, RequestKind, ShiftCategory
from .objective import fairness_measure
from .validator import Admission

_REQUEST_WEIGHT = 1000.0  # a request outweighs any load or fairness difference
_FAIRNESS_WEIGHT = 50.0
_NIGHT_RUN_BONUS = 400.0  # night float works in runs: keep yesterday's resident

_Counts = Callable[[int, str], bool]
_Wish = tuple[RequestKind, int, "str | None"]


class Builder:
    """The schedule under construction: per-person states and who is on each (day, shift)."""

    def __init__(self, problem: Problem, rng: Random) -> None:
        self.problem = problem
        self.rng = rng
        timeline = timeline_for(problem)
        unavailable = {(u.person, u.day, u.shift) for u in problem.unavailable}
        ctx = Context(problem, timeline, problem.acgme, unavailable)
        self.states = {p.id: PersonState(p, ctx) for p in problem.people}
        self.cells: dict[tuple[int, str], list[str]] = {}
        self.admission = Admission(problem.people)
        self.jitter = {p.id: rng.random() for p in problem.people}
        self.requests = _request_index(problem)
        self.fairness = _fairness_index(problem)
        self.measures: list[_Counts] = [
            fairness_measure(problem, g.measure) for g in problem.fairness
        ]
        self.measured: Counter[tuple[str, int]] = Counter()
        self.need: Counter[tuple[int, str]] = Counter()  # residents' supervision need
        self.faculty: Counter[tuple[int, str]] = Counter()  # faculty per (day, shift)
        self._supervised = {d.supervisor_shift for d in problem.demands if d.supervisor_shift}
        self.scale = lcm(*problem.supervision.ratios.values())
        self.ctx = ctx
        self.fixed = set(problem.fixed)
        self._demand_at = {(d.day, d.shift): d for d in problem.demands}
        self.partners: dict[tuple[int, str], tuple[int, str]] = {}
        for link in problem.linked:
            if 0 <= link.first < problem.horizon.days and 0 <= link.second < problem.horizon.days:
                for shift in link.shifts:
                    self.partners[(link.first, shift)] = (link.second, shift)
                    self.partners[(link.second, shift)] = (link.first, shift)

    def run(self, stop: Callable[[], bool]) -> bool:
        """Fill the demands; True when stopped early."""
        for a in dict.fromkeys(self.problem.fixed):
            self.take(a.person, a.day, a.shift)
        groups = self._groups()
        for goal in ("minimum", "target"):
            for demands in groups:
                if stop():
                    return True
                for demand in demands:
                    self._fill(demand, getattr(demand, goal))
        return False

    def assignments(self) -> tuple[Assignment, ...]:
        return tuple(
            Assignment(pid, day, shift)
            for (day, shift), pids in sorted(self.cells.items())
            for pid in pids
        )

    def _groups(self) -> list[list[Demand]]:
        """Demands per shift type, scarcest first, supervisor shifts before supervised ones."""
        by_shift: dict[str, list[Demand]] = {}
        for demand in self.problem.demands:
            by_shift.setdefault(demand.shift, []).append(demand)

        def scarcity(demands: list[Demand]) -> float:
            need = sum(d.minimum for d in demands)
            pool = sum(len(self.admission.admitted(d.eligibility)) for d in demands)
            return need / pool if pool else float("inf")

        minutes = {s.id: s.minutes for s in self.problem.shift_types}

        def key(item: tuple[str, list[Demand]]) -> tuple[int, int, float, str]:
            # Long shifts first (24 h call fixes two days of a person, as coordinators build
            # the call schedule before the days), then supervisors, then the scarcest.
            shift, demands = item
            supervisor = 0 if shift in self._supervised else 1
            return (-minutes[shift], supervisor, -scarcity(demands), shift)

        return [sorted(ds, key=lambda d: d.day) for _, ds in sorted(by_shift.items(), key=key)]

    def _fill(self, demand: Demand, goal: int) -> None:
        cell = (demand.day, demand.shift)
        assigned = self.cells.get(cell, [])
        admitted = self.admission.admitted(demand.eligibility)
        count = sum(1 for pid in assigned if pid in admitted)
        if count >= goal:
            return
        taken = set(assigned)
        candidates = [pid for pid in admitted if pid not in taken]
        # What the score depends on besides the person, computed once per demand.
        groups = {g for g, counts in enumerate(self.measures) if counts(demand.day, demand.shift)}
        night = self.problem.shift_by_id[demand.shift].category == ShiftCategory.NIGHT_FLOAT
        candidates.sort(key=lambda pid: self._score(pid, demand, groups, night))
        if demand.eligibility.skills:  # leads first: a supervised holder needs one beside them
            people = self.problem.person_by_id
            candidates.sort(key=lambda pid: not demand.eligibility.leads(people[pid]))
        for pid in candidates:
            if self.states[pid].blocker(demand.day, demand.shift) is not None:
                continue
            if demand.supervisor_shift and not self.supervision_allows(pid, demand):
                continue
            if not self.lead_allows(pid, demand):
                continue
            if not self._take_linked(pid, demand):
                continue
            count += 1
            if count >= goal:
                return

    def lead_allows(self, pid: str, demand: Demand) -> bool:
        """A supervised-level holder only beside a lead already on the cell (model.py)."""
        eligibility = demand.eligibility
        people = self.problem.person_by_id
        if not eligibility.skills or eligibility.leads(people[pid]):
            return True
        return any(
            eligibility.admits(people[other]) and eligibility.leads(people[other])
            for other in self.cells.get((demand.day, demand.shift), ())
        )

    def _take_linked(self, pid: str, demand: Demand) -> bool:
        """Take the cell, and its linked cell (model.Link: a week's Friday and Saturday call)
        when the person is not on it yet; neither when the linked one cannot be taken."""
        cell = (demand.day, demand.shift)
        self.take(pid, *cell)
        partner = self.partners.get(cell)
        if partner is None or pid in self.cells.get(partner, ()):
            return True
        other = self._demand_at.get(partner)
        full = (
            other is not None
            and other.maximum is not None
            and (len(self.cells.get(partner, ())) >= other.maximum)
        )
        admitted = other is not None and pid in self.admission.admitted(other.eligibility)
        if full or not admitted or self.states[pid].blocker(*partner) is not None:
            self.drop(pid, *cell)
            return False
        self.take(pid, *partner)
        return True

    def drop(self, pid: str, day: int, shift: str) -> None:
        """Undo one assignment (the person's state is rebuilt without it)."""
        old = self.states[pid]
        state = PersonState(old.person, self.ctx)
        removed = False
        for item in old.items:
            if not removed and (item.day, item.shift) == (day, shift):
                removed = True
                continue
            state.add(item.day, item.shift)
        self.states[pid] = state
        self.cells[day, shift].remove(pid)
        person = self.problem.person_by_id[pid]
        if person.kind == PersonKind.RESIDENT:
            self.need[day, shift] -= self.weight(person)
        elif person.kind == PersonKind.FACULTY:
            self.faculty[day, shift] -= 1
        for group, _ in self.fairness.get(pid, ()):
            if self.measures[group](day, shift):
                self.measured[pid, group] -= 1

    def take(self, pid: str, day: int, shift: str) -> None:
        self.states[pid].add(day, shift)
        self.cells.setdefault((day, shift), []).append(pid)
        person = self.problem.person_by_id[pid]
        if person.kind == PersonKind.RESIDENT:
            self.need[day, shift] += self.weight(person)
        elif person.kind == PersonKind.FACULTY:
            self.faculty[day, shift] += 1
        for group, _ in self.fairness.get(pid, ()):
            if self.measures[group](day, shift):
                self.measured[pid, group] += 1

    def supervision_allows(self, pid: str, demand: Demand) -> bool:
        person = self.problem.person_by_id[pid]
        if person.kind != PersonKind.RESIDENT:
            return True
        needed = self.need[demand.day, demand.shift] + self.weight(person)
        faculty = self.faculty[demand.day, demand.supervisor_shift or ""]
        return faculty * self.scale >= needed

    def weight(self, person: Person) -> int:
        """A resident's share of a supervisor, in 1/scale units (SupervisionRule)."""
        return self.scale // self.problem.supervision.ratio(person.pgy)

    def _score(self, pid: str, demand: Demand, groups: set[int], night: bool) -> float:
        """Lower is better: requests, then fairness, then load; a seeded tie-break."""
        state = self.states[pid]
        score = state.nominal_minutes / 60 + self.jitter[pid]
        wishes = self.requests.get((pid, demand.day))
        if wishes:
            for kind, weight, shift in wishes:
                if shift is None or shift == demand.shift:
                    sign = 1 if kind == RequestKind.OFF else -1
                    score += sign * _REQUEST_WEIGHT * weight
        if groups:
            for group, weight in self.fairness.get(pid, ()):
                if group in groups:
                    score += _FAIRNESS_WEIGHT * weight * self.measured[pid, group]
        if night and demand.day - 1 in state.night_days:
            score -= _NIGHT_RUN_BONUS
        return score


def _request_index(problem: Problem) -> dict[tuple[str, int], list[_Wish]]:
    index: dict[tuple[str, int], list[_Wish]] = {}
    for r in problem.requests:
        index.setdefault((r.person, r.day), []).append((r.kind, r.weight, r.shift))
    return index


def _fairness_index(problem: Problem) -> dict[str, list[tuple[int, int]]]:
    """Per person: (group index, weight) of the fairness groups they belong to."""
    index: dict[str, list[tuple[int, int]]] = {}
    for g, group in enumerate(problem.fairness):
        for pid in group.people:
            index.setdefault(pid, []).append((g, group.weight))
    return index
