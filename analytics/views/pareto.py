"""Pareto alternatives: ask for them, watch them arrive, compare two objectives at a time,
look at one point's difference from the published schedule and publish it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from analytics import services
from analytics.forms import ParetoForm
from analytics.models import ParetoStudy
from analytics.selectors import pareto as selectors
from analytics.selectors.runs import run_summary
from analytics.svg import scatter
from analytics.views import picture
from lib.errors import ApplicationError
from lib.pages import render_page
from people.access import READ, WRITE, Seat, page
from scheduling import services as schedule
from scheduling.selectors.runs import get_run_for_manager


@page("pareto", WRITE, methods=("GET", "POST"))
def pareto(request: HttpRequest, seat: Seat) -> HttpResponse:
    program = seat.program
    form = ParetoForm(request.POST or None, program=program, initial=_initial(seat))
    if request.method == "POST" and form.is_valid():
        start, end = form.cleaned_data["period"]
        try:
            study = services.pareto_study_create(
                program=program,
                start_date=start,
                end_date=end,
                actor=request.user,
                time_limit_seconds=form.cleaned_data["time_limit_seconds"],
                include_past=form.cleaned_data["include_past"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("analytics:pareto-study", code=study.code)
    studies = selectors.studies_for(request.user, program)
    services.pareto_studies_fail_stale(studies=studies)
    return render_page(
        request, "analytics/pareto.html", seat, "pareto", form=form, studies=studies[:20]
    )


def _initial(seat: Seat) -> dict[str, Any]:
    block = selectors.current_block(seat.program)
    return {"block": block.pk if block else None}


@page("pareto", READ)
def study(request: HttpRequest, seat: Seat, code: Any) -> HttpResponse:
    found = selectors.get_study_for_manager(request.user, code)
    if services.pareto_studies_fail_stale(studies=ParetoStudy.objects.filter(pk=found.pk)):
        found.refresh_from_db()
    x, y = selectors.axes(found, request.GET.get("x"), request.GET.get("y"))
    rows = selectors.front_rows(found)
    chosen = request.GET.get("point", "")
    context = {
        "study": found,
        "rows": rows,
        "x": x,
        "y": y,
        "axes": [(name, selectors.LABELS.get(name, name)) for name in found.names],
        "plot": picture(_plot(found, rows, x, y, chosen)) if rows else None,
        "percent": selectors.percent(found),
        "counts": selectors.counts(found),
        "labels": [selectors.LABELS.get(name, name) for name in found.names],
    }
    response = render_page(
        request, "analytics/pareto_study.html", seat, "pareto", fragment="study", **context
    )
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.trigger == "study" and not found.is_active:
        response["HX-Refresh"] = "true"  # the study ended: load the final front
    return response


def _plot(study: ParetoStudy, rows: list[selectors.PointRow], x: str, y: str, chosen: str) -> str:
    names = list(study.names)
    i, j = names.index(x), names.index(y)
    points = [(row.values[i], row.values[j], _title(study, row), row.run == chosen) for row in rows]
    links = (
        [reverse("analytics:pareto-point", args=[study.code, row.run]) for row in rows]
        if not study.is_active
        else []
    )
    return scatter(
        points,
        x_label=selectors.LABELS.get(x, x),
        y_label=selectors.LABELS.get(y, y),
        links=links,
        labels=[str(row.number) for row in rows],
        join=len(names) == 2,
    )


def _title(study: ParetoStudy, row: selectors.PointRow) -> str:
    values = ", ".join(
        f"{selectors.LABELS.get(n, n).lower()} {v:g}"
        for n, v in zip(study.names, row.values, strict=True)
    )
    return f"Alternative {row.number}: {values}"


@page("pareto", WRITE, methods=("POST",))
def cancel(request: HttpRequest, seat: Seat, code: Any) -> HttpResponse:
    found = selectors.get_study_for_manager(request.user, code)
    try:
        services.pareto_study_cancel(study=found, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Stopped: the alternatives found so far are kept.")
    return redirect("analytics:pareto-study", code=found.code)


def _point(request: HttpRequest, code: Any, run_code: Any) -> tuple[ParetoStudy, Any, Any]:
    found = selectors.get_study_for_manager(request.user, code)
    row = selectors.point_row(found, run_code)
    if row is None or found.is_active:
        raise Http404("No such alternative.")
    return found, row, get_run_for_manager(request.user, row.run)


@page("pareto", READ)
def point(request: HttpRequest, seat: Seat, code: Any, run: Any) -> HttpResponse:
    found, row, draft = _point(request, code, run)
    context = {
        "study": found,
        "row": row,
        "run": draft,
        "values": [
            (name, selectors.LABELS.get(name, name), value)
            for name, value in zip(found.names, row.values, strict=True)
        ],
        "comparison": schedule.run_comparison(draft) if draft.is_draft else None,
        "summary": run_summary(draft),
    }
    return render_page(request, "analytics/pareto_point.html", seat, "pareto", **context)


@page("pareto", WRITE, methods=("POST",))
def apply(request: HttpRequest, seat: Seat, code: Any, run: Any) -> HttpResponse:
    found, row, draft = _point(request, code, run)
    try:
        services.pareto_point_apply(
            study=found,
            index=row.index,
            actor=request.user,
            override_reason=request.POST.get("override_reason", ""),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("analytics:pareto-point", code=found.code, run=draft.code)
    messages.success(
        request, f"Alternative {row.number} published: feeds and pages now show this schedule."
    )
    return redirect("scheduling:run", code=draft.code)
