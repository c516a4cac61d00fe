"""The swap API: the marketplace flow end to end, and a refusal that changes nothing."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from scheduling.models import Assignment
from swaps.models import SwapRequest
from swaps.tests.cast import NOW, SwapCast, build_swap_cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = itertools.count()
    monkeypatch.setattr(
        "django.utils.timezone.now", lambda: NOW + timedelta(microseconds=next(ticks))
    )


@pytest.fixture
def cast(program_a: Any, resident_a: Any, coordinator_a: Any) -> SwapCast:
    return build_swap_cast(program_a, resident_a, coordinator_a)


def client(user: Any) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_it_offers_takes_approves_and_undoes(cast: SwapCast) -> None:
    offered = client(cast.rey_user).post(
        "/api/v1/swaps/", {"assignment": str(cast.rows["rey_mon"].code)}, format="json"
    )
    assert offered.status_code == 201, offered.content
    code = offered.json()["code"]
    eligible = client(cast.sam_user).get("/api/v1/swaps/eligible/").json()
    assert [(e["swap"]["code"], e["compliant"]) for e in eligible] == [(code, True)]
    taken = client(cast.sam_user).post(
        f"/api/v1/swaps/{code}/respond/",
        {"assignment": str(cast.rows["sam_thu"].code)},
        format="json",
    )
    assert taken.json()["status"] == "accepted"
    approved = client(cast.coordinator).post(f"/api/v1/swaps/{code}/approve/", {}, format="json")
    assert approved.json()["status"] == "executed"
    assert Assignment.objects.get(pk=cast.rows["sam_thu"].pk).person == cast.rey
    undone = client(cast.rey_user).post(
        f"/api/v1/swaps/{code}/undo/", {"reason": "Changed my mind"}, format="json"
    )
    assert undone.json()["status"] == "undone"
    assert Assignment.objects.get(pk=cast.rows["sam_thu"].pk).person == cast.sam


def test_it_refuses_a_past_shift_with_the_reason(cast: SwapCast) -> None:
    response = client(cast.rey_user).post(
        "/api/v1/swaps/", {"assignment": str(cast.rows["rey_past"].code)}, format="json"
    )
    assert response.status_code == 400
    assert "already started" in response.json()["message"]
    assert not SwapRequest.objects.exists()
