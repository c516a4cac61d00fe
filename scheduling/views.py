"""Coordinator pages: generate, watch and decide on runs; the schedule grid with checked edits."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from lib.errors import ApplicationError
from people.models import Person, Program
from people.page_selectors import Seat, current_seat
from rotations.models import Rotation
from scheduling import selectors, services
from scheduling.forms import CellForm, GenerateForm
from scheduling.models import Assignment, ScheduleRun, State

GRID_DAYS = 28


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _seat(request: HttpRequest) -> Seat:
    """The coordinator's current program (switchable, remembered in the session); 404 for
    anyone who does not manage it."""
    seat = current_seat(request)
    if not (seat.is_manager or getattr(request.user, "is_superuser", False)):
        raise Http404("Only the program's coordinators see this page.")
    return seat


def _program(request: HttpRequest) -> Program:
    return _seat(request).program


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Render with the layout's context: the seat (program switcher, role navigation)."""
    seat = context.get("seat") or current_seat(request)
    return render(request, template, {"seat": seat, "program": seat.program, **context})


@login_required
@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    runs = selectors.runs_for_manager(request.user)[:50]
    return _render(request, "scheduling/run_list.html", {"runs": runs, "nav": "runs"})


@login_required
@require_GET
def run_detail(request: HtmxHttpRequest, code: Any) -> HttpResponse:
    run = selectors.get_run_for_manager(request.user, code)
    context = {
        "run": run,
        "percent": selectors.run_percent(run),
        "chart": selectors.run_chart(run),
        "comparison": services.run_comparison(run) if run.is_draft else None,
        "nav": "runs",
    }
    template = "scheduling/run.html#progress" if request.htmx else "scheduling/run.html"
    response = _render(request, template, context)
    if request.htmx and not run.is_active:
        response["HX-Refresh"] = "true"  # the run ended: load the violations and decisions
    return response


