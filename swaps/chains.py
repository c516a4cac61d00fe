"""Writes to swap chains (A→B→C→A, proposed by ``swaps.cycles``): accept, decline, execute.

A proposed chain is a ``SwapCandidate`` of the open offer whose ``factors["chain"]`` names every
link (person, the shift they give on, its stamp when proposed); pages and the API name it by the
candidate's public ``code`` (a UUID, like every other row they name). A declined chain is
remembered (``SwapChainDecline``) and never proposed again. The first participant accepting
it turns the offer into the chain: kind "chain", status "offered", one ``SwapChainLink`` per
participant and the planned moves recorded like a pair's. When the last participant accepts, the
chain is "accepted" and follows the pair's road (``swaps.services``): it executes at once under
the program's auto-approval, otherwise a coordinator approves or executes it. Execution, undo,
rejection and withdrawal are the pair's services, which lock every row of the planned moves in
id order after the request, check none changed since, re-validate all moves at once, move every
owner, and notify every participant.

Nothing here is a second copy of a pair's rule: the refusals for one shift (past, not theirs,
locked, lock window), the compliance check and the freshness check are the services' own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from auditlog.context import set_actor
from django.db import transaction
from django.utils import timezone

from lib.errors import ApplicationError
from people import access
from people.models import Person
from people.notify import Event
from swaps import checks, cycles, services
from swaps.checks import Move
from swaps.models import SwapCandidate, SwapChainDecline, SwapChainLink, SwapRequest

Status = SwapRequest.Status


def chain_of(candidate: SwapCandidate) -> list[dict[str, Any]]:
    """The links of a proposed chain (empty for a pair's candidate)."""
    return list(candidate.factors.get("chain") or [])


def _require_self(actor: Any, swap: SwapRequest, person: Person) -> None:
    grant = access.grants(actor).get(swap.program_id)
    if grant is None or grant.person_id != person.pk:
        raise ApplicationError("You may answer a swap chain only for yourself.")


def swap_chain_accept(
    *,
    swap: SwapRequest,
    person: Person,
    actor: Any,
    candidate: SwapCandidate | None = None,
    now: datetime | None = None,
) -> SwapRequest:
    """``person`` accepts a chain: on an open offer the proposed ``candidate`` (which becomes the
    offer's chain), on an offered chain its own link. The last acceptance makes it accepted."""
    now = now or timezone.now()
    _require_self(actor, swap, person)
    with transaction.atomic(), set_actor(actor):
        swap = services._locked_swap(swap)
        if swap.status == Status.OPEN:
            if candidate is None:
                raise ApplicationError("Choose the proposed swap chain you accept.")
            proposed = SwapCandidate.objects.filter(code=candidate.code, swap=swap).first()
            if proposed is None or not chain_of(proposed):
                raise ApplicationError("This swap chain is no longer proposed.")
            if person.pk not in {link["person"] for link in chain_of(proposed)}:
                raise ApplicationError("Only the people in this swap chain may accept it.")
            _open(swap, proposed, now)
        elif swap.kind != SwapRequest.Kind.CHAIN or swap.status != Status.OFFERED:
            raise ApplicationError(services._closed_message(swap))
        links = list(swap.links.select_for_update(of=("self",)).order_by("pk"))
        mine = next((link for link in links if link.person_id == person.pk), None)
        if mine is None:
            raise ApplicationError("Only the people in this swap chain may accept it.")
        if mine.accepted_at is not None:
            raise ApplicationError("You have already accepted this swap chain.")
        # Every row locked (request first, then rows by id) and unchanged since the proposal.
        services._planned_rows(swap, now, "since the chain was proposed")
        mine.accepted_at = now
        mine.save(update_fields=["accepted_at"])
        if any(link.accepted_at is None for link in links):
            return swap
        swap.status = Status.ACCEPTED
        swap.accepted_at = now
        swap.save(update_fields=["status", "accepted_at", "updated_at"])
        if services.policy_for(swap.program).approval == services.SwapPolicy.Approval.AUTO:
            return services._execute(swap, actor=actor, now=now)
        services._notify(
            swap,
            swap.parties(),
            Event.SWAP_ACCEPTED,
            "Everyone accepted the swap chain",
            "A coordinator will approve it.",
        )
    return swap


def _open(swap: SwapRequest, candidate: SwapCandidate, now: datetime) -> None:
    """Turn the open offer into the proposed chain, checked like any swap's shifts."""
    chain = chain_of(candidate)
    rows = services._locked_rows([link["assignment"] for link in chain])
    people = Person.objects.in_bulk([link["person"] for link in chain])
    for link in chain:
        row = rows.get(link["assignment"])
        if (
            row is None
            or link["person"] not in people
            or row.person_id != link["person"]
            or row.updated_at.isoformat() != link["stamp"]
        ):
            raise ApplicationError(
                "A shift in this swap chain has changed since it was proposed: it cannot go ahead."
            )
    services._check_shifts(
        [(rows[link["assignment"]], people[link["person"]]) for link in chain],
        program=swap.program,
        now=now,
        policy=services.policy_for(swap.program),
        manager=False,
    )
    moves = [
        Move(rows[link["assignment"]], people[chain[(index + 1) % len(chain)]["person"]])
        for index, link in enumerate(chain)
    ]
    services._refuse_unless_compliant(swap.program, moves)
    swap.kind = SwapRequest.Kind.CHAIN
    swap.status = Status.OFFERED
    swap.counterpart = people[chain[1]["person"]]  # who takes the offered shift
    swap.counterpart_assignment = None
    swap.moves = checks.stamps(moves)
    swap.save(
        update_fields=[
            "kind",
            "status",
            "counterpart",
            "counterpart_assignment",
            "moves",
            "updated_at",
        ]
    )
    SwapChainLink.objects.bulk_create(
        SwapChainLink(
            swap=swap, position=index, person_id=link["person"], assignment_id=link["assignment"]
        )
        for index, link in enumerate(chain)
    )
    services._notify(
        swap,
        [people[link["person"]] for link in chain],
        Event.SWAP_OFFERED,
        "A swap chain needs your answer",
        candidate.factors.get("explanation", ""),
    )


def swap_chain_decline(
    *,
    swap: SwapRequest,
    person: Person,
    actor: Any,
    candidate: SwapCandidate | None = None,
) -> SwapRequest:
    """``person`` declines a chain they are in: the offer is open again, the chains with them
    are no longer proposed (a proposed ``candidate`` on an open offer, or the offered chain),
    and the declined chain is remembered (``SwapChainDecline``): no re-rank proposes it again."""
    _require_self(actor, swap, person)
    with transaction.atomic(), set_actor(actor):
        swap = services._locked_swap(swap)
        if swap.status == Status.OFFERED and swap.kind == SwapRequest.Kind.CHAIN:
            links = list(swap.links.select_for_update(of=("self",)).order_by("position"))
            if person.pk not in {link.person_id for link in links}:
                raise ApplicationError("Only the people in this swap chain may decline it.")
            declined = [
                {"person": link.person_id, "assignment": link.assignment_id} for link in links
            ]
            others = [p for p in swap.parties() if p.pk != person.pk]
            swap.links.all().delete()
            swap.kind = SwapRequest.Kind.GIVE_AWAY
            swap.status = Status.OPEN
            swap.counterpart = None
            swap.moves = []
            swap.save(update_fields=["kind", "status", "counterpart", "moves", "updated_at"])
            services._notify(
                swap,
                others,
                Event.SWAP_WITHDRAWN,
                "A swap chain was declined",
                f"{person.full_name} declined it; the offer is open again.",
            )
        elif swap.status == Status.OPEN:
            if (
                candidate is None
                or candidate.swap_id != swap.pk
                or person.pk not in {link["person"] for link in chain_of(candidate)}
            ):
                raise ApplicationError("Only the people in this swap chain may decline it.")
            declined = chain_of(candidate)
        else:
            raise ApplicationError(services._closed_message(swap))
        _remember(swap, declined, person)
        for proposed in swap.candidates.all():
            if person.pk in {link["person"] for link in chain_of(proposed)}:
                proposed.delete()
    return swap


def _remember(swap: SwapRequest, chain: list[dict[str, Any]], person: Person) -> None:
    """Keep the declined chain (once: two answers to the same chain keep the first)."""
    SwapChainDecline.objects.get_or_create(
        program_id=swap.program_id,
        key=cycles.proposal_key(chain),
        defaults={
            "swap": swap,
            "declined_by": person,
            "links": [
                {"person": link["person"], "assignment": link["assignment"]} for link in chain
            ],
        },
    )


def swap_chain_execute(
    *, swap: SwapRequest, actor: Any, now: datetime | None = None
) -> SwapRequest:
    """A coordinator executes a chain every participant accepted: ``services.swap_execute``
    (the request, then every row by id, locked; all moves re-validated at once)."""
    with transaction.atomic(), set_actor(actor):
        swap = services._locked_swap(swap)
        if swap.kind != SwapRequest.Kind.CHAIN:
            raise ApplicationError("This swap is not a swap chain.")
        links = list(swap.links.select_for_update(of=("self",)).select_related("person"))
        waiting = [link.person.full_name for link in links if link.accepted_at is None]
        if waiting:
            raise ApplicationError(
                f"Not everyone in this swap chain has accepted it yet: {', '.join(waiting)}."
            )
        return services.swap_execute(swap=swap, actor=actor, now=now)
