"""People's preferences in the engine's terms: the part of the one translator
(scheduling/problem.py) that reads dated requests, blocked dates, standing preferences and
yearly targets. ``build_problem`` calls ``apply`` once; the run precheck calls ``precheck``;
the run page's "constraints in force" lists ``describe``.

How each preference reaches the engine (docs/preferences.md says the same for coordinators):

- **Dated wishes** (approved "prefer to work / not to work"): one weighted engine ``Request``
  (ON or OFF) per day, for the shift type named or any shift.
- **Blocked dates** (approved ``Request`` of kind BLOCKED): hard ``Unavailability`` per day (the
  whole day, or the one shift type named), or, when the program's ``PreferencePolicy`` makes
  them weighted (for every reason, or for reasons other than conferences, teaching and
  religious observance), an OFF ``Request`` per day at the policy's ``blocked_weight``.
- **Preferred / avoided shift types and weekdays** (approved ``StandingPreference``): OFF
  ``Request``s at the preference's weight, by the rule in people/honour.py: each day, an avoided
  shift type (or any shift, for an avoided weekday) gets one; with preferred ones, every shift
  type the person could take that day (a demand admits them) that the preferences concern and
  none matches gets one. Preferences move work, never add it: nothing pulls a person onto a day.
- **Yearly targets** (faculty ``attending_weeks_target`` / ``clinic_sessions_target``): the
  engine has per-person caps but no per-type minimums, so a target is a ceiling for the rest of
  the year: ``PersonLimits.max_shifts`` on each whole-day attending shift type is the target's
  days (7 a week) less the attending days already published in the academic year outside the
  period; the same for clinic sessions on clinic shift types. Shortfalls below a target are
  shown by the dashboards' target figures, not forced.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q

from people.honour import AVOID, PREFER, Standing, prefer_miss
from people.models import AcademicYear, Person, Program, Request, StandingPreference
from people.models_preferences import BlockReason
from people.selectors import preference_policy
from rotations.models import ShiftType
from scheduling.engine import model as m
from scheduling.engine.checks import capacity_shortfalls, staffing_shortfalls
from scheduling.models import Assignment, State
from scheduling.rules_in_force import describer
from scheduling.selectors.boards import ATTENDING_MIN_MINUTES

if TYPE_CHECKING:
    from scheduling.problem import BuiltProblem

DAYS_PER_ATTENDING_WEEK = 7


@dataclass(frozen=True)
class Blocked:
    """An approved blocked date range as the translator and precheck use it."""

    person_id: int
    start: date
    end: date
    shift: str | None  # shift type abbreviation, None for the whole day
    reason: str
    hard: bool

    def label(self) -> str:
        reason = BlockReason(self.reason).label.lower() if self.reason else "blocked"
        days = (
            f"{self.start:%a %d %b %Y}"
            if self.start == self.end
            else f"{self.start:%a %d %b}–{self.end:%a %d %b %Y}"
        )
        return f"blocked {days} ({reason})"


def _days(lo: date, hi: date) -> Iterable[date]:
    for offset in range((hi - lo).days + 1):
        yield lo + timedelta(days=offset)


def blocked_ranges(
    program: Program, people: Iterable[Person], shift_ids: dict[int, str], start: date, end: date
) -> list[Blocked]:
    policy = preference_policy(program.pk)
    rows = Request.objects.filter(
        person__in=list(people),
        kind=Request.Kind.BLOCKED,
        status=Request.Status.APPROVED,
        start_date__lte=end,
        end_date__gte=start,
    ).values_list("person_id", "start_date", "end_date", "shift_type_id", "reason")
    return [
        Blocked(
            person_id,
            lo,
            hi,
            shift_ids.get(shift) if shift else None,
            reason,
            policy.blocked_is_hard(reason),
        )
        for person_id, lo, hi, shift, reason in rows
        if shift is None or shift in shift_ids  # a shift type no longer scheduled: nothing to do
    ]


def _dated_requests(
    people: list[Person],
    person_ids: dict[int, str],
    shift_ids: dict[int, str],
    start: date,
    end: date,
) -> Iterable[m.Request]:
    rows = Request.objects.filter(
        person__in=people,
        kind__in=[Request.Kind.PREFER_ON, Request.Kind.PREFER_OFF],
        status=Request.Status.APPROVED,
        start_date__lte=end,
        end_date__gte=start,
    )
    for row in rows:
        kind = m.RequestKind.ON if row.kind == Request.Kind.PREFER_ON else m.RequestKind.OFF
        shift = shift_ids.get(row.shift_type_id) if row.shift_type_id else None
        if row.shift_type_id and shift is None:
            continue  # a wish about a shift type no longer scheduled
        for day in _days(max(row.start_date, start), min(row.end_date, end)):
            yield m.Request(
                person=person_ids[row.person_id],
                day=(day - start).days,
                kind=kind,
                weight=row.weight,
                shift=shift,
            )


def _blocked(
    blocked: list[Blocked], person_ids: dict[int, str], weight: int, start: date, end: date
) -> tuple[list[m.Unavailability], list[m.Request]]:
    hard: list[m.Unavailability] = []
    soft: list[m.Request] = []
    for row in blocked:
        person = person_ids[row.person_id]
        for day in _days(max(row.start, start), min(row.end, end)):
            index = (day - start).days
            if row.hard:
                hard.append(m.Unavailability(person=person, day=index, shift=row.shift))
            else:
                soft.append(
                    m.Request(person, index, m.RequestKind.OFF, weight=weight, shift=row.shift)
                )
    return hard, soft


def _standing_requests(
    problem: m.Problem, people: list[Person], person_ids: dict[int, str], shift_ids: dict[int, str]
) -> list[m.Request]:
    rules: dict[str, list[Standing]] = defaultdict(list)
    for person_id, kind, shift, weekday, weight in StandingPreference.objects.filter(
        person__in=people,
        status=StandingPreference.Status.APPROVED,
        kind__in=[StandingPreference.Kind.PREFER, StandingPreference.Kind.AVOID],
    ).values_list("person_id", "kind", "shift_type_id", "weekday", "weight"):
        if shift is None or shift in shift_ids:
            rules[person_ids[person_id]].append(Standing(kind, shift, weekday, weight))
    if not rules:
        return []
    pk_of = {abbreviation: pk for pk, abbreviation in shift_ids.items()}
    # The shift types each person could take each day: only those can cost anything.
    could: dict[tuple[str, int], set[str]] = defaultdict(set)
    pools: dict[object, list[str]] = {}
    concerned = [p for p in problem.people if p.id in rules]
    for demand in problem.demands:
        pool = pools.get(demand.eligibility)
        if pool is None:
            pool = pools[demand.eligibility] = [
                p.id for p in concerned if demand.eligibility.admits(p)
            ]
        for pid in pool:
            could[(pid, demand.day)].add(demand.shift)
    found: list[m.Request] = []
    horizon = problem.horizon
    for pid, own in rules.items():
        avoids = [r for r in own if r.kind == AVOID]
        prefers = [r for r in own if r.kind == PREFER]
        for day in range(horizon.days):
            weekday = horizon.date_of(day).weekday()
            for r in avoids:
                if r.weekday is None or r.weekday == weekday:
                    avoided = shift_ids[r.shift] if r.shift is not None else None
                    found.append(m.Request(pid, day, m.RequestKind.OFF, r.weight, avoided))
            if prefers:
                for offered in sorted(could.get((pid, day), ())):
                    cost = prefer_miss(prefers, weekday, pk_of[offered])
                    if cost:
                        found.append(m.Request(pid, day, m.RequestKind.OFF, cost, offered))
    return found


@dataclass(frozen=True)
class TargetCap:
    """A yearly target as a cap on the shift types it counts, for the period."""

    person_id: int
    what: str  # "attending weeks" or "clinic sessions"
    target: int
    used: int  # days or sessions already published this year outside the period
    shifts: tuple[str, ...]

    @property
    def cap(self) -> int:
        allowed = self.target * (DAYS_PER_ATTENDING_WEEK if self.what == "attending weeks" else 1)
        return max(0, allowed - self.used)


def _is_attending(row: ShiftType) -> bool:
    return (
        row.category == ShiftType.Category.ATTENDING
        and row.duration_minutes >= ATTENDING_MIN_MINUTES
    )


def _is_clinic(row: ShiftType) -> bool:
    return row.category == ShiftType.Category.CLINIC_HALF_DAY or (
        row.category == ShiftType.Category.ATTENDING
        and row.duration_minutes < ATTENDING_MIN_MINUTES
    )


def target_caps(
    people: list[Person], shift_rows: list[ShiftType], year: AcademicYear, start: date, end: date
) -> list[TargetCap]:
    """The faculty targets in force over ``start``..``end``, each with what the rest of the
    academic year already used (published attending days or clinic sessions outside the
    period)."""
    faculty = [
        p
        for p in people
        if p.kind == Person.Kind.FACULTY
        and (p.attending_weeks_target is not None or p.clinic_sessions_target is not None)
    ]
    attending = [row for row in shift_rows if _is_attending(row)]
    clinic = [row for row in shift_rows if _is_clinic(row)]
    if not faculty or not (attending or clinic):
        return []
    outside = Q(date__lt=start) | Q(date__gt=end)
    rows = (
        Assignment.objects.filter(
            person__in=faculty,
            state=State.PUBLISHED,
            date__range=(year.start_date, year.end_date),
        )
        .filter(outside)
        .values_list("person_id", "date", "shift_type__category", "shift_type__duration_minutes")
    )
    days: dict[int, set[date]] = defaultdict(set)
    sessions: dict[int, int] = defaultdict(int)
    for person_id, day, category, minutes in rows:
        kind = ShiftType(category=category, duration_minutes=minutes)
        if _is_attending(kind):
            days[person_id].add(day)
        elif _is_clinic(kind):
            sessions[person_id] += 1
    caps = []
    for person in faculty:
        if person.attending_weeks_target is not None and attending:
            caps.append(
                TargetCap(
                    person.pk,
                    "attending weeks",
                    person.attending_weeks_target,
                    len(days[person.pk]),
                    tuple(row.abbreviation for row in attending),
                )
            )
        if person.clinic_sessions_target is not None and clinic:
            caps.append(
                TargetCap(
                    person.pk,
                    "clinic sessions",
                    person.clinic_sessions_target,
                    sessions[person.pk],
                    tuple(row.abbreviation for row in clinic),
                )
            )
    return caps


def _capped(
    people: tuple[m.Person, ...], caps: list[TargetCap], person_ids: dict[int, str]
) -> tuple[m.Person, ...]:
    """People with their target caps added to their limits (a tighter cap already there,
    e.g. a program rule, stays)."""
    extra: dict[str, dict[str, int]] = defaultdict(dict)
    for cap in caps:
        for shift in cap.shifts:
            extra[person_ids[cap.person_id]][shift] = cap.cap
    out = []
    for person in people:
        if person.id not in extra:
            out.append(person)
            continue
        merged = dict(person.limits.max_shifts)
        for shift, value in extra[person.id].items():
            merged[shift] = min(value, merged.get(shift, value))
        limits = dataclasses.replace(person.limits, max_shifts=merged)
        out.append(dataclasses.replace(person, limits=limits))
    return tuple(out)


def apply(
    problem: m.Problem,
    *,
    program: Program,
    people: list[Person],
    person_ids: dict[int, str],
    shift_rows: list[ShiftType],
    year: AcademicYear,
) -> m.Problem:
    """The problem with every approved preference of ``people`` added (see the module
    docstring for how each kind is translated)."""
    start = problem.horizon.start
    end = start + timedelta(days=problem.horizon.days - 1)
    shift_rows = [row for row in shift_rows if row.active]  # not the history's retired ones
    shift_ids = {row.pk: row.abbreviation for row in shift_rows}
    policy = preference_policy(program.pk)
    blocked = blocked_ranges(program, people, shift_ids, start, end)
    hard, soft = _blocked(blocked, person_ids, policy.blocked_weight, start, end)
    requests = [
        *_dated_requests(people, person_ids, shift_ids, start, end),
        *soft,
        *_standing_requests(problem, people, person_ids, shift_ids),
    ]
    caps = target_caps(people, shift_rows, year, start, end)
    return dataclasses.replace(
        problem,
        people=_capped(problem.people, caps, person_ids),
        unavailable=problem.unavailable + tuple(hard),
        requests=problem.requests + tuple(requests),
    )


# Precheck and "constraints in force" -------------------------------------------------------


def _when(day: date) -> str:
    return f"{day:%a %d %b %Y}"


def precheck(program: Program, built: BuiltProblem) -> list[str]:
    """Contradictions between people's preferences and the program's needs, named on both
    sides in coordinator words, before any solve: a demand no one eligible is free for because
    of blocked dates, a locked shift inside a blocked range, and a shift type whose minimums
    the eligible people's yearly targets leave uncoverable. (The engine's own check_problem
    refuses the same problems in its terms; this says who and why.)"""
    problem = built.problem
    start = problem.horizon.start
    end = start + timedelta(days=problem.horizon.days - 1)
    rows = list(built.people.values())
    code_of = {person.pk: pid for pid, person in built.people.items()}
    shift_ids = {row.pk: abbreviation for abbreviation, row in built.shift_types.items()}
    blocked = [b for b in blocked_ranges(program, rows, shift_ids, start, end) if b.hard]
    by_cell: dict[tuple[str, int, str | None], Blocked] = {}
    for b in blocked:
        for day in _days(max(b.start, start), min(b.end, end)):
            by_cell[(code_of[b.person_id], (day - start).days, b.shift)] = b

    def blocker(pid: str, day: int, shift: str) -> Blocked | None:
        return by_cell.get((pid, day, None)) or by_cell.get((pid, day, shift))

    def shift_name(abbreviation: str) -> str:
        row = built.shift_types[abbreviation]
        return f"{row.name} ({abbreviation})"

    causes = []
    for short in staffing_shortfalls(problem) if blocked else []:
        d = short.demand
        named = [(pid, hit) for pid in short.unavailable if (hit := blocker(pid, d.day, d.shift))]
        if not named:
            continue
        who = "; ".join(f"{built.person_label(pid)} has {hit.label()}" for pid, hit in named)
        others = len(short.unavailable) - len(named)
        causes.append(
            f"{shift_name(d.shift)} on {_when(problem.horizon.date_of(d.day))} needs "
            f"{d.minimum} but only {short.available} of its {len(short.eligible)} eligible people are "
            f"free: {who}" + (f" ({others} more away on approved leave)" if others else "") + "."
        )
    for a in problem.fixed if blocked else ():
        if inside := blocker(a.person, a.day, a.shift):
            causes.append(
                f"{built.person_label(a.person)}'s locked {shift_name(a.shift)} shift on "
                f"{_when(problem.horizon.date_of(a.day))} falls in their {inside.label()}."
            )
    year = AcademicYear.objects.filter(
        program=program, start_date__lte=start, end_date__gte=start
    ).first()
    active = [row for row in built.shift_types.values() if row.active]
    caps = target_caps(rows, active, year, start, end) if year else []
    by_target = {(code_of[c.person_id], shift): c for c in caps for shift in c.shifts}
    for s in capacity_shortfalls(problem) if caps else []:
        named_caps = [
            (pid, by_target[(pid, s.shift)]) for pid in s.caps if (pid, s.shift) in by_target
        ]
        if not named_caps:
            continue
        who = "; ".join(
            f"{built.person_label(pid)}'s target of {c.target} {c.what} a year leaves {c.cap}"
            for pid, c in named_caps
        )
        causes.append(
            f"{shift_name(s.shift)} needs {s.needed} shifts from {start:%d %b} to {_when(end)}, "
            f"but its eligible people may take at most {s.capacity}: {who}."
        )
    return causes


@describer
def describe(program: Program, start: date, end: date) -> list[str]:
    """The preferences in force over a period, one line each, for the run page's
    "constraints in force"."""
    people = list(
        Person.objects.filter(program=program, active=True).exclude(kind=Person.Kind.STAFF)
    )
    policy = preference_policy(program.pk)
    lines = []
    dated = Request.objects.filter(
        person__in=people, start_date__lte=end, end_date__gte=start
    ).values_list("kind", "status", "person_id")
    approved = [(kind, pid) for kind, status, pid in dated if status == Request.Status.APPROVED]
    blocked = [pid for kind, pid in approved if kind == Request.Kind.BLOCKED]
    if blocked:
        how = {
            policy.Blocked.HARD: "hard: never scheduled on them",
            policy.Blocked.WEIGHTED: f"weighted {policy.blocked_weight} a shift",
            policy.Blocked.BY_REASON: "hard for conferences, teaching and religious observance, "
            f"otherwise weighted {policy.blocked_weight} a shift",
        }[policy.Blocked(policy.blocked_dates)]
        lines.append(
            f"Blocked dates: {len(blocked)} range(s) from {len(set(blocked))} people ({how})."
        )
    wishes = [pid for kind, pid in approved if kind != Request.Kind.BLOCKED]
    if wishes:
        lines.append(
            f"Dated wishes: {len(wishes)} from {len(set(wishes))} people, weighted 1–10 a day."
        )
    standing = StandingPreference.objects.filter(
        person__in=people, status=StandingPreference.Status.APPROVED
    ).values_list("kind", "person_id")
    for kind, label in (
        (StandingPreference.Kind.PREFER, "Preferred shift types and weekdays"),
        (StandingPreference.Kind.AVOID, "Avoided shift types and weekdays"),
    ):
        found = [pid for k, pid in standing if k == kind]
        if found:
            lines.append(
                f"{label}: {len(found)} from {len(set(found))} people, weighted 1–10 a shift."
            )
    year = AcademicYear.objects.filter(
        program=program, start_date__lte=start, end_date__gte=start
    ).first()
    shift_rows = list(ShiftType.objects.filter(program=program, active=True))
    names = {person.pk: person.full_name for person in people}
    for cap in target_caps(people, shift_rows, year, start, end) if year else []:
        lines.append(
            f"Yearly target: {names[cap.person_id]}, {cap.target} {cap.what}: at most {cap.cap} "
            f"{'/'.join(cap.shifts)} shifts in this period ({cap.used} used elsewhere this year)."
        )
    pending = sum(1 for _, status, _ in dated if status == Request.Status.PENDING)
    pending += StandingPreference.objects.filter(
        person__in=people, status=StandingPreference.Status.PENDING
    ).count()
    if pending:
        lines.append(f"Waiting for review, not in force: {pending} preference(s).")
    return lines
