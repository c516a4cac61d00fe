"""resilience 0003 gives the fallbacks already computed a public code each."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("resilience", "0002_settings_contingency_fallback")


def _migrate(before: bool = False) -> Any:
    """Every app at its newest migration, resilience just before 0003 when ``before``; returns
    the models as they are then."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = [
        BEFORE if before and app == BEFORE[0] else (app, name)
        for app, name in executor.loader.graph.leaf_nodes()
    ]
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before_codes() -> Any:
    apps = _migrate(before=True)
    yield apps
    _migrate()  # leave the schema as the other tests expect it


@pytest.mark.django_db(transaction=True)
def test_it_gives_existing_fallbacks_distinct_codes(before_codes: Any) -> None:
    program = before_codes.get_model("people", "Program").objects.create(name="Old Program")
    Fallback = before_codes.get_model("resilience", "Fallback")
    for scenario in ("lose_one_faculty", "holiday_skeleton"):
        Fallback.objects.create(
            program=program,
            scenario=scenario,
            start_date=date(2026, 10, 19),
            end_date=date(2026, 10, 21),
            baseline_signature="x",
        )

    _migrate()

    from resilience.models import Fallback as Current

    codes = list(Current.objects.values_list("code", flat=True))
    assert len(codes) == 2 and None not in codes and len(set(codes)) == 2
