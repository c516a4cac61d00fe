"""Seeded generator of realistic residency programs (the solver fixtures and benchmarks).

``scenario(name, seed)`` builds one 4-week block for "S" (18 residents, 12 faculty), "M" (60,
30) and "L" (150, 60), "L13" (L's block pattern stretched to 13 blocks, 364 days), and a year of
call for "Y" (60, 30, 365 days from July, crossing both
DST changes of America/New_York). Residents are split into block rotations as programs do:
wards (ward days and in-house call), night float, and ambulatory (continuity clinic, which
faculty precept, plus call for PGY-2+). Demand is modest enough that the hard rules can be met.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from random import Random
from zoneinfo import ZoneInfo

from .model import (
    AcgmeRules,
    Assignment,
    Demand,
    Eligibility,
    FairnessGroup,
    Horizon,
    Person,
    PersonKind,
    PersonLimits,
    Problem,
    Request,
    RequestKind,
    ShiftCategory,
    ShiftType,
    Unavailability,
)

TIMEZONE = "America/New_York"
BLOCK_START = date(2026, 7, 6)  # a Monday at the start of an academic year
C = ShiftCategory

# Call and night float make the next day's daytime work unsafe; the validator's ACGME checks
# catch the same, but explicit successions give the solvers cheap constraints.
AFTER_CALL = frozenset({"ward", "call", "night", "clinic_am", "clinic_pm"})
AFTER_NIGHT = frozenset({"ward", "call", "clinic_am", "clinic_pm"})

SHIFT_TYPES = (
    ShiftType("ward", time(7), 12 * 60, C.DAY),
    ShiftType("call", time(7), 24 * 60, C.IN_HOUSE_CALL, forbidden_next=AFTER_CALL),
    ShiftType("post", time(7), 4 * 60, C.TRANSITION),  # optional handover after call
    ShiftType("night", time(19), 12 * 60, C.NIGHT_FLOAT, forbidden_next=AFTER_NIGHT),
    ShiftType("clinic_am", time(8), 4 * 60, C.CLINIC_HALF_DAY),
    ShiftType("clinic_pm", time(13), 4 * 60, C.CLINIC_HALF_DAY),
    ShiftType("precept_am", time(8), 4 * 60, C.ATTENDING),
    ShiftType("precept_pm", time(13), 4 * 60, C.ATTENDING),
    ShiftType("attending", time(7), 12 * 60, C.ATTENDING),
    ShiftType("backup", time(17), 14 * 60, C.AT_HOME_CALL, counts_toward_duty=False),
)

SIZES = {
    "S": (18, 12, 28),
    "M": (60, 30, 28),
    "L": (150, 60, 28),
    "L13": (150, 60, 364),  # L's block pattern stretched to 13 blocks (the year-run target)
    "Y": (60, 30, 365),
}

# US federal holidays of the 2026-27 academic year (for the "holiday" fairness measure).
HOLIDAYS = (
    date(2026, 9, 7), date(2026, 11, 26), date(2026, 12, 25), date(2027, 1, 1),
    date(2027, 1, 18), date(2027, 5, 31), date(2027, 7, 5),
)  # fmt: skip


@dataclass(frozen=True)
class _Teams:
    ward: tuple[Person, ...]
    nights: tuple[Person, ...]
    clinic: tuple[Person, ...]
    attendings: tuple[Person, ...]
    preceptors: tuple[Person, ...]

    @property
    def residents(self) -> tuple[Person, ...]:
        return self.ward + self.nights + self.clinic


def scenario(name: str, seed: int = 0) -> Problem:
    """A reproducible program of size ``name`` ("S", "M", "L" or "Y")."""
    try:
        residents, faculty, days = SIZES[name]
    except KeyError:
        raise KeyError(f"unknown scenario {name!r}; known: {', '.join(SIZES)}") from None
    rng = Random(f"{name}-{seed}")
    horizon = Horizon(BLOCK_START, days, TIMEZONE, _holiday_days(days))
    teams = _teams(residents, faculty, rng)
    year = name == "Y"
    demands = _year_demands(horizon, teams) if year else _block_demands(horizon, teams)
    people = teams.residents + teams.attendings + teams.preceptors
    return Problem(
        horizon=horizon,
        shift_types=SHIFT_TYPES,
        people=people,
        demands=demands,
        unavailable=_absences(horizon, teams, rng),
        requests=_requests(horizon, people, rng),
        fairness=_fairness(teams, year),
        acgme=AcgmeRules(),
        name=f"residency-{name}-seed{seed}",
    )


def _holiday_days(days: int) -> frozenset[int]:
    offsets = ((h - BLOCK_START).days for h in HOLIDAYS)
    return frozenset(d for d in offsets if 0 <= d < days)


def _teams(residents: int, faculty: int, rng: Random) -> _Teams:
    """Residents in three PGY classes spread over the block's rotations; faculty split between
    ward attending and clinic precepting."""
    pgy = [1 + i % 3 for i in range(residents)]
    rng.shuffle(pgy)
    people = [
        Person(f"r{i:03d}", PersonKind.RESIDENT, pgy=p, limits=_resident_limits())
        for i, p in enumerate(pgy)
    ]
    seniors = [p for p in people if (p.pgy or 0) >= 2]
    night_count = max(3, round(residents / 6))
    nights = seniors[:night_count]
    rest = [p for p in people if p not in nights]
    clinic = rest[: round(residents / 3)]
    ward = rest[len(clinic) :]
    faculty_people = [
        Person(
            f"f{i:03d}",
            PersonKind.FACULTY,
            skills=frozenset({"precept"}) if i % 3 == 0 else frozenset(),
            limits=PersonLimits(max_shifts_per_day=2, max_consecutive_work=6),
        )
        for i in range(faculty)
    ]
    preceptors = tuple(f for f in faculty_people if "precept" in f.skills)
    attendings = tuple(f for f in faculty_people if "precept" not in f.skills)
    return _Teams(tuple(ward), tuple(nights), tuple(clinic), attendings, preceptors)


def _resident_limits() -> PersonLimits:
    return PersonLimits(max_shifts_per_day=2, max_consecutive_work=7)


def _ids(people: tuple[Person, ...]) -> frozenset[str]:
    return frozenset(p.id for p in people)


def _block_demands(horizon: Horizon, teams: _Teams) -> tuple[Demand, ...]:
    scale = len(teams.residents) / 18
    ward = Eligibility(people=_ids(teams.ward))
    callers = Eligibility(
        people=_ids(teams.ward + tuple(p for p in teams.clinic if (p.pgy or 0) >= 2))
    )
    nights = Eligibility(people=_ids(teams.nights))
    clinic = Eligibility(people=_ids(teams.clinic))
    attending = Eligibility(people=_ids(teams.attendings))
    precept = Eligibility(people=_ids(teams.preceptors))
    residents = Eligibility(kinds=frozenset({PersonKind.RESIDENT}))

    def n(value: float) -> int:
        return max(1, round(value * scale))

    demands = []
    for day in range(horizon.days):
        weekend = horizon.is_weekend(day)
        calls, extra_nights = _call_or_nights(horizon, day, n(1))
        per_day = [
            Demand(day, "ward", *_tmm(n(4 if weekend else 6), n(3 if weekend else 4),
                                      n(5 if weekend else 8)), eligibility=ward),
            Demand(day, "call", *_tmm(calls, calls, calls), under_weight=4, eligibility=callers),
            Demand(day, "post", 0, 0, n(1), over_weight=0, eligibility=residents),
            Demand(day, "night", *_tmm(n(1) + extra_nights, n(1), n(1) + extra_nights),
                   under_weight=4, eligibility=nights),
            Demand(day, "attending", *_tmm(n(2), n(1), n(3)), eligibility=attending),
        ]  # fmt: skip
        if not weekend:
            for half in ("am", "pm"):
                per_day.append(Demand(day, f"precept_{half}", *_tmm(n(2), n(1), n(2)),
                                      eligibility=precept))  # fmt: skip
                per_day.append(Demand(day, f"clinic_{half}", *_tmm(n(3), n(1), n(4)),
                                      eligibility=clinic, supervisor_shift=f"precept_{half}"))  # fmt: skip
        demands += per_day
    return tuple(demands)


def _tmm(target: int, minimum: int, maximum: int) -> tuple[int, int, int]:
    """(target, minimum, maximum) in Demand's field order, kept consistent."""
    minimum = min(minimum, target)
    return target, minimum, max(maximum, target)


