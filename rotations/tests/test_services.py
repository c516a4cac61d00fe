"""academic_year_create_blocks: patterns, coverage of the year, refusals, audit."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry

from lib.errors import ApplicationError
from people.models import AcademicYear, Program
from rotations.models import Block
from rotations.services import BlockPattern, academic_year_create_blocks

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(program_a: Program) -> AcademicYear:
    # 1 July 2026 is a Wednesday.
    return AcademicYear.objects.create(
        program=program_a, name="2026–2027", start_date=date(2026, 7, 1), end_date=date(2027, 6, 30)
    )


def _spans(blocks: list[Block]) -> list[tuple[date, date]]:
    return [(block.start_date, block.end_date) for block in blocks]


def test_it_splits_a_year_into_13_contiguous_four_week_blocks(
    year: AcademicYear, coordinator_a: Any
) -> None:
    blocks = academic_year_create_blocks(
        academic_year=year, pattern=BlockPattern.FOUR_WEEKS, weekday=2, actor=coordinator_a
    )
    assert [block.number for block in blocks] == list(range(1, 14))
    assert blocks[0].start_date == year.start_date
    assert blocks[-1].end_date == year.end_date
    for previous, following in itertools.pairwise(blocks):
        assert following.start_date == previous.end_date + timedelta(days=1)
    assert {block.days for block in blocks[:-1]} == {28}
    assert blocks[-1].days == 29  # 365 days: the last block absorbs the remainder


def test_it_starts_the_first_block_on_the_chosen_weekday(
    year: AcademicYear, coordinator_a: Any
) -> None:
    blocks = academic_year_create_blocks(
        academic_year=year, pattern=BlockPattern.FOUR_WEEKS, weekday=0, actor=coordinator_a
    )
    assert blocks[0].start_date == date(2026, 7, 6)  # the first Monday on or after 1 July
    assert blocks[-1].end_date == year.end_date
    assert blocks[-1].days == 365 - 5 - 28 * 12


def test_it_starts_on_the_years_first_day_without_a_weekday(year: AcademicYear) -> None:
    blocks = academic_year_create_blocks(
        academic_year=year, pattern=BlockPattern.FOUR_WEEKS, actor=None
    )
    assert blocks[0].start_date == year.start_date


def test_it_makes_one_block_per_calendar_month(year: AcademicYear, coordinator_a: Any) -> None:
    blocks = academic_year_create_blocks(
        academic_year=year, pattern=BlockPattern.CALENDAR_MONTHS, actor=coordinator_a
    )
    assert len(blocks) == 12
    assert _spans(blocks)[0] == (date(2026, 7, 1), date(2026, 7, 31))
    assert _spans(blocks)[7] == (date(2027, 2, 1), date(2027, 2, 28))
    assert _spans(blocks)[-1] == (date(2027, 6, 1), date(2027, 6, 30))


def test_it_clips_the_first_and_last_month_to_the_year(program_a: Program) -> None:
    year = AcademicYear.objects.create(
        program=program_a, name="odd", start_date=date(2026, 6, 24), end_date=date(2027, 6, 23)
    )
    blocks = academic_year_create_blocks(
        academic_year=year, pattern=BlockPattern.CALENDAR_MONTHS, actor=None
    )
    assert len(blocks) == 13
    assert _spans(blocks)[0] == (date(2026, 6, 24), date(2026, 6, 30))
    assert _spans(blocks)[-1] == (date(2027, 6, 1), date(2027, 6, 23))


def test_it_refuses_a_year_that_already_has_blocks(year: AcademicYear) -> None:
    academic_year_create_blocks(academic_year=year, pattern=BlockPattern.FOUR_WEEKS, actor=None)
    with pytest.raises(ApplicationError, match="already has blocks"):
        academic_year_create_blocks(
            academic_year=year, pattern=BlockPattern.CALENDAR_MONTHS, actor=None
        )
    assert year.blocks.count() == 13


def test_it_refuses_a_year_too_short_for_13_blocks(program_a: Program) -> None:
    year = AcademicYear.objects.create(
        program=program_a, name="short", start_date=date(2026, 7, 1), end_date=date(2027, 1, 1)
    )
    with pytest.raises(ApplicationError, match="too short"):
        academic_year_create_blocks(academic_year=year, pattern=BlockPattern.FOUR_WEEKS, actor=None)
    assert not year.blocks.exists()


def test_it_refuses_a_weekday_out_of_range(year: AcademicYear) -> None:
    with pytest.raises(ApplicationError, match="not a weekday"):
        academic_year_create_blocks(
            academic_year=year, pattern=BlockPattern.FOUR_WEEKS, weekday=7, actor=None
        )


def test_it_records_the_actor_on_every_new_block(year: AcademicYear, coordinator_a: Any) -> None:
    blocks = academic_year_create_blocks(
        academic_year=year, pattern=BlockPattern.FOUR_WEEKS, actor=coordinator_a
    )
    entries = LogEntry.objects.filter(
        action=LogEntry.Action.CREATE, object_pk__in=[str(block.pk) for block in blocks]
    ).filter(content_type__model="block")
    assert entries.count() == 13
    assert {entry.actor for entry in entries} == {coordinator_a}
