"""Fallbacks: a real schedule computed by re-solving, published and restored through publish."""

from __future__ import annotations

from typing import Any

import pytest

from lib.errors import ApplicationError
from resilience.fallbacks import fallback_activate, fallback_compute, fallback_deactivate
from resilience.models import Fallback
from resilience.tests.conftest import END, START, publish
from scheduling.models import Assignment, ScheduleRun, State
from scheduling.runs import finish
from testing.factories import CoverageFactory, PersonFactory, ShiftTypeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def on_schedule(program: Any) -> set[str]:
    rows = Assignment.objects.filter(person__program=program, state=State.PUBLISHED)
    return {str(row.person.code) for row in rows}


@pytest.fixture
def two_residents(program: Any) -> tuple[Any, Any]:
    busy, spare = PersonFactory.create(program=program), PersonFactory.create(program=program)
    day = ShiftTypeFactory.create(program=program, abbreviation="DAY")
    CoverageFactory.create(shift_type=day, minimum=1, target=1)
    publish(busy, day)
    return busy, spare


def compute(program: Any) -> Fallback:
    return fallback_compute(
        program=program,
        scenario=Fallback.Scenario.LOSE_30PCT_RESIDENTS,
        start=START,
        end=END,
        time_limit=10,
    )


def test_a_fallback_publishes_and_restores(
    program: Any, two_residents: Any, coordinator_a: Any
) -> None:
    busy, spare = two_residents
    fallback = compute(program)
    # 30 % of two residents, rounded up: the one carrying the schedule is away.
    assert fallback.removed == [busy.full_name]
    assert fallback.summary["diff"]["added"] == 3 and fallback.summary["open"] == []
    assert on_schedule(program) == {str(busy.code)}  # still a draft

    fallback_activate(fallback=fallback, actor=coordinator_a)
    assert on_schedule(program) == {str(spare.code)}
    assert fallback.is_active and fallback.run is not None
    assert fallback.run.published_by == coordinator_a

    fallback_deactivate(fallback=fallback, actor=coordinator_a)
    assert on_schedule(program) == {str(busy.code)}
    assert Assignment.objects.filter(person=busy, state=State.PUBLISHED).count() == 3
    assert not fallback.is_active


def test_a_stale_fallback_asks_for_confirmation_with_the_diff(
    program: Any,
    two_residents: Any,
    coordinator_a: Any,
) -> None:
    fallback = compute(program)
    Assignment.objects.filter(state=State.PUBLISHED, date=START).delete()  # the schedule moved
    with pytest.raises(ApplicationError) as refused:
        fallback_activate(fallback=fallback, actor=coordinator_a)
    assert refused.value.details["confirm_required"] is True
    assert refused.value.details["diff"]["stale"] is True
    assert refused.value.details["diff"]["added"] == 3
    fallback_activate(fallback=fallback, actor=coordinator_a, confirm=True)
    assert on_schedule(program) == {str(two_residents[1].code)}


@pytest.fixture
def faculty_pair(program: Any) -> tuple[Any, Any]:
    """Two faculty: one attends every day of the period, the other is free; one resident."""
    busy, spare = (PersonFactory.create(program=program, kind="faculty") for _ in range(2))
    attending = ShiftTypeFactory.create(program=program, abbreviation="ATT")
    CoverageFactory.create(shift_type=attending, minimum=1, target=1, person_kind="faculty")
    publish(busy, attending)
    ward = ShiftTypeFactory.create(program=program, abbreviation="WD")
    CoverageFactory.create(shift_type=ward, minimum=1, target=1)
    publish(PersonFactory.create(program=program), ward)
    return busy, spare


def test_losing_the_busiest_faculty_member_takes_their_shifts_to_another(
    program: Any, faculty_pair: Any
) -> None:
    busy = faculty_pair[0]
    fallback = fallback_compute(
        program=program,
        scenario=Fallback.Scenario.LOSE_ONE_FACULTY,
        start=START,
        end=END,
        time_limit=10,
    )
    assert fallback.removed == [busy.full_name]
    assert (fallback.summary["diff"]["added"], fallback.summary["diff"]["removed"]) == (3, 3)


def test_a_scenario_with_nobody_to_take_away_says_so_and_solves_nothing(
    program: Any, two_residents: Any
) -> None:
    PersonFactory.create(program=program, kind="faculty")  # on no shift of the period
    fallback = fallback_compute(
        program=program, scenario=Fallback.Scenario.LOSE_ONE_FACULTY, start=START, end=END
    )
    assert fallback.run is None and fallback.removed == []
    assert fallback.outcome == (
        "No faculty member has a shift in the scheduled days (19 Oct–21 Oct): nobody to take "
        "away, nothing to fall back to."
    )
    with pytest.raises(ApplicationError, match="no draft"):
        fallback_activate(fallback=fallback, actor=None)


def test_a_fallback_whose_re_solve_failed_says_why(
    program: Any, faculty_pair: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails(*, run_id: int) -> None:
        run = ScheduleRun.objects.get(pk=run_id)
        finish(run, ScheduleRun.Status.FAILED, error="no schedule found in 30 s")

    monkeypatch.setattr("resilience.fallbacks.schedule.schedule_run_execute", fails)
    fallback = fallback_compute(
        program=program, scenario=Fallback.Scenario.LOSE_ONE_FACULTY, start=START, end=END
    )
    assert fallback.outcome == (
        "No fallback schedule: the re-solve failed (no schedule found in 30 s)."
    )
