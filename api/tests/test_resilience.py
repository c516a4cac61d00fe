"""Resilience over the API: fallbacks are named by their public code, never their database id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.test import APIClient

from resilience.tests.conftest import ready_fallback

ACTIVATE = "/api/v1/resilience/fallbacks/activate/"


def test_it_lists_fallbacks_by_code_without_their_id(
    api: Callable[[Any], APIClient], coordinator_a: Any, program_a: Any
) -> None:
    fallback = ready_fallback(program_a)
    response = api(coordinator_a).get(
        "/api/v1/resilience/fallbacks/", {"program": str(program_a.code)}
    )
    assert response.status_code == 200
    [row] = response.json()
    assert row["code"] == str(fallback.code)
    assert "id" not in row


def test_it_activates_a_fallback_named_by_its_code(
    api: Callable[[Any], APIClient], coordinator_a: Any, program_a: Any
) -> None:
    fallback = ready_fallback(program_a)
    body = {"program": str(program_a.code), "fallback": str(fallback.code), "confirm": True}
    response = api(coordinator_a).post(ACTIVATE, body, format="json")
    assert response.status_code == 200
    assert response.json()["code"] == str(fallback.code)
    fallback.refresh_from_db()
    assert fallback.is_active


def test_it_refuses_a_fallback_named_by_its_database_id(
    api: Callable[[Any], APIClient], coordinator_a: Any, program_a: Any
) -> None:
    fallback = ready_fallback(program_a)
    body = {"program": str(program_a.code), "fallback": fallback.pk, "confirm": True}
    response = api(coordinator_a).post(ACTIVATE, body, format="json")
    assert response.status_code == 400
    assert "fallback" in str(response.json())
    fallback.refresh_from_db()
    assert not fallback.is_active


def test_it_answers_404_for_a_fallback_of_another_program(
    api: Callable[[Any], APIClient], coordinator_a: Any, program_a: Any, program_b: Any
) -> None:
    fallback = ready_fallback(program_b)
    body = {"program": str(program_a.code), "fallback": str(fallback.code), "confirm": True}
    response = api(coordinator_a).post(ACTIVATE, body, format="json")
    assert response.status_code == 404
    fallback.refresh_from_db()
    assert not fallback.is_active
