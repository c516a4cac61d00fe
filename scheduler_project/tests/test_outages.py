"""A database or Redis outage inside a view is a 503 that says the request did not go through."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.throttling import SimpleRateThrottle

from people import views as people_views

pytestmark = pytest.mark.django_db


def refuse(error: Exception) -> Any:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise error

    return broken


def test_the_api_answers_503_in_its_error_shape_when_redis_is_down(
    monkeypatch: pytest.MonkeyPatch, resident_a: Any
) -> None:
    # The API's throttles keep their counts in the cache, which is Redis in production.
    monkeypatch.setattr(
        SimpleRateThrottle, "allow_request", refuse(RedisConnectionError("Error 111"))
    )
    client = Client()
    client.force_login(resident_a)
    response = client.get("/api/v1/me/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["code"] == "service_unavailable"
    assert "try again" in response.json()["detail"]


def test_a_page_answers_503_with_a_page_that_needs_no_database(
    monkeypatch: pytest.MonkeyPatch, resident_a: Any
) -> None:
    client = Client()
    client.force_login(resident_a)
    # The view reads the list through its selector: the database "restarts" there.
    monkeypatch.setattr(
        people_views.selectors, "notifications_for", refuse(OperationalError("server closed"))
    )
    response = client.get("/notifications/")
    assert response.status_code == 503
    assert b"Briefly unavailable" in response.content
    assert b"did not go through" in response.content


def test_other_errors_are_not_dressed_up_as_outages(
    monkeypatch: pytest.MonkeyPatch, resident_a: Any
) -> None:
    monkeypatch.setattr(SimpleRateThrottle, "allow_request", refuse(ValueError("a bug")))
    client = Client(raise_request_exception=False)
    client.force_login(resident_a)
    assert client.get("/api/v1/me/").status_code == 500
