"""Which dates a report covers: an academic year to date, or one block of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import Http404

from people.models import AcademicYear, Program
from rotations.models import Block


@dataclass(frozen=True)
class Period:
    year: AcademicYear
    start: date
    end: date
    block: Block | None
    years: list[AcademicYear]
    blocks: list[Block]

    @property
    def label(self) -> str:
        if self.block is not None:
            return f"Block {self.block.number} ({self.start:%d %b} – {self.end:%d %b %Y})"
        return f"{self.year.name}, to date ({self.start:%d %b %Y} – {self.end:%d %b %Y})"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def period_for(
    program: Program, *, today: date, year: Any = None, block: Any = None
) -> Period | None:
    """The year asked for (by code), else the one containing ``today``, else the latest; the
    block asked for (by number), else the year to date (the whole year before it starts).
    None when the program has no academic year."""
    years = list(AcademicYear.objects.filter(program=program).order_by("-start_date"))
    if not years:
        return None
    chosen = next((y for y in years if year and str(y.code) == str(year)), None)
    if year and chosen is None:
        raise Http404("No such academic year in this program.")
    if chosen is None:
        chosen = next((y for y in years if y.start_date <= today <= y.end_date), years[0])
    blocks = list(Block.objects.filter(academic_year=chosen).order_by("number"))
    if block:
        picked = next((b for b in blocks if str(b.number) == str(block)), None)
        if picked is None:
            raise Http404(f"The year {chosen.name} has no block {block}.")
        return Period(chosen, picked.start_date, picked.end_date, picked, years, blocks)
    end = chosen.end_date if today < chosen.start_date else min(today, chosen.end_date)
    return Period(chosen, chosen.start_date, end, None, years, blocks)
