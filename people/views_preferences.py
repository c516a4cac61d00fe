"""Preference pages: my preferences (blocked dates, preferred and avoided shifts and weekdays,
yearly targets, and how often they were honoured); a person's preferences and the review list
for coordinators.

One URL per page; an htmx request gets the ``preferences`` fragment of the same template.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from lib.errors import ApplicationError
from lib.pages import render_page
from lib.timezones import local_today
from people import selectors, services
from people.access import DECIDE, SUBMIT, Seat, page
from people.forms import BlockedDatesForm, DecisionForm, StandingPreferenceForm, TargetForm
from people.models import Person, Program, Request, StandingPreference

FORMS = ("standing", "blocked", "target")


def _forms(program: Program, data: Any = None, which: str = "") -> dict[str, Any]:
    def bound(name: str) -> Any:
        return data if which == name else None

    return {
        "standing": StandingPreferenceForm(bound("standing"), program=program),
        "blocked": BlockedDatesForm(bound("blocked"), program=program),
        "target": TargetForm(bound("target")),
    }


def _person_context(program: Program, person: Person) -> dict[str, Any]:
    period = selectors.honour_period(program, local_today(program))
    rows = list(selectors.my_standing_preferences(person))
    target = StandingPreference.Kind.TARGET
    return {
        "person": person,
        "standing": [row for row in rows if row.kind != target],
        "targets_waiting": [
            row for row in rows if row.kind == target and row.status == row.Status.PENDING
        ],
        "blocked_dates": list(selectors.my_blocked_dates(person)),
        "honour": selectors.honour_by_person([person], period)[person.pk],
        "period": period,
        "policy": selectors.preference_policy(program.pk),
        "is_faculty": person.kind == Person.Kind.FACULTY,
    }


def _save(request: HttpRequest, person: Person, which: str, form: Any) -> Any:
    """Send a valid form to its service (the new row); a refusal shows beside the field it
    names (None)."""
    data = dict(form.cleaned_data)
    try:
        if which == "blocked":
            return services.request_create(
                person=person, kind=Request.Kind.BLOCKED, actor=request.user, **data
            )
        if which == "target":
            return services.standing_preference_create(
                person=person, kind=StandingPreference.Kind.TARGET, actor=request.user, **data
            )
        return services.standing_preference_create(person=person, actor=request.user, **data)
    except ApplicationError as error:
        form.add_service_error(error)
        return None


@page("standing_preference", SUBMIT, methods=("GET", "POST"))
def my_preferences(request: HttpRequest, seat: Seat) -> HttpResponse:
    person = seat.person
    which = request.POST.get("form", "")
    forms = _forms(seat.program, request.POST or None, which)
    if request.method == "POST":
        if person is None:
            raise Http404("Your account is not linked to a person in this program.")
        form = forms.get(which)
        row = _save(request, person, which, form) if form is not None and form.is_valid() else None
        if row is not None:
            pending = row.status == row.Status.PENDING
            messages.success(
                request,
                "Sent for review: you will be notified of the decision."
                if pending
                else "Saved: the scheduler honours it from the next run.",
            )
            if not getattr(request, "htmx", False):
                return redirect("people:preferences")
            forms = _forms(seat.program)
    context = _person_context(seat.program, person) if person else {"person": None}
    return render_page(
        request,
        "people/preferences.html",
        seat,
        "preferences",
        fragment="preferences",
        forms=forms,
        editable=True,
        **context,
    )


@page("standing_preference", SUBMIT, methods=("POST",))
def preference_cancel(request: HttpRequest, seat: Seat, kind: str, code: Any) -> HttpResponse:
    try:
        if kind == "blocked":
            services.request_cancel(
                request=selectors.get_own_request(seat, code), actor=request.user
            )
        else:
            services.standing_preference_cancel(
                preference=selectors.get_own_standing_preference(seat, code), actor=request.user
            )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Preference cancelled.")
    return redirect("people:preferences")


@page("standing_preference", DECIDE)
def preference_review(request: HttpRequest, seat: Seat) -> HttpResponse:
    people = list(selectors.people_with_preferences(seat.program))
    period = selectors.honour_period(seat.program, local_today(seat.program))
    honour = selectors.honour_by_person(people, period)
    return render_page(
        request,
        "people/preference_review.html",
        seat,
        "preference-review",
        pending=list(selectors.pending_standing_preferences(seat.program)),
        blocked_waiting=selectors.pending_blocked_count(seat.program),
        rows=[(person, honour[person.pk]) for person in people],
        period=period,
        policy=selectors.preference_policy(seat.program.pk),
    )


@page("standing_preference", DECIDE)
def person_preferences(request: HttpRequest, seat: Seat, code: Any) -> HttpResponse:
    person = selectors.get_person_for_manager(seat, code)
    return render_page(
        request,
        "people/preferences.html",
        seat,
        "preference-review",
        fragment="preferences",
        forms={},
        editable=False,
        **_person_context(seat.program, person),
    )


@page("standing_preference", DECIDE, methods=("POST",))
def preference_decide(request: HttpRequest, seat: Seat, code: Any) -> HttpResponse:
    item = selectors.get_standing_preference_for_manager(seat, code)
    form = DecisionForm(request.POST)
    if not form.is_valid() or form.cleaned_data["decision"] not in ("approve", "deny"):
        messages.error(request, "Choose approve or deny.")
        return redirect("people:preference-review")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.standing_preference_decide(
            preference=item, approve=approve, actor=request.user, note=form.cleaned_data["note"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        verdict = "Approved" if approve else "Denied"
        messages.success(request, f"{verdict}: {item.person}, {item.describe().lower()}.")
    return redirect("people:preference-review")
