"""Contradictory problem data, named before any solver runs.

``check_problem`` returns one human sentence per cause; an empty list means the data is
consistent (which does not prove the problem feasible: that is the solvers' job). A fixed
assignment on a (day, shift) that has demands is *ineligible* when none of them admits the
person; a fixed assignment on a (day, shift) without demand is a free-standing manual entry and
allowed (model.py: "or the assignment is fixed").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .checks_seams import day_name, seam_causes
from .duty import timeline_for
from .model import Assignment, Demand, PersonKind, Problem, ShiftCategory

FAIRNESS_MEASURES = frozenset({"call", "night", "weekend", "holiday"})


class ProblemError(ValueError):
    """The problem data contradicts itself; ``causes`` names each contradiction."""

    def __init__(self, causes: Iterable[str]) -> None:
        self.causes: tuple[str, ...] = tuple(causes)
        super().__init__("; ".join(self.causes) or "invalid problem")


def require_consistent(problem: Problem) -> None:
    """Raise ProblemError when check_problem finds anything."""
    causes = check_problem(problem)
    if causes:
        raise ProblemError(causes)


def check_problem(problem: Problem) -> list[str]:
    causes = _structure(problem)
    if causes:
        return causes  # unknown ids make the checks below meaningless
    causes += _demands(problem)
    causes += _limits(problem)
    causes += _fixed(problem)
    causes += _staffing(problem)
    causes += _caps(problem)
    causes += _capacity(problem)
    causes += _consecutive(problem)
    causes += seam_causes(problem)
    return causes


def _duplicates(kind: str, ids: Iterable[str]) -> list[str]:
    return [f"duplicate {kind} id {i!r}" for i, n in sorted(Counter(ids).items()) if n > 1]


def _structure(problem: Problem) -> list[str]:
    """Ids and days that do not exist."""
    days = problem.horizon.days
    people, shifts = problem.person_by_id, problem.shift_by_id
    causes = []
    if days <= 0:
        causes.append(f"the horizon has {days} days")
    try:
        problem.horizon.tz  # noqa: B018 - loading the zone is the check
    except (KeyError, ValueError) as error:
        causes.append(f"unknown timezone {problem.horizon.timezone!r} ({error})")
    causes += _duplicates("person", (p.id for p in problem.people))
    causes += _duplicates("shift type", (s.id for s in problem.shift_types))
    for s in problem.shift_types:
        if s.minutes <= 0:
            causes.append(f"shift type {s.id!r} lasts {s.minutes} minutes")
        causes += [
            f"shift type {s.id!r} forbids unknown next shift {n!r}"
            for n in sorted(s.forbidden_next - shifts.keys())
        ]

    def where(kind: str, person: str | None, day: int, shift: str | None) -> list[str]:
        found = []
        if person is not None and person not in people:
            found.append(f"{kind} names unknown person {person!r}")
        if shift is not None and shift not in shifts:
            found.append(f"{kind} names unknown shift type {shift!r}")
        if not 0 <= day < days:
            found.append(f"{kind} on day {day} lies outside the {days}-day horizon")
        return found

    for d in problem.demands:
        causes += where(f"demand {d.shift}@{d.day}", None, d.day, d.shift)
        if d.supervisor_shift is not None and d.supervisor_shift not in shifts:
            causes.append(
                f"demand {d.shift}@{d.day} names unknown supervisor shift {d.supervisor_shift!r}"
            )
        if d.eligibility.people is not None:
            causes += [
                f"demand {d.shift}@{d.day} lists unknown person {p!r}"
                for p in sorted(d.eligibility.people - people.keys())
            ]
    for u in problem.unavailable:
        causes += where("unavailability", u.person, u.day, u.shift)
    for r in problem.requests:
        causes += where("request", r.person, r.day, r.shift)
    for a in problem.fixed:
        causes += where("fixed assignment", a.person, a.day, a.shift)
    for a in problem.baseline:
        causes += where("baseline assignment", a.person, a.day, a.shift)
    for g in problem.fairness:
        if g.measure not in FAIRNESS_MEASURES:
            causes.append(f"fairness group {g.name!r} has unknown measure {g.measure!r}")
        causes += [
            f"fairness group {g.name!r} names unknown person {p!r}"
            for p in sorted(g.people - people.keys())
        ]
    for p in problem.people:
        causes += [
            f"{p.id}: limit on unknown shift type {s!r}"
            for s in sorted(set(p.limits.max_shifts) - shifts.keys())
        ]
    if any(r <= 0 for r in problem.supervision.ratios.values()) or not problem.supervision.ratios:
        causes.append(f"supervision ratios must be positive: {dict(problem.supervision.ratios)}")
    return causes


def _demands(problem: Problem) -> list[str]:
    causes = []
    cells = Counter((d.day, d.shift) for d in problem.demands)
    causes += [
        f"{n} demands for {shift} on day {day} (one per day and shift type)"
        for (day, shift), n in sorted(cells.items())
        if n > 1
    ]
    for d in problem.demands:
        name = f"demand {d.shift}@{d.day}"
        if d.minimum < 0 or d.target < 0:
            causes.append(f"{name}: negative minimum or target")
        if d.maximum is not None and d.minimum > d.maximum:
            causes.append(f"{name}: minimum {d.minimum} above maximum {d.maximum}")
        elif d.target < d.minimum or (d.maximum is not None and d.target > d.maximum):
            causes.append(
                f"{name}: target {d.target} outside [{d.minimum}, "
                f"{'inf' if d.maximum is None else d.maximum}]"
            )
        if d.under_weight < 0 or d.over_weight < 0:
            causes.append(f"{name}: negative weight")
    return causes


def _limits(problem: Problem) -> list[str]:
    causes = []
    for p in problem.people:
        lim = p.limits
        pairs = [
            ("total minutes", lim.min_total_minutes, lim.max_total_minutes),
            ("consecutive working days", lim.min_consecutive_work, lim.max_consecutive_work),
        ]
        for what, low, high in pairs:
            if low is not None and high is not None and low > high:
                causes.append(f"{p.id}: minimum {what} {low} above maximum {high}")
        values = [lim.min_total_minutes, lim.max_total_minutes, lim.min_consecutive_work,
                  lim.max_consecutive_work, lim.min_consecutive_off, lim.max_weekends,
                  lim.max_shifts_per_day, *lim.max_shifts.values()]  # fmt: skip
        values += [cap.cap for cap in lim.caps] + [cap.cap for cap in lim.weekend_caps]
        if any(v is not None and v < 0 for v in values):
            causes.append(f"{p.id}: negative limit")
        if lim.weekly_hours_limit is not None and lim.weekly_hours_limit <= 0:
            causes.append(f"{p.id}: weekly hours limit {lim.weekly_hours_limit} is not positive")
    if problem.min_rest_minutes is not None and problem.min_rest_minutes < 0:
        causes.append(f"negative minimum rest ({problem.min_rest_minutes} minutes)")
    return causes


def _fixed(problem: Problem) -> list[str]:
    """Fixed assignments that cannot hold: unavailable, ineligible, overlapping, overfull."""
    unavailable = {(u.person, u.day, u.shift) for u in problem.unavailable}
    demands: dict[tuple[int, str], list[Demand]] = {}
    for d in problem.demands:
        demands.setdefault((d.day, d.shift), []).append(d)
    people = problem.person_by_id
    causes = []
    for a in problem.fixed:
        if (a.person, a.day, None) in unavailable or (a.person, a.day, a.shift) in unavailable:
            causes.append(f"{a.person} is fixed on {a.shift} day {a.day} but unavailable")
        cell = demands.get((a.day, a.shift))
        person = people[a.person]
        if cell and not any(d.eligibility.admits(person) for d in cell):
            causes.append(f"{a.person} is fixed on {a.shift} day {a.day} but not eligible")
        rules = problem.acgme
        if (
            rules is not None
            and not rules.pgy1_may_moonlight
            and person.kind == PersonKind.RESIDENT
            and person.pgy == 1
            and problem.shift_by_id[a.shift].category == ShiftCategory.MOONLIGHTING
        ):
            causes.append(f"{a.person} is PGY-1 and fixed on moonlighting shift {a.shift}")
    causes += _fixed_overlaps(problem)
    causes += _fixed_sequences(problem, unavailable)
    for d in problem.demands:
        if d.maximum is None:
            continue
        n = sum(
            1
            for a in problem.fixed
            if a.day == d.day and a.shift == d.shift and d.eligibility.admits(people[a.person])
        )
        if n > d.maximum:
            causes.append(f"{n} fixed on {d.shift} day {d.day}, above its maximum {d.maximum}")
    return causes


def _fixed_sequences(problem: Problem, unavailable: set[tuple[str, int, str | None]]) -> list[str]:
    """Fixed assignments that break a forbidden succession, or a linked day (call pattern)
    whose other day the person cannot work."""
    causes = []
    fixed = set(problem.fixed)
    shifts = problem.shift_by_id
    for a in sorted(fixed, key=lambda a: (a.person, a.day, a.shift)):
        for nxt in sorted(shifts[a.shift].forbidden_next):
            if Assignment(a.person, a.day + 1, nxt) in fixed:
                causes.append(
                    f"{a.person} is fixed on {a.shift} day {a.day} and {nxt} day {a.day + 1}: "
                    f"too little rest between them (forbidden succession)"
                )
        for link in problem.linked:
            if a.shift not in link.shifts or a.day not in (link.first, link.second):
                continue
            other = link.second if a.day == link.first else link.first
            if not 0 <= other < problem.horizon.days:
                continue
            if (a.person, other, None) in unavailable or all(
                (a.person, other, s) in unavailable for s in link.shifts
            ):
                causes.append(
                    f"{a.person} is fixed on {a.shift} day {a.day} but unavailable on day "
                    f"{other}, whose call goes with it (call pattern)"
                )
    return causes


def _fixed_overlaps(problem: Problem) -> list[str]:
    timeline = timeline_for(problem)
    by_person: dict[str, list[Assignment]] = {}
    for a in set(problem.fixed):
        by_person.setdefault(a.person, []).append(a)
    causes = []
    for pid, fixed in sorted(by_person.items()):
        timed = sorted((timeline.interval(a.day, a.shift), a) for a in fixed)
        latest_end, latest = timed[0][0][1], timed[0][1]
        for (start, end), a in timed[1:]:
            if start < latest_end:
                causes.append(
                    f"{pid} has overlapping fixed assignments {latest.shift} day {latest.day} "
                    f"and {a.shift} day {a.day}"
                )
            if end > latest_end:
                latest_end, latest = end, a
    return causes


@dataclass(frozen=True)
class StaffingShortfall:
    """A demand whose minimum exceeds the eligible people free that day."""

    demand: Demand
    eligible: tuple[str, ...]  # admitted by the demand
    unavailable: tuple[str, ...]  # admitted, but unavailable that day (or for that shift)

    @property
    def available(self) -> int:
        return len(self.eligible) - len(self.unavailable)


@dataclass(frozen=True)
class Away:
    """Who may not work what (``Problem.unavailable``): whole days and single shifts."""

    days: frozenset[tuple[str, int]]
    shifts: frozenset[tuple[str, int, str]]

    @classmethod
    def of(cls, problem: Problem) -> Away:
        return cls(
            frozenset((u.person, u.day) for u in problem.unavailable if u.shift is None),
            frozenset((u.person, u.day, u.shift) for u in problem.unavailable if u.shift),
        )

    def __call__(self, person: str, day: int, shift: str) -> bool:
        return (person, day) in self.days or (person, day, shift) in self.shifts


class Eligible:
    """Who may serve a demand, in one reading for the precheck, the translator's shortfalls and
    the ceilings' models: the people its eligibility admits (once per eligibility), and among
    them who is free for it on a day: not away (``Away``) and not capped at none of its shift."""

    def __init__(self, problem: Problem) -> None:
        self._problem = problem
        self.away = Away.of(problem)
        self._pools: dict[object, tuple[str, ...]] = {}

    def admitted(self, demand: Demand) -> tuple[str, ...]:
        pool = self._pools.get(demand.eligibility)
        if pool is None:
            people = self._problem.people
            pool = tuple(p.id for p in people if demand.eligibility.admits(p))
            self._pools[demand.eligibility] = pool
        return pool

    def free(self, person: str, day: int, shift: str) -> bool:
        limits = self._problem.person_by_id[person].limits
        return not self.away(person, day, shift) and limits.max_shifts.get(shift) != 0


def staffing_shortfalls(problem: Problem) -> list[StaffingShortfall]:
    """Every demand minimum above the eligible people available that day, with who is away:
    the translator names them in coordinator words (scheduling/problem_preferences.py)."""
    eligible = Eligible(problem)
    found = []
    for d in problem.demands:
        if d.minimum == 0:
            continue
        pool = eligible.admitted(d)
        away = tuple(pid for pid in pool if not eligible.free(pid, d.day, d.shift))
        if len(pool) - len(away) < d.minimum:
            found.append(StaffingShortfall(d, pool, away))
    return found


def _staffing(problem: Problem) -> list[str]:
    """A demand minimum above the eligible people available that day, in the precheck's words;
    then the credentialled demands that only supervised-level holders could cover."""
    causes = []
    for s in staffing_shortfalls(problem):
        d = s.demand
        if d.eligibility.skills and s.available == 0:
            causes.append(
                f"no one with a valid {_skills(d)} on {day_name(problem, d.day)} for {d.shift} "
                f"(it needs at least {d.minimum})"
            )
        else:
            causes.append(
                f"demand {d.shift}@{d.day} needs at least {d.minimum} but only {s.available} "
                f"eligible people are available"
            )
    return causes + _independent(problem)


def _independent(problem: Problem) -> list[str]:
    """A demand needing a credential whose free holders that day all hold it supervised only
    (enough of them, but none may cover it alone)."""
    eligible = Eligible(problem)
    people = problem.person_by_id
    causes = []
    for d in problem.demands:
        if d.minimum == 0 or not d.eligibility.skills:
            continue
        free = [pid for pid in eligible.admitted(d) if eligible.free(pid, d.day, d.shift)]
        if len(free) >= d.minimum and not any(d.eligibility.leads(people[pid]) for pid in free):
            causes.append(
                f"no one holds {_skills(d)} independently on {day_name(problem, d.day)} for "
                f"{d.shift}: a supervised-level holder cannot cover it alone"
            )
    return causes


@dataclass(frozen=True)
class CapacityShortfall:
    """A shift type whose minimums over the horizon exceed what its eligible people may take,
    once their per-person caps (``PersonLimits.max_shifts``) are counted."""

    shift: str
    needed: int  # sum of the demands' minimums
    capacity: int  # sum over eligible people of min(cap, days they are admitted and free)
    caps: dict[str, int]  # the people whose cap binds, with their cap


def capacity_shortfalls(problem: Problem) -> list[CapacityShortfall]:
    """Caps that leave a shift type's minimums uncoverable over the horizon. Without a binding
    cap the per-day staffing check already covers the sum, so only caps are reported here."""
    if not any(p.limits.max_shifts for p in problem.people):
        return []
    by_shift: dict[str, list[Demand]] = {}
    for d in problem.demands:
        if d.minimum > 0:
            by_shift.setdefault(d.shift, []).append(d)
    found = []
    for shift, demands in sorted(by_shift.items()):
        if not any(shift in p.limits.max_shifts for p in problem.people):
            continue
        capacity, caps, _ = shift_capacity(problem, demands)
        needed = sum(d.minimum for d in demands)
        if caps and capacity < needed:
            found.append(CapacityShortfall(shift, needed, capacity, caps))
    return found


def shift_capacity(problem: Problem, demands: Sequence[Demand]) -> tuple[int, dict[str, int], int]:
    """At most how many of ``demands`` (all on one shift type) the people they admit may work
    over the horizon: each one on the days a demand admits them and they are free, no more
    than their cap (``PersonLimits.max_shifts``). Returns (capacity, the caps that bind, the
    people admitted)."""
    eligible = Eligible(problem)
    free: set[tuple[str, int]] = set()  # (person, day): one shift of a type a day at most
    admitted: set[str] = set()
    for d in demands:
        pool = eligible.admitted(d)
        admitted.update(pool)
        # Not ``eligible.free``: a cap of none binds below as every other cap does.
        free.update((pid, d.day) for pid in pool if not eligible.away(pid, d.day, d.shift))
    days = Counter(pid for pid, _ in free)
    shift = demands[0].shift if demands else ""
    caps = {
        pid: problem.person_by_id[pid].limits.max_shifts[shift]
        for pid, n in days.items()
        if problem.person_by_id[pid].limits.max_shifts.get(shift, n) < n
    }
    capacity = sum(min(n, caps.get(pid, n)) for pid, n in days.items())
    return capacity, dict(sorted(caps.items())), len(admitted)


def _capacity(problem: Problem) -> list[str]:
    return [
        f"{s.shift}: the demands need {s.needed} shifts over the horizon but the eligible people "
        f"may take at most {s.capacity} (capped: "
        + ", ".join(f"{pid} {cap}" for pid, cap in s.caps.items())
        + ")"
        for s in capacity_shortfalls(problem)
    ]


def _consecutive(problem: Problem) -> list[str]:
    """Runs of days that each need someone, longer than the consecutive-day limits of everyone
    who could work them let them cover (a person limited to k days covers at most
    L - L // (k + 1) days of a run of L)."""
    needed = sorted({d.day for d in problem.demands if d.minimum > 0})
    runs: list[list[int]] = []
    for day in needed:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    causes = []
    for run in runs:
        demands = [d for d in problem.demands if d.minimum > 0 and d.day in run]
        kinds = {d.eligibility for d in demands}
        pool = [p for p in problem.people if any(e.admits(p) for e in kinds)]
        limits = [p.limits.max_consecutive_work for p in pool]
        if not pool or any(k is None for k in limits):
            continue
        length = len(run)
        room = sum(length - length // (k + 1) for k in limits if k is not None)
        if room < length:
            causes.append(
                f"the consecutive working-day limits of the {len(pool)} eligible people "
                f"({', '.join(f'{p.id} at most {p.limits.max_consecutive_work}' for p in pool)}) "
                f"cover at most {room} of the {length} days from {day_name(problem, run[0])} to "
                f"{day_name(problem, run[-1])} that each need someone"
            )
    return causes


def _skills(d: Demand) -> str:
    return " and ".join(sorted(d.eligibility.skills))


def _caps(problem: Problem) -> list[str]:
    """A cap (ShiftCap) that leaves too few shifts for the demand minimums it covers: per
    distinct cap, the minimums of the demands on its shifts and days against what everyone
    admitted could work (the cap for those who have it, every demand day for the others)."""
    causes = []
    caps = {
        (c.name, c.shifts, c.first, c.last) for p in problem.people for c in p.limits.caps if c.hard
    }
    last_day = problem.horizon.days - 1
    for name, shifts, first, last in sorted(caps, key=lambda c: (c[0], c[2])):
        span = (first, last_day if last is None else last)
        demands = [d for d in problem.demands if d.shift in shifts and span[0] <= d.day <= span[1]]
        need = sum(d.minimum for d in demands)
        if need == 0:
            continue
        cells = len({(d.day, d.shift) for d in demands})
        room, capped = 0, []
        kinds = {d.eligibility for d in demands}
        for p in problem.people:
            if not any(e.admits(p) for e in kinds):
                continue
            own = [
                c.cap
                for c in p.limits.caps
                if (c.name, c.shifts, c.first, c.last) == (name, shifts, first, last)
            ]
            if own:
                capped.append(p.id)
            room += min(own) if own else cells
        if room < need:
            causes.append(
                f"{name}: the cap on {len(capped)} people leaves {room} of {'/'.join(sorted(shifts))} "
                f"shifts from {day_name(problem, span[0])} to {day_name(problem, span[1])}, "
                f"but the coverage minimums need {need}"
            )
    return causes
