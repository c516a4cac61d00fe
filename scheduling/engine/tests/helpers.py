"""Small problem builders shared by the engine tests (no database)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, time

from scheduling.engine.colgen.generation import PER_PERSON, _column, _generate
from scheduling.engine.colgen.master import Data, Master
from scheduling.engine.colgen.pricing import Pricer
from scheduling.engine.colgen.run import build as build_relaxation
from scheduling.engine.model import (
    AcgmeRules,
    Assignment,
    Demand,
    Horizon,
    Person,
    PersonKind,
    Problem,
    ShiftCategory,
    ShiftType,
)
from scheduling.engine.validator import Report, validate

TZ = "America/New_York"
START = date(2026, 4, 6)  # a Monday, far from DST changes
SPRING_FORWARD = date(2026, 3, 8)  # US clocks go 02:00 -> 03:00
FALL_BACK = date(2026, 11, 1)  # US clocks go 02:00 -> 01:00

C = ShiftCategory


def shift(
    sid: str,
    start: str,
    minutes: int,
    category: ShiftCategory = C.DAY,
    *,
    counts: bool = True,
    forbidden_next: Iterable[str] = (),
) -> ShiftType:
    hours, mins = (int(x) for x in start.split(":"))
    return ShiftType(sid, time(hours, mins), minutes, category, counts, frozenset(forbidden_next))


SHIFTS = (
    shift("day", "07:00", 720),  # 07:00-19:00
    shift("night", "19:00", 720, C.NIGHT_FLOAT),  # 19:00-07:00 next day
    shift("call", "07:00", 1440, C.IN_HOUSE_CALL),  # 24 h
    shift("post", "07:00", 240, C.TRANSITION),  # 4 h transition after call
    shift("post5", "07:00", 300, C.TRANSITION),  # 5 h: one hour too many
    shift("morning", "07:00", 240),  # 4 h of patient care
    shift("pre", "03:00", 240, C.TRANSITION),  # 03:00-07:00
    shift("late", "21:00", 600),  # 21:00-07:00
    shift("eve", "18:00", 240),  # 18:00-22:00, overlaps "day"
    shift("early", "03:00", 240),  # 03:00-07:00
    shift("early1", "02:59", 241),  # 02:59-07:00
    shift("home", "17:00", 840, C.AT_HOME_CALL, counts=False),  # 17:00-07:00 pager
    shift("moon", "18:00", 360, C.MOONLIGHTING),
    shift("d8", "08:00", 480),
    shift("d481", "08:00", 481),
)

ACGME = AcgmeRules()

R1 = Person("r1", PersonKind.RESIDENT, pgy=1)
R2 = Person("r2", PersonKind.RESIDENT, pgy=2)
F1 = Person("f1", PersonKind.FACULTY)


def open_demands(days: int, shifts: Iterable[ShiftType]) -> tuple[Demand, ...]:
    """A demand admitting anyone with no minimum or target on every (day, shift)."""
    return tuple(Demand(d, s.id, target=0) for d in range(days) for s in shifts)


def make_problem(
    days: int = 28,
    people: Iterable[Person] = (R2,),
    *,
    start: date = START,
    shifts: tuple[ShiftType, ...] = SHIFTS,
    acgme: AcgmeRules | None = ACGME,
    demands: tuple[Demand, ...] | None = None,
    **extra: object,
) -> Problem:
    return Problem(
        horizon=Horizon(start, days, TZ),
        shift_types=shifts,
        people=tuple(people),
        demands=open_demands(days, shifts) if demands is None else demands,
        acgme=acgme,
        **extra,  # type: ignore[arg-type]
    )


def work(person: str, plan: Iterable[tuple[int, str]]) -> list[Assignment]:
    return [Assignment(person, day, sid) for day, sid in plan]


def rules_of(report: Report) -> set[str]:
    return {v.rule for v in report.violations}


def check(problem: Problem, assignments: Iterable[Assignment]) -> set[str]:
    return rules_of(validate(problem, list(assignments)))


def generated_master(problem: Problem) -> tuple[Data, list[Pricer], Master]:
    """A master with everyone's cheapest rosters, then a few generation rounds (not converged:
    the dive must work from any LP)."""
    data, pricers = build_relaxation(problem)
    master = Master(data, seed=0)
    y0 = data.initial_duals()
    for p, pricer in enumerate(pricers):
        cost = data.cell_cost[p] + data.dual_cells(p, y0)
        for _, roster in pricer.solve_many(cost, PER_PERSON, data.day_cost[p]):
            master.add(p, _column(roster))
    _generate(data, pricers, master, math.inf, 0.5, 0.0, frozenset(), rounds=3)
    return data, pricers, master
