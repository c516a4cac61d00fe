"""The rules of a dated absence or request (one academic year, no overlap with the person's
live rows, a known kind, a reason only for blocked dates, the program's shift type, a weight
from 1 to 10): one copy, applied by people.services when it creates a row (the overlap under
the person's lock) and by forms that check a row before saving it (the console)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from lib.errors import ApplicationError
from people.models import Absence, AcademicYear, Person, Request
from people.models_preferences import BlockReason
from rotations.models import ShiftType


def check_dates(person: Person, start_date: date, end_date: date) -> None:
    if end_date < start_date:
        raise ApplicationError(
            "The end date is before the start date.", details={"field": "end_date"}
        )
    year = AcademicYear.objects.filter(
        program_id=person.program_id, start_date__lte=start_date, end_date__gte=start_date
    ).first()
    if year is None:
        raise ApplicationError(
            "This date is outside the program's academic years.", details={"field": "start_date"}
        )
    if end_date > year.end_date:
        raise ApplicationError(
            f"The academic year {year.name} ends on {year.end_date:%d %b %Y}; "
            "request the rest in next year's schedule.",
            details={"field": "end_date"},
        )


def absence_overlap(
    person: Person, start_date: date, end_date: date, exclude: Absence | None = None
) -> None:
    if person.pk is None:  # a person being added has no absences yet
        return
    live = Absence.objects.filter(
        person=person, start_date__lte=end_date, end_date__gte=start_date
    ).exclude(status__in=[Absence.Status.DENIED, Absence.Status.CANCELLED])
    overlapping = (live.exclude(pk=exclude.pk) if exclude is not None else live).first()
    if overlapping is not None:
        raise ApplicationError(
            f"This overlaps your {overlapping.get_kind_display().lower()} of "
            f"{overlapping.start_date:%d %b}–{overlapping.end_date:%d %b %Y}.",
            details={"field": "start_date"},
        )


def absence_request_check(
    *, person: Person, start_date: date, end_date: date, absence: Absence | None = None
) -> None:
    """The rules of an absence's dates (within one academic year, over no other live absence of
    the person): what ``absence_request_create`` applies, for a form to check before it saves
    (``absence``: the row being re-dated, not counted as its own overlap)."""
    check_dates(person, start_date, end_date)
    absence_overlap(person, start_date, end_date, exclude=absence)


def request_fields_check(
    person: Person,
    kind: str,
    start_date: date,
    end_date: date,
    shift_type: ShiftType | None,
    weight: int,
    reason: str,
) -> None:
    check_dates(person, start_date, end_date)
    if kind not in Request.Kind.values:
        raise ApplicationError(f"Unknown request kind {kind!r}.", details={"field": "kind"})
    if reason and reason not in BlockReason.values:
        raise ApplicationError(
            f"Choose one of: {', '.join(BlockReason.values)}.", details={"field": "reason"}
        )
    problem = Request.reason_problem(kind, reason)
    if problem:
        raise ApplicationError(problem, details={"field": "reason"})
    if shift_type is not None and shift_type.program_id != person.program_id:
        raise ApplicationError(
            "That shift type belongs to another program.", details={"field": "shift_type"}
        )
    if not 1 <= weight <= 10:
        raise ApplicationError("The weight runs from 1 to 10.", details={"field": "weight"})


def request_overlap(
    person: Person,
    start_date: date,
    end_date: date,
    shift_type: ShiftType | None,
    exclude: Request | None = None,
) -> None:
    active = Request.objects.filter(
        person=person,
        start_date__lte=end_date,
        end_date__gte=start_date,
        status__in=[Request.Status.PENDING, Request.Status.APPROVED],
    )
    if exclude is not None:
        active = active.exclude(pk=exclude.pk)
    if shift_type is not None:  # a wish about one shift clashes with whole-day wishes only
        active = active.filter(Q(shift_type__isnull=True) | Q(shift_type=shift_type))
    overlapping = active.first()
    if overlapping is not None:
        raise ApplicationError(
            f"This overlaps your request of {overlapping.start_date:%d %b}–"
            f"{overlapping.end_date:%d %b %Y}.",
            details={"field": "start_date"},
        )


def request_check(
    *,
    person: Person,
    kind: str,
    start_date: date,
    end_date: date,
    shift_type: ShiftType | None = None,
    weight: int = 5,
    reason: str = "",
    request: Request | None = None,
) -> None:
    """The rules ``request_create`` applies, for a form to check before it saves (``request``:
    the row being changed, not counted as its own overlap)."""
    request_fields_check(person, kind, start_date, end_date, shift_type, weight, reason)
    request_overlap(person, start_date, end_date, shift_type, exclude=request)
