"""The resilience dashboard: computed on first view, says what is missing, managers only."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.test import Client
from django.urls import reverse

from resilience.models import Fallback, ResilienceSnapshot
from resilience.tests.conftest import ready_fallback


def test_first_view_computes_a_snapshot_and_names_what_is_missing(
    coordinator_client: Client, program_a: Any
) -> None:
    ResilienceSnapshot.objects.filter(program=program_a).delete()
    response = coordinator_client.get(reverse("resilience:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "No coverage requirements: nothing says what must be covered" in page
    assert "Green" not in page.split("Recent levels")[0]
    assert ResilienceSnapshot.objects.get(program=program_a).defense_level == "unknown"


def test_residents_may_not_open_it(resident_a: Any) -> None:
    client = Client()
    client.force_login(resident_a)
    assert client.get(reverse("resilience:dashboard")).status_code == 403


def test_a_fallback_without_a_schedule_says_why_not_zero_changes(
    coordinator_client: Client, program_a: Any
) -> None:
    Fallback.objects.create(
        program=program_a,
        scenario=Fallback.Scenario.LOSE_ONE_FACULTY,
        start_date=date(2026, 10, 19),
        end_date=date(2026, 10, 21),
        baseline_signature="x",
        summary={"status": "failed", "error": "no schedule found in 30 s", "diff": {}},
    )  # computed before fallbacks said why
    page = coordinator_client.get(reverse("resilience:dashboard")).content.decode()
    assert "No fallback schedule: no schedule found in 30 s" in page
    assert "0 added, 0 removed" not in page


def test_it_publishes_a_fallback_named_by_its_code(
    coordinator_client: Client, program_a: Any
) -> None:
    fallback = ready_fallback(program_a)
    page = coordinator_client.get(reverse("resilience:dashboard")).content.decode()
    assert f'name="fallback" value="{fallback.code}"' in page
    response = coordinator_client.post(
        reverse("resilience:act"),
        {"action": "activate", "fallback": str(fallback.code), "confirm": "1"},
    )
    assert response.status_code == 302
    fallback.refresh_from_db()
    assert fallback.is_active


def test_it_refuses_a_fallback_named_by_its_database_id(
    coordinator_client: Client, program_a: Any
) -> None:
    fallback = ready_fallback(program_a)
    response = coordinator_client.post(
        reverse("resilience:act"),
        {"action": "activate", "fallback": str(fallback.pk), "confirm": "1"},
    )
    assert response.status_code == 404
    fallback.refresh_from_db()
    assert not fallback.is_active


def test_it_refuses_a_fallback_of_another_program_by_code(
    coordinator_client: Client, program_b: Any
) -> None:
    fallback = ready_fallback(program_b)
    response = coordinator_client.post(
        reverse("resilience:act"),
        {"action": "activate", "fallback": str(fallback.code), "confirm": "1"},
    )
    assert response.status_code == 404
    fallback.refresh_from_db()
    assert not fallback.is_active
