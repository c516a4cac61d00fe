"""The fairness report: coordinators see everyone; residents and faculty see their own line
against the anonymous distribution of their peers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from analytics.selectors.fairness import LABELS, MEASURES, fairness_report, own_view
from analytics.svg import strip
from analytics.views import period_of, picture
from lib.pages import render_page
from people.access import READ, Seat, page


@page("analytics", READ)
def fairness(request: HttpRequest, seat: Seat) -> HttpResponse:
    period = period_of(request, seat)
    report = mine = None
    mine_rows: list[tuple[object, ...]] = []
    if period is not None:
        report = fairness_report(seat.program, period.year, period.start, period.end)
        if not seat.is_manager:
            mine = own_view(report, seat.person.pk if seat.person else None)
            report = None  # nobody else's identified line reaches the template
            mine_rows = [
                (label, value, dev, s, picture(strip(peers, value, label=f"{label}: peers")))
                for label, value, dev, s, peers in mine.rows
            ]
    measures = [(m, LABELS[m]) for m in MEASURES]
    return render_page(
        request,
        "analytics/fairness.html",
        seat,
        "fairness",
        fragment="report",
        period=period,
        report=report,
        mine=mine,
        mine_rows=mine_rows,
        measures=measures,
    )
