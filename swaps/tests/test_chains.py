"""Swap chains: found when no pair works, accepted by everyone, executed at once, undone exactly.

The case: Rey offers his Friday call. Sam cannot take it (his Saturday ward day starts as the
call ends), nor exchange it (Rey is away on Saturday; any other shift of Sam's leaves Saturday
with him); Tia is away on Friday. But Sam takes the call, gives his Saturday to Tia, and Tia
gives her Sunday to Rey: the three moves judged together break nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import make_member
from lib.errors import ApplicationError
from people.models import Absence, Membership, Notification, Person
from scheduling.models import Assignment, RotationAssignment, Source
from swaps import chains, cycles, matcher, selectors, services
from swaps.models import SwapCandidate, SwapChainDecline, SwapPolicy, SwapRequest
from swaps.tests.cast import MONDAY, NOW, SwapCast, assign, build_swap_cast, resident
from swaps.tests.test_services import hard_count, owners

pytestmark = pytest.mark.django_db(transaction=False)
Status = SwapRequest.Status
DAY = timedelta(days=1)


@pytest.fixture
def cast(program_a: Any, resident_a: Any, coordinator_a: Any) -> SwapCast:
    cast = build_swap_cast(program_a, resident_a, coordinator_a)
    tia = resident(cast.program, "Tia")
    placed = RotationAssignment.objects.get(person=cast.rey)
    RotationAssignment.objects.create(person=tia, block=placed.block, rotation=placed.rotation)
    cast.tia = tia  # type: ignore[attr-defined]
    cast.tia_user = make_member(cast.program, "tia", Membership.Role.RESIDENT, tia)  # type: ignore[attr-defined]
    cast.rows["tia_sun"] = assign(tia, cast.wd, MONDAY + 6 * DAY)
    for person, day in ((cast.rey, MONDAY + 5 * DAY), (tia, MONDAY + 4 * DAY)):
        Absence.objects.create(
            person=person,
            kind=Absence.Kind.CONFERENCE,
            status=Absence.Status.APPROVED,
            start_date=day,
            end_date=day,
        )
    return cast


def user_of(cast: SwapCast, person: Person) -> Any:
    return {
        cast.rey.pk: cast.rey_user,
        cast.sam.pk: cast.sam_user,
        cast.ned.pk: cast.ned_user,
        cast.tia.pk: cast.tia_user,  # type: ignore[attr-defined]
    }[person.pk]


def proposed(cast: SwapCast) -> tuple[SwapRequest, SwapCandidate]:
    swap = services.swap_offer_create(
        assignment=cast.rows["rey_fri_call"], person=cast.rey, actor=cast.rey_user, now=NOW
    )
    services.swap_match(swap=swap, now=NOW)
    candidate = SwapCandidate.objects.get(swap=swap)
    return swap, candidate


def accept(cast: SwapCast, swap: SwapRequest, person: Person, candidate: Any = None) -> Any:
    return chains.swap_chain_accept(
        swap=swap, person=person, actor=user_of(cast, person), candidate=candidate, now=NOW
    )


def accept_all(cast: SwapCast, swap: SwapRequest, candidate: SwapCandidate) -> SwapRequest:
    accept(cast, swap, cast.rey, candidate)
    accept(cast, swap, cast.sam)
    return accept(cast, swap, cast.tia)  # type: ignore[attr-defined]


def test_no_pair_works_but_the_matcher_proposes_the_chain(cast: SwapCast) -> None:
    swap = services.swap_offer_create(
        assignment=cast.rows["rey_fri_call"], person=cast.rey, actor=cast.rey_user, now=NOW
    )
    swap = SwapRequest.objects.select_related("program", "requester", "assignment").get(pk=swap.pk)
    policy = services.policy_for(cast.program)
    assert matcher.rank(swap, policy=policy, now=NOW) == []
    [match] = cycles.propose(swap, policy=policy, now=NOW)
    links = [(link["person"], link["assignment"]) for link in match.factors["chain"]]
    assert links == [
        (cast.rey.pk, cast.rows["rey_fri_call"].pk),
        (cast.sam.pk, cast.rows["sam_sat"].pk),
        (cast.tia.pk, cast.rows["tia_sun"].pk),  # type: ignore[attr-defined]
    ]
    assert 0 <= match.score <= 1
    assert set(matcher.FACTORS) <= set(match.factors)
    assert "Sam Resident gives WD Sat 13 Mar to Tia Resident" in match.explanation


def test_everyone_accepts_and_the_chain_executes_at_once(
    cast: SwapCast, django_capture_on_commit_callbacks: Any
) -> None:
    SwapPolicy.objects.create(program=cast.program, approval=SwapPolicy.Approval.AUTO)
    swap, candidate = proposed(cast)
    before = hard_count(cast)
    assert accept(cast, swap, cast.rey, candidate).status == Status.OFFERED
    assert accept(cast, swap, cast.sam).status == Status.OFFERED
    with django_capture_on_commit_callbacks(execute=True):
        swap = accept(cast, swap, cast.tia)  # type: ignore[attr-defined]
    assert (swap.status, swap.kind) == (Status.EXECUTED, SwapRequest.Kind.CHAIN)
    now = owners(cast)
    assert now["rey_fri_call"] == (cast.sam.pk, Source.SWAP)
    assert now["sam_sat"] == (cast.tia.pk, Source.SWAP)  # type: ignore[attr-defined]
    assert now["tia_sun"] == (cast.rey.pk, Source.SWAP)
    assert hard_count(cast) <= before
    moved = {row.pk for row in Assignment.objects.filter(source=Source.SWAP)}
    assert len(moved) == 3
    assert LogEntry.objects.filter(content_type__model="assignment", action=1).count() >= 3
    recipients = set(
        Notification.objects.filter(title="Swap done").values_list("recipient", flat=True)
    )
    assert recipients == {cast.rey_user.pk, cast.sam_user.pk, cast.tia_user.pk}  # type: ignore[attr-defined]


def test_a_coordinator_executes_a_chain_once_everyone_accepted(cast: SwapCast) -> None:
    swap, candidate = proposed(cast)
    accept(cast, swap, cast.rey, candidate)
    with pytest.raises(ApplicationError, match=r"Not everyone .* Sam Resident, Tia Resident"):
        chains.swap_chain_execute(swap=swap, actor=cast.coordinator, now=NOW)
    accept(cast, swap, cast.sam)
    swap = accept(cast, swap, cast.tia)  # type: ignore[attr-defined]
    assert swap.status == Status.ACCEPTED
    with pytest.raises(ApplicationError, match="Only a coordinator"):
        chains.swap_chain_execute(swap=swap, actor=cast.sam_user, now=NOW)
    swap = chains.swap_chain_execute(swap=swap, actor=cast.coordinator, now=NOW)
    assert swap.status == Status.EXECUTED
    assert owners(cast)["tia_sun"][0] == cast.rey.pk


def test_a_non_participant_cannot_accept(cast: SwapCast) -> None:
    swap, candidate = proposed(cast)
    with pytest.raises(ApplicationError, match="Only the people in this swap chain"):
        accept(cast, swap, cast.ned, candidate)
    assert SwapRequest.objects.get(pk=swap.pk).status == Status.OPEN
    accept(cast, swap, cast.rey, candidate)
    with pytest.raises(ApplicationError, match="Only the people in this swap chain"):
        accept(cast, swap, cast.ned)
    with pytest.raises(ApplicationError, match="only for yourself"):
        chains.swap_chain_accept(swap=swap, person=cast.sam, actor=cast.ned_user, now=NOW)
    assert SwapRequest.objects.get(pk=swap.pk).links.filter(accepted_at__isnull=False).count() == 1


def test_a_stale_chain_is_refused(cast: SwapCast) -> None:
    swap, candidate = proposed(cast)
    accept(cast, swap, cast.rey, candidate)
    before = owners(cast)
    cast.rows["tia_sun"].save()  # the shift changed since the proposal (its stamp moved)
    with pytest.raises(ApplicationError, match="changed since the chain was proposed"):
        accept(cast, swap, cast.sam)
    assert owners(cast) == before
    assert SwapRequest.objects.get(pk=swap.pk).status == Status.OFFERED


def test_a_chain_whose_shift_changed_before_anyone_accepted_is_refused(cast: SwapCast) -> None:
    swap, candidate = proposed(cast)
    row = cast.rows["sam_sat"]
    row.person = cast.ned
    row.save()
    with pytest.raises(ApplicationError, match="changed since it was proposed"):
        accept(cast, swap, cast.rey, candidate)
    assert SwapRequest.objects.get(pk=swap.pk).status == Status.OPEN


def test_undo_restores_every_owner_exactly(cast: SwapCast) -> None:
    SwapPolicy.objects.create(program=cast.program, approval=SwapPolicy.Approval.AUTO)
    before = owners(cast)
    swap, candidate = proposed(cast)
    swap = accept_all(cast, swap, candidate)
    swap = services.swap_undo(
        swap=swap,
        actor=cast.tia_user,  # type: ignore[attr-defined]
        reason="Changed our minds",
        now=NOW + timedelta(hours=1),
    )
    assert swap.status == Status.UNDONE
    assert owners(cast) == before
    assert LogEntry.objects.filter(
        content_type__model="swaprequest", changes__icontains="undone"
    ).exists()


def test_a_participant_declines_and_the_offer_is_open_again(cast: SwapCast) -> None:
    swap, candidate = proposed(cast)
    accept(cast, swap, cast.rey, candidate)
    swap = chains.swap_chain_decline(swap=swap, person=cast.sam, actor=cast.sam_user)
    assert (swap.status, swap.kind, swap.counterpart) == (
        Status.OPEN,
        SwapRequest.Kind.GIVE_AWAY,
        None,
    )
    assert not swap.links.exists()
    assert not swap.candidates.exists()


def test_a_declined_proposal_is_remembered_and_never_proposed_again(cast: SwapCast) -> None:
    swap, candidate = proposed(cast)
    chains.swap_chain_decline(swap=swap, person=cast.sam, actor=cast.sam_user, candidate=candidate)
    services.swap_match(swap=swap, now=NOW)  # a later re-rank finds the same chain
    assert not swap.candidates.exists()
    decline = SwapChainDecline.objects.get()
    assert (decline.program, decline.swap, decline.declined_by) == (cast.program, swap, cast.sam)
    assert decline.key == cycles.proposal_key(candidate.factors["chain"])
    entry = LogEntry.objects.get_for_object(decline).get()
    assert entry.actor == cast.sam_user


def test_a_declined_offered_chain_is_never_proposed_again(cast: SwapCast) -> None:
    swap, candidate = proposed(cast)
    accept(cast, swap, cast.rey, candidate)
    chains.swap_chain_decline(swap=swap, person=cast.tia, actor=cast.tia_user)  # type: ignore[attr-defined]
    swap = services.swap_withdraw(swap=swap, actor=cast.rey_user)
    again = services.swap_offer_create(
        assignment=cast.rows["rey_fri_call"], person=cast.rey, actor=cast.rey_user, now=NOW
    )
    # Neither this offer's re-rank nor a new offer of the same shift proposes it again.
    assert services.swap_match(swap=again, now=NOW) == []
    assert SwapChainDecline.objects.get().declined_by == cast.tia  # type: ignore[attr-defined]


def test_a_proposed_chain_keeps_its_code_across_re_ranks(cast: SwapCast) -> None:
    swap, candidate = proposed(cast)
    services.swap_match(swap=swap, now=NOW)
    assert SwapCandidate.objects.get(swap=swap).code == candidate.code
    assert SwapCandidate.objects.get(swap=swap).pk != candidate.pk
    assert selectors.chain_candidate(swap, str(candidate.code)) is not None
    assert selectors.chain_candidate(swap, str(candidate.pk)) is None  # ids name nothing


# Pages ----------------------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages read the real clock: pin it to the cast's "now" (ticking, so stamps still grow)."""
    ticks = itertools.count()
    now: Callable[[], datetime] = lambda: NOW + timedelta(microseconds=next(ticks))  # noqa: E731
    monkeypatch.setattr("django.utils.timezone.now", now)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def answer(cast: SwapCast, person: Person, swap: SwapRequest, **data: Any) -> Any:
    url = reverse("swaps:chain", args=[swap.code])
    return login(user_of(cast, person)).post(url, {"action": "accept", **data}, follow=True)


