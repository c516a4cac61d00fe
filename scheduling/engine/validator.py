"""The validator: checks any list of assignments against a Problem, independent of every solver.

Used after solving, on manual edits, before swaps and by conflict detection. It returns every
violated rule (model.py's hard constraints, the person limits, forbidden successions, the
minimum rest and, for residents when ``Problem.acgme`` is set, the ACGME rules of acgme.py) and
the objective terms exactly as model.py's docstring defines them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from math import lcm

from . import acgme
from .duty import Timed, Timeline, timed_items, timeline_for, to_datetime
from .limits import check_limits, check_links, check_rest, check_successions
from .model import (
    Assignment,
    Demand,
    Eligibility,
    Person,
    PersonKind,
    Problem,
    Severity,
    Violation,
)
from .objective import change_term, coverage_terms, fairness_term, request_terms, target_term

UNKNOWN = "assignment.unknown"
OVERLAP = "assignment.overlap"
UNAVAILABLE = "assignment.unavailable"
INELIGIBLE = "assignment.ineligible"
FIXED_MISSING = "fixed.missing"
COVERAGE_MINIMUM = "coverage.minimum"
COVERAGE_MAXIMUM = "coverage.maximum"
SUPERVISION = "supervision.ratio"
SUPERVISED_ALONE = "credential.supervised_alone"

HARD = frozenset({Severity.CRITICAL, Severity.HIGH})


@dataclass(frozen=True)
class Report:
    """Every violation found (any severity) and the objective's terms, keyed as in
    objective.TERMS; ``objective`` is their sum, the number every solver reports."""

    violations: tuple[Violation, ...] = ()
    penalties: dict[str, float] = field(default_factory=dict)

    @property
    def hard(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.severity in HARD)

    @property
    def is_valid(self) -> bool:
        return not any(v.severity in HARD for v in self.violations)

    @property
    def objective(self) -> float:
        return float(sum(self.penalties.values()))

    def rules(self) -> Counter[str]:
        """How many violations of each rule (handy in tests and summaries)."""
        return Counter(v.rule for v in self.violations)


class Admission:
    """The ids admitted by each distinct Eligibility value, computed once per value.

    Demands of one rotation share a handful of distinct eligibility values, so a set
    membership test replaces ``Eligibility.admits`` in the per-assignment loops.
    """

    def __init__(self, people: Sequence[Person]) -> None:
        self._people = people
        self._sets: dict[Eligibility, frozenset[str]] = {}

    def admitted(self, eligibility: Eligibility) -> frozenset[str]:
        hit = self._sets.get(eligibility)
        if hit is None:
            hit = frozenset(p.id for p in self._people if eligibility.admits(p))
            self._sets[eligibility] = hit
        return hit


def demands_by_cell(problem: Problem) -> dict[tuple[int, str], list[Demand]]:
    cells: dict[tuple[int, str], list[Demand]] = {}
    for demand in problem.demands:
        cells.setdefault((demand.day, demand.shift), []).append(demand)
    return cells


@dataclass
class _Index:
    """The known assignments grouped by cell and by person."""

    cell_people: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    person_pairs: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    @cached_property
    def cells(self) -> set[tuple[str, int, str]]:
        """(person, day, shift) of every assignment; only fixed and baseline checks need it."""
        return {(pid, d, s) for pid, pairs in self.person_pairs.items() for d, s in pairs}


def validate(problem: Problem, assignments: Iterable[Assignment]) -> Report:
    """Every violation of ``assignments`` and the objective's terms."""
    found, index, counts = _violations(problem, assignments, None)
    under, over = coverage_terms(problem.demands, counts)
    on, off = request_terms(problem, index.person_pairs)
    penalties = {
        "coverage_under": under,
        "coverage_over": over,
        "requests_on": on,
        "requests_off": off,
        "fairness": fairness_term(problem, index.person_pairs),
        "changes": change_term(problem, index.cells) if problem.baseline else 0.0,
        "targets": target_term(problem, index.person_pairs),
    }
    return Report(violations=tuple(found), penalties=penalties)


