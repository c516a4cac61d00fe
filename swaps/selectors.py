"""Reads for swap pages and the API: each owns its select_related and its program scoping."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from people import access
from people.models import Person, Program
from rotations.models import Rotation, ShiftType
from scheduling.models import Assignment, State
from swaps.models import SwapCandidate, SwapChainLink, SwapPolicy, SwapRequest

Status = SwapRequest.Status
RELATED = (
    "program",
    "requester",
    "counterpart",
    "assignment__shift_type",
    "assignment__person",
    "counterpart_assignment__shift_type",
    "counterpart_assignment__person",
)


def swaps_of(program: Program) -> QuerySet[SwapRequest]:
    return SwapRequest.objects.filter(program=program).select_related(*RELATED)


def get_swap_for_user(user: Any, code: Any, action: str = access.READ) -> SwapRequest:
    """One swap the user may see (404 alike for missing and not theirs)."""
    return access.get_for_user(
        user, SwapRequest.objects.select_related(*RELATED), code, action, what="swap"
    )


def open_offers(
    program: Program,
    *,
    viewer: Person | None,
    start: date | None = None,
    end: date | None = None,
    shift_type: Any = None,
    rotation: Any = None,
    now: datetime | None = None,
) -> list[SwapRequest]:
    """Open offers of others in the program, of the viewer's kind, for shifts still ahead."""
    rows = swaps_of(program).filter(
        status=Status.OPEN, assignment__starts_at__gt=now or timezone.now()
    )
    if viewer is not None:
        rows = rows.exclude(requester=viewer).filter(requester__kind=viewer.kind)
    if start:
        rows = rows.filter(assignment__date__gte=start)
    if end:
        rows = rows.filter(assignment__date__lte=end)
    if shift_type:
        rows = rows.filter(assignment__shift_type=shift_type)
    if rotation:
        rows = rows.filter(assignment__shift_type__coverage__rotation=rotation).distinct()
    return list(rows.order_by("assignment__starts_at"))


def my_swaps(person: Person) -> list[SwapRequest]:
    """The person's offers, the offers they took and the chains they are in, most recent first."""
    mine = Q(requester=person) | Q(counterpart=person) | Q(links__person=person)
    return list(
        SwapRequest.objects.filter(mine)
        .distinct()
        .select_related(*RELATED)
        .order_by("-updated_at")[:50]
    )


def chain_line(names: list[str]) -> str:
    """ "Rey → Sam → Tia → Rey": each gives a shift to the next."""
    return " → ".join([*names, names[0]]) if names else ""


def chain_candidate(swap: SwapRequest, code: Any) -> SwapCandidate | None:
    """A proposed chain of this offer named by its posted code (None when absent or not a
    code)."""
    try:
        named = code if isinstance(code, uuid.UUID) else uuid.UUID(str(code or ""))
    except ValueError:
        return None
    return SwapCandidate.objects.filter(swap=swap, code=named).first()


def chains_for(person: Person) -> dict[str, list[Any]]:
    """The swap chains ``person`` is in and may answer: chains the matcher proposes on open
    offers (candidate, its people in order) and chains waiting for them (swap, their link)."""
    proposed = []
    candidates = (
        SwapCandidate.objects.filter(
            swap__program=person.program_id, swap__status=Status.OPEN, factors__has_key="chain"
        )
        .select_related("swap__requester", "swap__assignment__shift_type")
        .order_by("-score")
    )
    for candidate in candidates:
        ids = [link["person"] for link in candidate.factors["chain"]]
        if person.pk in ids:
            names = Person.objects.in_bulk(ids)
            proposed.append(
                (candidate, chain_line([names[pk].full_name for pk in ids if pk in names]))
            )
    waiting = []
    for link in SwapChainLink.objects.filter(
        person=person, swap__status=Status.OFFERED, swap__kind=SwapRequest.Kind.CHAIN
    ).select_related("swap__requester", "swap__assignment__shift_type"):
        people = [other.person.full_name for other in link.swap.links.select_related("person")]
        waiting.append((link, chain_line(people)))
    return {"proposed": proposed, "waiting": waiting}


def offerable_shifts(person: Person, *, now: datetime | None = None) -> QuerySet[Assignment]:
    """The person's published future unlocked shifts that are not on offer already."""
    live = SwapRequest.objects.filter(status__in=SwapRequest.LIVE).values("assignment_id")
    return (
        Assignment.objects.filter(
            person=person,
            state=State.PUBLISHED,
            locked=False,
            starts_at__gt=now or timezone.now(),
        )
        .exclude(pk__in=live)
        .select_related("shift_type")
        .order_by("starts_at")
    )


def program_shifts(program: Program) -> QuerySet[Assignment]:
    """Every shift of the program a posted form may name: the services say why one cannot be
    swapped (past, not yours, locked), rather than the form rejecting it without a reason."""
    return Assignment.objects.filter(person__program=program).select_related("shift_type")


def queue(program: Program, *, now: datetime | None = None) -> dict[str, list[SwapRequest]]:
    """The coordinator's queue: waiting for approval, chains waiting for their participants,
    open, and executed still undoable."""
    now = now or timezone.now()
    policy = SwapPolicy.objects.filter(program=program).first() or SwapPolicy(program=program)
    rows = swaps_of(program)
    return {
        "waiting": list(rows.filter(status__in=(Status.ACCEPTED, Status.APPROVED))),
        "chains": list(rows.filter(status=Status.OFFERED, kind=SwapRequest.Kind.CHAIN)),
        "open": list(rows.filter(status=Status.OPEN)),
        "undoable": list(
            rows.filter(
                status=Status.EXECUTED,
                executed_at__gte=now - timedelta(hours=policy.undo_hours),
            )
        ),
    }


def candidates_of(swap: SwapRequest) -> list[SwapCandidate]:
    return list(
        swap.candidates.select_related("person", "assignment__shift_type").order_by("-score")
    )


def market_filters(program: Program) -> tuple[QuerySet[ShiftType], QuerySet[Rotation]]:
    """The shift types and rotations the marketplace can filter by."""
    return (
        ShiftType.objects.filter(program=program, active=True),
        Rotation.objects.filter(program=program),
    )


def shift_type_named(program: Program, abbreviation: str) -> ShiftType | None:
    return ShiftType.objects.filter(program=program, abbreviation=abbreviation).first()


def rotation_named(program: Program, abbreviation: str) -> Rotation | None:
    return Rotation.objects.filter(program=program, abbreviation=abbreviation).first()
