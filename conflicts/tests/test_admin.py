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


def _policy_form(console: Any, **changes: Any) -> Any:
    from conflicts.models import ConflictPolicy

    policy = console.world.a[ConflictPolicy]
    data = {
        "program": policy.program_id,
        "reassign_order": ConflictPolicy.Order.SENIOR_FIRST,
        "splits": "{}",
        **changes,
    }
    return console.coordinator.post(console.url(ConflictPolicy, "change", policy.pk), data)


def test_it_saves_a_programs_conflict_policy(console: Any) -> None:
    from conflicts.models import ConflictPolicy

    response = _policy_form(console, auto_apply_low_risk="on", splits="")
    assert response.status_code == 302
    policy = ConflictPolicy.objects.get(pk=console.world.a[ConflictPolicy].pk)
    assert policy.auto_apply_low_risk and policy.splits == {}
    assert policy.reassign_order == ConflictPolicy.Order.SENIOR_FIRST


def test_it_refuses_a_split_that_is_not_two_of_the_programs_shift_types(console: Any) -> None:
    response = _policy_form(console, splits='{"D": ["D", "D2"]}')
    assert response.status_code == 200
    assert "D2 is not a shift type" in response.content.decode()
    response = _policy_form(console, splits='{"D": ["D", "D"]}')
    assert response.status_code == 200
    assert "must split into two different shift types" in response.content.decode()
    response = _policy_form(console, splits='["D"]')
    assert "Write an object" in response.content.decode()
