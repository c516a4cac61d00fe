"""API sessions end when they should: a fixed time after login however often refreshed, at a
password change, at logout (access tokens included), and when the account is deactivated."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from api.tests.test_auth import LOGOUT, REFRESH, _bearer, _login

pytestmark = pytest.mark.django_db
PROGRAMS = "/api/v1/programs/"


def _pair() -> dict[str, str]:
    response = _login()
    assert response.status_code == 200
    return response.json()


def _refresh(token: str) -> Any:
    return APIClient().post(REFRESH, {"refresh": token}, format="json")


def test_it_ends_a_session_at_its_absolute_lifetime(coordinator_a: Any, settings: Any) -> None:
    pair = _pair()
    assert _refresh(pair["refresh"]).status_code == 200
    pair = _pair()
    settings.JWT_ABSOLUTE_LIFETIME = timedelta(seconds=-1)  # every session is now too old
    assert _refresh(pair["refresh"]).status_code == 401
    assert _bearer(pair["access"]).get(PROGRAMS).status_code == 401


def test_it_refuses_every_token_after_a_password_change(coordinator_a: Any) -> None:
    pair = _pair()
    coordinator_a.set_password("a-new-password-2026")
    coordinator_a.save(update_fields=["password"])
    assert _bearer(pair["access"]).get(PROGRAMS).status_code == 401
    assert _refresh(pair["refresh"]).status_code == 401


def test_it_revokes_every_token_of_the_user_at_logout(coordinator_a: Any) -> None:
    elsewhere = _pair()  # another device's session
    here = _pair()
    assert _bearer(here["access"]).get(PROGRAMS).status_code == 200
    out = _bearer(here["access"]).post(LOGOUT, {"refresh": here["refresh"]}, format="json")
    assert out.status_code == 205
    assert _bearer(here["access"]).get(PROGRAMS).status_code == 401
    assert _bearer(elsewhere["access"]).get(PROGRAMS).status_code == 401
    assert _refresh(elsewhere["refresh"]).status_code == 401
    assert _bearer(_pair()["access"]).get(PROGRAMS).status_code == 200  # a new login works


def test_it_refuses_every_token_of_a_deactivated_account(coordinator_a: Any) -> None:
    pair = _pair()
    coordinator_a.is_active = False
    coordinator_a.save(update_fields=["is_active"])
    assert _bearer(pair["access"]).get(PROGRAMS).status_code == 401
    assert _refresh(pair["refresh"]).status_code == 401
