"""Coordinator console for conflict alerts: scoping and the queue's filters."""

from __future__ import annotations

from typing import Any

import pytest

from conflicts.models import ConflictAlert

pytestmark = pytest.mark.django_db


def test_it_filters_alerts_by_a_date_range(console: Any) -> None:
    url = console.url(ConflictAlert, "changelist")
    inside = console.coordinator.get(
        url, {"start_date__gte": "2026-11-30", "start_date__lte": "2026-12-02"}
    )
    outside = console.coordinator.get(url, {"start_date__gte": "2027-01-01"})
    assert list(inside.context["cl"].result_list) == [console.world.a[ConflictAlert]]
    assert list(outside.context["cl"].result_list) == []


def test_it_keeps_the_resolution_read_only(console: Any) -> None:
    alert = console.world.a[ConflictAlert]
    response = console.coordinator.get(console.url(ConflictAlert, "change", alert.pk))
    fields = response.context["adminform"].form.fields
    assert "status" in fields
    assert not {"resolution", "resolved_by", "resolved_at"} & set(fields)
