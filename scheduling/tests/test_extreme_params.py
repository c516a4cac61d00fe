"""Extreme dates and odd numbers in a page's query string answer 400, never 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PAGES = [
    ("resident", "/my/schedule/?date=9999-12-31"),
    ("resident", "/my/schedule/?date=0001-01-01"),
    ("resident", "/manifest/?date=9999-12-31"),
    ("resident", "/roster/?month=9999-12"),
    ("coordinator", "/schedule/grid/?start=9999-12-31"),
    ("coordinator", "/schedule/grid/?pgy=%C2%B2"),
    ("coordinator", "/schedule/validate/?start=0001-01-01&end=0001-01-28"),
    ("coordinator", "/schedule/validate/?start=2026-07-01&end=2099-07-01"),
]


@pytest.mark.parametrize(("role", "url"), PAGES)
def test_it_answers_400_for_an_extreme_value(
    role: str, url: str, resident_a: Any, coordinator_a: Any, world: Any
) -> None:
    client = Client()
    client.force_login(resident_a if role == "resident" else coordinator_a)
    assert client.get(url).status_code == 400


def test_it_refuses_deeply_nested_json_to_anyone(client: Client) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400


def test_it_refuses_an_extreme_date_in_an_api_write(coordinator_a: Any, world: Any) -> None:
    from rest_framework.test import APIClient

    from people.models import Person

    api = APIClient()
    api.force_authenticate(coordinator_a)
    person = world.a[Person]
    body = {"person": str(person.code), "kind": "vacation", "start_date": "9999-12-30",
            "end_date": "9999-12-31"}  # fmt: skip
    response = api.post("/api/v1/absences/", body, format="json")
    assert response.status_code == 400
    assert "start_date" in response.json()["details"]
