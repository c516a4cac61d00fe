"""Five ways to resolve an alert, each producing concrete, validated candidate changes.

An alert has a *target*: a published row to take away from its owner (an assignment during an
absence, a double booking, a missing credential, a duty-hour breach on that shift) or a hole to
fill (a demand below its minimum). The strategies propose changes for it:

- **swap**: the owner exchanges the shift with a peer (``swaps.matcher.rank``, exchanges only);
- **reassign**: an eligible person with capacity takes it, juniors or seniors first by the
  program's ``ConflictPolicy.reassign_order``;
- **backup**: someone in the date's backup pool (``BackupDuty``) takes it;
- **split**: two people take its two parts, where the policy names the parts of the shift type;
- **re-solve**: CP-SAT over the alert's days with every other published row fixed (minimal
  change: the rest of the schedule is locked), started from the greedy construction, which is
  the answer when CP-SAT finds nothing in its time; taking what it adds.

Every candidate is judged by one ``swaps.checks.Window`` shared by the strategies (the engine's
validator on the whole affected window, 27 days either side and the swap reach, against the
schedule as it is, incrementally: only the people and cells a candidate touches are checked
again): only those that add no hard violation are offered. Each strategy stops at ``KEEP``
compliant candidates. Each is scored in [0, 1] per factor — feasibility, disruption (people and shifts
moved), fairness, workload, confidence, and its rank in the strategy's own order (``policy``) —
with the weighted total in ``score["total"]``, and
carries its ``diff`` as lines a coordinator reads.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from conflicts.models import BackupDuty, ConflictAlert, ConflictPolicy
from people.models import Absence, Person, Program
from rotations.models import CoverageRequirement, ShiftType
from scheduling import problem as problems
from scheduling.engine import model as m
from scheduling.engine.solvers import get_solver
from scheduling.engine.validator import COVERAGE_MINIMUM
from scheduling.models import Assignment, Source, State
from swaps.checks import HISTORY_DAYS, Window
from swaps.matcher import REACH_DAYS

Kind = ConflictAlert.Kind
VACATE_KINDS = (
    Kind.ABSENCE,
    Kind.DOUBLE_BOOKING,
    Kind.CREDENTIAL,
    Kind.ELIGIBILITY,
    Kind.INACTIVE,
)
MAX_TRIES = 12  # window validations per strategy and target (eligible takers only)
KEEP = 3  # compliant candidates kept per strategy
RESOLVE_SECONDS = 3.0
GREEDY_SECONDS = 0.5
SOLVED = (m.SolveStatus.OPTIMAL, m.SolveStatus.FEASIBLE)
CONFIDENCE = {"backup": 0.9, "reassign": 0.8, "resolve": 0.75, "swap": 0.7, "split": 0.6}
WEIGHTS = {
    "feasibility": 0.25,
    "disruption": 0.25,
    "fairness": 0.10,
    "workload": 0.10,
    "confidence": 0.10,
    "policy": 0.20,
}


@dataclasses.dataclass
class Target:
    """What must change: a row to take from its owner, or a hole (day, shift type) to fill."""

    day: date
    shift_type: ShiftType
    row: Assignment | None = None


@dataclasses.dataclass
class Context:
    alert: ConflictAlert
    program: Program
    policy: ConflictPolicy
    window: Window
    hours: dict[int, float]  # duty hours in the window per person, before any change


def _target(alert: ConflictAlert) -> Target | None:
    if alert.assignment_id and alert.kind in (*VACATE_KINDS, Kind.DUTY_HOURS):
        row = (
            Assignment.objects.filter(pk=alert.assignment_id, state=State.PUBLISHED)
            .select_related("person", "shift_type")
            .first()
        )
        if row is not None:
            return Target(row.date, row.shift_type, row)
    if alert.kind == Kind.COVERAGE:
        shift = ShiftType.objects.filter(
            program=alert.program_id, abbreviation=alert.details.get("shift", "")
        ).first()
        if shift is not None:
            return Target(alert.start_date, shift)
    return None


def stamp(alert: ConflictAlert) -> str:
    """A digest of the published rows around the alert: any change makes candidates stale."""
    rows = Assignment.objects.filter(
        person__program=alert.program_id,
        state=State.PUBLISHED,
        date__range=(
            alert.start_date - timedelta(days=HISTORY_DAYS),
            alert.end_date + timedelta(days=HISTORY_DAYS),
        ),
    ).order_by("pk")
    digest = hashlib.sha256()
    for pk, person_id, updated in rows.values_list("pk", "person_id", "updated_at"):
        digest.update(f"{pk}:{person_id}:{updated.isoformat()};".encode())
    return digest.hexdigest()


def candidates_for(alert: ConflictAlert) -> list[dict[str, Any]]:
    """Every strategy's compliant candidates, best total score first."""
    program = alert.program
    target = _target(alert)
    days = [alert.start_date, alert.end_date]
    if alert.kind == Kind.INACTIVE and target is not None:
        days = [target.day]  # the alert spans all their shifts; candidates are for the first
    policy = ConflictPolicy.objects.filter(program=program).first() or ConflictPolicy(
        program=program
    )
    # One window for every strategy: the problem is built and the schedule read once, and each
    # candidate is judged against it incrementally (only the people and cells it touches). A
    # swap gives back a shift up to REACH_DAYS away, so the window reaches that far further.
    margin = REACH_DAYS if target is not None and target.row is not None else 0
    window = Window(program, days + ([target.day] if target else []), margin=margin)
    ctx = Context(alert, program, policy, window, {})
    ctx.hours = _hours(program, ctx.window)
    found: list[dict[str, Any]] = []
    for strategy in STRATEGIES.values():
        found += strategy(ctx, target)
    found.sort(key=lambda c: -c["score"]["total"])
    for number, candidate in enumerate(found, 1):
        candidate["id"] = f"{candidate['strategy']}-{number}"
    return found


