"""CSV and Excel of every analytics report: the numbers the pages draw, for coordinators."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.text import slugify

from analytics import exports
from analytics.selectors import heatmaps
from analytics.selectors.fairness import fairness_report
from analytics.selectors.people import person_for_calendar
from analytics.views import period_of
from api.tables import CONTENT_TYPES, CSV, XLSX
from people.access import READ, Seat, page

REPORTS = ("fairness", "workload", "coverage", "duty")


@page("export", READ)
def export(request: HttpRequest, seat: Seat, report: str) -> HttpResponse:
    fmt = request.GET.get("format") or CSV
    if report not in REPORTS or fmt not in (CSV, XLSX):
        raise Http404("No such report or format.")
    period = period_of(request, seat)
    if period is None:
        raise Http404("The program has no academic year.")
    program, start, end = seat.program, period.start, period.end
    if report == "fairness":
        tables = exports.fairness_tables(fairness_report(program, period.year, start, end))
    elif report == "workload":
        unit = heatmaps.SHIFTS if request.GET.get("unit") == heatmaps.SHIFTS else heatmaps.HOURS
        tables = exports.workload_tables(heatmaps.workload(program, start, end, unit=unit))
    elif report == "coverage":
        tables = exports.coverage_tables(heatmaps.coverage(program, start, end))
    else:
        person, _ = person_for_calendar(seat, request.GET.get("person"))
        if person is None:
            raise Http404("No one to show.")
        tables = exports.duty_tables(heatmaps.duty_calendar(program, person, start, end))
    response = HttpResponse(exports.write(tables, fmt), content_type=CONTENT_TYPES[fmt])
    name = f"{report}-{slugify(str(program))}-{start}-{end}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
