"""Pages about the whole program: the daily manifest, the call roster and the year's timeline.

One URL per page; an htmx request gets the page's main fragment (``{% partialdef %}``).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from lib.pages import render_page
from lib.params import query_date, query_month
from lib.timezones import local_today
from people.access import READ, Seat, page
from scheduling.selectors import boards
from scheduling.selectors import grid as grid_selectors


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
        service = grid_selectors.shift_type_by_code(seat.program, service_code)
        if service is None:
            raise Http404("No such service.")
    kind = grid_selectors.person_kind(request.GET.get("kind"))
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
        kinds=grid_selectors.PERSON_KIND_CHOICES,
    )


@page("board", READ)
def timeline(request: HttpRequest, seat: Seat) -> HttpResponse:
    years = grid_selectors.academic_years(seat.program)
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
