"""Writes for the academic year and its blocks."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from auditlog.context import set_actor
from django.db import models, transaction

from lib.errors import ApplicationError
from people.models import AcademicYear
from rotations.models import Block

FOUR_WEEK_BLOCKS = 13
BLOCK_DAYS = 28


class BlockPattern(models.TextChoices):
    FOUR_WEEKS = "four_weeks", "13 four-week blocks"
    CALENDAR_MONTHS = "calendar_months", "Calendar months"


def academic_year_create_blocks(
    *,
    academic_year: AcademicYear,
    pattern: BlockPattern | str,
    weekday: int | None = None,
    actor: Any,
) -> list[Block]:
    """Split an empty academic year into blocks.

    Four-week blocks: the first starts on the first ``weekday`` (Monday = 0) on or after the
    year's start (the start itself when ``weekday`` is None); 13 x 28 = 364 days, so the 13th
    block runs to the year's end and absorbs the remainder. Calendar months: one block per month,
    the first and last clipped to the year.
    """
    pattern = BlockPattern(pattern)
    with transaction.atomic(), set_actor(actor):
        # Lock the year so two coordinators pressing the button at once cannot both pass the
        # "no blocks yet" check.
        year = AcademicYear.objects.select_for_update().get(pk=academic_year.pk)
        if year.blocks.exists():
            raise ApplicationError(
                f"{year} already has blocks; delete them first to split the year again.",
                details={"academic_year": str(year.code)},
            )
        if pattern == BlockPattern.FOUR_WEEKS:
            spans = _four_week_spans(year, weekday)
        else:
            spans = _calendar_month_spans(year)
        # One create per row, not bulk_create: the audit log records each block.
        return [
            Block.objects.create(academic_year=year, number=number, start_date=start, end_date=end)
            for number, (start, end) in enumerate(spans, start=1)
        ]


def _four_week_spans(year: AcademicYear, weekday: int | None) -> list[tuple[date, date]]:
    if weekday is not None and not 0 <= weekday <= 6:
        raise ApplicationError(f"{weekday!r} is not a weekday (Monday = 0 … Sunday = 6).")
    first = year.start_date
    if weekday is not None:
        first += timedelta(days=(weekday - first.weekday()) % 7)
    last_start = first + timedelta(days=BLOCK_DAYS * (FOUR_WEEK_BLOCKS - 1))
    if last_start > year.end_date:
        raise ApplicationError(
            f"{year} is too short for {FOUR_WEEK_BLOCKS} four-week blocks starting {first:%a %d %b %Y}.",
            details={"academic_year": str(year.code)},
        )
    spans = [
        (first + timedelta(days=BLOCK_DAYS * i), first + timedelta(days=BLOCK_DAYS * i + 27))
        for i in range(FOUR_WEEK_BLOCKS)
    ]
    spans[-1] = (spans[-1][0], year.end_date)
    return spans


def _calendar_month_spans(year: AcademicYear) -> list[tuple[date, date]]:
    spans = []
    month_start = year.start_date.replace(day=1)
    while month_start <= year.end_date:
        last_day = calendar.monthrange(month_start.year, month_start.month)[1]
        month_end = month_start.replace(day=last_day)
        spans.append((max(month_start, year.start_date), min(month_end, year.end_date)))
        month_start = month_end + timedelta(days=1)
    return spans
