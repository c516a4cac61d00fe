"""Published shifts as pages show them: local start and end, colour, whether a shift is call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from people.models import Person
from rotations.models import ShiftType
from scheduling.models import Assignment, State

CALL_CATEGORIES = (
    ShiftType.Category.IN_HOUSE_CALL,
    ShiftType.Category.AT_HOME_CALL,
    ShiftType.Category.NIGHT_FLOAT,
)


def published(person: Person) -> QuerySet[Assignment]:
    return Assignment.objects.filter(person=person, state=State.PUBLISHED).select_related(
        "shift_type"
    )


@dataclass(frozen=True)
class Shift:
    """A published assignment as a page shows it: local times, colour, whether it is call."""

    assignment: Assignment
    starts: datetime
    ends: datetime

    @property
    def shift_type(self) -> ShiftType:
        return self.assignment.shift_type

    @property
    def is_call(self) -> bool:
        return self.assignment.shift_type.category in CALL_CATEGORIES

    @property
    def hours(self) -> float:
        # Elapsed hours, from the stored UTC instants: two local times in one zone subtract on the
        # wall clock, which makes a 24-hour call over a DST change 23 or 25 hours.
        return self.assignment.duration.total_seconds() / 3600

    @property
    def counts_as_duty(self) -> bool:
        """The engine's reading (docs/rules.md): the shift type's flag, and moonlighting always."""
        shift_type = self.shift_type
        return (
            shift_type.counts_toward_duty or shift_type.category == ShiftType.Category.MOONLIGHTING
        )

    @property
    def callback_hours(self) -> float:
        """Recorded call-back time of an at-home call: all it adds to duty hours."""
        if self.shift_type.category != ShiftType.Category.AT_HOME_CALL:
            return 0.0
        return (self.assignment.callback_minutes or 0) / 60

    @property
    def duty_hours(self) -> float:
        """What this shift adds to duty hours as the engine counts them: an at-home call is not
        its 14 hours on the clock, only its recorded call-back minutes."""
        return (self.hours if self.counts_as_duty else 0.0) + self.callback_hours

    @property
    def overnight(self) -> bool:
        return self.ends.date() > self.starts.date()


def as_shifts(rows: Any, tz: ZoneInfo) -> list[Shift]:
    return [Shift(a, a.starts_at.astimezone(tz), a.ends_at.astimezone(tz)) for a in rows]


def absence_overlaps(absence: Any) -> list[Assignment]:
    """The published shifts of the absent person inside the absence's dates (what approving it
    leaves double-booked), earliest first."""
    return list(
        Assignment.objects.filter(
            person_id=absence.person_id,
            state=State.PUBLISHED,
            date__range=(absence.start_date, absence.end_date),
        )
        .select_related("person__program", "shift_type")
        .order_by("date", "starts_at")
    )


def published_pairs(
    person_ids: list[int], start: Any, end: Any
) -> dict[int, list[tuple[Any, int]]]:
    """person id -> their published (date, shift type id) pairs in a period: plain values (a
    program's year has tens of thousands of shifts; the preference honour figures read them)."""
    found: dict[int, list[tuple[Any, int]]] = {pk: [] for pk in person_ids}
    rows = Assignment.objects.filter(
        person_id__in=person_ids, state=State.PUBLISHED, date__range=(start, end)
    ).values_list("person_id", "date", "shift_type_id")
    for person_id, day, shift_type_id in rows:
        found[person_id].append((day, shift_type_id))
    return found


def last_published_day(program: Any) -> Any:
    """The last day of the program's published schedule (None before the first publish)."""
    row = (
        Assignment.objects.filter(person__program=program, state=State.PUBLISHED)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    return row