def _year_demands(horizon: Horizon, teams: _Teams) -> tuple[Demand, ...]:
    """A year of the call schedule: in-house call, night float, the post-call handover and the
    faculty's at-home backup call."""
    scale = len(teams.residents) / 60
    callers = Eligibility(people=_ids(teams.ward + teams.clinic))
    nights = Eligibility(people=_ids(tuple(p for p in teams.residents if (p.pgy or 0) >= 2)))
    residents = Eligibility(kinds=frozenset({PersonKind.RESIDENT}))
    faculty = Eligibility(kinds=frozenset({PersonKind.FACULTY}))

    def n(value: float) -> int:
        return max(1, round(value * scale))

    demands = []
    for day in range(horizon.days):
        calls, extra_nights = _call_or_nights(horizon, day, n(3))
        demands += [
            Demand(day, "call", *_tmm(calls, min(calls, n(2)), calls), under_weight=4,
                   eligibility=callers),
            Demand(day, "post", 0, 0, n(3), over_weight=0, eligibility=residents),
            Demand(day, "night", *_tmm(n(2) + extra_nights, n(1), n(2) + extra_nights),
                   under_weight=4, eligibility=nights),
            Demand(day, "backup", *_tmm(1, 1, 1), eligibility=faculty),
        ]  # fmt: skip
    return tuple(demands)


