"""Every program-scoped console model, whatever its app: a coordinator sees, chooses and
reaches only their own program's rows; a superuser sees all; pages render in constant queries.

The checks themselves live in the shared cast (``ConsoleChecks`` in the root conftest.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin

from console.admin import ProgramScopedAdmin

pytestmark = pytest.mark.django_db

MODELS = sorted(
    (
        model
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, ProgramScopedAdmin)
    ),
    key=lambda model: model._meta.label,
)


def test_it_covers_every_domain_app() -> None:
    apps = {model._meta.app_label for model in MODELS}
    assert {"people", "rotations", "scheduling", "swaps", "conflicts", "resilience"} <= apps


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_it_hides_other_programs_rows_from_a_coordinator(model: Any, console: Any) -> None:
    console.assert_changelist_scoped(model)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_it_shows_every_program_to_a_superuser(model: Any, console: Any) -> None:
    console.assert_superuser_sees_all(model)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_it_offers_only_own_program_choices(model: Any, console: Any) -> None:
    console.assert_choices_scoped(model)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_it_refuses_other_programs_objects_by_url(model: Any, console: Any) -> None:
    console.assert_b_object_refused(model)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_it_renders_changelist_add_and_change_pages(model: Any, console: Any) -> None:
    console.assert_pages_render(model)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_it_lists_rows_in_a_constant_number_of_queries(model: Any, console: Any) -> None:
    console.assert_changelist_queries_constant(model)
