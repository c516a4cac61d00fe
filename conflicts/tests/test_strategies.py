"""Each strategy finds a candidate the validator accepts, or honestly none; applying one."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest

from conflicts import strategies
from conflicts.models import BackupDuty, ConflictAlert, ConflictPolicy
from conflicts.services import (
    conflict_apply,
    conflict_candidates,
    conflict_dismiss,
    conflicts_detect,
)
from conflicts.tests.cast import MONDAY, SUNDAY, Cast
from lib.errors import ApplicationError
from people.models import Absence, Person
from rotations.models import CoverageRequirement, ShiftType
from scheduling.models import Assignment, State
from scheduling.services import schedule_validate
from swaps.tests.cast import shift_row

pytestmark = pytest.mark.django_db


def away(person: Person, first: Any, last: Any = None) -> Absence:
    return Absence.objects.create(
        person=person,
        kind=Absence.Kind.SICK,
        start_date=first,
        end_date=last or first,
        status=Absence.Status.APPROVED,
    )


def monday_alert(cast: Cast) -> ConflictAlert:
    away(cast.rey, MONDAY)
    conflicts_detect(program=cast.program, start=MONDAY, end=SUNDAY)
    return ConflictAlert.objects.get(kind=ConflictAlert.Kind.ABSENCE, status="open")


def offered(alert: ConflictAlert, strategy: str) -> list[dict[str, Any]]:
    return [c for c in conflict_candidates(alert=alert, refresh=True) if c["strategy"] == strategy]


def accepted(alert: ConflictAlert, candidate: dict[str, Any]) -> bool:
    return strategies.still_compliant(alert, candidate)


def test_reassign_gives_the_shift_to_a_free_peer_juniors_first(cast: Cast) -> None:
    alert = monday_alert(cast)
    found = offered(alert, "reassign")
    assert [c["changes"][0]["person"] for c in found] == [cast.tia.pk, cast.sam.pk]
    assert all(accepted(alert, c) for c in found)
    ConflictPolicy.objects.create(program=cast.program, reassign_order="senior_first")
    assert offered(alert, "reassign")[0]["changes"][0]["person"] == cast.sam.pk


def test_reassign_finds_none_when_every_peer_is_away(cast: Cast) -> None:
    alert = monday_alert(cast)
    away(cast.sam, MONDAY)
    away(cast.tia, MONDAY)
    assert offered(alert, "reassign") == []


def test_backup_draws_on_the_days_pool(cast: Cast) -> None:
    alert = monday_alert(cast)
    assert offered(alert, "backup") == []  # nobody on backup that day
    BackupDuty.objects.create(person=cast.sam, date=MONDAY)
    [candidate] = offered(alert, "backup")
    assert candidate["changes"][0]["person"] == cast.sam.pk and accepted(alert, candidate)


def test_swap_exchanges_with_a_peer(cast: Cast) -> None:
    alert = monday_alert(cast)
    found = offered(alert, "swap")
    assert found and all(len(c["changes"]) == 2 for c in found)
    assert all(accepted(alert, c) for c in found)
    give, back = found[0]["changes"]
    assert give["from"] == back["person"] == cast.rey.pk


def test_swap_finds_none_when_the_owner_is_away_all_around(cast: Cast) -> None:
    away(cast.rey, MONDAY - timedelta(days=14), SUNDAY + timedelta(days=14))
    conflicts_detect(program=cast.program, start=MONDAY, end=MONDAY)
    alert = ConflictAlert.objects.get(kind=ConflictAlert.Kind.ABSENCE, start_date=MONDAY)
    assert offered(alert, "swap") == []


def split_parts(cast: Cast) -> None:
    for abbr, hour in (("AM", 7), ("PM", 13)):
        part = shift_row(cast.program, abbr, ShiftType.Category.DAY, 6)
        part.start_time = time(hour)
        part.save()
        CoverageRequirement.objects.create(
            shift_type=part, rotation=cast.rotation, minimum=0, target=0
        )


def test_split_gives_the_two_parts_to_two_people(cast: Cast) -> None:
    split_parts(cast)
    ConflictPolicy.objects.create(program=cast.program, splits={"WD": ["AM", "PM"]})
    alert = monday_alert(cast)
    found = offered(alert, "split")
    assert found and all(accepted(alert, c) for c in found)
    ops = [c["op"] for c in found[0]["changes"]]
    assert ops == ["remove", "add", "add"]


def test_split_finds_none_where_the_shift_type_may_not_be_split(cast: Cast) -> None:
    split_parts(cast)
    alert = monday_alert(cast)
    assert offered(alert, "split") == []


def test_resolve_fills_the_hole_with_everything_else_fixed(cast: Cast) -> None:
    alert = monday_alert(cast)
    [candidate] = offered(alert, "resolve")
    assert accepted(alert, candidate)
    removed = [c for c in candidate["changes"] if c["op"] == "remove"]
    assert [c["assignment"] for c in removed] == [cast.rows["wd0"].pk]


def test_resolve_takes_the_greedy_schedule_when_cpsat_finds_none(
    cast: Cast, monkeypatch: Any
) -> None:
    from scheduling.engine import model as m

    alert = monday_alert(cast)
    solver = strategies.get_solver

    def out_of_time(problem: Any, **options: Any) -> m.Solution:
        return m.Solution((), m.SolveStatus.UNKNOWN, "cpsat")

    monkeypatch.setattr(
        strategies, "get_solver", lambda name: out_of_time if name == "cpsat" else solver(name)
    )
    [candidate] = offered(alert, "resolve")
    assert accepted(alert, candidate)
    assert [c["op"] for c in candidate["changes"]][:1] == ["remove"]


def test_resolve_finds_none_when_nobody_can_take_it(cast: Cast) -> None:
    alert = monday_alert(cast)
    away(cast.sam, MONDAY)
    away(cast.tia, MONDAY)
    assert offered(alert, "resolve") == []


def test_applying_the_top_candidate_resolves_the_alert(cast: Cast) -> None:
    alert = monday_alert(cast)
    top = conflict_candidates(alert=alert)[0]
    alert.refresh_from_db()
    conflict_apply(alert=alert, candidate_id=top["id"], actor=cast.coordinator)
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.resolved_by == cast.coordinator
    hard = [
        v
        for v in schedule_validate(program=cast.program, start=MONDAY, end=SUNDAY)
        if v["severity"] in ("critical", "high")
    ]
    assert hard == []


def test_a_stale_candidate_is_refused_and_recomputed(cast: Cast) -> None:
    alert = monday_alert(cast)
    top = conflict_candidates(alert=alert)[0]
    alert.refresh_from_db()
    Assignment.objects.filter(pk=cast.rows["wd1"].pk).update(person=cast.rey)  # a change nearby
    with pytest.raises(ApplicationError, match="changed since"):
        conflict_apply(alert=alert, candidate_id=top["id"], actor=cast.coordinator)
    alert.refresh_from_db()
    assert alert.status == "open" and alert.candidates_stamp == strategies.stamp(alert)
    assert Assignment.objects.filter(pk=cast.rows["wd0"].pk, person=cast.rey).exists()
    assert State.PUBLISHED


def test_dismissing_needs_a_reason(cast: Cast) -> None:
    alert = monday_alert(cast)
    with pytest.raises(ApplicationError, match="reason"):
        conflict_dismiss(alert=alert, reason="  ", actor=cast.coordinator)
    conflict_dismiss(alert=alert, reason="Covered by a locum", actor=cast.coordinator)
    alert.refresh_from_db()
    assert alert.status == "dismissed" and alert.resolution == {"dismissed": "Covered by a locum"}


def test_the_strategies_judge_on_one_shared_window(cast: Cast, monkeypatch: Any) -> None:
    """The problem around the alert is built once for swap, reassign, backup and split (and once
    more for the re-solve's own days), however many candidates are judged."""
    from scheduling import problem as problems

    alert = monday_alert(cast)
    built: list[tuple[Any, Any]] = []
    build = problems.build_problem

    def counting(program: Any, start: Any, end: Any, **kwargs: Any) -> Any:
        built.append((start, end))
        return build(program, start, end, **kwargs)

    monkeypatch.setattr(problems, "build_problem", counting)
    found = conflict_candidates(alert=alert, refresh=True)
    assert {"swap", "reassign", "resolve"} <= {c["strategy"] for c in found}
    assert len(built) == 2
    assert all(accepted(alert, c) for c in found)


def test_an_inactive_persons_shifts_are_resolved_one_by_one_on_one_alert(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    cast.sam.active = False  # Sam has left; he still holds Tue, Fri and Sun
    cast.sam.save(update_fields=["active"])
    conflicts_detect(program=cast.program, start=MONDAY, end=SUNDAY)
    alert = ConflictAlert.objects.get(kind=ConflictAlert.Kind.INACTIVE, status="open")
    found = conflict_candidates(alert=alert, refresh=True)
    strategies_found = {c["strategy"] for c in found}
    assert "reassign" in strategies_found and "swap" not in strategies_found  # he takes none back
    [resolve] = [c for c in found if c["strategy"] == "resolve"]
    assert resolve["changes"][0] == {**resolve["changes"][0], "op": "remove", "from": cast.sam.pk}
    assert resolve["changes"][0]["assignment"] == cast.rows["wd1"].pk
    monkeypatch.setattr(strategies, "STRATEGIES", {"reassign": strategies.reassign})
    for left in (2, 1, 0):
        alert.refresh_from_db()
        [top, *_] = conflict_candidates(alert=alert, refresh=True)
        assert top["changes"][0]["from"] == cast.sam.pk and strategies.still_compliant(alert, top)
        alert = conflict_apply(alert=alert, candidate_id=top["id"], actor=cast.coordinator)
        assert alert.status == ("resolved" if left == 0 else "open")
        assert Assignment.objects.filter(person=cast.sam, state=State.PUBLISHED).count() == left
        conflicts_detect(program=cast.program, start=MONDAY, end=SUNDAY)
    assert len(alert.resolution["applied"]) == 2 and alert.resolved_by == cast.coordinator
    assert not ConflictAlert.objects.filter(kind=ConflictAlert.Kind.INACTIVE, status="open")


def test_resolving_an_inactive_persons_one_alert_leaves_no_alert_and_no_day_over_its_maximum(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Exactly one ward resident a day: a shift added beside Sam's would be one too many.
    CoverageRequirement.objects.filter(shift_type=cast.wd).update(maximum=1)
    cast.sam.active = False  # Sam has left; he still holds Tue, Fri and Sun
    cast.sam.save(update_fields=["active"])
    conflicts_detect(program=cast.program, start=MONDAY, end=SUNDAY)
    [alert] = ConflictAlert.objects.filter(program=cast.program, status="open")
    assert alert.kind == ConflictAlert.Kind.INACTIVE  # not also a coverage gap per shift
    monkeypatch.setattr(strategies, "STRATEGIES", {"reassign": strategies.reassign})
    for _ in range(3):  # one shift at a time, on the same alert
        [top, *_] = conflict_candidates(alert=alert, refresh=True)
        alert.refresh_from_db()
        alert = conflict_apply(alert=alert, candidate_id=top["id"], actor=cast.coordinator)
        conflicts_detect(program=cast.program, start=MONDAY, end=SUNDAY)
        alert.refresh_from_db()
    assert alert.status == "resolved"
    assert not ConflictAlert.objects.filter(program=cast.program, status="open").exists()
    ward = Assignment.objects.filter(shift_type=cast.wd, state=State.PUBLISHED)
    assert [ward.filter(date=cast.day(n)).count() for n in range(7)] == [1] * 7
    assert not ward.filter(person=cast.sam).exists()
    hard = [
        v
        for v in schedule_validate(program=cast.program, start=MONDAY, end=SUNDAY)
        if v["severity"] in ("critical", "high")
    ]
    assert hard == []