def test_the_pages_show_the_chain_and_everyone_accepts_it(cast: SwapCast, clock: None) -> None:
    swap, candidate = proposed(cast)
    page = login(cast.sam_user).get(reverse("swaps:market"))
    [(shown, line)] = page.context["chains"]["proposed"]
    assert (shown.code, line) == (
        candidate.code,
        "Rey Resident → Sam Resident → Tia Resident → Rey Resident",
    )
    assert "Swap chains for me" in page.content.decode()
    response = answer(cast, cast.rey, swap, candidate=candidate.code)
    assert "the swap chain waits for the others" in response.content.decode()
    queue = login(cast.coordinator).get(reverse("swaps:queue"))
    assert [s.pk for s in queue.context["queue"]["chains"]] == [swap.pk]
    assert "Rey Resident → Sam Resident → Tia Resident → Rey Resident" in queue.content.decode()
    answer(cast, cast.sam, swap)
    response = answer(cast, cast.tia, swap)  # type: ignore[attr-defined]
    assert "a coordinator will approve the swap chain" in response.content.decode()
    login(cast.coordinator).post(
        reverse("swaps:decide", args=[swap.code]), {"action": "approve", "reason": ""}
    )
    assert SwapRequest.objects.get(pk=swap.pk).status == Status.EXECUTED
    assert owners(cast)["sam_sat"][0] == cast.tia.pk  # type: ignore[attr-defined]


