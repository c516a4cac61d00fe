"""Translate a program's rows into an engine ``Problem`` (and solutions back into rows).

The engine never sees the database: this module reads everything a solve needs for one program
and period, with a fixed number of queries, and names things the way coordinators do (people by
their public code, shift types by abbreviation) so violations read naturally.

Program rules, credentials and role flags are read by ``problem_rules`` (called from
``build_problem`` only), so this stays the one translator.

History (docs/rules.md): every problem carries the published assignments of the 28 days before
the period (27 for the windows, one more for a night crossing into the first) and the 27 days
after it as fixed context, whatever academic year they belong to, so solve, schedule_validate
and the edit preview see the same seams: the duty-hour rules, and the program's consecutive-day
limit, minimum rest and weekend caps (a weekend straddling the period's edge) read it.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Min, Q

from lib.errors import ApplicationError
from people.eligibility import eligibility_index
from people.models import Absence, AcademicYear, Person, Program
from rotations.models import Block, CoverageRequirement, ShiftType
from rotations.selectors import holidays_for
from scheduling import problem_preferences, problem_rules
from scheduling.engine import model as m
from scheduling.engine import sacrifice
from scheduling.models import Assignment, RotationAssignment, State

CATEGORY = {choice.value: m.ShiftCategory(choice.value) for choice in ShiftType.Category}
KIND: dict[str, m.PersonKind] = {
    Person.Kind.RESIDENT: m.PersonKind.RESIDENT,
    Person.Kind.FACULTY: m.PersonKind.FACULTY,
}
COVERAGE_KINDS = {
    CoverageRequirement.Kinds.RESIDENT: frozenset({m.PersonKind.RESIDENT}),
    CoverageRequirement.Kinds.FACULTY: frozenset({m.PersonKind.FACULTY}),
    CoverageRequirement.Kinds.ANY: None,
}
ACGME_OVERRIDABLE = {f.name for f in dataclasses.fields(m.AcgmeRules)} - {
    "version",
    "leave_reading",
}
HISTORY_BEFORE = 28  # days: the 27 a window reaches back, plus one for a crossing night
HISTORY_AFTER = 27


@dataclass(frozen=True)
class BuiltProblem:
    """The engine problem plus the maps needed to turn its answer back into rows."""

    problem: m.Problem
    people: dict[str, Person]  # engine id -> row
    shift_types: dict[str, ShiftType]  # engine id -> row
    # Per demand: its sacrifice category, and the demands as the program set them (with
    # ``shed_order`` the problem's own minimums are soft; validate against these).
    demand_categories: tuple[str, ...] = ()
    program_demands: tuple[m.Demand, ...] = ()

    @property
    def demand_minimums(self) -> tuple[int, ...]:
        return tuple(demand.minimum for demand in self.program_demands)

    def program_problem(self) -> m.Problem:
        """The problem with the program's hard minimums (what a schedule is judged against)."""
        return dataclasses.replace(self.problem, demands=self.program_demands)

    def person_label(self, engine_id: str | None) -> str:
        person = self.people.get(engine_id or "")
        return person.full_name if person else (engine_id or "")


def period_days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def academic_year_for(program: Program, day: date) -> AcademicYear:
    year = AcademicYear.objects.filter(
        program=program, start_date__lte=day, end_date__gte=day
    ).first()
    if year is None:
        raise ApplicationError(f"{program} has no academic year containing {day:%d %b %Y}.")
    return year


def rotation_members_by_day(program: Program, days: list[date]) -> dict[tuple[int, date], set[int]]:
    """(rotation id, day) -> person ids on that rotation in the published plan."""
    members: dict[tuple[int, date], set[int]] = defaultdict(set)
    blocks = Block.objects.filter(
        academic_year__program=program, start_date__lte=days[-1], end_date__gte=days[0]
    )
    rows = RotationAssignment.objects.filter(
        block__in=blocks, state=State.PUBLISHED
    ).select_related("block")
    for row in rows:
        block = row.block
        first, last = block.start_date, block.end_date
        if row.half == RotationAssignment.Half.FIRST:
            last = block.midpoint - timedelta(days=1)
        elif row.half == RotationAssignment.Half.SECOND:
            first = block.midpoint
        for day in days:
            if first <= day <= last:
                members[(row.rotation_id, day)].add(row.person_id)
    return members


