"""Issue 13 through the services: history across periods, overrides that only tighten, the
publish and manual-edit gates, recorded call-back time."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from lib.errors import ApplicationError
from people.models import Program
from rotations.models import ShiftType
from scheduling import edit_services, services
from scheduling.models import Assignment, ScheduleRun, State
from scheduling.tests.builders import START, SmallProgram, small_program
from testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> SmallProgram:
    return small_program()


def _published(world: SmallProgram, offsets: range, shift: ShiftType | None = None) -> None:
    for offset in offsets:
        f.AssignmentFactory.create(
            person=world.residents[0],
            shift_type=shift or world.shift,
            date=START + timedelta(days=offset),
            state=State.PUBLISHED,
        )


def _rules(rows: list[dict[str, Any]]) -> set[str]:
    return {row["rule"] for row in rows}


def test_it_checks_one_day_in_seven_across_1_july(world: SmallProgram) -> None:
    # 14 straight ward days in June (last academic year), 14 more from 1 July.
    _published(world, range(-14, 14))
    rows = services.schedule_validate(
        program=world.program, start=START, end=START + timedelta(days=13)
    )
    assert "acgme.free_days" in _rules(rows)


def test_it_keeps_the_same_period_clean_without_the_june_block(world: SmallProgram) -> None:
    _published(world, range(0, 14))
    rows = services.schedule_validate(
        program=world.program, start=START, end=START + timedelta(days=13)
    )
    assert "acgme.free_days" not in _rules(rows)


@pytest.mark.parametrize(
    ("overrides", "accepted"),
    [
        ({"max_weekly_hours": 72}, True),
        ({"max_weekly_hours": 100}, False),
        ({"min_free_days_per_window": 0}, False),
        ({"pgy1_may_moonlight": True}, False),
        ({"rest_after_long_period_hours": 16}, True),
    ],
)
def test_it_accepts_only_overrides_that_tighten(overrides: dict[str, Any], accepted: bool) -> None:
    program = Program(name="Strict", rule_overrides=overrides)
    if accepted:
        program.full_clean()
    else:
        with pytest.raises(ValidationError):
            program.full_clean()


def test_it_refuses_a_looser_override_in_the_database(world: SmallProgram) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Program.objects.filter(pk=world.program.pk).update(rule_overrides={"max_weekly_hours": 100})


def _run_with_violations(world: SmallProgram) -> ScheduleRun:
    return f.ScheduleRunFactory.create(
        program=world.program,
        start_date=START,
        end_date=START,
        status=ScheduleRun.Status.WITH_VIOLATIONS,
        violations=[{"rule": "acgme.continuous_duty", "severity": "critical"}],
    )


def test_it_refuses_to_publish_hard_violations_without_a_reason(world: SmallProgram) -> None:
    run = _run_with_violations(world)
    with pytest.raises(ApplicationError, match="override reason"):
        services.schedule_run_publish(run=run, actor=None)
    run.refresh_from_db()
    assert run.published_at is None


def test_it_publishes_hard_violations_with_a_written_reason(world: SmallProgram) -> None:
    run = _run_with_violations(world)
    services.schedule_run_publish(run=run, actor=None, override_reason="Locum covers nights")
    run.refresh_from_db()
    assert run.published_at is not None and run.override_reason == "Locum covers nights"


def _night(world: SmallProgram) -> ShiftType:
    # Overlaps the ward day and no coverage requirement asks for it: a hard violation.
    return f.ShiftTypeFactory.create(
        program=world.program, abbreviation="NT", start_time=time(18), duration_minutes=720
    )


def test_it_refuses_a_manual_edit_that_breaks_a_hard_rule(world: SmallProgram) -> None:
    with pytest.raises(ApplicationError, match="override reason"):
        edit_services.assignment_add(
            person=world.residents[0], day=START, shift_type=_night(world), actor=None
        )
    assert not Assignment.objects.exists()


def test_it_saves_a_manual_edit_with_an_override_reason(world: SmallProgram) -> None:
    row = edit_services.assignment_add(
        person=world.residents[0],
        day=START,
        shift_type=_night(world),
        actor=None,
        override_reason="Short-notice swap",
    )
    assert row.override_reason == "Short-notice swap"


def test_it_records_call_back_time_on_at_home_call(world: SmallProgram) -> None:
    pager = f.ShiftTypeFactory.create(
        program=world.program,
        abbreviation="HC",
        start_time=time(17),
        duration_minutes=14 * 60,
        category=ShiftType.Category.AT_HOME_CALL,
        counts_toward_duty=False,
    )
    row = f.AssignmentFactory.create(
        person=world.residents[0], shift_type=pager, date=START, state=State.PUBLISHED
    )
    services.assignment_callback_record(assignment=row, minutes=150, actor=None)
    row.refresh_from_db()
    assert row.callback_minutes == 150


def test_it_records_call_back_time_only_on_at_home_call(world: SmallProgram) -> None:
    row = f.AssignmentFactory.create(
        person=world.residents[0], shift_type=world.shift, date=START, state=State.PUBLISHED
    )
    with pytest.raises(ApplicationError):
        services.assignment_callback_record(assignment=row, minutes=60, actor=None)


def test_it_audits_the_override_reason(world: SmallProgram) -> None:
    from auditlog.models import LogEntry

    run = _run_with_violations(world)
    services.schedule_run_publish(run=run, actor=None, override_reason="Locum covers nights")
    entry = LogEntry.objects.get_for_object(run).order_by("-timestamp").first()
    assert entry is not None and "Locum covers nights" in str(entry.changes)


def test_it_keeps_the_history_of_a_shift_type_no_longer_offered(world: SmallProgram) -> None:
    from scheduling import problem as problems

    retired = f.ShiftTypeFactory.create(program=world.program, abbreviation="OLD", active=False)
    _published(world, range(-14, -7), retired)
    built = problems.build_problem(world.program, START, START + timedelta(days=13))
    history = built.problem.history
    assert history is not None
    assert "OLD" in built.shift_types  # known to the validator, offered by no demand
    assert {(a.day, a.shift) for a in history.assignments} == {(d, "OLD") for d in range(-14, -7)}
    assert history.known_from == -14  # the record starts inside the 28 days a window reaches
