"""Bad input on the pages and the API alike: a past shift, a shift not mine, a locked shift, a
shift I am not eligible for, an offer already taken. Each gets a message naming the reason and
changes nothing."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from swaps import services
from swaps.models import SwapRequest
from swaps.tests.cast import NOW, SwapCast, build_swap_cast

pytestmark = pytest.mark.django_db
Status = SwapRequest.Status

OFFERS = [
    ("rey_past", "already started: past shifts cannot be swapped"),
    ("sam_tue", "is not Rey"),
    ("rey_locked", "locked by the coordinator"),
]


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = itertools.count()
    now: Callable[[], datetime] = lambda: NOW + timedelta(microseconds=next(ticks))  # noqa: E731
    monkeypatch.setattr("django.utils.timezone.now", now)


@pytest.fixture
def cast(program_a: Any, resident_a: Any, coordinator_a: Any) -> SwapCast:
    return build_swap_cast(program_a, resident_a, coordinator_a)


def page(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def offered(cast: SwapCast) -> SwapRequest:
    return services.swap_offer_create(
        assignment=cast.rows["rey_mon"], person=cast.rey, actor=cast.rey_user
    )


def taken(cast: SwapCast) -> SwapRequest:
    return services.swap_respond(swap=offered(cast), person=cast.sam, actor=cast.sam_user)


@pytest.mark.parametrize(("name", "reason"), OFFERS)
def test_the_page_names_why_a_shift_cannot_be_offered(
    cast: SwapCast, name: str, reason: str
) -> None:
    response = page(cast.rey_user).post(
        reverse("swaps:offer"), {"assignment": cast.rows[name].code}, follow=True
    )
    assert any(reason in str(m) for m in response.context["messages"])
    assert not SwapRequest.objects.exists()


@pytest.mark.parametrize(("name", "reason"), OFFERS)
def test_the_api_names_why_a_shift_cannot_be_offered(
    cast: SwapCast, name: str, reason: str
) -> None:
    response = api(cast.rey_user).post(
        "/api/v1/swaps/", {"assignment": str(cast.rows[name].code)}, format="json"
    )
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not SwapRequest.objects.exists()


RESPONSES: list[tuple[str, Callable[[SwapCast], SwapRequest], dict[str, str], str]] = [
    ("ned", offered, {}, "assignment.ineligible"),  # Ned is not on the rotation
    ("ned", taken, {}, "already been taken"),
    ("sam", offered, {"assignment": "rey_wed"}, "is not Sam"),  # giving back Rey's shift
]


@pytest.mark.parametrize(("who", "make", "data", "reason"), RESPONSES)
def test_the_page_names_why_an_offer_cannot_be_taken(
    cast: SwapCast, who: str, make: Any, data: dict[str, str], reason: str
) -> None:
    swap = make(cast)
    status = swap.status
    user = cast.ned_user if who == "ned" else cast.sam_user
    body = {key: str(cast.rows[value].code) for key, value in data.items()}
    response = page(user).post(reverse("swaps:respond", args=[swap.code]), body)
    assert response.status_code == 200
    assert reason in response.content.decode()
    swap.refresh_from_db()
    assert swap.status == status


@pytest.mark.parametrize(("who", "make", "data", "reason"), RESPONSES)
def test_the_api_names_why_an_offer_cannot_be_taken(
    cast: SwapCast, who: str, make: Any, data: dict[str, str], reason: str
) -> None:
    swap = make(cast)
    status = swap.status
    user = cast.ned_user if who == "ned" else cast.sam_user
    body = {key: str(cast.rows[value].code) for key, value in data.items()}
    response = api(user).post(f"/api/v1/swaps/{swap.code}/respond/", body, format="json")
    assert response.status_code == 400
    assert reason in response.content.decode()
    swap.refresh_from_db()
    assert swap.status == status
