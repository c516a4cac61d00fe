"""JWT lifecycle: obtain, use, refresh with rotation, blacklist on logout, throttle, lockout."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "cast-pass-2026"
TOKEN, REFRESH, LOGOUT = (
    "/api/v1/auth/token/",
    "/api/v1/auth/token/refresh/",
    "/api/v1/auth/logout/",
)


def _login(username: str = "coord_a", password: str = PASSWORD) -> Any:
    return APIClient().post(TOKEN, {"username": username, "password": password}, format="json")


def _bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def test_it_issues_a_15_minute_access_and_7_day_refresh_token() -> None:
    assert settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] == timedelta(minutes=15)
    assert settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"] == timedelta(days=7)


def test_it_lets_an_access_token_read_the_api(coordinator_a: Any) -> None:
    response = _login()
    assert response.status_code == 200
    programs = _bearer(response.json()["access"]).get("/api/v1/programs/")
    assert programs.status_code == 200
    assert programs.json()["count"] == 1


def test_it_refuses_a_wrong_password_with_the_error_shape(coordinator_a: Any) -> None:
    response = _login(password="wrong")
    assert response.status_code == 401
    assert set(response.json()) == {"message", "details"}


def test_it_rotates_refresh_tokens_and_refuses_the_old_one(coordinator_a: Any) -> None:
    first = _login().json()["refresh"]
    rotated = APIClient().post(REFRESH, {"refresh": first}, format="json")
    assert rotated.status_code == 200
    assert rotated.json()["refresh"] != first
    again = APIClient().post(REFRESH, {"refresh": first}, format="json")
    assert again.status_code == 401


def test_it_blacklists_the_refresh_token_on_logout(coordinator_a: Any) -> None:
    tokens = _login().json()
    out = _bearer(tokens["access"]).post(LOGOUT, {"refresh": tokens["refresh"]}, format="json")
    assert out.status_code == 205
    refreshed = APIClient().post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 401


def test_it_refuses_to_log_out_someone_elses_token(coordinator_a: Any, coordinator_b: Any) -> None:
    mine = _login("coord_a").json()
    theirs = _login("coord_b").json()
    response = _bearer(mine["access"]).post(LOGOUT, {"refresh": theirs["refresh"]}, format="json")
    assert response.status_code == 400
    assert "refresh" in response.json()["details"]


def test_it_throttles_logins_to_five_a_minute_per_address(coordinator_a: Any) -> None:
    codes = [_login(password="wrong").status_code for _ in range(5)]
    assert 429 not in codes
    assert _login().status_code == 429


def test_it_throttles_an_address_that_rotates_x_forwarded_for(coordinator_a: Any) -> None:
    def attempt(n: int) -> int:
        return (
            APIClient()
            .post(
                TOKEN,
                {"username": "coord_a", "password": "wrong"},
                format="json",
                HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
            )
            .status_code
        )

    assert 429 not in [attempt(n) for n in range(5)]
    assert attempt(99) == 429  # no proxy is trusted: the header names no other client


def test_it_locks_a_username_after_five_failures(coordinator_a: Any) -> None:
    for _ in range(5):
        _login(password="wrong")
    cache.clear()  # a minute later: the throttle has forgotten, the lockout has not
    response = _login()
    assert response.status_code == 403
    assert "locked" in response.json()["message"]


def test_it_locks_the_console_login_too(coordinator_a: Any) -> None:
    from django.test import Client

    for _ in range(5):
        Client().post(reverse("admin:login"), {"username": "coord_a", "password": "wrong"})
    response = Client().post(reverse("admin:login"), {"username": "coord_a", "password": PASSWORD})
    assert response.status_code == getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)


def test_it_keeps_other_users_unlocked(coordinator_a: Any, coordinator_b: Any) -> None:
    for _ in range(5):
        _login("coord_a", "wrong")
    cache.clear()
    assert _login("coord_b").status_code == 200


def test_it_throttles_each_user_across_the_api(coordinator_a: Any, monkeypatch: Any) -> None:
    from api.throttles import ApiUserThrottle

    monkeypatch.setattr(ApiUserThrottle, "THROTTLE_RATES", {"api_user": "3/minute"})
    client = _bearer(_login().json()["access"])
    codes = [client.get("/api/v1/programs/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
