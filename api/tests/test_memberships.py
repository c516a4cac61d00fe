"""/api/v1/memberships/: the console's rank rules (people.accounts) hold through the API too: no
role above your own is granted, and no seat above your own is changed or removed."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import make_member, make_user
from people.models import Membership, Program

pytestmark = pytest.mark.django_db

MEMBERSHIPS = "/api/v1/memberships/"


def _seat(user: Any, program: Program) -> Membership:
    return Membership.objects.get(user=user, program=program)


def test_a_coordinator_grants_no_role_above_their_own(
    api: Any, coordinator_a: Any, program_a: Program
) -> None:
    make_user("newcomer")
    body = {"program": str(program_a.code), "user": "newcomer", "role": "admin"}
    response = api(coordinator_a).post(MEMBERSHIPS, body, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["details"]) == ["role"]
    assert not Membership.objects.filter(user__username="newcomer").exists()
    body["role"] = "coordinator"
    assert api(coordinator_a).post(MEMBERSHIPS, body, format="json").status_code == 201


def test_a_coordinator_cannot_raise_their_own_seat(
    api: Any, coordinator_a: Any, program_a: Program
) -> None:
    seat = _seat(coordinator_a, program_a)
    response = api(coordinator_a).patch(
        f"{MEMBERSHIPS}{seat.code}/", {"role": "admin"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["details"]) == ["role"]
    seat.refresh_from_db()
    assert seat.role == Membership.Role.COORDINATOR


def test_a_coordinator_leaves_a_program_admins_seat_alone(
    api: Any, coordinator_a: Any, program_a: Program
) -> None:
    boss = _seat(make_member(program_a, "boss", Membership.Role.ADMIN), program_a)
    client = api(coordinator_a)
    url = f"{MEMBERSHIPS}{boss.code}/"
    assert client.patch(url, {"role": "faculty"}, format="json").status_code == 403
    assert client.delete(url).status_code == 403
    boss.refresh_from_db()
    assert boss.role == Membership.Role.ADMIN


def test_a_superuser_grants_any_role(api: Any, superuser: Any, program_a: Program) -> None:
    make_user("newcomer")
    body = {"program": str(program_a.code), "user": "newcomer", "role": "admin"}
    assert api(superuser).post(MEMBERSHIPS, body, format="json").status_code == 201
