"""Swap pages: the marketplace (offer, browse, respond, withdraw, undo) and the coordinator queue."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.dateparse import parse_date

from lib.errors import ApplicationError
from lib.pages import render_page
from people.access import DECIDE, READ, SUBMIT, Seat, page
from swaps import chains, matcher, selectors, services
from swaps.checks import Move, Window
from swaps.forms import DecisionForm, OfferForm, RespondForm


def _person(seat: Seat) -> Any:
    if seat.person is None:
        raise Http404("Your account is not linked to a person in this program.")
    return seat.person


def _date(value: str | None) -> date | None:
    try:
        return parse_date(value or "")
    except ValueError:
        return None


def _verdicts(seat: Seat, offers: list[Any]) -> dict[int, str]:
    """Each offer's compliance for the viewer: "" or the first rule taking it would break."""
    if seat.person is None or not offers:
        return {}
    try:
        return matcher.compliant_for(seat.person, offers)
    except ApplicationError as error:  # e.g. no academic year or coverage set up yet
        return {offer.pk: error.message for offer in offers}


@page("swap", READ)
def market(request: HttpRequest, seat: Seat) -> HttpResponse:
    filters: dict[str, Any] = {
        "start": _date(request.GET.get("from")),
        "end": _date(request.GET.get("to")),
        "shift_type": selectors.shift_type_named(seat.program, request.GET.get("shift") or ""),
        "rotation": selectors.rotation_named(seat.program, request.GET.get("rotation") or ""),
    }
    offers = selectors.open_offers(seat.program, viewer=seat.person, **filters)
    verdicts = _verdicts(seat, offers)
    rows = [(offer, verdicts.get(offer.pk, "")) for offer in offers]
    person = seat.person
    shift_types, rotations = selectors.market_filters(seat.program)
    return render_page(
        request,
        "swaps/market.html",
        seat,
        "swaps",
        fragment="offers",
        rows=rows,
        mine=selectors.my_swaps(person) if person else [],
        chains=selectors.chains_for(person) if person else None,
        form=OfferForm(shifts=selectors.offerable_shifts(person)) if person else None,
        shift_types=shift_types,
        rotations=rotations,
        chosen=request.GET,
        week_carries_call=services.policy_for(seat.program).week_carries_call,
    )


