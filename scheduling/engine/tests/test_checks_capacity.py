"""Per-person caps that leave a shift type's minimums uncoverable are named before any solve;
the staffing check says who is away (the translator names them in coordinator words)."""

from __future__ import annotations

from scheduling.engine.checks import capacity_shortfalls, check_problem, staffing_shortfalls
from scheduling.engine.model import Demand, Person, PersonKind, PersonLimits, Unavailability

from .helpers import make_problem

DAYS = 7


def _person(pid: str, cap: int | None = None) -> Person:
    limits = PersonLimits(max_shifts={"day": cap}) if cap is not None else PersonLimits()
    return Person(pid, PersonKind.RESIDENT, pgy=2, limits=limits)


def _daily(minimum: int = 1) -> tuple[Demand, ...]:
    return tuple(Demand(d, "day", target=minimum, minimum=minimum) for d in range(DAYS))


def test_it_accepts_caps_that_leave_enough_people() -> None:
    problem = make_problem(DAYS, [_person("a", 3), _person("b", 4)], demands=_daily())
    assert capacity_shortfalls(problem) == []
    assert check_problem(problem) == []


def test_it_names_the_caps_that_leave_a_shift_type_short() -> None:
    problem = make_problem(DAYS, [_person("a", 2), _person("b", 3)], demands=_daily())
    [short] = capacity_shortfalls(problem)
    assert (short.shift, short.needed, short.capacity, short.caps) == (
        "day",
        7,
        5,
        {"a": 2, "b": 3},
    )
    assert any("capped: a 2, b 3" in cause for cause in check_problem(problem))


def test_it_counts_only_days_a_person_is_free_for() -> None:
    # b has no cap but is away four days: the cap on a is what cannot be made up.
    away = tuple(Unavailability("b", d) for d in range(4))
    problem = make_problem(
        DAYS, [_person("a", 2), _person("b")], demands=_daily(), unavailable=away
    )
    [short] = capacity_shortfalls(problem)
    assert (short.needed, short.capacity, short.caps) == (7, 5, {"a": 2})


def test_it_says_who_is_away_from_a_short_demand() -> None:
    away = (Unavailability("a", 2), Unavailability("b", 2, "day"))
    problem = make_problem(DAYS, [_person("a"), _person("b")], demands=_daily(), unavailable=away)
    [short] = staffing_shortfalls(problem)
    assert (short.demand.day, short.available, set(short.unavailable)) == (2, 0, {"a", "b"})
