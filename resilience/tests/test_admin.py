"""Coordinator console for resilience snapshots: scoped and read-only."""

from __future__ import annotations

from typing import Any

import pytest

from resilience.models import ResilienceSnapshot

pytestmark = pytest.mark.django_db


def test_it_shows_snapshots_read_only(console: Any) -> None:
    snapshot = console.world.a[ResilienceSnapshot]
    assert console.coordinator.get(console.url(ResilienceSnapshot, "add")).status_code == 403
    response = console.coordinator.get(console.url(ResilienceSnapshot, "change", snapshot.pk))
    assert response.context["has_change_permission"] is False
    assert (
        "70%"
        in console.coordinator.get(console.url(ResilienceSnapshot, "changelist")).content.decode()
    )
