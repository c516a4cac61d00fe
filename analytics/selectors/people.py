"""Whose duty calendar a page shows: a coordinator picks anyone in the program; a resident or
faculty member sees their own, whatever the query asks."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from people.access import Seat
from people.models import Person


def person_for_calendar(seat: Seat, code: Any) -> tuple[Person | None, list[Person]]:
    if not seat.is_manager:
        return seat.person, []
    choices = list(
        Person.objects.filter(
            program=seat.program,
            active=True,
            kind__in=(Person.Kind.RESIDENT, Person.Kind.FACULTY),
        ).order_by("kind", "last_name", "first_name", "pk")
    )
    if not code:
        return (choices[0] if choices else None), choices
    chosen = next((p for p in choices if str(p.code) == str(code)), None)
    if chosen is None:
        raise Http404("No such person in this program.")
    return chosen, choices
