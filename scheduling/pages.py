"""Pages for everyone in a program: dashboard, my schedule, daily manifest, call roster, timeline.

One URL per page; an htmx request gets the page's main fragment (``{% partialdef %}``).
Times are shown in the program's timezone.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from people.models import Person
from people.page_selectors import Seat, current_seat
from rotations.models import AcademicYear, ShiftType
from scheduling import board_selectors, page_selectors


def render_page(
    request: HttpRequest, template: str, fragment: str, seat: Seat, nav: str, **context: Any
) -> HttpResponse:
    htmx = getattr(request, "htmx", None)  # django-htmx middleware
    name = f"{template}#{fragment}" if htmx and not htmx.boosted else template
    with timezone.override(seat.program.timezone):
        return render(request, name, {"seat": seat, "program": seat.program, "nav": nav, **context})


def _date(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    seat = current_seat(request)
    board = page_selectors.dashboard(
        seat.person, seat.program, request.user, manager=seat.is_manager
    )
    return render_page(
        request, "pages/dashboard.html", "notifications", seat, "dashboard", board=board
    )


@login_required
@require_GET
def my_schedule(request: HttpRequest) -> HttpResponse:
    seat = current_seat(request)
    if seat.person is None:
        raise Http404("Your account is not linked to a person in this program.")
    view = request.GET.get("view", "week")
    view = view if view in page_selectors.VIEWS else "week"
    anchor = _date(request.GET.get("date"), page_selectors.local_today(seat.program))
    period = page_selectors.my_period(seat.person, seat.program, view, anchor)
    return render_page(
        request,
        "pages/my_schedule.html",
        "schedule",
        seat,
        "schedule",
        period=period,
        views=page_selectors.VIEWS,
    )


@login_required
@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    seat = current_seat(request)
    day = _date(request.GET.get("date"), page_selectors.local_today(seat.program))
    data = board_selectors.manifest(seat.program, day)
    return render_page(request, "pages/manifest.html", "manifest", seat, "manifest", manifest=data)


@login_required
@require_GET
def roster(request: HttpRequest) -> HttpResponse:
    seat = current_seat(request)
    month_param = request.GET.get("month")  # YYYY-MM
    month = _date(
        f"{month_param}-01" if month_param else None, page_selectors.local_today(seat.program)
    )
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
    data = board_selectors.roster(seat.program, month, service=service, kind=kind)
    filters = {"service": service_code, "kind": kind or ""}
    return render_page(
        request,
        "pages/roster.html",
        "roster",
        seat,
        "roster",
        roster=data,
        filters=filters,
        kinds=Person.Kind.choices,
    )


@login_required
@require_GET
def timeline(request: HttpRequest) -> HttpResponse:
    seat = current_seat(request)
    years = list(AcademicYear.objects.filter(program=seat.program).order_by("start_date"))
    today = page_selectors.local_today(seat.program)
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
    data = board_selectors.timeline(seat.program, year, years, kind) if year else None
    return render_page(
        request, "pages/timeline.html", "timeline", seat, "timeline", timeline=data, kind=kind or ""
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
