"""The engine's problem and solution model: frozen dataclasses, no Django.

This module is the contract between the services (which translate database rows into a
``Problem``), the solvers (which return a ``Solution``) and the validator (which checks any
list of ``Assignment`` against the ``Problem`` on its own).

Time. Day ``d`` is ``horizon.start + d`` days. A shift of type ``s`` on day ``d`` starts at the
local wall-clock time ``s.start`` in ``horizon.timezone`` and ends ``s.minutes`` of wall-clock time
later (so a 19:00-07:00 night float on the night clocks go back lasts 13 real hours). Real start
and end instants come from ``Problem.interval`` and every duty-hour computation uses them.

Coverage. For each ``Demand`` (one per day x shift type) let ``n`` be the number of eligible
people assigned. ``n < minimum`` and ``n > maximum`` are hard; ``n < target`` costs
``under_weight`` per missing person and ``n > target`` costs ``over_weight`` per extra person.
A person may be assigned to (day, shift) only if some demand on that day and shift lists them
as eligible, or the assignment is fixed.

Credential levels. ``Person.supervised_skills`` are skills held at a supervised level only: they
admit the person to a demand needing them, but an assigned person who holds any of the demand's
skills only supervised may work it only alongside at least one assigned *lead*: an admitted
person holding every skill of the demand fully (``Eligibility.leads``). A credential or
certification that is valid on some days of the horizon only is expressed by the translator as
``Unavailability`` for the shifts needing it on the other days.

Per-person limits (``PersonLimits``), all hard when set. ``ShiftCap``: at most ``cap``
assignments to any of its shift types on its days (a program's calls per block, nights per
year). A day is *worked* when the person has any assignment on it. A *weekend* is worked when
its Saturday or Sunday is worked. ``max_weekends`` counts the weekends worked in the horizon;
``WeekendCap``: at most ``cap`` weekends worked among those with a day on the cap's days inside
the horizon, a day of the cap outside the horizon counting as worked when the history works it
(a program's weekends per block or year; see the class). ``max_consecutive_work`` counts, in a run reaching
day 0, the history days worked right before it (days -1, -2, ...) and, in a run reaching the
last day, those worked right after it (days ``horizon.days``, ...): a run may not grow past the
limit across the period's edge. Minimum-consecutive rules (working days and days off) do not
apply to a run that touches the first or the last day of the horizon (the published reading of
the shift benchmark). Two assignments of one person whose real intervals overlap are always
forbidden. ``Problem.min_rest_minutes`` (a program's hard minimum rest): two assignments of
one person whose real intervals are closer than that (the later starting less than that after
the earlier ends, touching included) are forbidden, history assignments included, whatever the
days between them (``limits.too_close`` is the one reading).

ACGME rules (``AcgmeRules``) apply to people of kind RESIDENT when ``Problem.acgme`` is set;
docs/rules.md is the one table of rule, text, reading and ACGME-or-policy. Duty periods are built
from the real intervals of shifts that count toward duty hours (moonlighting always counts);
shifts that touch or overlap merge into one continuous period.

History. ``Problem.history`` holds the fixed assignments around the horizon (day indexes below 0
or from ``horizon.days`` on, up to ``window_days - 1`` days out). They are never solved, never
reported on their own and not covered by demands, shift caps or the other person limits, but
every rule that touches the horizon counts them: every duty-hour window overlapping the
horizon, every duty period and rest gap with a part inside it, a run of consecutive working
days reaching the period's edge, the minimum rest and the weekend caps (above). Days with no history count as zero hours; when
``History.known_from`` says the record starts later than the windows reach, the validator adds a
LOW note saying so.

Objective (minimised; the validator computes it on its own, every solver reports the same):
  sum over demands of under_weight * max(0, target - n) + over_weight * max(0, n - target)
  + sum over ON requests not met of weight (shift None: met when any shift is worked that day)
  + sum over OFF requests met of weight (shift None: met when any shift is worked that day)
  + sum over fairness groups of weight * (max - min) of the measure over the group's people,
    where "call" counts IN_HOUSE_CALL and AT_HOME_CALL assignments, "night" NIGHT_FLOAT
    assignments, "weekend" assignments on Saturdays and Sundays, "holiday" assignments on
    horizon.holidays
  + change_weight * number of baseline assignments absent from the solution
  + sum over people's weighted (not hard) ShiftCaps of weight * max(0, n - cap), n the
    assignments the cap covers ("targets"; the MIP's and Pareto's "requests" part).

Severity: hard rules are CRITICAL (ACGME hard limits, overlaps, unavailability, fixed
assignments, coverage minimum/maximum, supervision) or HIGH (ACGME averaged rules, person
limits, forbidden successions, program policies such as the night-float cap and the minimum
rest, rule ids ``policy.*``); MEDIUM is a "should" (8 hours off between periods); LOW is information (history
missing before the program's first schedule). A schedule is *valid* when it has no CRITICAL or
HIGH violation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from zoneinfo import ZoneInfo


class PersonKind(StrEnum):
    RESIDENT = "resident"
    FACULTY = "faculty"
    STAFF = "staff"


class ShiftCategory(StrEnum):
    DAY = "day"
    CLINIC_HALF_DAY = "clinic"
    IN_HOUSE_CALL = "in_house_call"
    AT_HOME_CALL = "at_home_call"
    NIGHT_FLOAT = "night_float"
    ATTENDING = "attending"
    TRANSITION = "transition"
    MOONLIGHTING = "moonlighting"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class RequestKind(StrEnum):
    ON = "on"  # wants to work (this shift, or any shift when shift is None)
    OFF = "off"  # wants not to work it


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"  # no solution found within the limits
    CANCELLED = "cancelled"
    INVALID = "invalid"  # the problem itself is contradictory (see Solution.conflicts)


@dataclass(frozen=True)
class Horizon:
    start: date
    days: int
    timezone: str = "UTC"
    holidays: frozenset[int] = frozenset()  # day indexes

    def date_of(self, day: int) -> date:
        return self.start + timedelta(days=day)

    def is_weekend(self, day: int) -> bool:
        return self.date_of(day).weekday() >= 5

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class ShiftType:
    id: str
    start: time
    minutes: int
    category: ShiftCategory = ShiftCategory.DAY
    counts_toward_duty: bool = True
    # Shift type ids that may not be worked on the day after this one (explicit successions).
    forbidden_next: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ShiftCap:
    """At most ``cap`` assignments to ``shifts`` on days ``first``..``last`` (inclusive; None:
    the horizon's last day). ``name`` says which rule it is, for violations; HIGH when hard."""

    name: str
    shifts: frozenset[str]
    cap: int
    first: int = 0
    last: int | None = None
    # A weighted target, not a rule: each assignment above the cap costs ``weight`` in the
    # objective (term "targets") and the validator reports the miss as MEDIUM.
    hard: bool = True
    weight: int = 0

    def covers(self, day: int, shift: str) -> bool:
        return (
            shift in self.shifts and self.first <= day and (self.last is None or day <= self.last)
        )


@dataclass(frozen=True)
class WeekendCap:
    """At most ``cap`` weekends worked among those with a Saturday or Sunday on days ``first``..
    ``last`` inside the horizon; a weekend counts when one of its days in ``first``..``last`` is
    worked, a day outside the horizon by the history (a block that began before the period, and
    its weekend straddling the period's start). Weekends the history already works use up the
    cap first, never below none (``limits.weekend_room``); the translator takes the block's
    other weekends off ``cap``. Hard (HIGH, rule ``limit.max_weekends``)."""

    name: str
    cap: int
    first: int
    last: int


@dataclass(frozen=True)
class PersonLimits:
    max_shifts: Mapping[str, int] = field(default_factory=dict)  # per shift type id
    caps: tuple[ShiftCap, ...] = ()
    weekend_caps: tuple[WeekendCap, ...] = ()
    min_total_minutes: int | None = None
    max_total_minutes: int | None = None
    min_consecutive_work: int | None = None
    max_consecutive_work: int | None = None
    min_consecutive_off: int | None = None
    max_weekends: int | None = None
    max_shifts_per_day: int | None = None
    # Per-person duty-hour ceiling in hours/week averaged over the ACGME window (the
    # review-committee rotation exception, e.g. 88); None means the rule set's value.
    weekly_hours_limit: float | None = None
    # The days (indexes, history days included) the exception covers: a window uses it only
    # when all its days are covered, otherwise the rule set's (stricter) value. None: every day.
    weekly_hours_days: frozenset[int] | None = None
    # Leave days (approved absences): under LeaveReading.OMIT they leave the 4-week average.
    leave_days: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Person:
    id: str
    kind: PersonKind = PersonKind.RESIDENT
    pgy: int | None = None
    skills: frozenset[str] = frozenset()
    limits: PersonLimits = PersonLimits()
    # Held at a supervised level only (see "Credential levels" above).
    supervised_skills: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Eligibility:
    kinds: frozenset[PersonKind] | None = None  # None: any kind
    pgy_min: int | None = None
    pgy_max: int | None = None
    skills: frozenset[str] = frozenset()  # all required
    people: frozenset[str] | None = (
        None  # explicit list (e.g. the rotation's members); None: anyone
    )

    def admits(self, person: Person) -> bool:
        if self.kinds is not None and person.kind not in self.kinds:
            return False
        if self.people is not None and person.id not in self.people:
            return False
        if self.pgy_min is not None and (person.pgy is None or person.pgy < self.pgy_min):
            return False
        if self.pgy_max is not None and (person.pgy is None or person.pgy > self.pgy_max):
            return False
        if not self.skills:
            return True
        return self.skills <= person.skills | person.supervised_skills

    def leads(self, person: Person) -> bool:
        """An admitted person who holds every required skill fully (not supervised only)."""
        return not (self.skills & person.supervised_skills)


@dataclass(frozen=True)
class Demand:
    day: int
    shift: str
    target: int
    minimum: int = 0
    maximum: int | None = None
    under_weight: int = 1
    over_weight: int = 1
    eligibility: Eligibility = Eligibility()
    # Supervised shift: residents on it must be covered by faculty assigned on the same day to
    # the shift type ``supervisor_shift`` (see SupervisionRule).
    supervisor_shift: str | None = None


@dataclass(frozen=True)
class SupervisionRule:
    """Faculty:resident ratios by PGY (PGY-1 1:2, PGY-2+ 1:4 by default).

    With L the least common multiple of the ratios, a supervised (day, shift) needs
    faculty_present * L >= sum over its residents of L / ratio(pgy). PGY levels above the
    highest key use the highest key's ratio.
    """

    ratios: Mapping[int, int] = field(default_factory=lambda: {1: 2, 2: 4})

    def ratio(self, pgy: int | None) -> int:
        keys = sorted(self.ratios)
        level = keys[0] if pgy is None else max((k for k in keys if k <= pgy), default=keys[0])
        return self.ratios[level]


@dataclass(frozen=True)
class Unavailability:
    person: str
    day: int
    shift: str | None = None  # None: the whole day
    reason: str = ""  # said in the validator's message (e.g. "ACLS expired")


@dataclass(frozen=True)
class Link:
    """A person works one of ``shifts`` on day ``first`` exactly when they work one on day
    ``second`` (a program's call pattern: a week's Friday and Saturday call go together). A link
    with a day outside the horizon binds nothing."""

    first: int
    second: int
    shifts: frozenset[str]


@dataclass(frozen=True)
class Request:
    person: str
    day: int
    kind: RequestKind
    weight: int = 1
    shift: str | None = None  # None: any shift that day


@dataclass(frozen=True)
class Assignment:
    person: str
    day: int
    shift: str


@dataclass(frozen=True)
class History:
    """Fixed assignments around the horizon (see the module docstring).

    ``known_from`` is the first day index (usually negative) from which the record is complete;
    None means complete as far as any window reaches."""

    assignments: tuple[Assignment, ...] = ()
    known_from: int | None = None


class LeaveReading(StrEnum):
    """How leave days enter the 80-hour average over the window (a program setting)."""

    OMIT = "omit"  # leave days leave the average: limit x (window - leave) / window (stricter)
    ZERO = "zero"  # leave days are zero-hour days of the window


@dataclass(frozen=True)
class FairnessGroup:
    """Peers whose counts of a kind of duty should be even: cost weight * (max - min)."""

    name: str
    people: frozenset[str]
    measure: str  # "call", "night", "weekend" or "holiday"
    weight: int = 1


@dataclass(frozen=True)
class AcgmeRules:
    """ACGME duty-hour rules as versioned data (Common Program Requirements VI.F)."""

    version: str = "ACGME-CPR-2025"
    window_days: int = 28
    max_weekly_hours: float = 80.0
    min_free_days_per_window: int = 4  # free periods of 24 continuous hours
    max_continuous_hours: float = 24.0
    transition_hours: float = 4.0
    long_period_hours: float = 24.0  # a period this long needs the rest below after it
    rest_after_long_period_hours: float = 14.0
    min_rest_hours: float = 8.0  # "should": a warning
    max_call_nights_per_window: int = 9  # q3 in-house call averaged over the window
    # Program policy, not ACGME (the cap left the Common Program Requirements after 2011);
    # None switches it off.
    max_consecutive_night_float: int | None = 6
    pgy1_may_moonlight: bool = False
    leave_reading: LeaveReading = LeaveReading.OMIT


# The rule-set versions the engine ships, by the name a program chooses (people.Program); a
# program's overrides only tighten its version. Section VI.F's duty-hour values are the same in
# the 2023 and 2025 editions of the Common Program Requirements.
RULE_SETS: Mapping[str, AcgmeRules] = {
    "ACGME-CPR-2025": AcgmeRules(version="ACGME-CPR-2025"),
    "ACGME-CPR-2023": AcgmeRules(version="ACGME-CPR-2023"),
}


@dataclass(frozen=True)
class Problem:
    horizon: Horizon
    shift_types: tuple[ShiftType, ...]
    people: tuple[Person, ...]
    demands: tuple[Demand, ...] = ()
    unavailable: tuple[Unavailability, ...] = ()
    requests: tuple[Request, ...] = ()
    fixed: tuple[Assignment, ...] = ()
    fairness: tuple[FairnessGroup, ...] = ()
    acgme: AcgmeRules | None = None
    supervision: SupervisionRule = SupervisionRule()
    # Minimal-change re-solve: each assignment of the baseline not kept costs change_weight.
    baseline: tuple[Assignment, ...] = ()
    change_weight: int = 0
    name: str = ""
    history: History | None = None
    # Recorded call-back minutes of at-home calls, (person, day, shift) -> minutes in hospital
    # (history days included): they count toward the weekly hours on the call's start day.
    callbacks: Mapping[tuple[str, int, str], int] = field(default_factory=dict)
    linked: tuple[Link, ...] = ()  # hard, HIGH when broken (rule "policy.call_pattern")
    # A program's hard minimum rest between two assignments of one person, in real minutes
    # (rule "policy.min_rest", HIGH; see "Per-person limits" above). None: no such rule.
    min_rest_minutes: int | None = None

    @cached_property
    def shift_by_id(self) -> dict[str, ShiftType]:
        return {s.id: s for s in self.shift_types}

    @cached_property
    def person_by_id(self) -> dict[str, Person]:
        return {p.id: p for p in self.people}

    @cached_property
    def history_by_person(self) -> dict[str, tuple[tuple[int, str], ...]]:
        """The history's (day, shift) pairs per person, outside the horizon and of known shift
        types only (the one reading every rule and solver uses)."""
        pairs: dict[str, list[tuple[int, str]]] = {}
        if self.history is not None:
            days, shifts = self.horizon.days, self.shift_by_id
            for a in self.history.assignments:
                if (a.day < 0 or a.day >= days) and a.shift in shifts:
                    pairs.setdefault(a.person, []).append((a.day, a.shift))
        return {pid: tuple(found) for pid, found in pairs.items()}

    def history_days(self, person: str) -> frozenset[int]:
        """The days outside the horizon the history says ``person`` worked."""
        return frozenset(day for day, _ in self.history_by_person.get(person, ()))

    def interval(self, day: int, shift_id: str) -> tuple[datetime, datetime]:
        """Real (UTC) start and end of a shift, honouring DST in the horizon's timezone."""
        shift = self.shift_by_id[shift_id]
        return real_interval(self.horizon.date_of(day), shift.start, shift.minutes, self.horizon.tz)


def real_interval(on: date, start: time, minutes: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC start and end of a shift starting at local ``start`` on ``on`` and lasting ``minutes``
    of wall-clock time in ``tz`` (so its real length changes on the days clocks change)."""
    local_start = datetime.combine(on, start)
    local_end = local_start + timedelta(minutes=minutes)
    return (
        local_start.replace(tzinfo=tz).astimezone(UTC),
        local_end.replace(tzinfo=tz).astimezone(UTC),
    )


@dataclass(frozen=True)
class Violation:
    rule: str  # e.g. "acgme.weekly_hours", "coverage.minimum", "limit.max_weekends"
    severity: Severity
    message: str
    person: str | None = None
    start: datetime | None = None  # window or period
    end: datetime | None = None
    day: int | None = None
    shift: str | None = None
    measured: float | None = None
    limit: float | None = None
    # Windowed rules: from the first failing window's start to the last one's end (start/end
    # name the worst window of the run).
    span_start: datetime | None = None
    span_end: datetime | None = None


@dataclass(frozen=True)
class Progress:
    elapsed: float
    objective: float | None
    bound: float | None
    phase: str = ""


@dataclass(frozen=True)
class Solution:
    assignments: tuple[Assignment, ...]
    status: SolveStatus
    algorithm: str
    objective: float | None = None
    bound: float | None = None
    time_to_first_feasible: float | None = None
    wall_time: float = 0.0
    violations: tuple[Violation, ...] = ()  # hard rules the solver could not satisfy (greedy)
    conflicts: tuple[str, ...] = ()  # named causes when infeasible or invalid
