"""Swap pages: the marketplace and the coordinator queue, through the doors that matter."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from scheduling.models import Assignment
from swaps import services
from swaps.models import SwapRequest
from swaps.tests.cast import NOW, SwapCast, build_swap_cast

pytestmark = pytest.mark.django_db
Status = SwapRequest.Status


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages read the real clock: pin it to the cast's "now" (ticking, so stamps still grow)."""
    ticks = itertools.count()
    now: Callable[[], datetime] = lambda: NOW + timedelta(microseconds=next(ticks))  # noqa: E731
    monkeypatch.setattr("django.utils.timezone.now", now)


@pytest.fixture
def cast(program_a: Any, resident_a: Any, coordinator_a: Any) -> SwapCast:
    return build_swap_cast(program_a, resident_a, coordinator_a)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def offer(cast: SwapCast) -> SwapRequest:
    return services.swap_offer_create(
        assignment=cast.rows["rey_mon"], person=cast.rey, actor=cast.rey_user, note="Wedding"
    )


def test_it_lists_open_offers_with_the_compliance_mark(cast: SwapCast) -> None:
    swap = offer(cast)
    response = login(cast.sam_user).get(reverse("swaps:market"))
    assert response.status_code == 200
    assert [(row.pk, verdict) for row, verdict in response.context["rows"]] == [(swap.pk, "")]
    assert "compliant" in response.content.decode()


def test_it_names_the_rule_an_ineligible_viewer_would_break(cast: SwapCast) -> None:
    offer(cast)
    response = login(cast.ned_user).get(reverse("swaps:market"))
    ((_, verdict),) = response.context["rows"]
    assert verdict.startswith("assignment.ineligible: Ned Resident")


def test_it_offers_my_shift_from_the_page(cast: SwapCast) -> None:
    response = login(cast.rey_user).post(
        reverse("swaps:offer"),
        {"assignment": cast.rows["rey_wed"].code, "note": "Exam", "wants": "a weekend"},
    )
    assert response.status_code == 302
    swap = SwapRequest.objects.get()
    assert (swap.assignment, swap.note, swap.wants) == (cast.rows["rey_wed"], "Exam", "a weekend")


def test_it_refuses_offering_someone_elses_shift_from_the_page(cast: SwapCast) -> None:
    login(cast.rey_user).post(reverse("swaps:offer"), {"assignment": cast.rows["sam_tue"].code})
    assert not SwapRequest.objects.exists()


def test_it_takes_an_offer_with_a_shift_back(cast: SwapCast) -> None:
    swap = offer(cast)
    response = login(cast.sam_user).post(
        reverse("swaps:respond", args=[swap.code]), {"assignment": cast.rows["sam_thu"].code}
    )
    assert response.status_code == 302
    swap.refresh_from_db()
    assert (swap.status, swap.counterpart_assignment) == (Status.ACCEPTED, cast.rows["sam_thu"])


def test_it_shows_the_refusal_and_changes_nothing(cast: SwapCast) -> None:
    swap = offer(cast)
    response = login(cast.ned_user).post(reverse("swaps:respond", args=[swap.code]), {})
    assert response.status_code == 200
    assert "would break a rule" in response.content.decode()
    swap.refresh_from_db()
    assert swap.status == Status.OPEN


def test_it_lets_the_coordinator_approve_from_the_queue(cast: SwapCast) -> None:
    swap = offer(cast)
    services.swap_respond(swap=swap, person=cast.sam, actor=cast.sam_user)
    client = login(cast.coordinator)
    assert swap in client.get(reverse("swaps:queue")).context["queue"]["waiting"]
    client.post(reverse("swaps:decide", args=[swap.code]), {"action": "approve"})
    assert Assignment.objects.get(pk=cast.rows["rey_mon"].pk).person == cast.sam


def test_it_refuses_the_queue_to_a_resident(cast: SwapCast) -> None:
    assert login(cast.rey_user).get(reverse("swaps:queue")).status_code == 403


def test_it_hides_a_swap_from_another_programs_coordinator(
    cast: SwapCast, coordinator_b: Any
) -> None:
    swap = offer(cast)
    response = login(coordinator_b).post(
        reverse("swaps:decide", args=[swap.code]), {"action": "reject", "reason": "no"}
    )
    assert response.status_code == 404
    swap.refresh_from_db()
    assert swap.status == Status.OPEN


def test_it_refuses_withdrawing_someone_elses_offer(cast: SwapCast) -> None:
    swap = offer(cast)
    response = login(cast.sam_user).post(reverse("swaps:withdraw", args=[swap.code]))
    assert response.status_code == 404
    swap.refresh_from_db()
    assert swap.status == Status.OPEN


def test_it_answers_get_on_a_mutating_url_with_405(cast: SwapCast) -> None:
    assert login(cast.rey_user).get(reverse("swaps:offer")).status_code == 405
