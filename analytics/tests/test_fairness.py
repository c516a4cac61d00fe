"""The fairness report: its numbers equal a direct count over the published assignments."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db.models import Sum

from analytics.measures import gini, jain
from analytics.selectors import heatmaps
from analytics.selectors.fairness import FACULTY_GROUP, fairness_report, own_view
from analytics.tests.conftest import YEAR_START, Cast, published, random_schedule
from rotations.models import Holiday, ShiftType
from testing.factories import AssignmentFactory

C = ShiftType.Category
END = date(2026, 8, 31)


def _direct(cast: Cast, person_pk: int, start: date, end: date) -> dict[str, float]:
    rows = published(cast).filter(person_id=person_pk, date__range=(start, end))
    calls = rows.filter(shift_type__category__in=[C.IN_HOUSE_CALL, C.AT_HOME_CALL])
    duty = rows.filter(shift_type__counts_toward_duty=True).exclude(
        shift_type__category=C.AT_HOME_CALL
    )
    minutes = sum(int((a.ends_at - a.starts_at).total_seconds() // 60) for a in duty)
    callback = rows.filter(shift_type__category=C.AT_HOME_CALL).aggregate(
        m=Sum("callback_minutes")
    )["m"]
    return {
        "hours": (minutes + (callback or 0)) / 60,
        "calls": calls.count(),
        "weekend_calls": calls.filter(date__week_day__in=[1, 7]).count(),  # Sunday 1, Saturday 7
        "nights": rows.filter(shift_type__category=C.NIGHT_FLOAT).count(),
        "holidays": rows.filter(
            date__in=Holiday.objects.filter(program=cast.program).values("date")
        ).count(),
    }


@pytest.mark.parametrize("seed", [1, 2])
def test_it_counts_what_a_direct_count_over_assignments_counts(cast: Cast, seed: int) -> None:
    random_schedule(cast, seed=seed)
    report = fairness_report(cast.program, cast.year, YEAR_START, END)
    assert len(report.lines) == len(cast.people)
    for person in cast.people:
        line = report.line_for(person.pk)
        assert line is not None
        direct = _direct(cast, person.pk, YEAR_START, END)
        assert {k: line.values[k] for k in direct} == pytest.approx(direct), person
        weights = report.weights
        assert line.values["points"] == pytest.approx(sum(weights[k] * direct[k] for k in direct))


def test_it_counts_a_block_alone(cast: Cast) -> None:
    random_schedule(cast, seed=3)
    block = cast.year.blocks.get(number=2)
    report = fairness_report(cast.program, cast.year, block.start_date, block.end_date)
    for person in cast.people:
        direct = _direct(cast, person.pk, block.start_date, block.end_date)
        line = report.line_for(person.pk)
        assert line is not None and line.values["calls"] == direct["calls"]


def test_it_counts_hand_made_cases(cast: Cast) -> None:
    pgy1, other, pgy2, *_ = cast.people
    saturday = date(2026, 7, 4)
    AssignmentFactory(person=pgy1, shift_type=cast.shifts["call"], date=saturday)
    AssignmentFactory(person=pgy1, shift_type=cast.shifts["night"], date=date(2026, 7, 3))
    AssignmentFactory(
        person=pgy1, shift_type=cast.shifts["home"], date=date(2026, 7, 6), callback_minutes=90
    )
    AssignmentFactory(person=pgy1, shift_type=cast.shifts["clinic"], date=date(2026, 7, 7))
    report = fairness_report(cast.program, cast.year, YEAR_START, END)
    line = report.line_for(pgy1.pk)
    assert line is not None
    # 24 h call + 12 h night + 1.5 h call-back; the clinic does not count toward duty.
    assert line.values["hours"] == 37.5
    assert (line.values["calls"], line.values["weekend_calls"]) == (2, 1)
    assert (line.values["nights"], line.values["holidays"]) == (1, 1)  # 3 July is a holiday
    # default weights: hours 0.1, calls 2, weekend calls 3, nights 2, holidays 4
    assert line.values["points"] == pytest.approx(3.75 + 4 + 3 + 2 + 4)
    group = report.group("PGY-1")
    assert group is not None and group.size == 2
    assert group.spreads["calls"].gini == pytest.approx(gini([2, 0]))
    assert group.spreads["calls"].jain == pytest.approx(jain([2, 0]))
    assert line.deviation["calls"] == 1.0  # 2 against the PGY-1 mean of 1
    assert report.line_for(other.pk).values["calls"] == 0  # type: ignore[union-attr]
    assert report.line_for(pgy2.pk).group == "PGY-2"  # type: ignore[union-attr]


def test_it_weighs_points_by_the_programs_setting(cast: Cast) -> None:
    cast.program.workload_weights = {"calls": 10, "hours": 0}
    cast.program.save(update_fields=["workload_weights"])
    AssignmentFactory(person=cast.people[0], shift_type=cast.shifts["call"], date=YEAR_START)
    report = fairness_report(cast.program, cast.year, YEAR_START, END)
    assert report.line_for(cast.people[0].pk).values["points"] == 10  # type: ignore[union-attr]


def test_it_leaves_out_drafts_and_days_outside_the_period(cast: Cast) -> None:
    person = cast.people[0]
    AssignmentFactory(
        person=person, shift_type=cast.shifts["call"], date=YEAR_START, state="draft", run=cast.run
    )
    AssignmentFactory(person=person, shift_type=cast.shifts["call"], date=END + timedelta(days=1))
    report = fairness_report(cast.program, cast.year, YEAR_START, END)
    assert report.line_for(person.pk).values["calls"] == 0  # type: ignore[union-attr]


def test_it_shows_one_person_their_line_and_only_values_of_their_peers(cast: Cast) -> None:
    random_schedule(cast, seed=4)
    report = fairness_report(cast.program, cast.year, YEAR_START, END)
    faculty = cast.people[-1]
    mine = own_view(report, faculty.pk)
    assert mine.line is not None and mine.line.group == FACULTY_GROUP
    assert mine.peers["calls"] == [mine.line.values["calls"]]  # the only faculty member
    pgy2 = own_view(report, cast.people[2].pk)
    assert len(pgy2.peers["calls"]) == 2  # the two PGY-2 residents, as values only
    assert all(isinstance(v, float) for v in pgy2.peers["calls"])


def test_it_sums_the_same_hours_in_the_workload_heatmap(cast: Cast) -> None:
    random_schedule(cast, seed=9)
    report = fairness_report(cast.program, cast.year, YEAR_START, END)
    weekly = heatmaps.workload(cast.program, YEAR_START, END)
    shifts = heatmaps.workload(cast.program, YEAR_START, END, unit=heatmaps.SHIFTS)
    for (code, _, values), (_, _, counts) in zip(weekly.rows, shifts.rows, strict=True):
        line = next(line for line in report.lines if line.code == code)
        assert sum(values) == pytest.approx(line.values["hours"], abs=0.5)
        direct = published(cast).filter(person__code=code, date__range=(YEAR_START, END))
        assert sum(counts) == direct.count()
