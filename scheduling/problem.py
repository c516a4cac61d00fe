"""Translate a program's rows into an engine ``Problem`` (and solutions back into rows).

The engine never sees the database: this module reads everything a solve needs for one program
and period, with a fixed number of queries, and names things the way coordinators do (people by
their public code, shift types by abbreviation) so violations read naturally.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from lib.errors import ApplicationError
from people.models import Absence, AcademicYear, Person, ProcedureCredential, Program, Request
from rotations.models import Block, CoverageRequirement, ShiftType
from scheduling.engine import model as m
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
ACGME_OVERRIDABLE = {f.name for f in dataclasses.fields(m.AcgmeRules)} - {"version"}


@dataclass(frozen=True)
class BuiltProblem:
    """The engine problem plus the maps needed to turn its answer back into rows."""

    problem: m.Problem
    people: dict[str, Person]  # engine id -> row
    shift_types: dict[str, ShiftType]  # engine id -> row

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
) -> BuiltProblem:
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
    horizon = m.Horizon(start=start, days=len(days), timezone=program.timezone)
    limits = _weekly_hour_exceptions(program, days)
    skills = _credential_index(program, start, end)

    engine_people = tuple(
        m.Person(
            id=person_ids[person.pk],
            kind=KIND.get(person.kind, m.PersonKind.STAFF),
            pgy=person.pgy_in(year),
            skills=skills.get(person.pk, frozenset()),
            limits=m.PersonLimits(weekly_hours_limit=limits.get(person.pk)),
        )
        for person in people
    )
    problem = m.Problem(
        name=f"{program} {start:%Y-%m-%d}–{end:%Y-%m-%d}",
        horizon=horizon,
        shift_types=tuple(_shift_type(row) for row in shift_rows),
        people=engine_people,
        demands=tuple(_demands(coverage, days, members, person_ids)),
        unavailable=tuple(_unavailable(people, person_ids, start, end)),
        requests=tuple(_requests(people, person_ids, shift_ids, start, end)),
        fixed=tuple(_fixed(program, person_ids, start, end)),
        fairness=tuple(_fairness(people, person_ids, year)),
        acgme=_acgme_rules(program),
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
    )
    return BuiltProblem(
        problem=problem,
        people={person_ids[p.pk]: p for p in people},
        shift_types={row.abbreviation: row for row in shift_rows},
    )


def _shift_type(row: ShiftType) -> m.ShiftType:
    return m.ShiftType(
        id=row.abbreviation,
        start=row.start_time,
        minutes=row.duration_minutes,
        category=CATEGORY[row.category],
        counts_toward_duty=row.counts_toward_duty,
    )


def _credential_index(program: Program, start: date, end: date) -> dict[int, frozenset[str]]:
    # Credentials valid through the whole period, keyed by person; read once per build.
    rows = (
        ProcedureCredential.objects.filter(person__program=program, granted_on__lte=start)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=end))
        .values_list("person_id", "procedure__name")
    )
    index: dict[int, set[str]] = defaultdict(set)
    for person_id, name in rows:
        index[person_id].add(name)
    return {person_id: frozenset(names) for person_id, names in index.items()}


def _demands(
    coverage: list[CoverageRequirement],
    days: list[date],
    members: dict[tuple[int, date], set[int]],
    person_ids: dict[int, str],
) -> Iterable[m.Demand]:
    for offset, day in enumerate(days):
        for row in coverage:
            if not row.applies_on(day.weekday()):
                continue
            people = None
            if row.rotation_id is not None:
                people = frozenset(
                    person_ids[pk]
                    for pk in members.get((row.rotation_id, day), ())
                    if pk in person_ids
                )
            yield m.Demand(
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
                    skills=frozenset({row.procedure.name}) if row.procedure else frozenset(),
                    people=people,
                ),
                supervisor_shift=row.supervisor_shift_type.abbreviation
                if row.supervisor_shift_type
                else None,
            )


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


def _requests(
    people: list[Person],
    person_ids: dict[int, str],
    shift_ids: dict[int, str],
    start: date,
    end: date,
) -> Iterable[m.Request]:
    rows = Request.objects.filter(
        person__in=people, status=Request.Status.APPROVED, start_date__lte=end, end_date__gte=start
    )
    for row in rows:
        kind = m.RequestKind.ON if row.kind == Request.Kind.PREFER_ON else m.RequestKind.OFF
        shift = shift_ids.get(row.shift_type_id) if row.shift_type_id else None
        if row.shift_type_id and shift is None:
            continue  # a wish about a shift type no longer scheduled
        for day in period_days(max(row.start_date, start), min(row.end_date, end)):
            yield m.Request(
                person=person_ids[row.person_id],
                day=(day - start).days,
                kind=kind,
                weight=row.weight,
                shift=shift,
            )


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


def _weekly_hour_exceptions(program: Program, days: list[date]) -> dict[int, float]:
    """Residents on a rotation with a review-committee exception get its ceiling (up to 88 h)."""
    rows = RotationAssignment.objects.filter(
        block__academic_year__program=program,
        state=State.PUBLISHED,
        block__start_date__lte=days[-1],
        block__end_date__gte=days[0],
        rotation__weekly_hours_limit__isnull=False,
    ).values_list("person_id", "rotation__weekly_hours_limit")
    limits: dict[int, float] = {}
    for person_id, hours in rows:
        if hours is None:
            continue
        # Conservative when a period spans two rotations: the lower ceiling applies.
        limits[person_id] = min(limits.get(person_id, float(hours)), float(hours))
    return limits


def weekly_hours_limit(program: Program, person: Person, start: date, end: date) -> float:
    """The 4-week average ceiling the engine applies to ``person`` over ``start``..``end``: the
    program's ACGME rules with its overrides, or the person's rotation exception."""
    exception = _weekly_hour_exceptions(program, [start, end]).get(person.pk)
    return exception if exception is not None else _acgme_rules(program).max_weekly_hours


def _acgme_rules(program: Program) -> m.AcgmeRules:
    overrides = dict(program.rule_overrides or {})
    unknown = set(overrides) - ACGME_OVERRIDABLE
    if unknown:
        raise ApplicationError(
            f"Unknown program rule override(s): {', '.join(sorted(unknown))}.",
            details={"known": sorted(ACGME_OVERRIDABLE)},
        )
    base = m.AcgmeRules(
        version=program.acgme_rules_version,
        max_consecutive_night_float=program.max_consecutive_night_float,
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
    rows = Assignment.objects.filter(
        person__in=list(built.people.values()), state=State.PUBLISHED, date__range=(start, end)
    ).select_related("person", "shift_type")
    return {engine_assignment(built, row.person, row.date, row.shift_type, start) for row in rows}
