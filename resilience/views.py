"""The resilience dashboard (directors and coordinators): level, utilisation, N-1/N-2 and
fallbacks; one POST door for its actions."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from lib.errors import ApplicationError
from lib.pages import render_page
from people.access import READ, WRITE, Seat, get_for_user, page
from resilience import fallbacks as fallback_services
from resilience import selectors, services
from resilience.models import Fallback


@page("resilience", READ)
def dashboard(request: HttpRequest, seat: Seat) -> HttpResponse:
    data = selectors.dashboard(seat.program)
    return render_page(
        request, "resilience/dashboard.html", seat, "resilience", fragment="board", **data
    )


@page("resilience", WRITE, methods=("POST",))
def act(request: HttpRequest, seat: Seat) -> HttpResponse:
    action = request.POST.get("action", "")
    program = seat.program
    try:
        if action == "snapshot":
            start, end = services.coming_period()
            services.snapshot_take(program=program, start=start, end=end)
            messages.success(request, "Level recomputed.")
        elif action == "study":
            start, end = services.coming_period()
            study = services.study_create(program=program, start=start, end=end)
            messages.success(request, f"N-1/N-2 started: {study.total} scenarios.")
        elif action in ("activate", "deactivate"):
            fallback = get_for_user(
                request.user,
                Fallback.objects.filter(program=program),
                request.POST.get("fallback"),
                WRITE,
                what="fallback",
            )
            if action == "activate":
                fallback_services.fallback_activate(
                    fallback=fallback, actor=request.user, confirm=bool(request.POST.get("confirm"))
                )
                messages.success(request, f"Fallback '{fallback}' published.")
            else:
                fallback_services.fallback_deactivate(fallback=fallback, actor=request.user)
                messages.success(request, "The previous schedule is published again.")
        else:
            messages.error(request, "Unknown action.")
    except ApplicationError as error:
        diff = (error.details or {}).get("diff")
        extra = (
            f" Changes if published: {diff['added']} added, {diff['removed']} removed, "
            f"{diff['kept']} kept; tick 'confirm' to publish anyway."
            if diff
            else ""
        )
        messages.error(request, error.message + extra)
    return redirect("resilience:dashboard")
