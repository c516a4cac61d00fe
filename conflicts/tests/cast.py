"""A small published week for conflict tests (Mon 9 – Sun 15 Nov 2026, after the pinned now).

Residents Rey (the conftest's resident_a, PGY-2), Sam (PGY-2) and Tia (PGY-1) on the Wards
rotation, faculty Fay. Ward days (WD, 07:00, 12 h) need exactly one of the rotation's residents
every day; in-house call (CALL, 24 h) and the faculty's supervising shift (SUP) need none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from conftest import YEAR_END, YEAR_START
from people.models import AcademicYear, Person, Program
from rotations.models import Block, CoverageRequirement, Rotation, ShiftType
from scheduling.models import Assignment, RotationAssignment
from swaps.tests.cast import assign, resident, shift_row

MONDAY = date(2026, 11, 9)
SUNDAY = MONDAY + timedelta(days=6)


@dataclass
class Cast:
    program: Program
    rey: Person
    sam: Person
    tia: Person
    fay: Person
    coordinator: Any
    wd: ShiftType
    call: ShiftType
    rotation: Rotation
    rows: dict[str, Assignment] = field(default_factory=dict)

    def day(self, n: int) -> date:
        return MONDAY + timedelta(days=n)


def build_cast(program: Program, resident_user: Any, coordinator: Any) -> Cast:
    year = AcademicYear.objects.create(
        program=program, name="2026–2027", start_date=YEAR_START, end_date=YEAR_END
    )
    block = Block.objects.create(
        academic_year=year, number=5, start_date=date(2026, 10, 26), end_date=date(2026, 11, 22)
    )
    rotation = Rotation.objects.create(
        program=program, name="Wards", abbreviation="W", kind=Rotation.Kind.INPATIENT
    )
    cat = ShiftType.Category
    wd = shift_row(program, "WD", cat.DAY, 12)
    call = shift_row(program, "CALL", cat.IN_HOUSE_CALL, 24)
    CoverageRequirement.objects.create(
        shift_type=wd, rotation=rotation, minimum=1, target=1, maximum=2
    )
    CoverageRequirement.objects.create(shift_type=call, rotation=rotation, minimum=0, target=0)
    rey = resident_user.memberships.get().person
    sam = resident(program, "Sam")
    tia = resident(program, "Tia")
    tia.training_start = date(2026, 7, 1)
    tia.save()
    fay = Person.objects.create(
        program=program, kind=Person.Kind.FACULTY, first_name="Fay", last_name="Faculty"
    )
    for person in (rey, sam, tia):
        RotationAssignment.objects.create(person=person, block=block, rotation=rotation)
    cast = Cast(program, rey, sam, tia, fay, coordinator, wd, call, rotation)
    owners = [rey, sam, tia, rey, sam, tia, sam]
    for n, person in enumerate(owners):
        cast.rows[f"wd{n}"] = assign(person, wd, cast.day(n))
    return cast
