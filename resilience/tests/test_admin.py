"""Coordinator console for resilience snapshots: scoped and read-only."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin

from resilience.models import ResilienceSnapshot
from scheduler_project.admin import ProgramScopedAdmin

pytestmark = pytest.mark.django_db

MODELS = [
    model
    for model, model_admin in admin.site._registry.items()
    if model._meta.app_label == "resilience" and isinstance(model_admin, ProgramScopedAdmin)
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


def test_it_shows_snapshots_read_only(console: Any) -> None:
    snapshot = console.world.a[ResilienceSnapshot]
    assert console.coordinator.get(console.url(ResilienceSnapshot, "add")).status_code == 403
    response = console.coordinator.get(console.url(ResilienceSnapshot, "change", snapshot.pk))
    assert response.context["has_change_permission"] is False
    assert (
        "70%"
        in console.coordinator.get(console.url(ResilienceSnapshot, "changelist")).content.decode()
    )
