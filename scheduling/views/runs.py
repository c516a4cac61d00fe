"""Coordinator pages for runs: generate, watch a run's progress, cancel, publish or discard."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.middleware import HtmxDetails

from analytics.selectors.runs import run_summary
from lib.errors import ApplicationError
from lib.pages import render_page
from people.access import READ, WRITE, Seat, page
from scheduling import services
from scheduling.forms import GenerateForm
from scheduling.models import ScheduleRun
from scheduling.rules_in_force import constraints_in_force
from scheduling.selectors import runs as run_selectors


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@page("run", READ)
def run_list(request: HttpRequest, seat: Seat) -> HttpResponse:
    services.schedule_runs_fail_stale(runs=run_selectors.runs_for_manager(request.user))
    runs = run_selectors.runs_for_manager(request.user)[:50]
    return render_page(request, "scheduling/run_list.html", seat, "runs", runs=runs)


@page("run", READ)
def run_detail(request: HtmxHttpRequest, seat: Seat, code: Any) -> HttpResponse:
    run = run_selectors.get_run_for_manager(request.user, code)
    if services.schedule_runs_fail_stale(runs=ScheduleRun.objects.filter(pk=run.pk)):
        run.refresh_from_db()  # its worker died: the page says so rather than "running"
    context = {
        "run": run,
        "percent": run_selectors.run_percent(run),
        "chart": run_selectors.run_chart(run),
        "comparison": services.run_comparison(run) if run.is_draft else None,
        "summary": None if run.is_active else run_summary(run),
        "constraints": constraints_in_force(run.program, run.start_date, run.end_date)
        if run.kind == ScheduleRun.Kind.SCHEDULE and not request.htmx
        else [],
    }
    response = render_page(
        request, "scheduling/run.html", seat, "runs", fragment="progress", **context
    )
    if request.htmx and not run.is_active:
        response["HX-Refresh"] = "true"  # the run ended: load the violations and decisions
    return response


def _decide(request: HttpRequest, code: Any, action: Any, done: str) -> HttpResponse:
    run = run_selectors.get_run_for_manager(request.user, code)
    try:
        action(run=run, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("scheduling:run", code=run.code)


@page("run", WRITE, methods=("POST",))
def run_cancel(request: HttpRequest, seat: Seat, code: Any) -> HttpResponse:
    return _decide(
        request,
        code,
        services.schedule_run_cancel,
        "Cancel requested; the solver stops within seconds.",
    )


@page("run", WRITE, methods=("POST",))
def run_publish(request: HttpRequest, seat: Seat, code: Any) -> HttpResponse:
    reason = request.POST.get("override_reason", "")

    def publish(*, run: ScheduleRun, actor: Any) -> ScheduleRun:
        return services.schedule_run_publish(run=run, actor=actor, override_reason=reason)

    return _decide(request, code, publish, "Published: feeds and pages now show this schedule.")


@page("run", WRITE, methods=("POST",))
def run_discard(request: HttpRequest, seat: Seat, code: Any) -> HttpResponse:
    return _decide(request, code, services.schedule_run_discard, "Draft discarded.")


@page("run", WRITE, methods=("GET", "POST"))
def generate(request: HttpRequest, seat: Seat) -> HttpResponse:
    program = seat.program
    form = GenerateForm(request.POST or None, program=program, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        start, end = form.cleaned_data["period"]
        try:
            run = services.schedule_run_create(
                program=program,
                start_date=start,
                end_date=end,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                algorithm=form.cleaned_data["algorithm"],
                time_limit_seconds=form.cleaned_data["time_limit_seconds"],
                parameters={
                    "minimal_change": form.cleaned_data["minimal_change"],
                    "include_past": form.cleaned_data["include_past"],
                },
                include_past=form.cleaned_data["include_past"],
                override_reason=form.cleaned_data["override_reason"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("scheduling:run", code=run.code)
    return render_page(request, "scheduling/generate.html", seat, "generate", form=form)
