"""Pages about me: the dashboard and my schedule (week, month, list), in the program's timezone.

One URL per page; an htmx request gets the page's main fragment (``{% partialdef %}``).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from conflicts import selectors as conflict_selectors
from lib.pages import render_page
from lib.params import query_date
from lib.timezones import local_today
from people.access import READ, Seat, page
from scheduling.selectors import personal


@page("board", READ)
def dashboard(request: HttpRequest, seat: Seat) -> HttpResponse:
    board = personal.dashboard(seat.person, seat.program, request.user, manager=seat.is_manager)
    return render_page(
        request,
        "scheduling/dashboard.html",
        seat,
        "dashboard",
        fragment="notifications",
        board=board,
        alerts=list(conflict_selectors.open_alerts_about(seat.person)[:5]) if seat.person else [],
    )


@page("assignment", READ)
def my_schedule(request: HttpRequest, seat: Seat) -> HttpResponse:
    if seat.person is None:
        raise Http404("Your account is not linked to a person in this program.")
    view = request.GET.get("view", "week")
    view = view if view in personal.VIEWS else "week"
    anchor = query_date(request.GET.get("date"), local_today(seat.program))
    period = personal.my_period(seat.person, seat.program, view, anchor)
    return render_page(
        request,
        "scheduling/my_schedule.html",
        seat,
        "schedule",
        fragment="schedule",
        period=period,
        views=personal.VIEWS,
    )