def related_cells(problem: Problem, cells: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """The cells plus, for supervised demands, the supervising cell of the day and back."""
    out = set(cells)
    for demand in problem.demands:
        if demand.supervisor_shift is None:
            continue
        own, boss = (demand.day, demand.shift), (demand.day, demand.supervisor_shift)
        if own in out or boss in out:
            out |= {own, boss}
    return out


def violations_of(
    problem: Problem,
    assignments: Iterable[Assignment],
    *,
    people: Collection[str],
    cells: Collection[tuple[int, str]],
) -> list[Violation]:
    """The violations ``validate`` finds that an edit of ``people``'s shifts in ``cells`` can
    change, and no objective terms: the per-person rules (overlaps, limits, successions, ACGME)
    of ``people``, and the cell rules (coverage, supervision, fixed) of ``cells`` and their
    ``related_cells``; eligibility and availability of every assignment given. ``assignments``
    must hold at least every assignment of those people and cells (more is fine); the other
    results cannot change, so judging an edit against a full baseline needs only these
    (swaps.checks)."""
    return _violations(problem, assignments, people, related_cells(problem, cells))[0]


def assignment_violations(problem: Problem, assignments: Iterable[Assignment]) -> list[Violation]:
    """The rules each of ``assignments`` answers alone (known person, shift and day;
    availability; eligibility), without the rest of the schedule: a cheap first look at a
    proposed assignment before the rules that need everyone's shifts."""
    found: list[Violation] = []
    index = _index(problem, assignments, found)
    admission = Admission(problem.people)
    return found + _assignment_checks(problem, index, demands_by_cell(problem), admission)


def _violations(
    problem: Problem,
    assignments: Iterable[Assignment],
    people: Collection[str] | None,
    cells: Collection[tuple[int, str]] | None = None,
) -> tuple[list[Violation], _Index, list[int]]:
    timeline = timeline_for(problem)
    found: list[Violation] = []
    index = _index(problem, assignments, found)
    admission = Admission(problem.people)
    by_cell = demands_by_cell(problem)
    found += _assignment_checks(problem, index, by_cell, admission)
    fixed = problem.fixed
    demands = problem.demands
    if cells is not None:
        fixed = tuple(a for a in fixed if (a.day, a.shift) in cells)
        demands = tuple(d for c in cells for d in by_cell.get(c, ()))
    found += _fixed_missing(fixed, index)
    counts = _coverage_counts(demands, index, admission)
    found += _coverage(problem, demands, counts)
    found += _supervision(problem, demands, index)
    found += _supervised_alone(problem, demands, index)
    history = history_pairs(problem)
    for person in problem.people:
        # Everyone, not only people with shifts: an empty roster can break a minimum.
        if people is not None and person.id not in people:
            continue
        found += _person_checks(
            problem,
            timeline,
            person,
            index.person_pairs.get(person.id, []),
            history.get(person.id, []),
        )
    found += _history_note(problem)
    return found, index, counts


def _index(problem: Problem, assignments: Iterable[Assignment], found: list[Violation]) -> _Index:
    index = _Index()
    people, shifts, days = problem.person_by_id, problem.shift_by_id, problem.horizon.days
    cell_people, person_pairs = index.cell_people, index.person_pairs
    for a in assignments:
        pid, day, shift = a.person, a.day, a.shift
        if pid not in people or shift not in shifts or not 0 <= day < days:
            found.append(
                Violation(
                    rule=UNKNOWN,
                    severity=Severity.CRITICAL,
                    message=f"unknown person, shift or day in {a.person} / day {a.day} / {a.shift}",
                    person=a.person,
                    day=a.day,
                    shift=a.shift,
                )
            )
            continue
        cell = (day, shift)
        if cell in cell_people:
            cell_people[cell].append(pid)
        else:
            cell_people[cell] = [pid]
        if pid in person_pairs:
            person_pairs[pid].append(cell)
        else:
            person_pairs[pid] = [cell]
    return index


def _assignment_checks(
    problem: Problem,
    index: _Index,
    by_cell: dict[tuple[int, str], list[Demand]],
    admission: Admission,
) -> list[Violation]:
    """Unavailability and eligibility of each assignment."""
    unavailable = {(u.person, u.day, u.shift) for u in problem.unavailable}
    fixed = {(a.person, a.day, a.shift) for a in problem.fixed}
    found = []
    for (day, shift), pids in index.cell_people.items():
        groups = [admission.admitted(d.eligibility) for d in by_cell.get((day, shift), ())]
        admitted = groups[0] if len(groups) == 1 else frozenset().union(*groups)
        for pid in pids:
            if unavailable and (
                (pid, day, None) in unavailable or (pid, day, shift) in unavailable
            ):
                found.append(
                    Violation(
                        rule=UNAVAILABLE,
                        severity=Severity.CRITICAL,
                        message=f"{pid} is unavailable for {shift} on day {day}"
                        + _reason(problem, pid, day, shift),
                        person=pid,
                        day=day,
                        shift=shift,
                    )
                )
            if pid in admitted or (pid, day, shift) in fixed:
                continue
            found.append(
                Violation(
                    rule=INELIGIBLE,
                    severity=Severity.CRITICAL,
                    message=f"{pid} is not eligible for {shift} on day {day}",
                    person=pid,
                    day=day,
                    shift=shift,
                )
            )
    return found


def _reason(problem: Problem, pid: str, day: int, shift: str) -> str:
    reasons = [
        u.reason
        for u in problem.unavailable
        if u.reason and u.person == pid and u.day == day and u.shift in (None, shift)
    ]
    return f" ({'; '.join(reasons)})" if reasons else ""


def _coverage_counts(demands: Sequence[Demand], index: _Index, admission: Admission) -> list[int]:
    """n of each demand: the eligible people assigned to its (day, shift)."""
    counts = []
    for demand in demands:
        pids = index.cell_people.get((demand.day, demand.shift), ())
        counts.append(sum(map(admission.admitted(demand.eligibility).__contains__, pids)))
    return counts


def _fixed_missing(fixed: Sequence[Assignment], index: _Index) -> list[Violation]:
    return [
        Violation(
            rule=FIXED_MISSING,
            severity=Severity.CRITICAL,
            message=f"fixed assignment of {a.person} to {a.shift} on day {a.day} is missing",
            person=a.person,
            day=a.day,
            shift=a.shift,
        )
        for a in fixed
        if (a.person, a.day, a.shift) not in index.cells
    ]


def _coverage(
    problem: Problem, demands: Sequence[Demand], counts: Sequence[int]
) -> list[Violation]:
    found = []
    for demand, n in zip(demands, counts, strict=True):
        if n < demand.minimum:
            rule, limit, word = COVERAGE_MINIMUM, demand.minimum, "minimum"
        elif demand.maximum is not None and n > demand.maximum:
            rule, limit, word = COVERAGE_MAXIMUM, demand.maximum, "maximum"
        else:
            continue
        found.append(
            Violation(
                rule=rule,
                severity=Severity.CRITICAL,
                message=(
                    f"{demand.shift} on {problem.horizon.date_of(demand.day)} (day {demand.day}): "
                    f"{n} eligible people assigned, {word} {limit}"
                ),
                day=demand.day,
                shift=demand.shift,
                measured=n,
                limit=limit,
            )
        )
    return found


def _supervised_alone(
    problem: Problem, demands: Sequence[Demand], index: _Index
) -> list[Violation]:
    """A supervised-level holder on a demand needing the skill with no lead beside them."""
    people = problem.person_by_id
    found = []
    for demand in demands:
        skills = demand.eligibility.skills
        if not skills:
            continue
        assigned = [people[p] for p in index.cell_people.get((demand.day, demand.shift), ())]
        admitted = [p for p in assigned if demand.eligibility.admits(p)]
        if any(demand.eligibility.leads(p) for p in admitted):
            continue
        for person in admitted:
            held = ", ".join(sorted(skills & person.supervised_skills))
            found.append(
                Violation(
                    rule=SUPERVISED_ALONE,
                    severity=Severity.CRITICAL,
                    message=(
                        f"{person.id} holds {held} at a supervised level only and works "
                        f"{demand.shift} on {problem.horizon.date_of(demand.day)} with no one "
                        "holding it independently"
                    ),
                    person=person.id,
                    day=demand.day,
                    shift=demand.shift,
                )
            )
    return found


def _supervision(problem: Problem, demands: Sequence[Demand], index: _Index) -> list[Violation]:
    """Faculty on the supervisor shift cover the residents of a supervised shift by ratio."""
    rule = problem.supervision
    scale = lcm(*rule.ratios.values()) if rule.ratios else 1
    people = problem.person_by_id
    found = []
    for demand in demands:
        if demand.supervisor_shift is None:
            continue
        residents = [
            people[pid]
            for pid in index.cell_people.get((demand.day, demand.shift), ())
            if people[pid].kind == PersonKind.RESIDENT
        ]
        if not residents:
            continue
        needed = sum(scale // rule.ratio(r.pgy) for r in residents)
        faculty = sum(
            1
            for pid in index.cell_people.get((demand.day, demand.supervisor_shift), ())
            if people[pid].kind == PersonKind.FACULTY
        )
        if faculty * scale >= needed:
            continue
        found.append(
            Violation(
                rule=SUPERVISION,
                severity=Severity.CRITICAL,
                message=(
                    f"{demand.shift} on day {demand.day}: {len(residents)} residents need "
                    f"{-(-needed // scale)} faculty on {demand.supervisor_shift}, {faculty} assigned"
                ),
                day=demand.day,
                shift=demand.shift,
                measured=faculty,
                limit=needed / scale,
            )
        )
    return found


def history_pairs(problem: Problem) -> dict[str, list[tuple[int, str]]]:
    """The history's (day, shift) pairs per person, outside the horizon only
    (``Problem.history_by_person``)."""
    return {pid: list(pairs) for pid, pairs in problem.history_by_person.items()}


def callback_days(problem: Problem, person: str) -> dict[int, int]:
    """Recorded at-home call-back minutes of one person, by the call's day."""
    out: dict[int, int] = {}
    for (pid, day, _shift), minutes in problem.callbacks.items():
        if pid == person:
            out[day] = out.get(day, 0) + minutes
    return out


def person_violations(
    problem: Problem, person: Person, pairs: list[tuple[int, str]]
) -> list[Violation]:
    """The rules of one person's own schedule (overlaps, limits, successions, links, ACGME with
    the history), given as (day, shift) pairs inside the horizon: what ``validate`` reports for
    that person, less eligibility, availability and the cell rules (coverage, supervision,
    fixed). A cheap check of one candidate roster (the roster-pattern relaxation's columns)."""
    history = history_pairs(problem).get(person.id, []) if problem.history is not None else []
    return _person_checks(problem, timeline_for(problem), person, pairs, history)


def _person_checks(
    problem: Problem,
    timeline: Timeline,
    person: Person,
    pairs: list[tuple[int, str]],
    history: list[tuple[int, str]],
) -> list[Violation]:
    items = timed_items(timeline, pairs)
    found = _overlaps(timeline, person, items)
    days = problem.horizon.days
    found += check_limits(
        person,
        pairs,
        problem.shift_by_id,
        timeline.weekend_keys,
        problem.horizon,
        frozenset(day for day, _ in history),
    )
    found += check_successions(person, pairs, problem.shift_by_id)
    if problem.linked:
        found += check_links(person, pairs, problem.linked, days)
    resident = problem.acgme is not None and person.kind == PersonKind.RESIDENT
    wanted = history and (resident or problem.min_rest_minutes)
    every = timed_items(timeline, [*pairs, *history]) if wanted else items
    if problem.min_rest_minutes:
        found += check_rest(person, every, days, problem.min_rest_minutes)
    if resident:
        assert problem.acgme is not None
        callbacks = callback_days(problem, person.id) if problem.callbacks else None
        found += acgme.check_resident(problem.acgme, timeline, person, every, callbacks)
    return found


def _history_note(problem: Problem) -> list[Violation]:
    """Say so when the windows reach back before the recorded history (counted as zero)."""
    if problem.acgme is None or problem.history is None or problem.history.known_from is None:
        return []
    reach = -(problem.acgme.window_days - 1)
    known = problem.history.known_from
    if known <= reach:
        return []
    horizon = problem.horizon
    return [
        Violation(
            rule=acgme.HISTORY_INCOMPLETE,
            severity=Severity.LOW,
            message=(
                f"No schedule is recorded before {horizon.date_of(known)}: the "
                f"{known - reach} day(s) from {horizon.date_of(reach)} that the duty-hour "
                f"windows reach count as zero hours"
            ),
            day=known,
            measured=known - reach,
        )
    ]


def _overlaps(timeline: Timeline, person: Person, items: Sequence[Timed]) -> list[Violation]:
    """Two assignments of one person whose real intervals overlap (touching is fine)."""
    found = []
    latest: Timed | None = None
    for item in items:
        if latest is not None and item.start < latest.end:
            found.append(
                Violation(
                    rule=OVERLAP,
                    severity=Severity.CRITICAL,
                    message=(
                        f"{person.id}: {item.shift} on day {item.day} overlaps {latest.shift} on "
                        f"day {latest.day} ({timeline.local(item.start)} < "
                        f"{timeline.local(latest.end)})"
                    ),
                    person=person.id,
                    start=to_datetime(item.start),
                    end=to_datetime(min(item.end, latest.end)),
                    day=item.day,
                    shift=item.shift,
                )
            )
        if latest is None or item.end > latest.end:
            latest = item
    return found
