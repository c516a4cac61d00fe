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


def small_program(
    *, residents: int = 4, coverage: bool = True, around: date | None = None
) -> SmallProgram:
    """Four PGY-2 residents on one ward rotation; one ward day (07:00-19:00) needs one of them.

    The rotation is the first 4-week block of 2026-27, or with ``around`` the block holding that
    day in its academic year (blocks of 28 days from 1 July).
    """
    program = f.ProgramFactory.create()
    day = around or START
    year_start = date(day.year if day.month >= 7 else day.year - 1, 7, 1)
    number = (day - year_start).days // 28 + 1
    year = f.AcademicYearFactory.create(
        program=program,
        name=f"{year_start.year}–{year_start.year + 1}",
        start_date=year_start,
        end_date=date(year_start.year + 1, 6, 30),
    )
    block = f.BlockFactory.create(academic_year=year, number=number)
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
