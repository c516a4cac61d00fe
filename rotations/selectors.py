"""Reads of the rotations app that other apps use: the program's holiday calendar."""

from __future__ import annotations

from datetime import date

from people.models import Program
from rotations.models import Holiday


def holidays_for(program: Program | int, start: date, end: date) -> dict[date, str]:
    """The program's holidays from ``start`` to ``end`` (inclusive): day -> name, in date order."""
    program_id: int = program.pk if isinstance(program, Program) else program
    rows = Holiday.objects.filter(program_id=program_id, date__range=(start, end)).order_by("date")
    return dict(rows.values_list("date", "name"))