# Changes ------------------------------------------------------------------------------------


def _move(row: Assignment, to: Person) -> dict[str, Any]:
    return {
        "op": "move",
        "assignment": row.pk,
        "from": row.person_id,
        "person": to.pk,
        "date": row.date.isoformat(),
        "shift_type": row.shift_type_id,
        "text": f"{row.shift_type.abbreviation} {row.date:%a %d %b}: {row.person} → {to}",
    }


def _add(person: Person, day: date, shift: ShiftType) -> dict[str, Any]:
    return {
        "op": "add",
        "person": person.pk,
        "date": day.isoformat(),
        "shift_type": shift.pk,
        "text": f"{shift.abbreviation} {day:%a %d %b}: + {person}",
    }


def _remove(row: Assignment) -> dict[str, Any]:
    return {
        "op": "remove",
        "assignment": row.pk,
        "from": row.person_id,
        "date": row.date.isoformat(),
        "shift_type": row.shift_type_id,
        "text": f"{row.shift_type.abbreviation} {row.date:%a %d %b}: − {row.person}",
    }


def _engine_changes(
    window: Window, changes: list[dict[str, Any]]
) -> tuple[list[m.Assignment], list[m.Assignment]] | None:
    """The engine's view of the changes; None when a row they name has gone or moved."""
    rows = {
        r.pk: r
        for r in Assignment.objects.filter(
            pk__in=[c["assignment"] for c in changes if "assignment" in c], state=State.PUBLISHED
        ).select_related("person", "shift_type")
    }
    people = {p.pk: p for p in Person.objects.filter(pk__in=[c.get("person") for c in changes])}
    shifts = {s.pk: s for s in ShiftType.objects.filter(pk__in=[c["shift_type"] for c in changes])}
    removed, added = [], []
    for change in changes:
        day = date.fromisoformat(change["date"])
        shift = shifts[change["shift_type"]]
        if "assignment" in change:
            row = rows.get(change["assignment"])
            if row is None or row.person_id != change["from"]:
                return None
            if _scheduled(window, row.person):
                removed.append(
                    problems.engine_assignment(window.built, row.person, day, shift, window.start)
                )
        if change["op"] in ("move", "add"):
            person = people.get(change["person"])
            if person is None:
                return None
            added.append(problems.engine_assignment(window.built, person, day, shift, window.start))
    return removed, added


def _judge(
    window: Window, changes: list[dict[str, Any]], covers: tuple[int, str] | None = None
) -> bool:
    """True when the changes, as stored in a candidate, add no hard violation (the rows they
    name are read again: a candidate may be re-checked later)."""
    engine = _engine_changes(window, changes)
    if engine is None:
        return False
    return _compliant(window, *engine, covers=covers)


def _compliant(
    window: Window,
    removed: list[m.Assignment],
    added: list[m.Assignment],
    covers: tuple[int, str] | None = None,
) -> bool:
    """True when taking ``removed`` away and adding ``added`` adds no hard violation in the
    window. ``covers`` (day, shift) is a cell whose minimum the changes fill otherwise (the two
    parts of a split shift stand for it)."""
    new = window.judge(removed, added, first=True)  # a verdict: the first reasons will do
    if covers is not None:
        new = [v for v in new if not (v.rule == COVERAGE_MINIMUM and (v.day, v.shift) == covers)]
    return not new


