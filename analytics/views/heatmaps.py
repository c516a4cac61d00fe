"""Heatmaps as server-rendered SVG: people x weeks, shift type x days, and one person's
duty-hour calendar against the limits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from analytics.selectors import heatmaps
from analytics.selectors.people import person_for_calendar
from analytics.svg import GAP_RED, Cell, grid, shade, titled
from analytics.views import period_of
from analytics.views import picture as safe
from lib.pages import render_page
from people.access import READ, Seat, page


@page("heatmap", READ)
def workload(request: HttpRequest, seat: Seat) -> HttpResponse:
    period = period_of(request, seat)
    unit = request.GET.get("unit") or heatmaps.HOURS
    if unit not in (heatmaps.HOURS, heatmaps.SHIFTS):
        raise Http404("No such unit.")
    data = picture = None
    if period is not None:
        data = heatmaps.workload(seat.program, period.start, period.end, unit=unit)
        picture = safe(workload_svg(data))
    context = {"period": period, "data": data, "picture": picture, "unit": unit}
    return render_page(
        request, "analytics/heatmap_workload.html", seat, "heatmaps", fragment="map", **context
    )


def workload_svg(data: heatmaps.WorkloadMap) -> str:
    high, unit = data.high, data.unit
    weeks = [f"{w:%d %b}" for w in data.weeks]
    per_cell = titled(len(data.rows), len(weeks))  # else one title per row
    cells = [
        [Cell(shade(v, high), f"{name}, week of {w}: {v:g} {unit}" if per_cell else "")
         for w, v in zip(weeks, values, strict=True)]
        for _, name, values in data.rows
    ]  # fmt: skip
    return grid(
        [name for _, name, _ in data.rows],
        weeks,
        cells,
        label=f"{unit.capitalize()} per person per week",
        column_every=1 if len(weeks) <= 20 else 2,
        row_titles=None if per_cell else [workload_row_title(r, weeks, unit) for r in data.rows],
    )


def workload_row_title(row: tuple[str, str, list[float]], weeks: list[str], unit: str) -> str:
    _, name, values = row
    if not any(values):
        return f"{name}: nothing in the period"
    most = max(range(len(values)), key=values.__getitem__)
    return (
        f"{name}: {sum(values):g} {unit} in the period, most {values[most]:g} in the week of "
        f"{weeks[most]}"
    )


@page("heatmap", READ)
def coverage(request: HttpRequest, seat: Seat) -> HttpResponse:
    period = period_of(request, seat)
    data = picture = None
    if period is not None:
        data = heatmaps.coverage(seat.program, period.start, period.end)
        picture = safe(coverage_svg(data))
    context = {"period": period, "data": data, "picture": picture}
    return render_page(
        request, "analytics/heatmap_coverage.html", seat, "heatmaps", fragment="map", **context
    )


def coverage_cell(day: Any, shift: str, required: int, filled: int, *, with_title: bool) -> Cell:
    title = f"{shift}, {day:%a %d %b}: {filled} assigned, {required} required" if with_title else ""
    if filled < required:
        return Cell(
            GAP_RED, title + f" (short {required - filled})" if with_title else "", str(filled)
        )
    if required == 0 and filled == 0:
        return Cell("#f7f8fa", title)
    return Cell(shade(filled, max(required, 1) * 1.5, hue=(42, 157, 143)), title, str(filled))


def coverage_svg(data: heatmaps.CoverageMap) -> str:
    per_cell = titled(len(data.rows), len(data.days))  # else one title per row
    cells = [
        [coverage_cell(day, shift, r, f, with_title=per_cell)
         for day, (r, f) in zip(data.days, row, strict=True)]
        for shift, row in data.rows
    ]  # fmt: skip
    row_titles = [
        f"{shift}: {sum(min(r, f) for r, f in row)} of {sum(r for r, _ in row)} required filled, "
        f"{sum(max(r - f, 0) for r, f in row)} short"
        for shift, row in data.rows
    ]
    return grid(
        [shift for shift, _ in data.rows],
        [f"{d:%a %d}" for d in data.days],
        cells,
        label="Filled against required, by shift type and day (red: a gap)",
        cell_width=20 if len(data.days) <= 42 else 8,
        cell_height=18,
        column_every=1 if len(data.days) <= 42 else 7,
        row_titles=None if per_cell else row_titles,
    )


@page("analytics", READ)
def duty(request: HttpRequest, seat: Seat) -> HttpResponse:
    period = period_of(request, seat)
    person, choices = person_for_calendar(seat, request.GET.get("person"))
    data = picture = None
    if period is not None and person is not None:
        data = heatmaps.duty_calendar(seat.program, person, period.start, period.end)
        picture = safe(duty_svg(data))
    context = {"period": period, "data": data, "picture": picture, "person": person}
    context["choices"] = choices
    return render_page(
        request, "analytics/heatmap_duty.html", seat, "heatmaps", fragment="map", **context
    )


def duty_svg(data: heatmaps.DutyCalendar) -> str:
    """A calendar: weeks down, weekdays across (Monday first); a red outline on a day whose
    28 days to date pass the 4-week limit."""
    if not data.days:
        return ""
    first = data.days[0].day
    offset = first.weekday()
    weeks: list[list[Cell]] = []
    labels: list[str] = []
    blank = Cell("#ffffff", "")
    for k, day in enumerate(data.days):
        slot = k + offset
        if slot % 7 == 0 or not weeks:
            weeks.append([blank] * 7)
            labels.append(f"{day.day - timedelta(days=slot % 7):%d %b}")
        title = (
            f"{day.day:%a %d %b}: {day.hours:g} h; {day.window_hours:g} h in the 28 days to date"
            f" (limit {data.window_limit:g} h)"
        )
        weeks[-1][slot % 7] = Cell(
            shade(day.hours, 24, hue=(29, 78, 137)),
            title,
            text=f"{day.hours:.0f}" if day.hours else "",
            outline=GAP_RED if day.over else "",
        )
    return grid(
        labels,
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        weeks,
        label=f"Duty hours per day for {data.person_name}",
        cell_width=26,
        cell_height=20,
        row_label_width=70,
    )