def build_problem(
    program: Program,
    start: date,
    end: date,
    *,
    baseline: Iterable[Assignment] = (),
    change_weight: int = 0,
    shed_order: Sequence[str] | None = None,
) -> BuiltProblem:
    """``shed_order``: make minimums soft, shed in that order of sacrifice categories
    (engine/sacrifice.py); contingency re-solves use it, normal runs keep minimums hard."""
    if end < start:
        raise ApplicationError("The period ends before it starts.")
    days = period_days(start, end)
    year = academic_year_for(program, start)
    people = list(
        Person.objects.filter(program=program, active=True).exclude(kind=Person.Kind.STAFF)
    )
    shift_rows = list(ShiftType.objects.filter(program=program, active=True))
    if not shift_rows:
        raise ApplicationError(f"{program} has no active shift types to schedule.")
    coverage = list(
        CoverageRequirement.objects.filter(
            shift_type__program=program, shift_type__active=True
        ).select_related("shift_type", "rotation", "procedure", "supervisor_shift_type")
    )
    if not coverage:
        raise ApplicationError(f"{program} has no coverage requirements: nothing to schedule.")

    person_ids = {person.pk: str(person.code) for person in people}
    shift_ids = {shift.pk: shift.abbreviation for shift in shift_rows}
    members = rotation_members_by_day(program, days)
    holidays = frozenset(
        (day - start).days for day in holidays_for(program, start, end)
    )  # the program's holiday calendar: no demand for shift types that stop on holidays
    horizon = m.Horizon(start=start, days=len(days), timezone=program.timezone, holidays=holidays)
    context = (start - timedelta(days=HISTORY_BEFORE), end + timedelta(days=HISTORY_AFTER))
    exceptions = _weekly_hour_exceptions(program, start, *context)
    leave = _leave_days(people, start, *context)
    credentials = eligibility_index(program, start, end)
    skills = {person.pk: credentials.skills(person.pk, days) for person in people}
    rules = problem_rules.active_rules(program)
    limits = problem_rules.person_limits(program, people, year, start, end, shift_rows, rules)
    history_rows = _history_rows(program, person_ids, start, end, *context)
    shift_rows += _retired_shift_types(shift_rows, history_rows)

    engine_people = tuple(
        m.Person(
            id=person_ids[person.pk],
            kind=KIND.get(person.kind, m.PersonKind.STAFF),
            pgy=person.pgy_in(year),
            skills=skills[person.pk][0],
            supervised_skills=skills[person.pk][1],
            limits=m.PersonLimits(
                weekly_hours_limit=exceptions[person.pk][0] if person.pk in exceptions else None,
                weekly_hours_days=exceptions[person.pk][1] if person.pk in exceptions else None,
                leave_days=leave.get(person.pk, frozenset()),
                **limits.get(person.pk, {}),
            ),
        )
        for person in people
    )
    history = _history(
        program, history_rows, person_ids, {row.pk: row.abbreviation for row in shift_rows}, start
    )
    callbacks = _callbacks(program, person_ids, start, *context)
    pairs = list(_demands(coverage, days, members, person_ids, holidays))
    demands = tuple(demand for demand, _ in pairs)
    categories = tuple(category for _, category in pairs)
    program_demands = demands
    gaps = problem_rules.credential_gaps(demands, people, person_ids, credentials, skills, start)
    hard_rest, should_rest = problem_rules.rest_rules(rules)
    if shed_order is not None:
        demands = sacrifice.soften(demands, categories, shed_order)
    problem = m.Problem(
        name=f"{program} {start:%Y-%m-%d}–{end:%Y-%m-%d}",
        horizon=horizon,
        shift_types=tuple(_shift_type(row) for row in shift_rows),
        people=engine_people,
        demands=demands,
        unavailable=(*_unavailable(people, person_ids, start, end), *gaps),
        fixed=tuple(_fixed(program, person_ids, start, end)),
        fairness=tuple(_fairness(people, person_ids, year)),
        acgme=_acgme_rules(program, should_rest),
        supervision=m.SupervisionRule(
            ratios={int(k): int(v) for k, v in program.supervision_ratios.items()}
        ),
        baseline=tuple(
            m.Assignment(
                person=person_ids[a.person_id],
                day=(a.date - start).days,
                shift=shift_ids[a.shift_type_id],
            )
            for a in baseline
            if a.person_id in person_ids and a.shift_type_id in shift_ids
        ),
        change_weight=change_weight,
        history=history,
        callbacks=callbacks,
        linked=problem_rules.call_links(rules, shift_rows, start, len(days)),
        min_rest_minutes=hard_rest * 60 if hard_rest else None,
    )
    # People's preferences (dated wishes, blocked dates, standing preferences, yearly targets).
    problem = problem_preferences.apply(
        problem,
        program=program,
        people=people,
        person_ids=person_ids,
        shift_rows=shift_rows,
        year=year,
    )
    return BuiltProblem(
        problem=problem,
        people={person_ids[p.pk]: p for p in people},
        shift_types={row.abbreviation: row for row in shift_rows},
        demand_categories=categories,
        program_demands=program_demands,
    )