def _engine(window: Window, person: Person, day: date, shift: ShiftType) -> m.Assignment:
    return problems.engine_assignment(window.built, person, day, shift, window.start)


def _scheduled(window: Window, person: Person) -> bool:
    """Is ``person`` in the window's problem? An inactive person is not: the engine schedules
    only active people, so their rows are not in the window's schedule, nothing to take away."""
    return str(person.code) in window.built.people


def _vacated(window: Window, target: Target) -> list[m.Assignment]:
    """The target row taken from its owner (nothing for a hole, or an owner not scheduled)."""
    row = target.row
    if row is None or not _scheduled(window, row.person):
        return []
    return [_engine(window, row.person, row.date, row.shift_type)]


def still_compliant(alert: ConflictAlert, candidate: dict[str, Any]) -> bool:
    """Re-check a candidate on the schedule as it is now."""
    days = [date.fromisoformat(c["date"]) for c in candidate["changes"]]
    window = Window(alert.program, days)
    covers = candidate.get("covers")
    cell = (
        ((date.fromisoformat(covers["date"]) - window.start).days, covers["shift"])
        if covers
        else None
    )
    return _judge(window, candidate["changes"], covers=cell)


def apply_changes(program: Program, candidate: dict[str, Any]) -> list[str]:
    """Write a candidate's changes (caller holds the transaction and the actor); row codes."""
    assert transaction.get_connection().in_atomic_block
    touched = []
    for change in candidate["changes"]:
        if change["op"] in ("move", "remove"):
            row = Assignment.objects.select_for_update().get(pk=change["assignment"])
            if change["op"] == "remove":
                touched.append(str(row.code))
                row.delete()
                continue
            row.person_id = change["person"]
            row.source = Source.MANUAL
            row.save(update_fields=["person", "source", "updated_at"])
            touched.append(str(row.code))
        else:
            shift = ShiftType.objects.get(pk=change["shift_type"], program=program)
            day = date.fromisoformat(change["date"])
            begins, ends = problems.shift_interval(program.timezone, shift, day)
            row = Assignment.objects.create(
                person_id=change["person"],
                shift_type=shift,
                date=day,
                starts_at=begins,
                ends_at=ends,
                state=State.PUBLISHED,
                source=Source.MANUAL,
                note="Conflict resolution",
            )
            touched.append(str(row.code))
    return touched


# Scoring ------------------------------------------------------------------------------------


def _hours(program: Program, window: Window) -> dict[int, float]:
    hours: dict[int, float] = {}
    for row in Assignment.objects.filter(
        person__program=program,
        state=State.PUBLISHED,
        shift_type__counts_toward_duty=True,
        date__range=(window.start, window.end),
    ).values("person_id", "shift_type__duration_minutes"):
        pk = row["person_id"]
        hours[pk] = hours.get(pk, 0.0) + row["shift_type__duration_minutes"] / 60
    return hours


def _candidate(
    ctx: Context, strategy: str, changes: list[dict[str, Any]], takers: list[Person], rank: int
) -> dict[str, Any]:
    moved_people = {c["person"] for c in changes if c.get("person")} | {
        c["from"] for c in changes if c.get("from")
    }
    values = list(ctx.hours.values()) or [0.0]
    mean, top = sum(values) / len(values), max(values) or 1.0
    taker_hours = [ctx.hours.get(p.pk, 0.0) for p in takers] or [mean]
    workload = max(0.0, min(1.0, 1 - max(taker_hours) / (top * 1.25)))
    fairness = max(0.0, min(1.0, 0.5 + (mean - max(taker_hours)) / (2 * top)))
    score = {
        "feasibility": 1.0,
        "disruption": round(1 / (1 + max(0, len(moved_people) - 1) + max(0, len(changes) - 1)), 3),
        "fairness": round(fairness, 3),
        "workload": round(workload, 3),
        "confidence": CONFIDENCE[strategy],
        # The strategy's own order (the program's juniors/seniors-first for reassign and backup,
        # the matcher's rank for swaps): its first candidate 1, the next 0.5, then 0.
        "policy": max(0.0, 1 - 0.5 * rank),
        "people_moved": len(moved_people),
        "shifts_moved": len(changes),
    }
    score["total"] = round(sum(WEIGHTS[k] * score[k] for k in WEIGHTS), 3)
    return {
        "id": "",
        "strategy": strategy,
        "compliant": True,
        "changes": changes,
        "diff": [c["text"] for c in changes],
        "score": score,
    }


# People -------------------------------------------------------------------------------------


