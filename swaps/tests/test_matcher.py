"""The matcher: scores in [0, 1], weights from the policy, compliant candidates only."""

from __future__ import annotations

from typing import Any

import pytest

from people.models import Request
from swaps import matcher, services
from swaps.models import SwapCandidate, SwapPolicy, SwapRequest
from swaps.tests.cast import MONDAY, NOW, SwapCast, build_swap_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(program_a: Any, resident_a: Any, coordinator_a: Any) -> SwapCast:
    return build_swap_cast(program_a, resident_a, coordinator_a)


def offer(cast: SwapCast, name: str = "rey_mon", wants: str = "") -> SwapRequest:
    return services.swap_offer_create(
        assignment=cast.rows[name], person=cast.rey, actor=cast.rey_user, wants=wants, now=NOW
    )


def ranked(cast: SwapCast, swap: SwapRequest) -> list[matcher.Match]:
    return matcher.rank(swap, policy=services.policy_for(cast.program), now=NOW)


def test_it_has_the_documented_default_weights(cast: SwapCast) -> None:
    assert list(services.policy_for(cast.program).weights.values()) == [
        0.35,
        0.20,
        0.15,
        0.15,
        0.15,
    ]


def test_it_ranks_only_compliant_candidates_with_scores_in_range(cast: SwapCast) -> None:
    matches = ranked(cast, offer(cast))
    assert matches
    assert {m.person for m in matches} == {cast.sam}  # Ned is not on the rotation
    assert all(0 <= m.score <= 1 and set(m.factors) == set(matcher.FACTORS) for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_it_never_ranks_a_candidate_who_would_break_a_duty_rule(cast: SwapCast) -> None:
    # Sam works Saturday 07:00 straight after the Friday call: 36 h without a break.
    matches = ranked(cast, offer(cast, "rey_fri_call"))
    assert all(m.assignment is not None for m in matches if m.person == cast.sam)
    assert not [m for m in matches if m.person == cast.sam and m.assignment is None]


def test_it_explains_every_score_in_one_line(cast: SwapCast) -> None:
    for match in ranked(cast, offer(cast)):
        assert match.explanation.startswith(f"{match.score:.2f}:")
        assert "\n" not in match.explanation


def test_it_prefers_the_exchange_the_requester_wants_back(cast: SwapCast) -> None:
    matches = ranked(cast, offer(cast, wants="Thursday please"))
    assert matches[0].assignment == cast.rows["sam_thu"]
    assert matches[0].factors["preference"] > 0.5


def test_it_scores_a_takers_stated_wish_to_work_the_date(cast: SwapCast) -> None:
    swap = offer(cast)
    plain = {m.assignment: m.factors["preference"] for m in ranked(cast, swap)}
    Request.objects.create(
        person=cast.sam,
        kind=Request.Kind.PREFER_ON,
        status=Request.Status.APPROVED,
        start_date=MONDAY,
        end_date=MONDAY,
    )
    wished = {m.assignment: m.factors["preference"] for m in ranked(cast, swap)}
    assert wished[None] == 1.0 > plain[None]


def test_it_follows_the_programs_weights(cast: SwapCast) -> None:
    SwapPolicy.objects.create(
        program=cast.program,
        weight_preference=0,
        weight_proximity=1,
        weight_workload=0,
        weight_history=0,
        weight_availability=0,
    )
    matches = ranked(cast, offer(cast))
    assert all(m.score == m.factors["proximity"] for m in matches)


def test_it_stores_candidates_and_notifies_the_best(
    cast: SwapCast, django_capture_on_commit_callbacks: Any
) -> None:
    swap = offer(cast)
    with django_capture_on_commit_callbacks(execute=True):
        services.swap_match(swap=swap, now=NOW)
    stored = list(SwapCandidate.objects.filter(swap=swap))
    assert stored and all(c.factors["explanation"] for c in stored)
    assert cast.sam_user.notifications.filter(title__contains="could take").exists()
