"""Coordinator pages for the schedule grid: cells, checked edits, and the period's validation."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from lib.errors import ApplicationError
from lib.pages import render_page
from lib.params import query_date, query_int
from lib.timezones import local_today
from people.access import READ, WRITE, Seat, page
from scheduling import edit_services, services
from scheduling.forms import CellForm
from scheduling.models import Assignment, ScheduleRun, State
from scheduling.selectors import grid as grid_selectors
from scheduling.selectors import runs as run_selectors

if TYPE_CHECKING:
    from people.models import Program

GRID_DAYS = 28
MAX_VALIDATE_DAYS = 366


@page("validation", READ)
def validate(request: HttpRequest, seat: Seat) -> HttpResponse:
    program = seat.program
    block_start = grid_selectors.current_block_start(program, local_today(program))
    start = query_date(request.GET.get("start"), block_start, name="start")
    end = query_date(request.GET.get("end"), start + timedelta(days=GRID_DAYS - 1), name="end")
    if not start <= end <= start + timedelta(days=MAX_VALIDATE_DAYS):
        raise BadRequest(f"end must follow start by at most {MAX_VALIDATE_DAYS} days.")
    error, violations = "", []
    try:
        violations = services.schedule_validate(program=program, start=start, end=end)
    except ApplicationError as exc:
        error = exc.message
    return render_page(
        request,
        "scheduling/validate.html",
        seat,
        "grid",
        start=start,
        end=end,
        violations=violations,
        error=error,
    )


def _grid_params(request: HttpRequest, program: Program) -> dict[str, Any]:
    block_start = grid_selectors.current_block_start(program, local_today(program))
    start = query_date(request.GET.get("start"), block_start, name="start")
    run = None
    if request.GET.get("run"):
        run = run_selectors.get_run_for_manager(request.user, request.GET.get("run", ""))
        start = run.start_date
    return {
        "start": start,
        "run": run,
        "pgy": query_int(request.GET.get("pgy"), 1, 12, name="pgy"),
        "rotation_id": query_int(request.GET.get("rotation"), 1, 2**31 - 1, name="rotation"),
        "kind": grid_selectors.person_kind(request.GET.get("kind")),
    }


@page("assignment", WRITE)
def grid(request: HttpRequest, seat: Seat) -> HttpResponse:
    program = seat.program
    params = _grid_params(request, program)
    data = grid_selectors.schedule_grid(
        program,
        params["start"],
        GRID_DAYS,
        run=params["run"],
        rotation_id=params["rotation_id"],
        pgy=params["pgy"],
        kind=params["kind"],
    )
    context = {
        "grid": data,
        "params": params,
        "previous": params["start"] - timedelta(days=GRID_DAYS),
        "next": params["start"] + timedelta(days=GRID_DAYS),
        "rotations": grid_selectors.active_rotations(program),
        "drafts": ScheduleRun.objects.filter(
            program=program,
            status__in=[ScheduleRun.Status.SUCCEEDED, ScheduleRun.Status.WITH_VIOLATIONS],
            published_at__isnull=True,
            discarded_at__isnull=True,
            kind=ScheduleRun.Kind.SCHEDULE,
        )[:10],
        "kinds": grid_selectors.PERSON_KIND_CHOICES,
        "cell_url": f"{reverse('scheduling:grid-cell')}?program={program.code}",
    }
    return render_page(request, "scheduling/grid.html", seat, "grid", fragment="grid", **context)


@page("assignment", WRITE)
def grid_cell(request: HttpRequest, seat: Seat) -> HttpResponse:
    program = seat.program
    person = grid_selectors.person_by_code(program, request.GET.get("person", ""))
    day = query_date(request.GET.get("date"), name="date")
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


@page("assignment", WRITE, methods=("POST",))
def grid_preview(request: HttpRequest, seat: Seat) -> HttpResponse:
    program = seat.program
    form = CellForm(request.POST, program=program)
    violations: list[dict[str, Any]] = []
    error = ""
    if form.is_valid():
        try:
            violations = edit_services.assignment_change_preview(
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
        {
            "violations": violations,
            "hard": sum(v["severity"] in services.HARD_SEVERITIES for v in violations),
            "error": error,
            "checked": form.is_valid() and not error,
        },
    )


@page("assignment", WRITE, methods=("POST",))
def grid_save(request: HttpRequest, seat: Seat) -> HttpResponse:
    program = seat.program
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
    reason = form.cleaned_data["override_reason"]
    try:
        if form.cleaned_data["action"] == "add":
            result = edit_services.schedule_edit(
                program=program,
                actor=request.user,
                add=[(person, day, shift)],
                override_reason=reason,
            )
        else:
            assignment = Assignment.objects.filter(
                person=person, date=day, shift_type=shift, state=State.PUBLISHED
            ).first()
            if assignment is None:
                raise ApplicationError("That shift is not on the schedule any more.")
            result = edit_services.schedule_edit(
                program=program, actor=request.user, remove=[assignment], override_reason=reason
            )
    except ApplicationError as error:
        messages.error(request, f"Not saved. {error.message}")
    else:
        verb = "Added" if form.cleaned_data["action"] == "add" else "Removed"
        done = f"{verb} {shift.abbreviation} for {person} on {day:%a %d %b}"
        if result.overridden:
            done += f", overriding {len(result.overridden)} hard-rule violation(s): {reason}"
        messages.success(request, done + ".")
        for warning in result.warnings:
            messages.warning(request, f"Warning ({warning['rule']}): {warning['message']}")
    return redirect(
        f"{_grid_url(program)}&start={grid_selectors.current_block_start(program, day).isoformat()}"
    )


def _grid_url(program: Program) -> str:
    return f"{reverse('scheduling:grid')}?program={program.code}"
