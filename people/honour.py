"""What a standing preference asks of one shift, and how often a person's preferences were
honoured by the published schedule.

The rule of preferred and avoided shifts and weekdays lives here once; the translator
(scheduling/problem_preferences.py) turns it into weighted engine requests and the honour
figures count it on published shifts, so the two never disagree:

- **Avoid** (a shift type, a weekday or both): a shift *hits* it when it matches every part it
  names. Each hit costs the preference's weight.
- **Prefer**: a preference *concerns* a shift when the weekday it names (if any) is the shift's;
  it *matches* when the shift type it names (if any) is the shift's, else when the weekday is.
  So "prefer clinic" concerns every shift and matches clinic shifts, "prefer Mondays" concerns
  every shift and matches Monday shifts, "prefer clinic on Fridays" concerns Friday shifts and
  matches Friday clinics. A shift that some preference concerns and none matches *misses*,
  costing the highest weight among those concerned. Preferences only ever move shifts, they
  never add work: nothing is charged for a day off.

Honour figures (per person, over the published schedule of a period):
- blocked dates: blocked days (or blocked shifts) left free, of all blocked days;
- dated wishes: approved "prefer to work / not to work" days met, of all such days;
- preferred: shifts that do not miss, of the shifts some preference concerns;
- avoided: shifts that hit no avoided preference, of all shifts (when the person avoids any).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

PREFER, AVOID = "prefer", "avoid"


@dataclass(frozen=True)
class Standing:
    """A prefer or avoid preference as plain values (shift: a shift type id or None)."""

    kind: str
    shift: int | None
    weekday: int | None
    weight: int


def avoid_cost(rules: Iterable[Standing], weekday: int, shift: int) -> int:
    return sum(
        r.weight
        for r in rules
        if r.kind == AVOID
        and (r.shift is None or r.shift == shift)
        and (r.weekday is None or r.weekday == weekday)
    )


def prefer_miss(rules: Iterable[Standing], weekday: int, shift: int) -> int:
    """The weight a shift costs under the person's prefer preferences (0: concerned by none,
    or matched)."""
    concerned = [
        r
        for r in rules
        if r.kind == PREFER and (r.shift is None or r.weekday is None or r.weekday == weekday)
    ]
    if not concerned:
        return 0
    for r in concerned:
        if (r.shift is not None and r.shift == shift) or (r.shift is None and r.weekday == weekday):
            return 0
    return max(r.weight for r in concerned)


@dataclass(frozen=True)
class Dated:
    """An approved dated request as plain values: kind is "prefer_on", "prefer_off" or
    "blocked"; shift None means the whole day."""

    kind: str
    start: date
    end: date
    shift: int | None


@dataclass
class Figure:
    met: int = 0
    total: int = 0

    @property
    def percent(self) -> int | None:
        return None if self.total == 0 else round(100 * self.met / self.total)

    def add(self, met: bool) -> None:
        self.total += 1
        self.met += int(met)


@dataclass
class Honour:
    blocked: Figure = field(default_factory=Figure)
    wishes: Figure = field(default_factory=Figure)
    preferred: Figure = field(default_factory=Figure)
    avoided: Figure = field(default_factory=Figure)

    @property
    def overall(self) -> Figure:
        parts = (self.blocked, self.wishes, self.preferred, self.avoided)
        return Figure(sum(p.met for p in parts), sum(p.total for p in parts))

    def rows(self) -> list[tuple[str, Figure]]:
        named = [
            ("Blocked dates kept free", self.blocked),
            ("Dated wishes met", self.wishes),
            ("Shifts where preferred", self.preferred),
            ("Shifts not avoided", self.avoided),
        ]
        return [(label, figure) for label, figure in named if figure.total]


def honour(
    shifts: Sequence[tuple[date, int]],
    standing: Sequence[Standing],
    dated: Sequence[Dated],
    start: date,
    end: date,
) -> Honour:
    """One person's figures over ``start``..``end`` from their published (day, shift type id)
    pairs, approved standing preferences and approved dated requests."""
    result = Honour()
    worked: dict[date, set[int]] = defaultdict(set)
    for day, shift in shifts:
        if start <= day <= end:
            worked[day].add(shift)
    for row in dated:
        day = max(row.start, start)
        while day <= min(row.end, end):
            on = bool(worked.get(day)) if row.shift is None else row.shift in worked.get(day, ())
            if row.kind == "blocked":
                result.blocked.add(not on)
            else:
                result.wishes.add(on if row.kind == "prefer_on" else not on)
            day += timedelta(days=1)
    prefers = [r for r in standing if r.kind == PREFER]
    avoids = [r for r in standing if r.kind == AVOID]
    for day, shifts_that_day in sorted(worked.items()):
        for shift in shifts_that_day:
            weekday = day.weekday()
            if any(r.shift is None or r.weekday is None or r.weekday == weekday for r in prefers):
                result.preferred.add(prefer_miss(prefers, weekday, shift) == 0)
            if avoids:
                result.avoided.add(avoid_cost(avoids, weekday, shift) == 0)
    return result
