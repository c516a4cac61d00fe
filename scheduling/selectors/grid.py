"""Reads for the coordinator's schedule grid: people x days, filtered, with rotation labels."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import QuerySet

from people.models import AcademicYear, Person, Program
from rotations.models import Block, Rotation, ShiftType
from scheduling.models import Assignment, RotationAssignment, ScheduleRun, State


@dataclass
class GridCell:
    """One person-day. On a draft, ``change`` compares it with the published schedule:
    "added" (the day was free), "removed" (the draft frees it), "changed" (other shifts), or ""
    (the same); ``dropped`` are the published shifts the draft does not repeat."""

    day: date
    shifts: list[Assignment]
    change: str = ""
    dropped: list[Assignment] = field(default_factory=list)


@dataclass
class GridRow:
    person: Person
    pgy: int | None
    rotation: str
    cells: list[GridCell] = field(default_factory=list)


@dataclass
class Grid:
    days: list[date]
    rows: list[GridRow]
    shift_types: list[ShiftType]
    changes: dict[str, int] = field(default_factory=dict)


def _change(shifts: list[Assignment], published: list[Assignment]) -> tuple[str, list[Assignment]]:
    mine = {a.shift_type_id for a in shifts}
    dropped = [a for a in published if a.shift_type_id not in mine]
    if mine == {a.shift_type_id for a in published}:
        return "", []
    if not published:
        return "added", []
    return ("removed" if not shifts else "changed"), dropped


def schedule_grid(
    program: Program,
    start: date,
    days: int,
    *,
    run: ScheduleRun | None = None,
    rotation_id: int | None = None,
    pgy: int | None = None,
    kind: str | None = None,
) -> Grid:
    dates = [start + timedelta(days=i) for i in range(days)]
    end = dates[-1]
    year = AcademicYear.objects.filter(
        program=program, start_date__lte=start, end_date__gte=start
    ).first()
    people = list(Person.objects.filter(program=program, active=True).order_by("kind", "last_name"))
    rotation_of = _rotation_labels(program, start, end)
    if kind:
        people = [p for p in people if p.kind == kind]
    if pgy and year is not None:
        people = [p for p in people if p.pgy_in(year) == pgy]
    if rotation_id:
        members = _rotation_members(program, rotation_id, start, end)
        people = [p for p in people if p.pk in members]
    assignments = Assignment.objects.filter(
        person__in=people, date__range=(start, end)
    ).select_related("shift_type")
    assignments = (
        assignments.filter(run=run, state=State.DRAFT)
        if run
        else assignments.filter(state=State.PUBLISHED)
    )
    by_cell = _by_cell(assignments)
    published = (
        _by_cell(
            Assignment.objects.filter(
                person__in=people,
                date__range=(max(start, run.start_date), min(end, run.end_date)),
                state=State.PUBLISHED,
            ).select_related("shift_type")
        )
        if run
        else {}
    )
    changes = {"added": 0, "removed": 0, "changed": 0}
    rows = []
    for person in people:
        row = GridRow(
            person=person,
            pgy=person.pgy_in(year) if year else None,
            rotation=rotation_of.get(person.pk, ""),
        )
        for day in dates:
            cell = GridCell(day=day, shifts=by_cell.get((person.pk, day), []))
            if run and run.start_date <= day <= run.end_date:
                cell.change, cell.dropped = _change(
                    cell.shifts, published.get((person.pk, day), [])
                )
                if cell.change:
                    changes[cell.change] += 1
            row.cells.append(cell)
        rows.append(row)
    return Grid(
        days=dates,
        rows=rows,
        shift_types=list(ShiftType.objects.filter(program=program, active=True)),
        changes=changes if run else {},
    )


def _by_cell(assignments: QuerySet[Assignment]) -> dict[tuple[int, date], list[Assignment]]:
    by_cell: dict[tuple[int, date], list[Assignment]] = defaultdict(list)
    for assignment in assignments.order_by("starts_at"):
        by_cell[(assignment.person_id, assignment.date)].append(assignment)
    return by_cell


def _rotation_labels(program: Program, start: date, end: date) -> dict[int, str]:
    rows = RotationAssignment.objects.filter(
        block__academic_year__program=program,
        state=State.PUBLISHED,
        block__start_date__lte=end,
        block__end_date__gte=start,
    ).select_related("rotation")
    labels: dict[int, list[str]] = defaultdict(list)
    for row in rows.order_by("block__number", "half"):
        if row.rotation.abbreviation not in labels[row.person_id]:
            labels[row.person_id].append(row.rotation.abbreviation)
    return {person: " / ".join(names) for person, names in labels.items()}


def _rotation_members(program: Program, rotation_id: int, start: date, end: date) -> set[int]:
    return set(
        RotationAssignment.objects.filter(
            rotation_id=rotation_id,
            rotation__program=program,
            state=State.PUBLISHED,
            block__start_date__lte=end,
            block__end_date__gte=start,
        ).values_list("person_id", flat=True)
    )


def current_block_start(program: Program, today: date) -> date:
    block = (
        Block.objects.filter(
            academic_year__program=program, start_date__lte=today, end_date__gte=today
        ).first()
        or Block.objects.filter(academic_year__program=program).order_by("start_date").first()
    )
    return block.start_date if block else today


# Filters the schedule pages offer ---------------------------------------------------------------

PERSON_KIND_CHOICES = Person.Kind.choices


def person_kind(value: str | None) -> str | None:
    """A person kind from a query string, None for anything else."""
    return value if value in Person.Kind.values else None


def active_rotations(program: Program) -> QuerySet[Rotation]:
    return Rotation.objects.filter(program=program, active=True)


def person_by_code(program: Program, code: str) -> Person | None:
    """One person of the program by public code; None when missing or not a UUID."""
    try:
        return Person.objects.filter(program=program, code=uuid.UUID(code)).first()
    except ValueError:
        return None


def shift_type_by_code(program: Program, code: str) -> ShiftType | None:
    try:
        return ShiftType.objects.filter(program=program, code=uuid.UUID(code)).first()
    except ValueError:
        return None


def academic_years(program: Program) -> list[AcademicYear]:
    return list(AcademicYear.objects.filter(program=program).order_by("start_date"))