def _eligible_pool(ctx: Context, target: Target, people: Iterable[Person]) -> list[Person]:
    """People who could take the target at all (active, right kind, not away or busy that day),
    in the program's order (juniors or seniors first)."""
    owner = target.row.person if target.row else None
    kinds = _kinds_for(target)
    if owner is not None:
        kinds = {owner.kind}
    away = set(
        Absence.objects.filter(
            person__program=ctx.program,
            status=Absence.Status.APPROVED,
            start_date__lte=target.day,
            end_date__gte=target.day,
        ).values_list("person_id", flat=True)
    )
    busy = set(
        Assignment.objects.filter(
            person__program=ctx.program, state=State.PUBLISHED, date=target.day
        ).values_list("person_id", flat=True)
    )
    year = problems.academic_year_for(ctx.program, target.day)
    pool = [
        p
        for p in people
        if p.active
        and p.kind in kinds
        and p.pk not in away
        and p.pk not in busy
        and (owner is None or p.pk != owner.pk)
    ]
    senior = ctx.policy.reassign_order == ConflictPolicy.Order.SENIOR_FIRST
    pool.sort(
        key=lambda p: ((p.pgy_in(year) or 0) * (-1 if senior else 1), ctx.hours.get(p.pk, 0.0))
    )
    return pool


def _kinds_for(target: Target) -> set[str]:
    kinds = set(
        CoverageRequirement.objects.filter(shift_type=target.shift_type).values_list(
            "person_kind", flat=True
        )
    )
    out: set[str] = set()
    for kind in kinds:
        if kind == CoverageRequirement.Kinds.ANY:
            out |= {Person.Kind.RESIDENT, Person.Kind.FACULTY}
        else:
            out.add(kind)
    return out or {Person.Kind.RESIDENT}


def _give(ctx: Context, target: Target, person: Person) -> list[dict[str, Any]]:
    if target.row is not None:
        return [_move(target.row, person)]
    return [_add(person, target.day, target.shift_type)]


