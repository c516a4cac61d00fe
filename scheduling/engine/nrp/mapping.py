"""A benchmark instance as the engine's generic Problem (no ACGME rules, UTC, day 0 a Monday).

Every rule of the benchmark has a generic counterpart: one shift per day is
``max_shifts_per_day=1`` (all shift types also start at midnight, so they overlap and the overlap
rule says the same), successions are ``forbidden_next``, cover lines are demands with
``minimum=0``, days off are whole-day unavailabilities and the requests keep their shift ids.
"""

from __future__ import annotations

from datetime import date, time

from ..model import (
    Demand,
    Horizon,
    Person,
    PersonKind,
    PersonLimits,
    Problem,
    Request,
    RequestKind,
    ShiftType,
    Unavailability,
)
from .instance import NrpInstance

# Any Monday: the benchmark's day 0 is a Monday, so weekends are days 5 and 6 of each week.
EPOCH_MONDAY = date(2024, 1, 1)


def to_problem(instance: NrpInstance) -> Problem:
    shifts = tuple(
        ShiftType(
            id=s.id, start=time(0), minutes=s.minutes, forbidden_next=frozenset(s.forbidden_next)
        )
        for s in instance.shifts
    )
    people = tuple(
        Person(
            id=s.id,
            kind=PersonKind.STAFF,
            limits=PersonLimits(
                max_shifts=dict(s.max_shifts),
                min_total_minutes=s.min_total_minutes,
                max_total_minutes=s.max_total_minutes,
                min_consecutive_work=s.min_consecutive,
                max_consecutive_work=s.max_consecutive,
                min_consecutive_off=s.min_days_off,
                max_weekends=s.max_weekends,
                max_shifts_per_day=1,
            ),
        )
        for s in instance.staff
    )
    covered = {(c.day, c.shift): c for c in instance.cover}
    demands = []
    for day in range(instance.days):
        for shift in instance.shift_ids:
            c = covered.get((day, shift))
            if c is None:
                # Uncovered (day, shift): anyone may work it at no cost, as in the benchmark.
                demands.append(Demand(day, shift, target=0, under_weight=0, over_weight=0))
            else:
                demands.append(
                    Demand(
                        day,
                        shift,
                        target=c.requirement,
                        minimum=0,
                        under_weight=c.under_weight,
                        over_weight=c.over_weight,
                    )
                )
    unavailable = tuple(
        Unavailability(sid, day)
        for sid in instance.staff_ids
        for day in sorted(instance.days_off.get(sid, ()))
    )
    requests = tuple(
        Request(r.staff, r.day, RequestKind.ON, r.weight, r.shift) for r in instance.on_requests
    ) + tuple(
        Request(r.staff, r.day, RequestKind.OFF, r.weight, r.shift) for r in instance.off_requests
    )
    return Problem(
        horizon=Horizon(start=EPOCH_MONDAY, days=instance.days, timezone="UTC"),
        shift_types=shifts,
        people=people,
        demands=tuple(demands),
        unavailable=unavailable,
        requests=requests,
        acgme=None,
        name=instance.name,
    )
