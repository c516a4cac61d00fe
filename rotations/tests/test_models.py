from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from rotations.models import Block, CoverageRequirement
from testing import factories as f

pytestmark = pytest.mark.django_db


def test_it_names_the_end_of_a_block_ending_before_it_starts() -> None:
    year = f.AcademicYearFactory.create()
    block = Block(
        academic_year=year, number=1, start_date=date(2026, 7, 10), end_date=date(2026, 7, 1)
    )
    with pytest.raises(ValidationError) as error:
        block.full_clean()
    assert "end_date" in error.value.message_dict


def test_it_names_the_block_a_new_block_overlaps() -> None:
    existing = f.BlockFactory.create(number=1)
    block = Block(
        academic_year=existing.academic_year,
        number=2,
        start_date=existing.end_date - timedelta(days=3),
        end_date=existing.end_date + timedelta(days=20),
    )
    with pytest.raises(ValidationError) as error:
        block.full_clean()
    assert "overlaps Block 1" in str(error.value.message_dict["start_date"])


def test_it_refuses_a_block_outside_its_year() -> None:
    year = f.AcademicYearFactory.create()
    block = Block(
        academic_year=year, number=1, start_date=date(2027, 6, 20), end_date=date(2027, 7, 10)
    )
    with pytest.raises(ValidationError, match="within its academic year"):
        block.full_clean()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"minimum": 3, "target": 4, "maximum": 2}, "maximum"),
        ({"minimum": 3, "target": 2}, "minimum"),
        ({"pgy_min": 9}, "pgy_min"),
        ({"needs_supervision": True}, "supervisor_shift_type"),
    ],
)
def test_it_names_the_field_of_impossible_coverage(values: dict[str, object], field: str) -> None:
    shift = f.ShiftTypeFactory.create()
    coverage = CoverageRequirement(shift_type=shift, **values)
    with pytest.raises(ValidationError) as error:
        coverage.full_clean()
    assert field in error.value.message_dict


def test_it_names_the_field_of_an_impossible_rotation() -> None:
    rotation = f.RotationFactory.build(
        program=f.ProgramFactory.create(), min_residents=5, max_residents=2, pgy_min=3, pgy_max=2
    )
    with pytest.raises(ValidationError) as error:
        rotation.full_clean()
    assert {"min_residents", "pgy_min"} <= set(error.value.message_dict)


def test_it_applies_coverage_on_its_weekdays_only() -> None:
    coverage = CoverageRequirement(weekdays=0b0011111)
    assert [coverage.applies_on(day) for day in range(7)] == [True] * 5 + [False] * 2
