"""A small published schedule for the analytics tests: two PGY-1 residents, one PGY-2, the
named resident of the cast (PGY-2) and a faculty member, over the year's first weeks."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

import pytest

from people.models import AcademicYear, Membership, Program
from rotations.models import Holiday, ShiftType
from scheduling.models import Assignment, State
from testing.factories import (
    AssignmentFactory,
    BlockFactory,
    PersonFactory,
    ScheduleRunFactory,
    ShiftTypeFactory,
)

YEAR_START = date(2026, 7, 1)


@dataclass
class Cast:
    program: Program
    year: AcademicYear
    shifts: dict[str, Any]  # ShiftType rows (factory-built)
    people: list[Any]  # Person rows
    run: Any  # a draft ScheduleRun over the period


@pytest.fixture
def cast(program_a: Program, resident_a: Any, faculty_a: Any) -> Cast:
    for day, name in (
        (date(2026, 7, 3), "Independence Day (observed)"),
        (date(2026, 9, 7), "Labor Day"),
    ):
        Holiday.objects.create(program=program_a, date=day, name=name)
    year = AcademicYear.objects.create(
        program=program_a, name="2026–2027", start_date=YEAR_START, end_date=date(2027, 6, 30)
    )
    for number in (1, 2, 3, 4):
        BlockFactory(academic_year=year, number=number)
    C = ShiftType.Category
    shifts = {
        "day": ShiftTypeFactory(program=program_a, abbreviation="D", category=C.DAY),
        "call": ShiftTypeFactory(
            program=program_a, abbreviation="C", category=C.IN_HOUSE_CALL, duration_minutes=1440
        ),
        "home": ShiftTypeFactory(
            program=program_a, abbreviation="H", category=C.AT_HOME_CALL, start_time=time(17),
            duration_minutes=900, counts_toward_duty=False,
        ),
        "night": ShiftTypeFactory(
            program=program_a, abbreviation="N", category=C.NIGHT_FLOAT, start_time=time(19),
            duration_minutes=720,
        ),
        "clinic": ShiftTypeFactory(
            program=program_a, abbreviation="K", category=C.CLINIC_HALF_DAY,
            duration_minutes=240, counts_toward_duty=False,
        ),
    }  # fmt: skip
    people = [
        PersonFactory(program=program_a, training_start=YEAR_START),
        PersonFactory(program=program_a, training_start=YEAR_START),
        PersonFactory(program=program_a, training_start=date(2025, 7, 1)),
        Membership.objects.get(user=resident_a).person,
        Membership.objects.get(user=faculty_a).person,
    ]
    run = ScheduleRunFactory(program=program_a, start_date=YEAR_START, end_date=date(2026, 9, 8))
    return Cast(program_a, year, shifts, people, run)


def random_schedule(cast: Cast, *, seed: int, days: int = 70) -> None:
    """A published schedule with every category, weekends and holidays, plus rows that must
    not count: drafts, and a day after the period."""
    rng = random.Random(seed)
    keys = list(cast.shifts)
    for offset in range(days):
        day = YEAR_START + timedelta(days=offset)
        for person in cast.people:
            if rng.random() < 0.6:
                shift = cast.shifts[rng.choice(keys)]
                callback = rng.choice([None, 30, 95]) if shift.abbreviation == "H" else None
                AssignmentFactory(
                    person=person, shift_type=shift, date=day, callback_minutes=callback
                )
            if rng.random() < 0.1:
                AssignmentFactory(
                    person=person,
                    shift_type=cast.shifts["call"],
                    date=day,
                    state=State.DRAFT,
                    run=cast.run,
                )


def published(cast: Cast) -> Any:
    return Assignment.objects.filter(person__program=cast.program, state=State.PUBLISHED)
