"""The one way to queue conflict detection: once the change that calls for it commits.

``schedule_detection(program_id, start, end)`` queues ``conflicts.detect`` (Celery) for the period
after the surrounding transaction commits, so nothing is detected for a change that rolls back.
With eager Celery (tests, single-process setups) detection finishes inside the same request.
The schedule's own changes reach it through ``scheduling.services.schedule_changed``.

``row_changed(before, after)`` is for the rows outside the schedule whose change can raise or clear
a conflict, wherever they are written (the console, the API's plain-row writes): an absence
approved, or an approved one changed (the inline on a person's console page); a person made
inactive, deleted, moved to another program or kind, or given another training start
(eligibility); a procedure credential or a certification added, changed or deleted; a coverage
requirement added, changed or deleted. It queues detection over the coming ``HORIZON_DAYS`` days
(the nightly pass's reach), narrowed to the dates they concern for absences, credentials and
certifications.
"""

from __future__ import annotations

from datetime import date, timedelta

from celery import current_app
from django.db import models, transaction
from django.utils import timezone

from people.models import Absence, Certification, Person, ProcedureCredential
from rotations.models import CoverageRequirement, ShiftType

HORIZON_DAYS = 90
# A person's fields the detectors read (through the engine's problem): who is scheduled, and how
# eligibility by kind and PGY is judged.
PERSON_FIELDS = (
    "program_id",
    "active",
    "kind",
    "training_start",
    "pgy_override",
    "pgy_override_year_id",
)
WATCHED: tuple[type[models.Model], ...] = (
    Absence,
    Person,
    Certification,
    ProcedureCredential,
    CoverageRequirement,
)
Span = tuple[date | None, date | None]  # None: open-ended


def schedule_detection(program_id: int, start: date, end: date) -> None:
    def queue() -> None:
        task = current_app.tasks["conflicts.detect"]
        task.delay(program_id, start.isoformat(), end.isoformat())

    transaction.on_commit(queue)


def schedule_detection_ahead(
    program_id: int, first: date | None = None, last: date | None = None
) -> None:
    """Detection over the part of ``first``–``last`` (open-ended where None) that lies within the
    coming ``HORIZON_DAYS`` days; nothing when it lies wholly outside them (the nightly pass
    reaches later days as they come)."""
    today = timezone.localdate()
    horizon_end = today + timedelta(days=HORIZON_DAYS - 1)
    start = today if first is None else max(first, today)
    end = horizon_end if last is None else min(last, horizon_end)
    if start <= end:
        schedule_detection(program_id, start, end)


def watches(model: type[models.Model]) -> bool:
    return issubclass(model, WATCHED)


def row_changed(before: models.Model | None, after: models.Model | None) -> None:
    """A watched row was created (``before`` None), changed, or deleted (``after`` None): queue
    detection for its program over the dates it concerns. Other models are ignored."""
    row = after if after is not None else before
    if row is None or not watches(type(row)):
        return
    if isinstance(row, Person):
        if before is not None and after is not None:
            if all(getattr(before, f) == getattr(after, f) for f in PERSON_FIELDS):
                return  # a name, an email: nothing a detector reads
        elif after is not None:
            return  # a new person works no shift yet
    if isinstance(row, Absence):
        versions = [v for v in (before, after) if v is not None]
        if all(v.status != Absence.Status.APPROVED for v in versions):  # type: ignore[attr-defined]
            return  # only an approved absence takes anyone off the schedule
    spans: dict[int, Span] = {}
    for version in (before, after):
        if version is None:
            continue
        program_id, span = _concern(version)
        if program_id is not None:
            spans[program_id] = _union(spans[program_id], span) if program_id in spans else span
    for program_id, (first, last) in spans.items():
        schedule_detection_ahead(program_id, first, last)


def _concern(row: models.Model) -> tuple[int | None, Span]:
    """The program a version of a row belongs to and the dates it can decide."""
    if isinstance(row, Person):
        return row.program_id, (None, None)
    if isinstance(row, Absence):
        return _program_of(row.person_id), (row.start_date, row.end_date)
    if isinstance(row, ProcedureCredential):
        return _program_of(row.person_id), (row.granted_on, row.expires_on)
    if isinstance(row, Certification):
        return _program_of(row.person_id), (row.issued_on, row.expires_on)
    assert isinstance(row, CoverageRequirement)
    program_id = ShiftType.objects.filter(pk=row.shift_type_id).values_list("program_id", flat=True)
    return program_id.first(), (None, None)


def _program_of(person_id: int | None) -> int | None:
    if person_id is None:
        return None
    return Person.objects.filter(pk=person_id).values_list("program_id", flat=True).first()


def _union(a: Span, b: Span) -> Span:
    first = None if a[0] is None or b[0] is None else min(a[0], b[0])
    last = None if a[1] is None or b[1] is None else max(a[1], b[1])
    return first, last
