"""A small program that solves in well under a second, for run and publication tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from people.models import Person, Program
from rotations.models import Block, CoverageRequirement, Rotation, ShiftType
from testing import factories as f

START = date(2026, 7, 1)
END = START + timedelta(days=6)


@dataclass
class SmallProgram:
    program: Program
    residents: list[Person]
    shift: ShiftType
    rotation: Rotation
    block: Block


def small_program(*, residents: int = 4, coverage: bool = True) -> SmallProgram:
    """Four PGY-2 residents on one ward rotation; one ward day (07:00-19:00) needs one of them."""
    program = f.ProgramFactory.create()
    year = f.AcademicYearFactory.create(program=program)
    block = f.BlockFactory.create(
        academic_year=year, number=1, start_date=START, end_date=START + timedelta(days=27)
    )
    rotation = f.RotationFactory.create(program=program, name="Wards", abbreviation="W")
    shift = f.ShiftTypeFactory.create(
        program=program,
        name="Ward day",
        abbreviation="WD",
        start_time=time(7),
        duration_minutes=12 * 60,
    )
    people = [
        f.PersonFactory.create(program=program, training_start=date(2025, 7, 1))
        for _ in range(residents)
    ]
    for person in people:
        f.RotationAssignmentFactory.create(person=person, block=block, rotation=rotation)
    if coverage:
        CoverageRequirement.objects.create(
            shift_type=shift, rotation=rotation, minimum=1, target=1, maximum=2, under_weight=100
        )
    return SmallProgram(
        program=program, residents=people, shift=shift, rotation=rotation, block=block
    )
