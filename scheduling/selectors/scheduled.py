"""Which days have a published shift schedule.

A published rotation plan says who is on which rotation for the year; it schedules no shift. The
days after the last published block are therefore unplanned, not uncovered: conflict detection
raises no coverage alert on them, and a contingency study or a fallback does not re-solve them.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Max, Min

from people.models import Program
from scheduling.models import Assignment, ScheduleRun, State


def scheduled_days(program: Program, start: date, end: date) -> set[date]:
    """The days of ``start``–``end`` inside the period of a published schedule run, or between
    the first and last published shift made without a run (an import, an edit)."""
    spans = list(
        ScheduleRun.objects.filter(
            program=program,
            kind=ScheduleRun.Kind.SCHEDULE,
            published_at__isnull=False,
            start_date__lte=end,
            end_date__gte=start,
        ).values_list("start_date", "end_date")
    )
    loose = Assignment.objects.filter(
        person__program=program, state=State.PUBLISHED, run__isnull=True, date__range=(start, end)
    ).aggregate(first=Min("date"), last=Max("date"))
    if loose["first"] is not None:
        spans.append((loose["first"], loose["last"]))
    days: set[date] = set()
    for first, last in spans:
        day = max(first, start)
        while day <= min(last, end):
            days.add(day)
            day += timedelta(days=1)
    return days


def scheduled_span(program: Program, start: date, end: date) -> tuple[date, date] | None:
    """The first and last scheduled day of ``start``–``end``; None when none is."""
    days = scheduled_days(program, start, end)
    return (min(days), max(days)) if days else None