def _shift_type(row: ShiftType) -> m.ShiftType:
    return m.ShiftType(
        id=row.abbreviation,
        start=row.start_time,
        minutes=row.duration_minutes,
        category=CATEGORY[row.category],
        counts_toward_duty=row.counts_toward_duty,
    )


def _demands(
    coverage: list[CoverageRequirement],
    days: list[date],
    members: dict[tuple[int, date], set[int]],
    person_ids: dict[int, str],
    holidays: frozenset[int] = frozenset(),
) -> Iterable[tuple[m.Demand, str]]:
    for offset, day in enumerate(days):
        for row in coverage:
            if not row.applies_on(day.weekday()):
                continue
            if offset in holidays and not row.shift_type.runs_on_holidays:
                continue
            people = None
            if row.rotation_id is not None:
                people = frozenset(
                    person_ids[pk]
                    for pk in members.get((row.rotation_id, day), ())
                    if pk in person_ids
                )
            demand = m.Demand(
                day=offset,
                shift=row.shift_type.abbreviation,
                minimum=row.minimum,
                target=row.target,
                maximum=row.maximum,
                under_weight=row.under_weight,
                over_weight=row.over_weight,
                eligibility=m.Eligibility(
                    kinds=COVERAGE_KINDS[CoverageRequirement.Kinds(row.person_kind)],
                    pgy_min=row.pgy_min,
                    pgy_max=row.pgy_max,
                    skills=problem_rules.demand_skills(row),
                    people=people,
                ),
                supervisor_shift=row.supervisor_shift_type.abbreviation
                if row.supervisor_shift_type
                else None,
            )
            yield demand, row.sacrifice_category


def _unavailable(
    people: list[Person], person_ids: dict[int, str], start: date, end: date
) -> Iterable[m.Unavailability]:
    absences = Absence.objects.filter(
        person__in=people, status=Absence.Status.APPROVED, start_date__lte=end, end_date__gte=start
    )
    for absence in absences:
        first, last = max(absence.start_date, start), min(absence.end_date, end)
        for day in period_days(first, last):
            yield m.Unavailability(person=person_ids[absence.person_id], day=(day - start).days)


def _fixed(
    program: Program, person_ids: dict[int, str], start: date, end: date
) -> Iterable[m.Assignment]:
    locked = Assignment.objects.filter(
        person__program=program, state=State.PUBLISHED, locked=True, date__range=(start, end)
    ).select_related("shift_type")
    for row in locked:
        if row.person_id in person_ids:
            yield m.Assignment(
                person=person_ids[row.person_id],
                day=(row.date - start).days,
                shift=row.shift_type.abbreviation,
            )


def _fairness(
    people: list[Person], person_ids: dict[int, str], year: AcademicYear
) -> Iterable[m.FairnessGroup]:
    classes: dict[int, set[str]] = defaultdict(set)
    faculty: set[str] = set()
    for person in people:
        if person.kind == Person.Kind.RESIDENT:
            classes[person.pgy_in(year) or 0].add(person_ids[person.pk])
        elif person.kind == Person.Kind.FACULTY:
            faculty.add(person_ids[person.pk])
    for pgy, group in sorted(classes.items()):
        for measure in ("call", "weekend", "night"):
            yield m.FairnessGroup(
                name=f"PGY-{pgy} {measure}", people=frozenset(group), measure=measure, weight=5
            )
    if faculty:
        yield m.FairnessGroup(
            name="Faculty call", people=frozenset(faculty), measure="call", weight=5
        )


