"""AcademicYear moved from rotations to people (people 0003, rotations 0003) without moving its
table: a database at the earlier state keeps its years, blocks, overrides and audit history."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("people", "0002_initial"), ("rotations", "0002_block_no_overlap")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # The models as they were at ``targets``, with contenttypes and auditlog beside them.
    others = [
        *executor.loader.graph.leaf_nodes("contenttypes"),
        *executor.loader.graph.leaf_nodes("auditlog"),
    ]
    return executor.loader.project_state([*targets, *others]).apps


def _latest() -> list[tuple[str, str]]:
    """Every app at its newest migration (the models the code has now)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return list(executor.loader.graph.leaf_nodes())


@pytest.fixture
def at_earlier_state() -> Any:
    apps = _migrate(BEFORE)
    yield apps
    _migrate(_latest())  # leave the schema as the other tests expect it


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_rows_and_their_history(at_earlier_state: Any) -> None:
    old = at_earlier_state
    ContentType = old.get_model("contenttypes", "ContentType")
    LogEntry = old.get_model("auditlog", "LogEntry")
    ContentType.objects.filter(model="academicyear").delete()
    year_type = ContentType.objects.create(app_label="rotations", model="academicyear")
    program = old.get_model("people", "Program").objects.create(name="Old Program")
    year = old.get_model("rotations", "AcademicYear").objects.create(
        program=program, name="2026–2027", start_date=date(2026, 7, 1), end_date=date(2027, 6, 30)
    )
    old.get_model("rotations", "Block").objects.create(
        academic_year=year, number=1, start_date=date(2026, 7, 1), end_date=date(2026, 7, 28)
    )
    old.get_model("people", "Person").objects.create(
        program=program,
        kind="resident",
        first_name="Repeat",
        last_name="Year",
        training_start=date(2025, 7, 1),
        pgy_override=1,
        pgy_override_year=year,
    )
    LogEntry.objects.create(
        content_type=year_type,
        object_pk=str(year.pk),
        object_id=year.pk,
        object_repr="2026–2027",
        action=0,
    )

    new = _migrate(_latest())  # through the move, and whatever came after it

    from auditlog.models import LogEntry as CurrentLogEntry
    from django.contrib.contenttypes.models import ContentType as CurrentContentType

    from people.models import AcademicYear, Person
    from rotations.models import Block

    CurrentContentType.objects.clear_cache()
    moved = AcademicYear.objects.get(pk=year.pk)
    assert moved.name == "2026–2027"
    assert Block.objects.get(academic_year=moved).number == 1
    person = Person.objects.get(last_name="Year")
    assert person.pgy_override_year == moved
    assert person.pgy_in(moved) == 1
    assert [entry.object_pk for entry in CurrentLogEntry.objects.get_for_object(moved)] == [
        str(year.pk)
    ]
    assert not CurrentContentType.objects.filter(app_label="rotations", model="academicyear")
    assert new.get_model("people", "AcademicYear")._meta.db_table == "rotations_academicyear"
    # The named constraints and the blocks' non-overlap rule still hold on the same table.
    with pytest.raises(IntegrityError), transaction.atomic():
        Block.objects.create(
            academic_year=moved, number=2, start_date=date(2026, 7, 20), end_date=date(2026, 8, 1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        AcademicYear.objects.create(
            program=moved.program,
            name="again",
            start_date=moved.start_date,
            end_date=moved.end_date,
        )
