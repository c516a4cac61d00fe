"""Rank who could take an offered shift: five scored factors, compliant candidates only.

A candidate is a peer of the requester (residents with residents, faculty with faculty) taking
the shift as a give-away, or giving back one of their own published future unlocked shifts within
``REACH_DAYS`` of it. Each factor is a number in [0, 1]; the score is their weighted mean with the
program's weights (``SwapPolicy``, defaults 0.35 / 0.20 / 0.15 / 0.15 / 0.15), so it is in [0, 1]:

- **preference**: approved on/off requests already in the system. The taker's wish about the
  offered date (wants to work it 1, asked it off 0, neither 0.5); for an exchange also the
  requester's wish about the returned date, where the offer's "what I want back" naming the
  returned shift type or weekday counts as wanting it. The mean of the sides.
- **proximity**: for an exchange, 1 - |days apart| / REACH_DAYS; a give-away brings nothing back
  to compare, 0.5.
- **workload**: the taker's year-to-date duty hours and in-house call count after the swap,
  against the mean of their peers (hours on a 96-hour scale, calls on a 4-call scale, each
  0.5 at the mean, higher when the taker is below it); the mean of the two.
- **history**: past swaps between the pair, (1 + executed) / (2 + executed + declined), 0.5
  without history.
- **availability**: 1, less 0.5 for an absence (approved or asked for) within a day of the
  shift, less 0.25 for another shift of the taker on the day before or after.

A week on offer (``swaps.weeks``) is ranked for peers giving back their same week: proximity 1,
workload from the hours and calls of both weeks.

Pre-scores need no validation, so candidates are validated best first (``swaps.checks``, the
whole affected window) until ``limit`` compliant ones are found: a candidate who would break a
hard rule is never ranked. Every match carries a one-line explanation of its score.

When no candidate is compliant, ``swaps.services.swap_match`` asks ``swaps.cycles`` for swap
chains of three people (A→B→C→A), scored with these factors (the weakest link's score).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from people.models import Absence, Person, Request
from rotations.models import ShiftType
from scheduling import problem as problems
from scheduling.models import Assignment, State
from swaps import weeks
from swaps.checks import Move, Window
from swaps.models import SwapPolicy, SwapRequest

REACH_DAYS = 14
FACTORS = ("preference", "proximity", "workload", "history", "availability")
CALLS = (ShiftType.Category.IN_HOUSE_CALL,)


@dataclass(frozen=True)
class Match:
    person: Person
    assignment: Assignment | None  # what the taker gives back; None for a give-away
    score: float
    factors: dict[str, Any]  # the five factors (a chain adds "chain": its links)
    explanation: str


@dataclass
class _Facts:
    wishes: dict[tuple[int, date], list[Request]] = field(default_factory=lambda: defaultdict(list))
    absent: set[tuple[int, date]] = field(default_factory=set)
    busy: set[tuple[int, date]] = field(default_factory=set)
    hours: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    calls: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    executed: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    declined: dict[int, int] = field(default_factory=lambda: defaultdict(int))


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def _wish(facts: _Facts, person_id: int, row: Assignment) -> tuple[float, str]:
    for wish in facts.wishes.get((person_id, row.date), ()):
        if wish.shift_type_id in (None, row.shift_type_id):
            if wish.kind == Request.Kind.PREFER_ON:
                return 1.0, "wants to work it"
            return 0.0, "asked it off"
    return 0.5, "no stated wish"


def _facts(swap: SwapRequest, peers: list[Person], first: date, last: date) -> _Facts:
    facts = _Facts()
    ids = [p.pk for p in peers] + [swap.requester_id]
    for wish in Request.objects.filter(
        person_id__in=ids,
        status=Request.Status.APPROVED,
        start_date__lte=last,
        end_date__gte=first,
    ):
        for day in problems.period_days(max(wish.start_date, first), min(wish.end_date, last)):
            facts.wishes[(wish.person_id, day)].append(wish)
    for absence in Absence.objects.filter(
        person_id__in=ids,
        status__in=(Absence.Status.APPROVED, Absence.Status.REQUESTED),
        start_date__lte=last,
        end_date__gte=first,
    ):
        for day in problems.period_days(
            max(absence.start_date, first), min(absence.end_date, last)
        ):
            facts.absent.add((absence.person_id, day))
    year_start, _ = problems.academic_year_bounds(swap.program, swap.assignment.date)
    shifts = {shift.pk: shift for shift in ShiftType.objects.filter(program=swap.program_id)}
    for person_id, day, shift_id in Assignment.objects.filter(
        person_id__in=ids, state=State.PUBLISHED, date__range=(year_start, last)
    ).values_list("person_id", "date", "shift_type_id"):
        facts.busy.add((person_id, day))
        shift = shifts[shift_id]
        if day <= swap.assignment.date:
            if shift.counts_toward_duty:
                facts.hours[person_id] += shift.duration_minutes / 60
            if shift.category in CALLS:
                facts.calls[person_id] += 1
    pair = Q(requester=swap.requester, counterpart_id__in=ids) | Q(
        counterpart=swap.requester, requester_id__in=ids
    )
    for requester_id, counterpart_id, status in SwapRequest.objects.filter(pair).values_list(
        "requester_id", "counterpart_id", "status"
    ):
        other = counterpart_id if requester_id == swap.requester_id else requester_id
        if status in (SwapRequest.Status.EXECUTED, SwapRequest.Status.UNDONE):
            facts.executed[other] += 1
        elif status in (SwapRequest.Status.REJECTED, SwapRequest.Status.CANCELLED):
            facts.declined[other] += 1
    return facts


def _hours(row: Assignment) -> float:
    return row.shift_type.duration_minutes / 60 if row.shift_type.counts_toward_duty else 0


def _calls(row: Assignment) -> int:
    return 1 if row.shift_type.category in CALLS else 0


def _score(
    swap: SwapRequest,
    person: Person,
    back: Assignment | None,
    facts: _Facts,
    peers_mean: tuple[float, float],
    weights: dict[str, float],
    week: tuple[list[Assignment], list[Assignment]] | None = None,
) -> tuple[float, dict[str, float], str]:
    offered = swap.assignment
    taker_pref, taker_why = _wish(facts, person.pk, offered)
    notes = [f"taker {taker_why}"]
    preference = taker_pref
    if back is not None:
        giver_pref, giver_why = _wish(facts, swap.requester_id, back)
        wanted = swap.wants.lower()
        if wanted and (
            back.shift_type.abbreviation.lower() in wanted
            or back.shift_type.name.lower() in wanted
            or f"{back.date:%A}".lower() in wanted
        ):
            giver_pref, giver_why = 1.0, "matches what the requester wants back"
        preference = (taker_pref + giver_pref) / 2
        notes.append(f"giver {giver_why}")
    gap = abs((back.date - offered.date).days) if back is not None else None
    if week is not None:
        gap = 0  # the same week back
    proximity = 0.5 if gap is None else _clamp(1 - gap / REACH_DAYS)
    taken, given = week or ([offered], [back] if back is not None else [])
    delta_h = sum(_hours(row) for row in taken) - sum(_hours(row) for row in given)
    delta_c = sum(_calls(row) for row in taken) - sum(_calls(row) for row in given)
    hours_after = facts.hours[person.pk] + delta_h
    calls_after = facts.calls[person.pk] + delta_c
    mean_h, mean_c = peers_mean
    workload = (
        _clamp(0.5 + (mean_h - hours_after) / 96) + _clamp(0.5 + (mean_c - calls_after) / 4)
    ) / 2
    done, declined = facts.executed[person.pk], facts.declined[person.pk]
    history = (1 + done) / (2 + done + declined)
    availability = 1.0
    near = [offered.date + timedelta(days=d) for d in (-1, 0, 1)]
    if any((person.pk, day) in facts.absent for day in near):
        availability -= 0.5
    if any((person.pk, day) in facts.busy for day in (near[0], near[2])):
        availability -= 0.25
    factors = {
        "preference": round(preference, 3),
        "proximity": round(proximity, 3),
        "workload": round(workload, 3),
        "history": round(history, 3),
        "availability": round(_clamp(availability), 3),
    }
    total = sum(weights.values()) or 1.0
    score = round(sum(weights[name] * factors[name] for name in FACTORS) / total, 3)
    apart = "give-away" if gap is None else f"{gap} days apart"
    if week is not None:
        apart = f"week exchange, {len(taken)} shifts for {len(given)}"
    explanation = (
        f"{score:.2f}: {', '.join(notes)}; {apart}; "
        f"{hours_after - mean_h:+.0f} h and {calls_after - mean_c:+.0f} calls vs peers after; "
        f"{done} past swaps, {declined} declined; "
        + ("free around the date" if availability == 1 else "busy or away around the date")
    )
    return score, factors, explanation


def rank(
    swap: SwapRequest,
    *,
    policy: SwapPolicy,
    limit: int = 10,
    now: datetime | None = None,
    people: Iterable[Person] | None = None,
    window: Window | None = None,
    exchanges_only: bool = False,
) -> list[Match]:
    """The best ``limit`` compliant candidates for an open request, best first.

    ``window``: a ``Window`` the caller already built around the offered date with at least
    ``REACH_DAYS`` of margin (conflict resolution shares one among its strategies); by default
    one is built here. ``exchanges_only``: leave give-aways out (they are not validated)."""
    now = now or timezone.now()
    offered = swap.assignment
    kind = swap.requester.kind
    peers = list(
        people
        if people is not None
        else Person.objects.filter(program=swap.program, kind=kind, active=True).exclude(
            pk=swap.requester_id
        )
    )
    if not peers:
        return []
    first = offered.date - timedelta(days=REACH_DAYS)
    last = offered.date + timedelta(days=REACH_DAYS)
    lock_until = now + timedelta(days=policy.lock_days)
    giving = Assignment.objects.filter(
        person__in=peers,
        state=State.PUBLISHED,
        locked=False,
        date__range=(first, last),
        starts_at__gt=lock_until,
    ).exclude(date=offered.date, shift_type=offered.shift_type)
    facts = _facts(swap, peers, first, last)
    mean_h = sum(facts.hours[p.pk] for p in peers) / len(peers)
    mean_c = sum(facts.calls[p.pk] for p in peers) / len(peers)
    if swap.kind == SwapRequest.Kind.WEEK:
        return _rank_weeks(swap, policy, peers, facts, (mean_h, mean_c), limit)
    options: list[tuple[Person, Assignment | None]] = (
        [] if exchanges_only else [(p, None) for p in peers]
    )
    # Hundreds of rows: each gets the peer and shift type already in hand, not copies of its own.
    by_id = {p.pk: p for p in peers}
    shifts = {shift.pk: shift for shift in ShiftType.objects.filter(program=swap.program_id)}
    for row in giving:
        row.person, row.shift_type = by_id[row.person_id], shifts[row.shift_type_id]
        options.append((row.person, row))
    scored = sorted(
        (
            (*_score(swap, person, back, facts, (mean_h, mean_c), policy.weights), person, back)
            for person, back in options
        ),
        key=lambda item: -item[0],
    )
    if window is None:
        window = Window(swap.program, [offered.date], margin=REACH_DAYS, full=True)
    matches: list[Match] = []
    for score, factors, explanation, person, back in scored:
        moves = [Move(offered, person)] + ([Move(back, swap.requester)] if back else [])
        if window.new_hard(moves, first=True):
            continue
        matches.append(Match(person, back, score, factors, explanation))
        if len(matches) >= limit:
            break
    return matches


def _rank_weeks(
    swap: SwapRequest,
    policy: SwapPolicy,
    peers: list[Person],
    facts: _Facts,
    means: tuple[float, float],
    limit: int,
) -> list[Match]:
    """A week on offer: each peer exchanging the same week (their week's rows go back)."""
    assert swap.week_start is not None
    ids = [swap.requester_id] + [p.pk for p in peers]
    rows = weeks.week_rows(ids, swap.week_start, carries_call=policy.week_carries_call)
    given = rows.get(swap.requester_id, [])
    if not given:
        return []
    scored = []
    for person in peers:
        back = rows.get(person.pk, [])
        first = back[0] if back else None
        result = _score(swap, person, first, facts, means, policy.weights, (given, back))
        scored.append((*result, person, first, back))
    scored.sort(key=lambda item: -item[0])
    window = Window(swap.program, [swap.week_start, swap.week_start + timedelta(days=6)], full=True)
    matches: list[Match] = []
    for score, factors, explanation, person, first, back in scored:
        moves = [Move(row, person) for row in given] + [Move(row, swap.requester) for row in back]
        if window.new_hard(moves, first=True):
            continue
        matches.append(Match(person, first, score, factors, explanation))
        if len(matches) >= limit:
            break
    return matches


def compliant_for(person: Person, swaps: list[SwapRequest]) -> dict[int, str]:
    """For the marketplace: swap id -> "" when ``person`` may take it (a shift as a give-away,
    a week for their same week), else the first rule it would break (one problem build for all
    the offers shown)."""
    if not swaps:
        return {}
    days = [s.assignment.date for s in swaps]
    days += [s.week_start + timedelta(days=d) for s in swaps if s.week_start for d in (0, 6)]
    window = Window(person.program, days, full=True)
    policy = SwapPolicy.objects.filter(program=person.program_id).first() or SwapPolicy()
    verdicts = {}
    for swap in swaps:
        moves = [Move(swap.assignment, person)]
        if swap.week_start is not None:
            rows = weeks.week_rows(
                [swap.requester_id, person.pk],
                swap.week_start,
                carries_call=policy.week_carries_call,
            )
            moves = [Move(row, person) for row in rows.get(swap.requester_id, [])]
            moves += [Move(row, swap.requester) for row in rows.get(person.pk, [])]
        broken = window.new_hard(moves) if moves else []
        verdicts[swap.pk] = window.describe(broken[0]) if broken else ""
    return verdicts
