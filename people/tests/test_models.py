from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from people.models import Membership, Person, pgy_from_training_start
from testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("training_start", "year_start", "pgy"),
    [
        (date(2026, 7, 1), date(2026, 7, 1), 1),
        (date(2025, 7, 1), date(2026, 7, 1), 2),
        (date(2024, 7, 1), date(2026, 7, 1), 3),
        (date(2025, 9, 1), date(2026, 7, 1), 1),  # off-cycle start: a full year not yet done
        (date(2027, 7, 1), date(2026, 7, 1), 1),  # future start is still PGY-1, never 0
    ],
)
def test_it_derives_pgy_from_training_start(
    training_start: date, year_start: date, pgy: int
) -> None:
    assert pgy_from_training_start(training_start, year_start) == pgy


def test_it_derives_pgy_per_academic_year_without_roll_over() -> None:
    program = f.ProgramFactory.create()
    resident = f.PersonFactory.create(program=program, training_start=date(2025, 7, 1))
    this_year = f.AcademicYearFactory.create(program=program)
    next_year = f.AcademicYearFactory.create(
        program=program, start_date=date(2027, 7, 1), end_date=date(2028, 6, 30)
    )
    assert resident.pgy_in(this_year) == 2
    assert resident.pgy_in(next_year) == 3


def test_it_applies_the_override_only_in_its_year() -> None:
    program = f.ProgramFactory.create()
    year = f.AcademicYearFactory.create(program=program)
    later = f.AcademicYearFactory.create(
        program=program, start_date=date(2027, 7, 1), end_date=date(2028, 6, 30)
    )
    resident = f.PersonFactory.create(
        program=program, training_start=date(2025, 7, 1), pgy_override=1, pgy_override_year=year
    )
    assert resident.pgy_in(year) == 1
    assert resident.pgy_in(later) == 3


def test_it_gives_faculty_no_pgy() -> None:
    faculty = f.PersonFactory.create(kind=Person.Kind.FACULTY, training_start=None)
    assert faculty.pgy_in(f.AcademicYearFactory.create(program=faculty.program)) is None


def test_it_names_the_field_of_an_impossible_pgy() -> None:
    year = f.AcademicYearFactory.create()
    person = Person(
        program=year.program,
        kind=Person.Kind.RESIDENT,
        first_name="A",
        last_name="B",
        training_start=date(2026, 7, 1),
        pgy_override=9,
        pgy_override_year=year,
    )
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert "pgy_override" in error.value.message_dict


def test_it_requires_training_start_for_residents() -> None:
    person = Person(
        program=f.ProgramFactory.create(), kind=Person.Kind.RESIDENT, first_name="A", last_name="B"
    )
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert "training_start" in error.value.message_dict


def test_it_refuses_a_membership_whose_role_conflicts_with_the_person() -> None:
    faculty = f.PersonFactory.create(kind=Person.Kind.FACULTY, training_start=None)
    membership = Membership(
        user=f.UserFactory.create(),
        program=faculty.program,
        role=Membership.Role.RESIDENT,
        person=faculty,
    )
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "role" in error.value.message_dict


def test_it_refuses_a_membership_linking_another_programs_person() -> None:
    person = f.PersonFactory.create()
    membership = Membership(
        user=f.UserFactory.create(),
        program=f.ProgramFactory.create(),
        role=Membership.Role.RESIDENT,
        person=person,
    )
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "person" in error.value.message_dict


def test_it_refuses_a_second_role_in_the_same_program() -> None:
    first = f.MembershipFactory.create(role=Membership.Role.FACULTY)
    second = Membership(user=first.user, program=first.program, role=Membership.Role.COORDINATOR)
    with pytest.raises(ValidationError):
        second.full_clean()


@pytest.mark.parametrize("ratios", [{"9": 2}, {"1": 0}, {"x": 2}, {}, {"1": "two"}])
def test_it_names_bad_supervision_ratios(ratios: dict[str, object]) -> None:
    program = f.ProgramFactory.build(supervision_ratios=ratios)
    with pytest.raises(ValidationError) as error:
        program.full_clean()
    assert "supervision_ratios" in error.value.message_dict


def test_it_refuses_an_absence_ending_before_it_starts() -> None:
    absence = f.AbsenceFactory.build(
        person=f.PersonFactory.create(), start_date=date(2026, 12, 5), end_date=date(2026, 12, 1)
    )
    with pytest.raises(ValidationError) as error:
        absence.full_clean()
    assert "end_date" in error.value.message_dict