def _decide(request: HttpRequest, code: Any, action: Any, done: str) -> HttpResponse:
    run = selectors.get_run_for_manager(request.user, code)
    try:
        action(run=run, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("scheduling:run", code=run.code)


@login_required
@require_POST
def run_cancel(request: HttpRequest, code: Any) -> HttpResponse:
    return _decide(
        request,
        code,
        services.schedule_run_cancel,
        "Cancel requested; the solver stops within seconds.",
    )


@login_required
@require_POST
def run_publish(request: HttpRequest, code: Any) -> HttpResponse:
    reason = request.POST.get("override_reason", "")

    def publish(*, run: ScheduleRun, actor: Any) -> ScheduleRun:
        return services.schedule_run_publish(run=run, actor=actor, override_reason=reason)

    return _decide(request, code, publish, "Published: feeds and pages now show this schedule.")


@login_required
@require_POST
def run_discard(request: HttpRequest, code: Any) -> HttpResponse:
    return _decide(request, code, services.schedule_run_discard, "Draft discarded.")


@login_required
def generate(request: HttpRequest) -> HttpResponse:
    program = _program(request)
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
                parameters={"minimal_change": form.cleaned_data["minimal_change"]},
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("scheduling:run", code=run.code)
    return _render(request, "scheduling/generate.html", {"form": form, "nav": "generate"})


@login_required
@require_GET
def validate(request: HttpRequest) -> HttpResponse:
    program = _program(request)
    try:
        start = date.fromisoformat(request.GET.get("start", ""))
        end = date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        start = selectors.current_block_start(program, timezone.localdate())
        end = start + timedelta(days=GRID_DAYS - 1)
    error, violations = "", []
    try:
        violations = services.schedule_validate(program=program, start=start, end=end)
    except ApplicationError as exc:
        error = exc.message
    context = {
        "program": program,
        "start": start,
        "end": end,
        "violations": violations,
        "error": error,
        "nav": "grid",
    }
    return _render(request, "scheduling/validate.html", context)


def _grid_params(request: HttpRequest, program: Program) -> dict[str, Any]:
    try:
        start = date.fromisoformat(request.GET["start"]) if request.GET.get("start") else None
    except ValueError:
        start = None
    start = start or selectors.current_block_start(program, timezone.localdate())
    run = None
    if request.GET.get("run"):
        run = selectors.get_run_for_manager(request.user, request.GET.get("run", ""))
        start = run.start_date
    pgy = request.GET.get("pgy")
    rotation = request.GET.get("rotation")
    return {
        "start": start,
        "run": run,
        "pgy": int(pgy) if pgy and pgy.isdigit() else None,
        "rotation_id": int(rotation) if rotation and rotation.isdigit() else None,
        "kind": request.GET.get("kind") if request.GET.get("kind") in Person.Kind.values else None,
    }


@login_required
@require_GET
def grid(request: HtmxHttpRequest) -> HttpResponse:
    program = _program(request)
    params = _grid_params(request, program)
    data = selectors.schedule_grid(
        program,
        params["start"],
        GRID_DAYS,
        run=params["run"],
        rotation_id=params["rotation_id"],
        pgy=params["pgy"],
        kind=params["kind"],
    )
    context = {
        "program": program,
        "grid": data,
        "params": params,
        "previous": params["start"] - timedelta(days=GRID_DAYS),
        "next": params["start"] + timedelta(days=GRID_DAYS),
        "rotations": Rotation.objects.filter(program=program, active=True),
        "drafts": ScheduleRun.objects.filter(
            program=program,
            status__in=[ScheduleRun.Status.SUCCEEDED, ScheduleRun.Status.WITH_VIOLATIONS],
            published_at__isnull=True,
            discarded_at__isnull=True,
            kind=ScheduleRun.Kind.SCHEDULE,
        )[:10],
        "kinds": Person.Kind.choices,
        "cell_url": f"{reverse('scheduling:grid-cell')}?program={program.code}",
        "nav": "grid",
    }
    template = "scheduling/grid.html#grid" if request.htmx else "scheduling/grid.html"
    return _render(request, template, context)


@login_required
@require_GET
def grid_cell(request: HttpRequest) -> HttpResponse:
    program = _program(request)
    try:
        person = Person.objects.filter(program=program, code=request.GET.get("person", "")).first()
    except ValidationError:  # not a UUID
        person = None
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        raise Http404("Bad date.") from None
    if person is None:
        raise Http404("No such person.")
    current = Assignment.objects.filter(
        person=person, date=day, state=State.PUBLISHED
    ).select_related("shift_type")
    return render(
        request,
        "scheduling/grid.html#cell-editor",
        {
            "program": program,
            "person": person,
            "day": day,
            "current": current,
            "form": CellForm(program=program),
        },
    )


@login_required
@require_POST
def grid_preview(request: HttpRequest) -> HttpResponse:
    program = _program(request)
    form = CellForm(request.POST, program=program)
    violations: list[dict[str, Any]] = []
    error = ""
    if form.is_valid():
        try:
            violations = services.assignment_change_preview(
                person=form.cleaned_data["person"],
                day=form.cleaned_data["date"],
                shift_type=form.cleaned_data["shift_type"],
                add=form.cleaned_data["action"] == "add",
            )
        except ApplicationError as exc:
            error = exc.message
    else:
        error = "; ".join(str(e) for errors in form.errors.values() for e in errors)
    return render(
        request,
        "scheduling/grid.html#preview",
        {"violations": violations, "error": error, "checked": form.is_valid() and not error},
    )


@login_required
@require_POST
def grid_save(request: HttpRequest) -> HttpResponse:
    program = _program(request)
    form = CellForm(request.POST, program=program)
    if not form.is_valid():
        messages.error(
            request,
            "The change was not saved: "
            + "; ".join(str(e) for v in form.errors.values() for e in v),
        )
        return redirect(f"{_grid_url(program)}")
    person, day, shift = (
        form.cleaned_data["person"],
        form.cleaned_data["date"],
        form.cleaned_data["shift_type"],
    )
    try:
        if form.cleaned_data["action"] == "add":
            services.assignment_add(person=person, day=day, shift_type=shift, actor=request.user)
        else:
            assignment = Assignment.objects.filter(
                person=person, date=day, shift_type=shift, state=State.PUBLISHED
            ).first()
            if assignment is None:
                raise ApplicationError("That shift is not on the schedule any more.")
            services.assignment_remove(assignment=assignment, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        verb = "Added" if form.cleaned_data["action"] == "add" else "Removed"
        messages.success(request, f"{verb} {shift.abbreviation} for {person} on {day:%a %d %b}.")
    return redirect(
        f"{_grid_url(program)}&start={selectors.current_block_start(program, day).isoformat()}"
    )


def _grid_url(program: Program) -> str:
    return f"{reverse('scheduling:grid')}?program={program.code}"
