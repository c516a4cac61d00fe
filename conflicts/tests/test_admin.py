"""Coordinator console for conflict alerts: scoping and the queue's filters."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin

from conflicts.models import ConflictAlert
from scheduler_project.admin import ProgramScopedAdmin

pytestmark = pytest.mark.django_db

MODELS = [
    model
    for model, model_admin in admin.site._registry.items()
    if model._meta.app_label == "conflicts" and isinstance(model_admin, ProgramScopedAdmin)
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_it_hides_other_programs_rows_from_a_coordinator(model: Any, console: Any) -> None:
    console.assert_changelist_scoped(model)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_it_shows_every_program_to_a_superuser(model: Any, console: Any) -> None:
    console.assert_superuser_sees_all(model)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_it_offers_only_own_program_choices(model: Any, console: Any) -> None:
    console.assert_choices_scoped(model)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_it_refuses_other_programs_objects_by_url(model: Any, console: Any) -> None:
    console.assert_b_object_refused(model)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_it_renders_changelist_add_and_change_pages(model: Any, console: Any) -> None:
    console.assert_pages_render(model)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_it_lists_rows_in_a_constant_number_of_queries(model: Any, console: Any) -> None:
    console.assert_changelist_queries_constant(model)


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
