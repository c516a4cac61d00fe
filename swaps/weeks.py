"""Whole-week exchanges: which published rows make up a person's week.

A week runs Monday to Sunday. Its rows are the person's published shifts of those days, except
the call on Friday and Saturday (in-house or at home), which belongs to the weekend rota and
stays with its owner unless the program's ``SwapPolicy.week_carries_call`` says the week's call
moves with the week.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from rotations.models import ShiftType
from scheduling.models import Assignment, State

LINKED_CALL_WEEKDAYS = (4, 5)  # Friday, Saturday
CALL_CATEGORIES = (ShiftType.Category.IN_HOUSE_CALL, ShiftType.Category.AT_HOME_CALL)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def is_linked_call(row: Assignment) -> bool:
    return row.date.weekday() in LINKED_CALL_WEEKDAYS and row.shift_type.category in CALL_CATEGORIES


def week_rows(
    person_ids: Iterable[int], monday: date, *, carries_call: bool
) -> dict[int, list[Assignment]]:
    """Person id -> the published rows of their week starting ``monday``, by start."""
    rows = (
        Assignment.objects.filter(
            person_id__in=list(person_ids),
            state=State.PUBLISHED,
            date__range=(monday, monday + timedelta(days=6)),
        )
        .select_related("person", "shift_type")
        .order_by("starts_at", "pk")
    )
    weeks: dict[int, list[Assignment]] = defaultdict(list)
    for row in rows:
        if carries_call or not is_linked_call(row):
            weeks[row.person_id].append(row)
    return weeks