def _take_from(
    ctx: Context, target: Target, pool: list[Person], strategy: str
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    tries = 0
    for person in pool:
        if tries >= MAX_TRIES or len(out) >= KEEP:
            break
        taken = [_engine(ctx.window, person, target.day, target.shift_type)]
        if ctx.window.refused_alone(taken):
            continue  # not eligible for the shift (rotation, PGY, credential) or not available
        tries += 1
        if _compliant(ctx.window, _vacated(ctx.window, target), taken):
            changes = _give(ctx, target, person)
            out.append(_candidate(ctx, strategy, changes, [person], len(out)))
    return out


def _program_people(ctx: Context) -> list[Person]:
    return list(Person.objects.filter(program=ctx.program, active=True))


# Strategies ---------------------------------------------------------------------------------


def reassign(ctx: Context, target: Target | None) -> list[dict[str, Any]]:
    if target is None:
        return []
    return _take_from(ctx, target, _eligible_pool(ctx, target, _program_people(ctx)), "reassign")


def backup(ctx: Context, target: Target | None) -> list[dict[str, Any]]:
    if target is None:
        return []
    pool = [
        duty.person
        for duty in BackupDuty.objects.filter(
            person__program=ctx.program, date=target.day
        ).select_related("person")
    ]
    return _take_from(ctx, target, _eligible_pool(ctx, target, pool), "backup")


def swap(ctx: Context, target: Target | None) -> list[dict[str, Any]]:
    """Exchanges found by the swap matcher: the owner takes back one of the partner's shifts."""
    if target is None or target.row is None or not target.row.person.active:
        return []  # an inactive owner takes no shift back
    from swaps.matcher import rank
    from swaps.models import SwapPolicy, SwapRequest

    row = target.row
    offer = SwapRequest(program=ctx.program, requester=row.person, assignment=row, wants="")
    policy = SwapPolicy.objects.filter(program=ctx.program).first() or SwapPolicy(
        program=ctx.program
    )
    out: list[dict[str, Any]] = []
    # Exchanges only (a give-away is a reassignment, offered there), judged on the shared window.
    for match in rank(offer, policy=policy, limit=KEEP, window=ctx.window, exchanges_only=True):
        assert match.assignment is not None
        changes = [_move(row, match.person), _move(match.assignment, row.person)]
        out.append(_candidate(ctx, "swap", changes, [match.person], len(out)))
    return out


def split(ctx: Context, target: Target | None) -> list[dict[str, Any]]:
    """Two people take the two parts of a splittable shift (``ConflictPolicy.splits``)."""
    if target is None:
        return []
    parts = ctx.policy.splits.get(target.shift_type.abbreviation) or []
    shifts = {
        s.abbreviation: s
        for s in ShiftType.objects.filter(program=ctx.program, abbreviation__in=parts)
    }
    if len(parts) != 2 or set(parts) - set(shifts):
        return []
    first, second = shifts[parts[0]], shifts[parts[1]]
    window = ctx.window

    def able(person: Person, part: ShiftType) -> bool:
        return not window.refused_alone([_engine(window, person, target.day, part)])

    pool = _eligible_pool(ctx, target, _program_people(ctx))
    firsts = [p for p in pool if able(p, first)][:6]
    seconds = [p for p in pool if able(p, second)][:6]
    cell = ((target.day - window.start).days, target.shift_type.abbreviation)
    out: list[dict[str, Any]] = []
    tries = 0
    for a in firsts:
        for b in seconds:
            if a.pk == b.pk or tries >= MAX_TRIES or len(out) >= KEEP:
                continue
            tries += 1
            taken = [
                _engine(window, a, target.day, first),
                _engine(window, b, target.day, second),
            ]
            if _compliant(ctx.window, _vacated(ctx.window, target), taken, covers=cell):
                changes = ([_remove(target.row)] if target.row else []) + [
                    _add(a, target.day, first),
                    _add(b, target.day, second),
                ]
                found = _candidate(ctx, "split", changes, [a, b], len(out))
                found["covers"] = {"date": target.day.isoformat(), "shift": cell[1]}
                out.append(found)
    return out


def resolve(ctx: Context, target: Target | None) -> list[dict[str, Any]]:
    """Minimal-change re-solve of the alert's days, every other published row fixed."""
    alert = ctx.alert
    start, end = alert.start_date, min(alert.end_date, alert.start_date + timedelta(days=6))
    try:
        built = problems.build_problem(ctx.program, start, end)
    except Exception:
        return []
    current = problems.published_engine_assignments(built, start, end)
    dropped: set[m.Assignment] = set()
    if target is not None and target.row is not None:
        dropped.add(
            problems.engine_assignment(
                built, target.row.person, target.row.date, target.row.shift_type, start
            )
        )
    unavailable = {(u.person, u.day) for u in built.problem.unavailable if u.shift is None}
    dropped |= {a for a in current if (a.person, a.day) in unavailable}
    kept = tuple(sorted(current - dropped, key=lambda a: (a.day, a.shift, a.person)))
    problem = dataclasses.replace(built.problem, fixed=kept)
    # The greedy construction first (a fraction of a second): CP-SAT starts from it, and it is
    # the answer when CP-SAT finds no schedule in its time (the day's model is small in
    # decisions but carries every resident's 28-day windows; on a busy machine it can run out).
    quick = get_solver("greedy")(problem, time_limit=GREEDY_SECONDS, workers=1)
    hint = quick if quick.status in SOLVED else None
    exact = get_solver("cpsat")(problem, time_limit=RESOLVE_SECONDS, workers=1, hint=hint)
    solution = exact if exact.status in SOLVED else hint
    if solution is None:
        return []
    new = set(solution.assignments)
    changes: list[dict[str, Any]] = []
    rows = {
        (str(r.person.code), (r.date - start).days, r.shift_type.abbreviation): r
        for r in Assignment.objects.filter(
            person__program=ctx.program, state=State.PUBLISHED, date__range=(start, end)
        ).select_related("person", "shift_type")
    }
    removed, added = [], []  # in the shared window's terms, to judge the changes there
    for gone in sorted(current - new, key=lambda a: (a.day, a.shift, a.person)):
        row = rows.get((gone.person, gone.day, gone.shift))
        if row is not None:
            changes.append(_remove(row))
            removed.append(_engine(ctx.window, row.person, row.date, row.shift_type))
    takers = []
    for taken in sorted(new - current, key=lambda a: (a.day, a.shift, a.person)):
        person, shift, day, _, _ = problems.materialise(built, taken)
        takers.append(person)
        changes.append(_add(person, day, shift))
        added.append(_engine(ctx.window, person, day, shift))
    if (
        target is not None
        and target.row is not None
        and not _scheduled(ctx.window, target.row.person)
    ):
        # An owner the problem does not schedule (inactive): the re-solve covered the shift
        # without their row, which goes.
        changes.insert(0, _remove(target.row))
    if not changes or not _compliant(ctx.window, removed, added):
        return []
    return [_candidate(ctx, "resolve", changes, takers, 0)]


STRATEGIES: dict[str, Callable[[Context, Target | None], list[dict[str, Any]]]] = {
    "swap": swap,
    "reassign": reassign,
    "backup": backup,
    "split": split,
    "resolve": resolve,
}
