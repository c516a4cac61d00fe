"""Reads for conflict pages and the API: each owns its select_related and its program scoping."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from conflicts.models import ConflictAlert
from people import access
from people.models import Person, Program

RELATED = ("program", "person", "assignment__shift_type", "absence", "resolved_by")
SEVERITY_ORDER = Case(
    *(When(severity=s, then=Value(i)) for i, s in enumerate(ConflictAlert.Severity.values)),
    output_field=IntegerField(),
)
OPEN = (ConflictAlert.Status.OPEN, ConflictAlert.Status.ACKNOWLEDGED)


def alerts_of(program: Program) -> QuerySet[ConflictAlert]:
    return ConflictAlert.objects.filter(program=program).select_related(*RELATED)


def queue(
    program: Program, *, status: str = "", severity: str = "", kind: str = ""
) -> QuerySet[ConflictAlert]:
    """The coordinator's queue: open alerts by default, most severe and soonest first."""
    rows = alerts_of(program).filter(status__in=[status] if status else OPEN)
    if severity:
        rows = rows.filter(severity=severity)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.annotate(rank=SEVERITY_ORDER).order_by("rank", "start_date", "pk")


def open_alerts_about(person: Person) -> QuerySet[ConflictAlert]:
    """A person's own open alerts (their dashboard)."""
    return (
        ConflictAlert.objects.filter(person=person, status__in=OPEN)
        .select_related(*RELATED)
        .annotate(rank=SEVERITY_ORDER)
        .order_by("rank", "start_date")
    )


def get_alert_for_user(user: Any, code: Any, action: str = access.READ) -> ConflictAlert:
    """One alert the user may see (404 alike for missing and not theirs)."""
    return access.get_for_user(
        user, ConflictAlert.objects.select_related(*RELATED), code, action, what="alert"
    )