def _call_or_nights(horizon: Horizon, day: int, calls: int) -> tuple[int, int]:
    """(in-house calls, extra night-float shifts) on ``day``: the night the clocks go back makes
    a 07:00-07:00 call 25 real hours, beyond the 24-hour limit, so night float covers that night
    instead (L13 and Y cross it; a block from July does not)."""
    if _real_minutes(horizon, day, "call") > 24 * 60:
        return 0, calls
    return calls, 0


def _real_minutes(horizon: Horizon, day: int, shift_id: str) -> int:
    shift = next(s for s in SHIFT_TYPES if s.id == shift_id)
    start = datetime.combine(horizon.date_of(day), shift.start)
    end = start + timedelta(minutes=shift.minutes)
    utc = ZoneInfo("UTC")
    real = end.replace(tzinfo=horizon.tz).astimezone(utc) - start.replace(
        tzinfo=horizon.tz
    ).astimezone(utc)
    return int(real.total_seconds()) // 60


def _absences(horizon: Horizon, teams: _Teams, rng: Random) -> tuple[Unavailability, ...]:
    """Vacation and conference days: about a third of people lose 1-5 days per 4 weeks."""
    found = []
    everyone = teams.residents + teams.attendings + teams.preceptors
    blocks = max(1, horizon.days // 28)
    for person in everyone:
        for block in range(blocks):
            if rng.random() >= 0.3:
                continue
            length = rng.randint(1, 5)
            first = block * 28 + rng.randrange(0, 28 - length)
            found += [Unavailability(person.id, d) for d in range(first, first + length)]
    # One shift-level absence each few people: a conference afternoon.
    for person in everyone[::7]:
        day = rng.randrange(horizon.days)
        found.append(Unavailability(person.id, day, "clinic_pm"))
    return tuple(dict.fromkeys(found))


def _requests(horizon: Horizon, people: tuple[Person, ...], rng: Random) -> tuple[Request, ...]:
    found = []
    per_person = max(1, horizon.days // 14)
    for person in people:
        for _ in range(per_person):
            kind = RequestKind.OFF if rng.random() < 0.75 else RequestKind.ON
            shift = rng.choice((None, None, "call", "night")) if kind == RequestKind.OFF else None
            found.append(Request(person.id, rng.randrange(horizon.days), kind, rng.randint(1, 3),
                                 shift))  # fmt: skip
    return tuple(found)


def _fairness(teams: _Teams, year: bool) -> tuple[FairnessGroup, ...]:
    groups = []
    measures = ("call", "weekend", "night", "holiday") if year else ("call", "weekend", "night")
    for pgy in (1, 2, 3):
        for measure in measures:
            pool = teams.nights if measure == "night" and not year else teams.residents
            members = frozenset(p.id for p in pool if p.pgy == pgy)
            if len(members) > 1:
                groups.append(FairnessGroup(f"pgy{pgy}-{measure}", members, measure))
    return tuple(groups)


def validator_load(
    residents: int = 150, days: int = 365, seed: int = 0
) -> tuple[Problem, tuple[Assignment, ...]]:
    """A dense year to time the validator: every resident works the AM and PM clinic on
    weekdays and a quarter of them take Saturday 24 h call each week (about 2 shifts a day)."""
    rng = Random(f"load-{seed}")
    people = tuple(
        Person(f"r{i:03d}", PersonKind.RESIDENT, pgy=1 + i % 3, limits=_resident_limits())
        for i in range(residents)
    )
    horizon = Horizon(BLOCK_START, days, TIMEZONE, _holiday_days(days))
    used = ("clinic_am", "clinic_pm", "call")
    demands = tuple(
        Demand(d, s, target=residents // 2, maximum=residents) for d in range(days) for s in used
    )
    assignments = []
    for person in people:
        offset = rng.randrange(4)
        for day in range(days):
            weekday = horizon.date_of(day).weekday()
            if weekday < 5:
                assignments += [Assignment(person.id, day, "clinic_am"),
                                Assignment(person.id, day, "clinic_pm")]  # fmt: skip
            elif weekday == 5 and (day // 7 + offset) % 4 == 0:
                assignments.append(Assignment(person.id, day, "call"))
    problem = Problem(
        horizon=horizon,
        shift_types=SHIFT_TYPES,
        people=people,
        demands=demands,
        requests=_requests(horizon, people, rng),
        fairness=_fairness(_Teams(people, (), (), (), ()), True),
        acgme=AcgmeRules(),
        name=f"validator-load-{residents}x{days}",
    )
    return problem, tuple(assignments)