def _weekly_hour_exceptions(
    program: Program, start: date, first: date, last: date
) -> dict[int, tuple[float, frozenset[int]]]:
    """Per resident on a rotation with a review-committee exception: its ceiling and the day
    indexes its published rotation assignments cover (a window uses the ceiling only when all
    its days are covered; two exceptions of different size give the lower)."""
    rows = RotationAssignment.objects.filter(
        block__academic_year__program=program,
        state=State.PUBLISHED,
        block__start_date__lte=last,
        block__end_date__gte=first,
        rotation__weekly_hours_limit__isnull=False,
    ).select_related("block", "rotation")
    out: dict[int, tuple[float, frozenset[int]]] = {}
    for row in rows:
        hours = row.rotation.weekly_hours_limit
        if hours is None:
            continue
        block = row.block
        lo, hi = block.start_date, block.end_date
        if row.half == RotationAssignment.Half.FIRST:
            hi = block.midpoint - timedelta(days=1)
        elif row.half == RotationAssignment.Half.SECOND:
            lo = block.midpoint
        covered = frozenset(range((lo - start).days, (hi - start).days + 1))
        limit, days = out.get(row.person_id, (float(hours), frozenset()))
        out[row.person_id] = (min(limit, float(hours)), days | covered)
    return out


def _leave_days(
    people: list[Person], start: date, first: date, last: date
) -> dict[int, frozenset[int]]:
    """Approved absences as day indexes (for the leave reading of the 80-hour average)."""
    rows = Absence.objects.filter(
        person__in=people, status=Absence.Status.APPROVED, start_date__lte=last, end_date__gte=first
    ).values_list("person_id", "start_date", "end_date")
    out: dict[int, set[int]] = defaultdict(set)
    for person_id, lo, hi in rows:
        lo, hi = max(lo, first), min(hi, last)
        out[person_id].update(range((lo - start).days, (hi - start).days + 1))
    return {pk: frozenset(days) for pk, days in out.items()}


HistoryRow = tuple[int, date, int]  # person id, date, shift type id


def _history_rows(
    program: Program,
    person_ids: dict[int, str],
    start: date,
    end: date,
    first: date,
    last: date,
) -> list[HistoryRow]:
    """Published assignments around the period (any academic year), for people in the problem.
    Plain values, no model rows: 27 days either side of a large program are thousands of them."""
    rows = (
        Assignment.objects.filter(person__program=program, state=State.PUBLISHED)
        .filter(
            Q(date__range=(first, start - timedelta(days=1)))
            | Q(date__range=(end + timedelta(days=1), last))
        )
        .values_list("person_id", "date", "shift_type_id")
    )
    return [row for row in rows if row[0] in person_ids]


def _retired_shift_types(active: list[ShiftType], rows: list[HistoryRow]) -> list[ShiftType]:
    """Shift types no longer active that the history still uses (never offered to the solver:
    no demand names them)."""
    known = {row.pk for row in active}
    retired = {shift_id for _, _, shift_id in rows if shift_id not in known}
    return list(ShiftType.objects.filter(pk__in=retired)) if retired else []


def _history(
    program: Program,
    rows: list[HistoryRow],
    person_ids: dict[int, str],
    shift_ids: dict[int, str],
    start: date,
) -> m.History:
    """The engine's History; ``known_from`` when the program's record starts inside it."""
    assignments = tuple(
        m.Assignment(person=person_ids[person_id], day=(day - start).days, shift=shift_ids[shift])
        for person_id, day, shift in rows
    )
    reach = start - timedelta(days=HISTORY_BEFORE - 1)
    published = Assignment.objects.filter(person__program=program, state=State.PUBLISHED)
    if published.filter(date__lte=reach).exists():
        known_from = None  # the record reaches as far back as any window (the usual case)
    else:
        first = published.aggregate(first=Min("date"))["first"]
        known_from = (first - start).days if first is not None and first < start else 0
    return m.History(assignments, known_from=known_from)


