"""factory_boy factories for tests: valid rows with the fewest decisions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import factory
from django.contrib.auth import get_user_model

from people.models import Absence, AcademicYear, Membership, Person, Procedure, Program
from rotations.models import Block, CoverageRequirement, Rotation, ShiftType
from scheduling.models import Assignment, RotationAssignment, ScheduleRun


class UserFactory(factory.django.DjangoModelFactory[Any]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("test-pass-123")


class ProgramFactory(factory.django.DjangoModelFactory[Program]):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Program {n}")
    short_name = factory.Sequence(lambda n: f"P{n}")
    timezone = "America/New_York"


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    program = factory.SubFactory(ProgramFactory)
    kind = Person.Kind.RESIDENT
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    training_start = factory.LazyAttribute(
        lambda p: date(2026, 7, 1) if p.kind == Person.Kind.RESIDENT else None
    )


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    program = factory.SubFactory(ProgramFactory)
    role = Membership.Role.COORDINATOR


class AcademicYearFactory(factory.django.DjangoModelFactory[AcademicYear]):
    class Meta:
        model = AcademicYear

    program = factory.SubFactory(ProgramFactory)
    name = "2026–2027"
    start_date = date(2026, 7, 1)
    end_date = date(2027, 6, 30)


class BlockFactory(factory.django.DjangoModelFactory[Block]):
    class Meta:
        model = Block

    academic_year = factory.SubFactory(AcademicYearFactory)
    number = factory.Sequence(lambda n: n + 1)
    start_date = factory.LazyAttribute(
        lambda b: b.academic_year.start_date + timedelta(days=28 * (b.number - 1))
    )
    end_date = factory.LazyAttribute(lambda b: b.start_date + timedelta(days=27))


class RotationFactory(factory.django.DjangoModelFactory[Rotation]):
    class Meta:
        model = Rotation

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Rotation {n}")
    abbreviation = factory.Sequence(lambda n: f"R{n}")
    kind = Rotation.Kind.INPATIENT


class ShiftTypeFactory(factory.django.DjangoModelFactory[ShiftType]):
    class Meta:
        model = ShiftType

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Shift {n}")
    abbreviation = factory.Sequence(lambda n: f"S{n}")
    category = ShiftType.Category.DAY
    start_time = time(7)
    duration_minutes = 12 * 60


class CoverageFactory(factory.django.DjangoModelFactory[CoverageRequirement]):
    class Meta:
        model = CoverageRequirement

    shift_type = factory.SubFactory(ShiftTypeFactory)


class ProcedureFactory(factory.django.DjangoModelFactory[Procedure]):
    class Meta:
        model = Procedure

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Procedure {n}")


class AbsenceFactory(factory.django.DjangoModelFactory[Absence]):
    class Meta:
        model = Absence

    person = factory.SubFactory(PersonFactory)
    kind = Absence.Kind.VACATION
    start_date = date(2026, 12, 1)
    end_date = date(2026, 12, 5)


class ScheduleRunFactory(factory.django.DjangoModelFactory[ScheduleRun]):
    class Meta:
        model = ScheduleRun

    program = factory.SubFactory(ProgramFactory)
    start_date = date(2026, 7, 1)
    end_date = date(2026, 7, 28)


class AssignmentFactory(factory.django.DjangoModelFactory[Assignment]):
    class Meta:
        model = Assignment

    person = factory.SubFactory(PersonFactory)
    shift_type = factory.SubFactory(
        ShiftTypeFactory, program=factory.SelfAttribute("..person.program")
    )
    date = date(2026, 7, 1)
    starts_at = factory.LazyAttribute(
        lambda a: datetime.combine(a.date, a.shift_type.start_time, tzinfo=UTC)
    )
    ends_at = factory.LazyAttribute(
        lambda a: a.starts_at + timedelta(minutes=a.shift_type.duration_minutes)
    )


class RotationAssignmentFactory(factory.django.DjangoModelFactory[RotationAssignment]):
    class Meta:
        model = RotationAssignment

    person = factory.SubFactory(PersonFactory)
    block = factory.SubFactory(
        BlockFactory, academic_year__program=factory.SelfAttribute("...person.program")
    )
    rotation = factory.SubFactory(
        RotationFactory, program=factory.SelfAttribute("..person.program")
    )
