"""A two-week program with a real trade-off for Pareto studies: three PGY-2 residents, a
24-hour call and a day shift each wanted once a day (soft), and a published schedule that gives
every other night's call to one resident. Fewer changes keep that unfairness; a fairer spread
moves calls; two residents asked for a day off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from people.models import Person, Program, Request
from rotations.models import CoverageRequirement, ShiftType
from scheduling.engine import model as m
from scheduling.models import Assignment, State
from scheduling.problem import build_problem
from testing import factories as f

START = date(2026, 7, 1)
END = START + timedelta(days=13)


@dataclass
class ParetoWorld:
    program: Program
    residents: list[Person]
    call: ShiftType
    day: ShiftType


def pareto_world(program: Program) -> ParetoWorld:
    year = f.AcademicYearFactory.create(program=program)
    block = f.BlockFactory.create(academic_year=year, number=1)
    rotation = f.RotationFactory.create(program=program, name="Wards", abbreviation="W")
    call = f.ShiftTypeFactory.create(
        program=program, name="Call", abbreviation="CALL", start_time=time(7),
        duration_minutes=24 * 60, category=ShiftType.Category.IN_HOUSE_CALL,
    )  # fmt: skip
    day = f.ShiftTypeFactory.create(
        program=program, name="Ward day", abbreviation="DAY", start_time=time(7),
        duration_minutes=10 * 60,
    )  # fmt: skip
    residents = [
        f.PersonFactory.create(program=program, training_start=date(2025, 7, 1)) for _ in range(3)
    ]
    for person in residents:
        f.RotationAssignmentFactory.create(person=person, block=block, rotation=rotation)
    for shift in (call, day):
        CoverageRequirement.objects.create(
            shift_type=shift, rotation=rotation, minimum=0, target=1, maximum=1, under_weight=2
        )
    for offset in range(0, 14, 2):
        f.AssignmentFactory.create(
            person=residents[0], shift_type=call, date=START + timedelta(days=offset)
        )
    for person, offset in ((residents[1], 3), (residents[2], 4)):
        Request.objects.create(
            person=person,
            kind=Request.Kind.PREFER_OFF,
            status=Request.Status.APPROVED,
            start_date=START + timedelta(days=offset),
            end_date=START + timedelta(days=offset),
            weight=2,
        )
    return ParetoWorld(program, residents, call, day)


def rows(queryset: object) -> set[tuple[int, date, int]]:
    return set(queryset.values_list("person_id", "date", "shift_type_id"))  # type: ignore[attr-defined]


def published(world: ParetoWorld) -> set[tuple[int, date, int]]:
    return rows(
        Assignment.objects.filter(
            person__program=world.program, state=State.PUBLISHED, date__range=(START, END)
        )
    )


def hard_violations(world: ParetoWorld, run_code: str) -> list[m.Violation]:
    """The validator's verdict on a run's draft, checked here on its own (a fresh problem)."""
    built = build_problem(world.program, START, END)
    drafts = Assignment.objects.filter(run__code=run_code, state=State.DRAFT).values_list(
        "person__code", "date", "shift_type__abbreviation"
    )
    schedule = tuple(m.Assignment(str(p), (d - START).days, s) for p, d, s in drafts)
    assert schedule, "a point without a schedule"
    from scheduling.engine.validator import validate

    return list(validate(built.problem, schedule).hard)
