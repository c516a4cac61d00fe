"""Conflict pages: the coordinator's queue, one alert with its candidates, apply and dismiss."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from conflicts import selectors, services
from conflicts.models import ConflictAlert
from lib.errors import ApplicationError
from lib.pages import render_page
from people.access import DECIDE, READ, Seat, page


@page("conflict", DECIDE)
def queue(request: HttpRequest, seat: Seat) -> HttpResponse:
    chosen = {
        "status": request.GET.get("status", ""),
        "severity": request.GET.get("severity", ""),
        "kind": request.GET.get("kind", ""),
    }
    chosen = {
        "status": chosen["status"] if chosen["status"] in ConflictAlert.Status.values else "",
        "severity": chosen["severity"]
        if chosen["severity"] in ConflictAlert.Severity.values
        else "",
        "kind": chosen["kind"] if chosen["kind"] in ConflictAlert.Kind.values else "",
    }
    return render_page(
        request,
        "conflicts/queue.html",
        seat,
        "conflicts",
        fragment="alerts",
        alerts=list(selectors.queue(seat.program, **chosen)[:200]),
        chosen=chosen,
        statuses=ConflictAlert.Status.choices,
        severities=ConflictAlert.Severity.choices,
        kinds=ConflictAlert.Kind.choices,
    )


@page("conflict", READ)
def detail(request: HttpRequest, seat: Seat, code: Any) -> HttpResponse:
    alert = selectors.get_alert_for_user(request.user, code)
    candidates: list[dict[str, Any]] = []
    problem = ""
    if seat.is_manager and alert.status in selectors.OPEN:
        try:
            candidates = services.conflict_candidates(alert=alert)
        except ApplicationError as error:
            problem = error.message
    return render_page(
        request,
        "conflicts/detail.html",
        seat,
        "conflicts",
        fragment="candidates",
        alert=alert,
        candidates=candidates,
        problem=problem,
    )


@page("conflict", DECIDE, methods=("POST",))
def apply(request: HttpRequest, seat: Seat, code: Any) -> HttpResponse:
    alert = selectors.get_alert_for_user(request.user, code, DECIDE)
    try:
        alert = services.conflict_apply(
            alert=alert, candidate_id=request.POST.get("candidate", ""), actor=request.user
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        resolved = alert.status == alert.Status.RESOLVED
        messages.success(
            request,
            "Applied: the alert is resolved."
            if resolved
            else "Applied: the alert stays open for the shifts still to resolve.",
        )
    return redirect("conflicts:detail", code=alert.code)


@page("conflict", DECIDE, methods=("POST",))
def dismiss(request: HttpRequest, seat: Seat, code: Any) -> HttpResponse:
    alert = selectors.get_alert_for_user(request.user, code, DECIDE)
    try:
        services.conflict_dismiss(
            alert=alert, reason=request.POST.get("reason", ""), actor=request.user
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("conflicts:detail", code=alert.code)
    messages.success(request, "Alert dismissed.")
    return redirect("conflicts:queue")
