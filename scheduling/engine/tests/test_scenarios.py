"""The residency scenario generator: consistent, reproducible, realistic in its shape."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from scheduling.engine.checks import check_problem
from scheduling.engine.model import PersonKind, ShiftCategory
from scheduling.engine.scenarios import SIZES, scenario, validator_load
from scheduling.engine.validator import validate


@pytest.mark.parametrize("name", sorted(SIZES))
def test_it_generates_consistent_data(name):
    assert check_problem(scenario(name)) == []


@pytest.mark.parametrize(("name", "residents", "faculty", "days"), [
    (name, *size) for name, size in sorted(SIZES.items())
])  # fmt: skip
def test_it_sizes_the_program(name, residents, faculty, days):
    problem = scenario(name)
    kinds = Counter(p.kind for p in problem.people)
    assert (kinds[PersonKind.RESIDENT], kinds[PersonKind.FACULTY]) == (residents, faculty)
    assert problem.horizon.days == days
    assert {p.pgy for p in problem.people if p.kind == PersonKind.RESIDENT} == {1, 2, 3}


def test_it_is_reproducible_per_seed():
    assert scenario("S", seed=4) == scenario("S", seed=4)
    assert scenario("S", seed=4) != scenario("S", seed=5)


def test_it_rejects_unknown_names():
    with pytest.raises(KeyError, match="known: S, M, L, L13, Y"):
        scenario("XL")


def test_it_crosses_both_dst_changes_in_the_year():
    horizon = scenario("Y").horizon
    end = horizon.date_of(horizon.days - 1)
    assert horizon.start <= date(2026, 11, 1) <= end
    assert horizon.start <= date(2027, 3, 14) <= end
    assert horizon.timezone == "America/New_York"


@pytest.mark.parametrize("name", sorted(SIZES))
def test_it_asks_no_call_longer_than_24_real_hours(name):
    # The night the clocks go back (1 November 2026 in L13 and Y) a 07:00-07:00 call lasts 25
    # real hours, which no resident may work: night float covers that night instead.
    problem = scenario(name)
    for demand in problem.demands:
        if demand.shift == "call" and demand.minimum > 0:
            start, end = problem.interval(demand.day, "call")
            assert end - start <= timedelta(hours=24), demand


def test_it_supervises_clinic_with_faculty_precepting():
    problem = scenario("S")
    clinic = [d for d in problem.demands if d.shift.startswith("clinic")]
    assert clinic and all(d.supervisor_shift == f"precept_{d.shift[-2:]}" for d in clinic)


def test_it_has_the_residency_building_blocks():
    problem = scenario("S")
    categories = {problem.shift_by_id[d.shift].category for d in problem.demands}
    assert {
        ShiftCategory.DAY,
        ShiftCategory.IN_HOUSE_CALL,
        ShiftCategory.TRANSITION,
        ShiftCategory.NIGHT_FLOAT,
        ShiftCategory.CLINIC_HALF_DAY,
        ShiftCategory.ATTENDING,
    } <= categories
    assert problem.unavailable and problem.requests and problem.fairness
    assert problem.acgme is not None


def test_it_builds_a_dense_year_for_timing_the_validator():
    problem, assignments = validator_load(residents=6, days=70)
    assert len(assignments) >= 6 * 70 * 2 * 5 // 7
    # The 24 h Saturday call that spans the fall DST change lasts 25 real hours: the one
    # violation such a year has (and none in this 70-day summer slice).
    assert validate(problem, assignments).is_valid