def _callbacks(
    program: Program, person_ids: dict[int, str], start: date, first: date, last: date
) -> dict[tuple[str, int, str], int]:
    """Recorded at-home call-back minutes in the period and its history."""
    rows = Assignment.objects.filter(
        person__program=program,
        state=State.PUBLISHED,
        callback_minutes__gt=0,
        date__range=(first, last),
    ).values_list("person_id", "date", "shift_type__abbreviation", "callback_minutes")
    return {
        (person_ids[pk], (day - start).days, abbreviation): int(minutes or 0)
        for pk, day, abbreviation, minutes in rows
        if pk in person_ids
    }


def weekly_hours_limit(program: Program, person: Person, start: date, end: date) -> float:
    """The 4-week average ceiling the engine applies to ``person`` over ``start``..``end``: the
    program's ACGME rules with its overrides, or the person's rotation exception when it covers
    every day of the window (the engine's reading, docs/rules.md)."""
    base = _acgme_rules(program).max_weekly_hours
    exception = _weekly_hour_exceptions(program, start, start, end).get(person.pk)
    if exception is None:
        return base
    ceiling, covered = exception
    return ceiling if set(range((end - start).days + 1)) <= covered else base


def _acgme_rules(program: Program, should_rest: int | None = None) -> m.AcgmeRules:
    """The program's chosen rule set with its overrides; a program rest rule raises the 8 h
    "should" (``should_rest``, scheduling/problem_rules.py)."""
    overrides = dict(program.rule_overrides or {})
    if should_rest is not None:
        overrides["min_rest_hours"] = max(should_rest, overrides.get("min_rest_hours", 0))
    unknown = set(overrides) - ACGME_OVERRIDABLE
    if unknown:
        raise ApplicationError(
            f"Unknown program rule override(s): {', '.join(sorted(unknown))}.",
            details={"known": sorted(ACGME_OVERRIDABLE)},
        )
    rule_set = m.RULE_SETS.get(program.acgme_rules_version)
    if rule_set is None:
        raise ApplicationError(
            f"{program} uses rule set {program.acgme_rules_version!r}, which the scheduler does "
            "not ship.",
            details={"known": sorted(m.RULE_SETS)},
        )
    base = dataclasses.replace(
        rule_set,
        max_consecutive_night_float=program.max_consecutive_night_float,
        leave_reading=m.LeaveReading(program.leave_in_average),
    )
    return dataclasses.replace(base, **overrides)


def materialise(
    built: BuiltProblem, assignment: m.Assignment
) -> tuple[Person, ShiftType, date, datetime, datetime]:
    """The row values of an engine assignment, with real start and end instants in UTC."""
    problem = built.problem
    begins, ends = problem.interval(assignment.day, assignment.shift)
    return (
        built.people[assignment.person],
        built.shift_types[assignment.shift],
        problem.horizon.date_of(assignment.day),
        begins,
        ends,
    )


def shift_interval(program_timezone: str, shift: ShiftType, day: date) -> tuple[datetime, datetime]:
    """Real start and end of a shift type on a day in the program's timezone (DST-aware)."""
    return m.real_interval(
        day, shift.start_time, shift.duration_minutes, ZoneInfo(program_timezone)
    )


def academic_year_bounds(program: Program, day: date) -> tuple[date, date]:
    year = academic_year_for(program, day)
    return year.start_date, year.end_date


def engine_assignment(
    built: BuiltProblem, person: Person, day: date, shift: ShiftType, start: date
) -> m.Assignment:
    return m.Assignment(person=str(person.code), day=(day - start).days, shift=shift.abbreviation)


def published_engine_assignments(built: BuiltProblem, start: date, end: date) -> set[m.Assignment]:
    # Plain values, no model rows: a 90-day period of a large program has thousands of shifts.
    rows = Assignment.objects.filter(
        person__in=list(built.people.values()), state=State.PUBLISHED, date__range=(start, end)
    ).values_list("person__code", "date", "shift_type__abbreviation")
    # Tuples, not model instances: a window holds thousands of rows (the swap checks read it).
    return {
        m.Assignment(person=str(code), day=(day - start).days, shift=shift)
        for code, day, shift in rows
    }
