"""Pages about the whole program: the daily manifest, the call roster and the year's timeline.

One URL per page; an htmx request gets the page's main fragment (``{% partialdef %}``).
"""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse

from lib.pages import render_page
from lib.params import query_date, query_month
from lib.timezones import local_today
from people.access import READ, Seat, page
from people.models import AcademicYear, Person
from rotations.models import ShiftType
from scheduling.selectors import boards


@page("board", READ)
def manifest(request: HttpRequest, seat: Seat) -> HttpResponse:
    day = query_date(request.GET.get("date"), local_today(seat.program))
    data = boards.manifest(seat.program, day)
    return render_page(
        request, "scheduling/manifest.html", seat, "manifest", fragment="manifest", manifest=data
    )


@page("board", READ)
def roster(request: HttpRequest, seat: Seat) -> HttpResponse:
    month = query_month(request.GET.get("month"), local_today(seat.program))
    service_code = request.GET.get("service") or ""
    service = None
    if service_code:
        service = (
            ShiftType.objects.filter(program=seat.program, code=service_code).first()
            if _is_uuid(service_code)
            else None
        )
        if service is None:
            raise Http404("No such service.")
    kind = request.GET.get("kind") if request.GET.get("kind") in Person.Kind.values else None
    data = boards.roster(seat.program, month, service=service, kind=kind)
    filters = {"service": service_code, "kind": kind or ""}
    return render_page(
        request,
        "scheduling/roster.html",
        seat,
        "roster",
        fragment="roster",
        roster=data,
        filters=filters,
        kinds=Person.Kind.choices,
    )


@page("board", READ)
def timeline(request: HttpRequest, seat: Seat) -> HttpResponse:
    years = list(AcademicYear.objects.filter(program=seat.program).order_by("start_date"))
    today = local_today(seat.program)
    wanted = request.GET.get("year")
    if wanted:
        year = next((y for y in years if str(y.code) == wanted), None)
        if year is None:
            raise Http404("No such academic year.")
    else:
        year = next(
            (y for y in years if y.start_date <= today <= y.end_date), years[-1] if years else None
        )
    kind = request.GET.get("kind") if request.GET.get("kind") in ("resident", "faculty") else None
    data = boards.timeline(seat.program, year, years, kind) if year else None
    return render_page(
        request,
        "scheduling/timeline.html",
        seat,
        "timeline",
        fragment="timeline",
        timeline=data,
        kind=kind or "",
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
