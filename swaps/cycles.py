"""Swap chains the matcher proposes when no pair works: A gives to B, B to C, C back to A.

When an open offer (not a week) has no compliant candidate, neither a give-away nor a one-for-one
exchange, ``propose`` searches chains of three people of the requester's kind: the taker B takes
the offered shift and gives one of their shifts to C, who gives one of theirs back to the
requester A. Everyone gives one shift and takes one. The search is bounded, by this rule:

- a link is a published, unlocked shift of a peer outside the lock window, within ``REACH_DAYS``
  of the offered date and not on offer already; the ``CHAIN_ROWS`` nearest the offered date are
  considered (nearest first, then by id);
- a chain needs each taker free on the day of the shift they take (no other shift of theirs that
  day, apart from the one they give away): a cheap filter before any validation;
- chains are pre-scored, then validated best first, at most ``MAX_JUDGED`` of them, on one
  ``swaps.checks.Window``: the three moves of a chain are judged together, so a chain is
  compliant when the schedule after all three moves adds no hard violation, even where each
  move alone would add one. At most ``limit`` chains are kept, one per taker's shift given on.

A chain a participant declined (``swaps.models.SwapChainDecline``, by ``chain_key``: the same
people giving the same shifts to the same people) is never proposed again.

Chains of four are not searched (their number grows with the square of the links for little
gain over three). Score: each participant's link is scored with the matcher's five factors
(``swaps.matcher``: the participant takes the shift before them and gives theirs to the next
person; history counts past swaps with the requester), and the chain's score is its **weakest
link's** score, since a chain needs every participant to agree; its factors are that link's.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from people.models import Person
from scheduling.models import Assignment, State
from swaps import matcher
from swaps.checks import Move, Window
from swaps.matcher import REACH_DAYS, Match
from swaps.models import SwapChainDecline, SwapPolicy, SwapRequest

CHAIN_ROWS = 40
MAX_JUDGED = 120

Link = tuple[Person, Assignment]  # who gives, and the shift they give to the next person


def chain_key(links: Iterable[tuple[int, int]]) -> str:
    """One name for a chain: each (person id, id of the shift they give on), in the chain's
    order (the requester first). Proposals, offered chains and declines all use it."""
    return ">".join(f"{person}:{assignment}" for person, assignment in links)


def proposal_key(chain: list[dict[str, Any]]) -> str:
    """``chain_key`` of a proposed chain (a candidate's ``factors["chain"]``)."""
    return chain_key((link["person"], link["assignment"]) for link in chain)


def candidate_code(swap: SwapRequest, chain: list[dict[str, Any]]) -> uuid.UUID:
    """The public code of a proposed chain: the same offer and chain always get the same code,
    so an answer posted from a page survives a re-rank that proposes the chain again."""
    return uuid.uuid5(swap.code, proposal_key(chain))


def propose(
    swap: SwapRequest, *, policy: SwapPolicy, limit: int = 5, now: datetime | None = None
) -> list[Match]:
    """The best ``limit`` compliant chains for an open offer, best first, each as a ``Match``
    whose person and shift are the taker's and whose ``factors["chain"]`` names every link."""
    now = now or timezone.now()
    offered, requester = swap.assignment, swap.requester
    peers = list(
        Person.objects.filter(program=swap.program, kind=requester.kind, active=True).exclude(
            pk=requester.pk
        )
    )
    if len(peers) < 2:
        return []
    first = offered.date - timedelta(days=REACH_DAYS)
    last = offered.date + timedelta(days=REACH_DAYS)
    live = SwapRequest.objects.filter(status__in=SwapRequest.LIVE).values("assignment_id")
    rows = sorted(
        Assignment.objects.filter(
            person__in=peers,
            state=State.PUBLISHED,
            locked=False,
            date__range=(first, last),
            starts_at__gt=now + timedelta(days=policy.lock_days),
        )
        .exclude(pk__in=live)
        .select_related("person", "shift_type"),
        key=lambda row: (abs((row.date - offered.date).days), row.pk),
    )[:CHAIN_ROWS]
    facts = matcher._facts(swap, peers, first, last)
    means = (
        sum(facts.hours[p.pk] for p in peers) / len(peers),
        sum(facts.calls[p.pk] for p in peers) / len(peers),
    )

    def free(person: Person, day: date, giving: Assignment) -> bool:
        return (person.pk, day) not in facts.busy or giving.date == day

    scored: dict[tuple[int, int, int], tuple[float, dict[str, float], str]] = {}

    def link_score(taker: Person, taken: Assignment, given: Assignment, receiver: Person) -> Any:
        key = (taken.pk, given.pk, receiver.pk)
        if key not in scored:
            # The matcher scores "taker takes ``assignment`` from the request's requester and
            # gives ``given`` back to them": here ``given`` goes to ``receiver``.
            view = SwapRequest(
                program=swap.program,
                requester=receiver,
                assignment=taken,
                wants=swap.wants if receiver.pk == requester.pk else "",
            )
            scored[key] = matcher._score(view, taker, given, facts, means, policy.weights)
        return scored[key]

    chains = []
    for b_row in rows:
        b = b_row.person
        if not free(b, offered.date, b_row):
            continue
        for c_row in rows:
            c = c_row.person
            if c.pk == b.pk or not free(c, b_row.date, c_row):
                continue
            if not free(requester, c_row.date, offered):
                continue
            links = [
                link_score(b, offered, b_row, c),
                link_score(c, b_row, c_row, requester),
                link_score(requester, c_row, offered, b),
            ]
            weakest = min(links, key=lambda link: link[0])
            chains.append((weakest, [(requester, offered), (b, b_row), (c, c_row)]))
    chains.sort(key=lambda item: (-item[0][0], item[1][1][1].pk, item[1][2][1].pk))
    return _judged(swap, chains, limit)


def _judged(
    swap: SwapRequest,
    chains: list[tuple[tuple[float, dict[str, float], str], list[Link]]],
    limit: int,
) -> list[Match]:
    """Validate the pre-scored chains best first, all moves of a chain at once; a chain
    someone declined is left out before any validation."""
    if not chains:
        return []
    declined = set(
        SwapChainDecline.objects.filter(program=swap.program_id).values_list("key", flat=True)
    )
    chains = [
        chain
        for chain in chains
        if chain_key((person.pk, given.pk) for person, given in chain[1]) not in declined
    ]
    if not chains:
        return []
    window = Window(swap.program, [swap.assignment.date], margin=REACH_DAYS, full=True)
    matches: list[Match] = []
    taken: set[int] = set()
    for (score, factors, why), links in chains[:MAX_JUDGED]:
        taker, given = links[1]
        if given.pk in taken:
            continue
        if window.new_hard(moves_of(links), first=True):
            continue
        taken.add(given.pk)
        matches.append(
            Match(taker, given, score, _factors(factors, links), _explain(score, links, why))
        )
        if len(matches) >= limit:
            break
    return matches


def moves_of(links: list[Link]) -> list[Move]:
    """Each link's shift goes to the next link's person, the last one's to the first."""
    return [
        Move(given, links[(index + 1) % len(links)][0]) for index, (_, given) in enumerate(links)
    ]


def _factors(factors: dict[str, float], links: list[Link]) -> dict[str, Any]:
    chain = [
        {
            "person": person.pk,
            "assignment": given.pk,
            "stamp": given.updated_at.isoformat(),
        }
        for person, given in links
    ]
    return {**factors, "chain": chain}


def _explain(score: float, links: list[Link], weakest: str) -> str:
    steps = ", ".join(
        f"{person.full_name} gives {given.shift_type.abbreviation} {given.date:%a %d %b} to "
        f"{links[(index + 1) % len(links)][0].full_name}"
        for index, (person, given) in enumerate(links)
    )
    return (
        f"{score:.2f} chain (its weakest link): {steps}; weakest link {weakest.split(': ', 1)[-1]}"
    )