@page("swap", SUBMIT, methods=("POST",))
def offer_create(request: HttpRequest, seat: Seat) -> HttpResponse:
    person = _person(seat)
    form = OfferForm(request.POST, shifts=selectors.program_shifts(seat.program))
    if form.is_valid():
        try:
            services.swap_offer_create(person=person, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Your shift is on offer. Matching candidates are notified.")
    else:
        messages.error(request, "Choose one of your future published shifts.")
    return redirect("swaps:market")


@page("swap", SUBMIT, methods=("POST",))
def offer_week(request: HttpRequest, seat: Seat) -> HttpResponse:
    person = _person(seat)
    week = _date(request.POST.get("week"))
    if week is None:
        messages.error(request, "Choose a day of the week you offer.")
        return redirect("swaps:market")
    try:
        services.swap_week_offer_create(
            week=week,
            person=person,
            actor=request.user,
            note=request.POST.get("note", ""),
            wants=request.POST.get("wants", "")[:200],
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Your week is on offer. Matching candidates are notified.")
    return redirect("swaps:market")


@page("swap", SUBMIT, methods=("GET", "POST"))
def respond(request: HttpRequest, seat: Seat, code: Any) -> HttpResponse:
    person = _person(seat)
    swap = selectors.get_swap_for_user(request.user, code)
    shifts = selectors.offerable_shifts(person)
    posted = request.method == "POST"
    form = RespondForm(
        request.POST if posted else None,
        shifts=selectors.program_shifts(seat.program) if posted else shifts,
    )
    if request.method == "POST" and form.is_valid():
        try:
            swap = services.swap_respond(
                swap=swap,
                person=person,
                actor=request.user,
                assignment=form.cleaned_data["assignment"],
                week=_date(request.POST.get("week")),
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            done = swap.status == swap.Status.EXECUTED
            messages.success(
                request, "Swap done." if done else "Taken: a coordinator will approve it."
            )
            return redirect("swaps:market")
    give_back = [] if swap.kind == swap.Kind.WEEK else _give_back(swap, person, list(shifts))
    return render_page(
        request, "swaps/respond.html", seat, "swaps", swap=swap, form=form, give_back=give_back
    )


def _give_back(swap: Any, person: Any, shifts: list[Any]) -> list[tuple[Any, str]]:
    """Each of my shifts I could give back, with what the exchange would break ("" if none)."""
    try:
        window = Window(person.program, [swap.assignment.date, *(s.date for s in shifts)])
    except ApplicationError as error:
        return [(shift, error.message) for shift in shifts]
    rows = []
    for shift in shifts:
        moves = [Move(swap.assignment, person), Move(shift, swap.requester)]
        broken = window.new_hard(moves)
        rows.append((shift, window.describe(broken[0]) if broken else ""))
    return rows


@page("swap", SUBMIT, methods=("POST",))
def withdraw(request: HttpRequest, seat: Seat, code: Any) -> HttpResponse:
    swap = selectors.get_swap_for_user(request.user, code, SUBMIT)
    try:
        services.swap_withdraw(swap=swap, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Offer withdrawn.")
    return redirect("swaps:market")


@page("swap", SUBMIT, methods=("POST",))
def undo(request: HttpRequest, seat: Seat, code: Any) -> HttpResponse:
    swap = selectors.get_swap_for_user(request.user, code)
    try:
        services.swap_undo(
            swap=swap, actor=request.user, reason=request.POST.get("reason") or "Undone by a party"
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Swap undone: the shifts are back with their owners.")
    return redirect("swaps:market")


@page("swap", SUBMIT, methods=("POST",))
def chain_answer(request: HttpRequest, seat: Seat, code: Any) -> HttpResponse:
    """Accept or decline a swap chain I am in (a proposed one names its candidate)."""
    person = _person(seat)
    swap = selectors.get_swap_for_user(request.user, code)
    candidate = selectors.chain_candidate(swap, request.POST.get("candidate"))
    accepting = request.POST.get("action") == "accept"
    try:
        if accepting:
            swap = chains.swap_chain_accept(
                swap=swap, person=person, actor=request.user, candidate=candidate
            )
        else:
            chains.swap_chain_decline(
                swap=swap, person=person, actor=request.user, candidate=candidate
            )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _chain_message(swap) if accepting else "Swap chain declined.")
    return redirect("swaps:market")


def _chain_message(swap: Any) -> str:
    if swap.status == swap.Status.EXECUTED:
        return "Everyone accepted: the swap chain is done."
    if swap.status == swap.Status.ACCEPTED:
        return "Everyone accepted: a coordinator will approve the swap chain."
    return "Accepted: the swap chain waits for the others."


@page("swap", DECIDE)
def coordinator_queue(request: HttpRequest, seat: Seat) -> HttpResponse:
    queue = selectors.queue(seat.program)
    for swap in queue["open"]:
        swap.best = selectors.candidates_of(swap)[:3]  # type: ignore[attr-defined]
    for swap in [*queue["waiting"], *queue["chains"], *queue["undoable"]]:
        if swap.kind == swap.Kind.CHAIN:
            swap.chain = selectors.chain_line(  # type: ignore[attr-defined]
                [link.person.full_name for link in swap.links.select_related("person")]
            )
    return render_page(request, "swaps/queue.html", seat, "swap-queue", queue=queue)


@page("swap", DECIDE, methods=("POST",))
def decide(request: HttpRequest, seat: Seat, code: Any) -> HttpResponse:
    swap = selectors.get_swap_for_user(request.user, code, DECIDE)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve, reject, execute or undo.")
        return redirect("swaps:queue")
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    try:
        if action == "approve":
            services.swap_approve(swap=swap, actor=request.user, reason=reason)
        elif action == "execute":
            services.swap_execute(swap=swap, actor=request.user)
        elif action == "reject":
            services.swap_reject(swap=swap, actor=request.user, reason=reason)
        else:
            services.swap_undo(swap=swap, actor=request.user, reason=reason)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Swap {action}{'d' if action.endswith('e') else 'ed'}.")
    return redirect("swaps:queue")