def test_the_page_refuses_a_non_participant(cast: SwapCast, clock: None) -> None:
    swap, candidate = proposed(cast)
    response = answer(cast, cast.ned, swap, candidate=candidate.code)
    assert "Only the people in this swap chain may accept it." in response.content.decode()
    assert SwapRequest.objects.get(pk=swap.pk).status == Status.OPEN


def test_the_api_lists_proposed_chains_and_everyone_accepts(cast: SwapCast, clock: None) -> None:
    SwapPolicy.objects.create(program=cast.program, approval=SwapPolicy.Approval.AUTO)
    swap, candidate = proposed(cast)

    def api(person: Person) -> APIClient:
        client = APIClient()
        client.force_authenticate(user_of(cast, person))
        return client

    [listed] = api(cast.sam).get("/api/v1/swaps/chains/").json()
    assert (listed["candidate"], listed["swap"]["code"]) == (str(candidate.code), str(swap.code))
    assert [link["person"] for link in listed["links"]] == [
        str(cast.rey.code),
        str(cast.sam.code),
        str(cast.tia.code),  # type: ignore[attr-defined]
    ]
    assert api(cast.ned).get("/api/v1/swaps/chains/").json() == []
    url = f"/api/v1/swaps/{swap.code}/accept_chain/"
    refused = api(cast.ned).post(url, {"candidate": str(candidate.code)}, format="json")
    assert refused.status_code == 400
    first = api(cast.rey).post(url, {"candidate": str(candidate.code)}, format="json")
    assert (first.status_code, first.json()["status"]) == (200, "offered")
    assert [link["accepted_at"] is not None for link in first.json()["chain"]] == [
        True,
        False,
        False,
    ]
    api(cast.sam).post(url, {}, format="json")
    done = api(cast.tia).post(url, {}, format="json")  # type: ignore[attr-defined]
    assert (done.json()["status"], done.json()["kind"]) == ("executed", "chain")
