"""Utilisation and defence level of a program over a period, from its rows.

Demanded hours: for each day and each coverage requirement that applies on it, the minimum
head-count times the shift's length (shift types that do not count toward duty hours, such as
at-home call, are listed as not counted). Available hours: each active resident and faculty
member contributes their weekly duty ceiling / 7 for every day they are not on approved absence
(residents: the program's ACGME ceiling, or their rotation's exception; faculty: the program's
``faculty_weekly_hours`` setting).

Demands are measured against the pool that may cover them, so residents never count as cover
for faculty: resident demands against residents, faculty demands against faculty, "anyone"
demands against everyone. A demand bound to a rotation is also shown against its members. The
program's utilisation is the highest of the pools; the level comes from the program's thresholds.
Without coverage requirements or people the level is UNKNOWN and ``missing`` says why.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from people.models import Absence, Person, Program
from resilience.models import ResilienceSettings, ResilienceSnapshot
from rotations.models import CoverageRequirement
from scheduling.problem import period_days, rotation_members_by_day, weekly_hours_limit

Level = ResilienceSnapshot.DefenseLevel
POOLS = {
    CoverageRequirement.Kinds.RESIDENT: "Residents",
    CoverageRequirement.Kinds.FACULTY: "Faculty",
    CoverageRequirement.Kinds.ANY: "Everyone",
}


def settings_for(program: Program) -> ResilienceSettings:
    found = ResilienceSettings.objects.filter(program=program).first()
    return found or ResilienceSettings(program=program)


def level_for(utilization: float | None, settings: ResilienceSettings) -> str:
    if utilization is None:
        return Level.UNKNOWN
    for threshold, level in (
        (settings.black_at, Level.BLACK),
        (settings.red_at, Level.RED),
        (settings.orange_at, Level.ORANGE),
        (settings.yellow_at, Level.YELLOW),
    ):
        if utilization >= threshold:
            return level
    return Level.GREEN


@dataclass
class Line:
    """Hours behind one figure: demanded against available."""

    name: str
    demanded: float = 0.0
    available: float = 0.0
    utilization: float | None = None
    level: str = Level.UNKNOWN

    def close(self, settings: ResilienceSettings) -> Line:
        self.demanded, self.available = round(self.demanded, 2), round(self.available, 2)
        if self.available > 0:
            self.utilization = round(self.demanded / self.available, 4)
        elif self.demanded > 0:
            self.utilization = None  # demand and nobody to meet it
            self.level = Level.BLACK
            return self
        self.level = level_for(self.utilization, settings)
        return self


@dataclass
class Utilization:
    program: str
    start: date
    end: date
    utilization: float | None
    level: str
    pools: list[Line] = field(default_factory=list)
    weeks: list[dict[str, Any]] = field(default_factory=list)
    services: list[Line] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    not_counted: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        return data


def utilization(program: Program, start: date, end: date) -> Utilization:
    settings = settings_for(program)
    days = period_days(start, end)
    people = list(
        Person.objects.filter(program=program, active=True).exclude(kind=Person.Kind.STAFF)
    )
    coverage = list(
        CoverageRequirement.objects.filter(
            shift_type__program=program, shift_type__active=True
        ).select_related("shift_type", "rotation")
    )
    missing = []
    if not coverage:
        missing.append("no coverage requirements: nothing says what must be covered")
    if not any(p.kind == Person.Kind.RESIDENT for p in people):
        missing.append("no active residents")
    if not any(p.kind == Person.Kind.FACULTY for p in people):
        missing.append("no active faculty")
    away = _absent_days(people, start, end)
    daily = {p.pk: _daily_hours(program, p, start, end, settings) for p in people}
    members = rotation_members_by_day(program, days) if coverage else {}

    weeks: dict[date, dict[str, Line]] = defaultdict(dict)
    services: dict[str, Line] = {}
    shared: dict[str, str] = {}  # service without a rotation -> the pool measured against
    not_counted: set[str] = set()
    for day in days:
        week = day - timedelta(days=day.weekday())
        pools = weeks[week]
        for p in people:
            if (p.pk, day) in away:
                continue
            for kind, name in POOLS.items():
                if kind == CoverageRequirement.Kinds.ANY or kind == p.kind:
                    pools.setdefault(name, Line(name)).available += daily[p.pk]
        for row in coverage:
            if not row.applies_on(day.weekday()) or not row.minimum:
                continue
            shift = row.shift_type
            if not shift.counts_toward_duty:
                not_counted.add(f"{shift.abbreviation} (does not count toward duty hours)")
                continue
            hours = row.minimum * shift.duration_minutes / 60
            pool = POOLS[CoverageRequirement.Kinds(row.person_kind)]
            pools.setdefault(pool, Line(pool)).demanded += hours
            label = f"{row.rotation.name} · {shift.abbreviation}" if row.rotation else shift.name
            line = services.setdefault(label, Line(label))
            line.demanded += hours
            if row.rotation_id is not None:
                line.available += sum(
                    daily[pk]
                    for pk in members.get((row.rotation_id, day), ())
                    if pk in daily and (pk, day) not in away
                )
            else:
                shared[label] = pool
    totals: dict[str, Line] = {}
    week_rows = []
    for week, pools in sorted(weeks.items()):
        lines = [line.close(settings) for line in pools.values() if line.demanded]
        for line in pools.values():
            total = totals.setdefault(line.name, Line(line.name))
            total.demanded += line.demanded
            total.available += line.available
        worst = _worst(lines, settings)
        week_rows.append(
            {
                "start": week.isoformat(),
                "demanded": round(sum(x.demanded for x in lines), 2),
                "utilization": worst.utilization if worst else None,
                "level": worst.level if worst else Level.UNKNOWN,
                "pools": [asdict(x) for x in lines],
            }
        )
    pool_lines = [line.close(settings) for line in totals.values() if line.demanded]
    for label, pool in shared.items():
        services[label].available = totals[pool].available if pool in totals else 0.0
        services[label].name += f" (against all {pool.lower()})"
    service_lines = sorted(
        (line.close(settings) for line in services.values()),
        key=lambda x: -(x.utilization or 0),
    )
    worst = _worst(pool_lines, settings)
    unknown = bool(missing) or worst is None
    return Utilization(
        program=str(program),
        start=start,
        end=end,
        utilization=None if unknown or worst is None else worst.utilization,
        level=Level.UNKNOWN if unknown or worst is None else worst.level,
        pools=pool_lines,
        weeks=week_rows,
        services=service_lines,
        missing=missing,
        not_counted=sorted(not_counted),
    )


ORDER = [Level.GREEN, Level.YELLOW, Level.ORANGE, Level.RED, Level.BLACK]


def _worst(lines: list[Line], settings: ResilienceSettings) -> Line | None:
    if not lines:
        return None
    return max(
        lines,
        key=lambda x: (ORDER.index(Level(x.level)) if x.level in ORDER else -1, x.utilization or 0),
    )


def _absent_days(people: list[Person], start: date, end: date) -> set[tuple[int, date]]:
    rows = Absence.objects.filter(
        person__in=people, status=Absence.Status.APPROVED, start_date__lte=end, end_date__gte=start
    ).values_list("person_id", "start_date", "end_date")
    out = set()
    for pk, lo, hi in rows:
        for day in period_days(max(lo, start), min(hi, end)):
            out.add((pk, day))
    return out


def _daily_hours(
    program: Program, person: Person, start: date, end: date, settings: ResilienceSettings
) -> float:
    if person.kind == Person.Kind.FACULTY:
        return settings.faculty_weekly_hours / 7
    return weekly_hours_limit(program, person, start, end) / 7
