"""N-1 / N-2 by re-solving, and the sacrifice order of a re-solve that cannot cover everything."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time
from typing import Any

import pytest

from people.models import ProcedureCredential
from resilience import contingency, services
from resilience import tasks as _tasks  # noqa: F401  (registers the scenario task)
from resilience.models import ContingencyStudy, ResilienceSettings
from resilience.tests.conftest import DAYS, END, START, publish
from rotations.models import SacrificeCategory
from scheduler_project.celery import app as celery_app
from testing.factories import (
    CoverageFactory,
    PersonFactory,
    ProcedureFactory,
    ShiftTypeFactory,
)

ORDER = list(ResilienceSettings().sacrifice_order)


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def outcome_without(program: Any, person: Any) -> dict[str, Any]:
    built = contingency.build(program, START, END)
    return contingency.run_scenario(built, [str(person.code)], order=ORDER, time_limit=10)


def test_removing_the_only_credentialed_person_leaves_a_named_demand_open(program: Any) -> None:
    procedure = ProcedureFactory.create(program=program, name="Central line")
    only, other = PersonFactory.create(program=program), PersonFactory.create(program=program)
    ProcedureCredential.objects.create(
        person=only, procedure=procedure, granted_on=date(2026, 7, 1)
    )
    lines = ShiftTypeFactory(program=program, abbreviation="LINE")
    CoverageFactory(shift_type=lines, procedure=procedure, minimum=1, target=1)
    publish(only, lines)
    result = outcome_without(program, only)
    assert result["outcome"] == "not_coverable"
    assert result["uncovered"] == [
        "Mon 19 Oct LINE: 1 short (patient safety)",
        "Tue 20 Oct LINE: 1 short (patient safety)",
        "Wed 21 Oct LINE: 1 short (patient safety)",
    ]
    assert result["shed"] == ["patient_safety"]
    assert other.pk  # a colleague exists, but without the credential


def test_a_re_solve_covers_a_removal_with_a_stated_number_of_moves(program: Any) -> None:
    first, second = PersonFactory.create(program=program), PersonFactory.create(program=program)
    day = ShiftTypeFactory(program=program, abbreviation="DAY")
    CoverageFactory(shift_type=day, minimum=1, target=1)
    publish(first, day)
    result = outcome_without(program, first)
    assert result["outcome"] == "covered_with_changes"
    assert result["uncovered"] == []
    # The colleague takes the three days: one person, three shifts move; nothing else changes.
    assert (result["moved_people"], result["moved_shifts"]) == (1, 3)
    assert result["names"] == [first.full_name] and second.pk


def test_someone_off_the_schedule_leaves_it_covered_without_a_re_solve(program: Any) -> None:
    first, spare = PersonFactory.create(program=program), PersonFactory.create(program=program)
    day = ShiftTypeFactory(program=program, abbreviation="DAY")
    CoverageFactory(shift_type=day, minimum=1, target=1)
    publish(first, day)
    assert outcome_without(program, spare)["outcome"] == "covered"


def test_optional_education_is_shed_before_core_education(program: Any) -> None:
    """One resident left for two overlapping shifts: the re-solve moves her to core teaching,
    even though she was published on the optional one (a move costs far less than a shortfall)."""
    stays, leaves = PersonFactory.create(program=program), PersonFactory.create(program=program)
    core = ShiftTypeFactory(program=program, abbreviation="CORE", start_time=time(8))
    optional = ShiftTypeFactory(program=program, abbreviation="OPT", start_time=time(8))
    CoverageFactory(
        shift_type=core, minimum=1, target=1, sacrifice_category=SacrificeCategory.CORE_EDUCATION
    )
    CoverageFactory(
        shift_type=optional,
        minimum=1,
        target=1,
        sacrifice_category=SacrificeCategory.OPTIONAL_EDUCATION,
    )
    publish(stays, optional)
    publish(leaves, core)
    result = outcome_without(program, leaves)
    assert result["outcome"] == "not_coverable"
    assert result["shed"] == ["optional_education"]
    assert all(" OPT: " in line for line in result["uncovered"])
    assert len(result["uncovered"]) == DAYS


def test_a_study_fans_out_one_task_per_scenario_and_closes_itself(
    program: Any, eager_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    people = [PersonFactory.create(program=program) for _ in range(3)]
    day = ShiftTypeFactory(program=program, abbreviation="DAY")
    CoverageFactory(shift_type=day, minimum=1, target=1)
    publish(people[0], day)
    with django_capture_on_commit_callbacks(execute=True):
        study = services.study_create(program=program, start=START, end=END, time_limit=5)
    study.refresh_from_db()
    # Three singles, then the pairs among the people on the schedule (only one is).
    assert study.total == 3 and study.done == 3
    assert study.status == ContingencyStudy.Status.DONE
    outcomes = {tuple(r["removed"]): r["outcome"] for r in study.results.values()}
    assert outcomes[(str(people[0].code),)] == "covered_with_changes"
    assert outcomes[(str(people[1].code),)] == "covered"


@pytest.mark.django_db(transaction=True)  # the fallbacks' runs write progress from a thread
def test_a_new_program_gets_its_first_study_without_waiting_for_the_night(
    program: Any, eager_tasks: None
) -> None:
    assert services.resilience_prime(program=program) is None  # nothing published to test
    assert not ContingencyStudy.objects.exists()
    people = [PersonFactory.create(program=program) for _ in range(2)]
    day = ShiftTypeFactory(program=program, abbreviation="DAY")
    CoverageFactory(shift_type=day, minimum=1, target=1)
    publish(people[0], day)
    study = services.resilience_prime(program=program)  # committed: the tasks ran eagerly
    assert study is not None
    study.refresh_from_db()
    assert study.status == ContingencyStudy.Status.DONE and study.done == study.total == 2
    # The coming four weeks hold three scheduled days: the study covers those, not the rest.
    assert services.coming_period()[1] > END
    assert (study.start_date, study.end_date) == (START, END)
