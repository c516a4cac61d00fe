"""Writes to swaps: offer, respond, withdraw, approve, reject, execute, undo.

Every transition locks the request (``select_for_update``) before reading its status, so two
people answering the same offer are served one after the other: the first takes it, the second
is told it is taken. Executing (and undoing) also locks the affected assignment rows, checks they
have not changed since the swap was accepted, and validates the whole affected window with the
engine's validator (``swaps.checks``): nothing executes that adds a hard violation.

``moves`` on the request holds the planned (then executed) changes of owner with each row's
``updated_at`` stamp; a row whose stamp differs has changed since, and the swap is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from auditlog.context import set_actor
from celery import current_app
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from lib.errors import ApplicationError
from people import access
from people.models import Person, Program
from people.notify import Event, notify
from scheduling import freeze
from scheduling.models import Assignment, Source, State
from scheduling.services import schedule_changed
from swaps import checks, cycles, matcher, weeks
from swaps.checks import Move
from swaps.models import SwapCandidate, SwapPolicy, SwapRequest

logger = logging.getLogger(__name__)
Status = SwapRequest.Status
TRADERS = (Person.Kind.RESIDENT, Person.Kind.FACULTY)


def policy_for(program: Program) -> SwapPolicy:
    """The program's swap policy, or the defaults when it has none."""
    return SwapPolicy.objects.filter(program=program).first() or SwapPolicy(program=program)


def _is_manager(actor: Any, program: Program) -> bool:
    return access.can(actor, "swap", access.DECIDE, program)


def _check_shifts(
    shifts: Sequence[tuple[Assignment, Person]],
    *,
    program: Program,
    now: datetime,
    policy: SwapPolicy,
    manager: bool,
) -> None:
    """The refusals that concern shifts offered or given back, each with its owner. The
    program's freeze is read once for them all (a week exchange checks a dozen shifts)."""
    frozen_until = freeze.frozen_before(program, now)
    for row, owner in shifts:
        label = f"{row.shift_type.abbreviation} on {row.date:%a %d %b %Y}"
        if row.person_id != owner.pk:
            raise ApplicationError(f"{label} is not {owner.full_name}'s shift.")
        if row.state != State.PUBLISHED:
            raise ApplicationError(f"{label} is not published.")
        if row.starts_at <= now:
            raise ApplicationError(f"{label} has already started: past shifts cannot be swapped.")
        if row.locked:
            raise ApplicationError(f"{label} is locked by the coordinator and cannot be swapped.")
        if not manager and row.starts_at <= now + timedelta(days=policy.lock_days):
            raise ApplicationError(
                f"{label} starts within {policy.lock_days} days: only a coordinator may swap "
                "it, with a reason."
            )
        if not manager and frozen_until is not None and row.date < frozen_until:
            last = frozen_until - timedelta(days=1)
            raise ApplicationError(
                f"{label} is inside the program's freeze (until {last:%d %b}): only a "
                "coordinator may swap it, with a reason."
            )


def _locked_rows(ids: Sequence[int]) -> dict[int, Assignment]:
    # Ordered by id so two transactions locking the same rows never deadlock.
    rows = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("person", "shift_type")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    return {row.pk: row for row in rows}


def _locked_swap(swap: SwapRequest) -> SwapRequest:
    return (
        SwapRequest.objects.select_for_update(of=("self",))
        .select_related("program", "requester", "counterpart")
        .get(pk=swap.pk)
    )


def _closed_message(swap: SwapRequest) -> str:
    if swap.status in (Status.ACCEPTED, Status.APPROVED, Status.EXECUTED):
        return "This offer has already been taken."
    if swap.status == Status.OFFERED:
        return "This offer waits for everyone in its swap chain to accept it."
    return f"This offer is {swap.get_status_display().lower()}."


def _notify(
    swap: SwapRequest, people: Sequence[Person | None], event: str, title: str, body: str
) -> None:
    """Tell the users linked to ``people`` about this swap, after the transaction commits."""
    notify(
        people,
        event,
        program=swap.program_id,
        title=title,
        body=body,
        url="/swaps/",
        context={"swap": str(swap.code)},
    )


def _refuse_unless_compliant(program: Program, moves: Sequence[Move]) -> None:
    reasons = checks.refusals(program, moves)
    if reasons:
        raise ApplicationError(
            f"This swap would break a rule: {reasons[0]}", details={"violations": reasons}
        )


def _plan(swap: SwapRequest, rows: dict[int, Assignment]) -> list[Move]:
    assert swap.counterpart is not None
    moves = [Move(rows[swap.assignment_id], swap.counterpart)]
    if swap.counterpart_assignment_id is not None:
        moves.append(Move(rows[swap.counterpart_assignment_id], swap.requester))
    return moves


def swap_offer_create(
    *,
    assignment: Assignment,
    person: Person,
    actor: Any,
    note: str = "",
    wants: str = "",
    reason: str = "",
    now: datetime | None = None,
) -> SwapRequest:
    """Offer one of ``person``'s published future shifts on the marketplace."""
    return _offer(person, [assignment.pk], None, actor, note, wants, reason, now)


def swap_week_offer_create(
    *,
    week: date,
    person: Person,
    actor: Any,
    note: str = "",
    wants: str = "",
    reason: str = "",
    now: datetime | None = None,
) -> SwapRequest:
    """Offer ``person``'s whole week (the one holding ``week``) for a peer's week (swaps.weeks:
    the Friday and Saturday call moves with it only where the program's policy says so)."""
    monday = weeks.monday_of(week)
    carries = policy_for(person.program).week_carries_call
    rows = weeks.week_rows([person.pk], monday, carries_call=carries).get(person.pk, [])
    if not rows:
        raise ApplicationError(
            f"{person.full_name} has no published shift to exchange in the week of "
            f"{monday:%d %b %Y}."
        )
    return _offer(person, [row.pk for row in rows], monday, actor, note, wants, reason, now)


def _offer(
    person: Person,
    ids: list[int],
    monday: date | None,
    actor: Any,
    note: str,
    wants: str,
    reason: str,
    now: datetime | None,
) -> SwapRequest:
    now = now or timezone.now()
    program = person.program
    manager = _is_manager(actor, program)
    if manager and not reason.strip():
        manager = False  # inside the lock window a coordinator must say why
    if person.kind not in TRADERS:
        raise ApplicationError("Only residents and faculty trade shifts.")
    policy = policy_for(program)
    with transaction.atomic(), set_actor(actor):
        rows = _locked_rows(ids)
        if len(rows) != len(ids):
            raise ApplicationError("That shift no longer exists.")
        shifts = [(rows[pk], person) for pk in ids]
        _check_shifts(shifts, program=program, now=now, policy=policy, manager=manager)
        try:
            with transaction.atomic():
                swap = SwapRequest.objects.create(
                    program=program,
                    requester=person,
                    assignment=rows[ids[0]],
                    kind=SwapRequest.Kind.WEEK if monday else SwapRequest.Kind.GIVE_AWAY,
                    week_start=monday,
                    note=note,
                    wants=wants,
                    reason=reason,
                )
        except IntegrityError:
            raise ApplicationError("This shift is already on offer.") from None
        transaction.on_commit(lambda: _enqueue_matching(swap.pk))
    return swap


def _enqueue_matching(swap_id: int) -> None:
    # By name from the app's registry: tasks.py imports this module, never the other way round.
    try:
        current_app.tasks["swaps.match_swap"].delay(swap_id)
    except Exception:  # the broker being down must not lose the offer; matching reruns later
        logger.exception("could not queue matching for swap %s", swap_id)


def swap_respond(
    *,
    swap: SwapRequest,
    person: Person,
    actor: Any,
    assignment: Assignment | None = None,
    week: date | None = None,
    now: datetime | None = None,
) -> SwapRequest:
    """Take an open offer: give ``assignment`` back (one for one) or take it as a give-away; a
    week on offer is exchanged for the taker's ``week`` (default: the same week).

    The swap is validated now; with the program's auto-approval it executes in the same
    transaction, otherwise it waits for a coordinator. (Only a coordinator, with a reason, gets
    past ``_check_shifts`` inside the lock window.)
    """
    now = now or timezone.now()
    with transaction.atomic(), set_actor(actor):
        swap = _locked_swap(swap)
        if swap.status != Status.OPEN:
            raise ApplicationError(_closed_message(swap))
        if swap.kind == SwapRequest.Kind.WEEK:
            return _respond_week(swap, person, actor, week or swap.week_start, now)
        _check_taker(swap, person)
        policy = policy_for(swap.program)
        manager = _is_manager(actor, swap.program)
        ids = [swap.assignment_id] + ([assignment.pk] if assignment else [])
        rows = _locked_rows(ids)
        if len(rows) != len(set(ids)):
            raise ApplicationError("One of the shifts no longer exists.")
        offered = rows[swap.assignment_id]
        shifts = [(offered, swap.requester)]
        if assignment is not None:
            shifts.append((rows[assignment.pk], person))
        _check_shifts(shifts, program=swap.program, now=now, policy=policy, manager=manager)
        swap.counterpart = person
        swap.counterpart_assignment = rows[assignment.pk] if assignment else None
        swap.kind = SwapRequest.Kind.ONE_TO_ONE if assignment else SwapRequest.Kind.GIVE_AWAY
        return _accept(swap, _plan(swap, rows), policy, actor, now, str(offered))


def _check_taker(swap: SwapRequest, person: Person) -> None:
    if person.pk == swap.requester_id:
        raise ApplicationError("You cannot take your own offer.")
    if person.program_id != swap.program_id or person.kind != swap.requester.kind:
        raise ApplicationError(
            f"Only {swap.requester.get_kind_display().lower()}s of {swap.program} may take "
            "this shift."
        )


def _accept(
    swap: SwapRequest,
    moves: list[Move],
    policy: SwapPolicy,
    actor: Any,
    now: datetime,
    what: str,
) -> SwapRequest:
    """Validate the planned moves, record them and execute at once under auto-approval."""
    assert swap.counterpart is not None
    _refuse_unless_compliant(swap.program, moves)
    swap.status = Status.ACCEPTED
    swap.accepted_at = now
    swap.moves = checks.stamps(moves)
    swap.save(
        update_fields=[
            "counterpart",
            "counterpart_assignment",
            "kind",
            "status",
            "accepted_at",
            "moves",
            "updated_at",
        ]
    )
    if policy.approval == SwapPolicy.Approval.AUTO:
        # Validated a moment ago in this transaction, with the rows still locked.
        return _execute(swap, actor=actor, now=now, validated=True)
    _notify(
        swap,
        [swap.requester],
        Event.SWAP_ACCEPTED,
        "Your shift offer was taken",
        f"{swap.counterpart.full_name} took {what}; a coordinator will approve it.",
    )
    return swap


def _respond_week(
    swap: SwapRequest, person: Person, actor: Any, week: date | None, now: datetime
) -> SwapRequest:
    """The requester's week goes to ``person``, ``person``'s week (any, default the same) to the
    requester; every row of both is checked like a single shift, the whole is validated."""
    assert swap.week_start is not None
    _check_taker(swap, person)
    policy = policy_for(swap.program)
    manager = _is_manager(actor, swap.program)
    theirs = weeks.monday_of(week or swap.week_start)
    carries = policy.week_carries_call
    given = weeks.week_rows([swap.requester_id], swap.week_start, carries_call=carries)
    back = weeks.week_rows([person.pk], theirs, carries_call=carries)
    given_ids = [row.pk for row in given.get(swap.requester_id, [])]
    back_ids = [row.pk for row in back.get(person.pk, [])]
    if not given_ids:
        raise ApplicationError("The offered week has no published shift left to exchange.")
    rows = _locked_rows(given_ids + back_ids)
    shifts = [(rows[pk], swap.requester) for pk in given_ids]
    shifts += [(rows[pk], person) for pk in back_ids]
    _check_shifts(shifts, program=swap.program, now=now, policy=policy, manager=manager)
    swap.counterpart = person
    swap.counterpart_assignment = rows[back_ids[0]] if back_ids else None
    moves = [Move(rows[pk], person) for pk in given_ids]
    moves += [Move(rows[pk], swap.requester) for pk in back_ids]
    what = f"the week of {swap.week_start:%d %b %Y}"
    return _accept(swap, moves, policy, actor, now, what)


def swap_withdraw(*, swap: SwapRequest, actor: Any) -> SwapRequest:
    """The requester takes the offer back (before it executes)."""
    with transaction.atomic(), set_actor(actor):
        swap = _locked_swap(swap)
        if swap.status not in (Status.OPEN, Status.OFFERED, Status.ACCEPTED, Status.APPROVED):
            raise ApplicationError(f"This offer is already {swap.get_status_display().lower()}.")
        swap.status = Status.CANCELLED
        swap.save(update_fields=["status", "updated_at"])
        others = [person for person in swap.parties() if person.pk != swap.requester_id]
        if others:
            _notify(
                swap,
                others,
                Event.SWAP_WITHDRAWN,
                "A swap was withdrawn",
                str(swap.assignment),
            )
    return swap


def _decide(swap: SwapRequest, actor: Any, status: str, reason: str, now: datetime) -> None:
    swap.status = status
    swap.reason = reason or swap.reason
    swap.decided_by = actor if getattr(actor, "pk", None) else None
    swap.decided_at = now
    swap.save(update_fields=["status", "reason", "decided_by", "decided_at", "updated_at"])


def _require_manager(actor: Any, swap: SwapRequest) -> None:
    if not _is_manager(actor, swap.program):
        raise ApplicationError("Only a coordinator of the program may decide swaps.")


def swap_approve(
    *, swap: SwapRequest, actor: Any, reason: str = "", now: datetime | None = None
) -> SwapRequest:
    """A coordinator approves an accepted swap, which then executes."""
    now = now or timezone.now()
    with transaction.atomic(), set_actor(actor):
        swap = _locked_swap(swap)
        _require_manager(actor, swap)
        if swap.status != Status.ACCEPTED:
            raise ApplicationError(
                "Only a swap someone has taken can be approved; "
                f"this one is {swap.get_status_display().lower()}."
            )
        lock_until = now + timedelta(days=policy_for(swap.program).lock_days)
        if not reason.strip() and swap.assignment.starts_at <= lock_until:
            raise ApplicationError("The shift is inside the lock window: give a reason.")
        _decide(swap, actor, Status.APPROVED, reason, now)
        return _execute(swap, actor=actor, now=now)


def swap_reject(*, swap: SwapRequest, actor: Any, reason: str) -> SwapRequest:
    if not reason.strip():
        raise ApplicationError("Give a reason for rejecting the swap.")
    with transaction.atomic(), set_actor(actor):
        swap = _locked_swap(swap)
        _require_manager(actor, swap)
        if swap.status not in SwapRequest.LIVE:
            raise ApplicationError(f"This swap is already {swap.get_status_display().lower()}.")
        _decide(swap, actor, Status.REJECTED, reason, timezone.now())
        _notify(swap, swap.parties(), Event.SWAP_REJECTED, "Swap rejected", reason)
    return swap


def swap_execute(*, swap: SwapRequest, actor: Any, now: datetime | None = None) -> SwapRequest:
    """A coordinator executes an approved (or accepted: executing approves it) swap."""
    now = now or timezone.now()
    with transaction.atomic(), set_actor(actor):
        swap = _locked_swap(swap)
        _require_manager(actor, swap)
        if swap.status == Status.ACCEPTED:
            _decide(swap, actor, Status.APPROVED, "", now)
        return _execute(swap, actor=actor, now=now)


def _execute(
    swap: SwapRequest, *, actor: Any, now: datetime, validated: bool = False
) -> SwapRequest:
    """Move the rows of a locked, approved-or-accepted swap; caller holds the transaction."""
    if swap.status not in (Status.ACCEPTED, Status.APPROVED):
        raise ApplicationError(
            _closed_message(swap)
            if swap.status != Status.OPEN
            else "Nobody has taken this offer yet."
        )
    planned, rows = _planned_rows(swap, now, "since it was accepted")
    people = {p.pk: p for p in Person.objects.filter(pk__in=[m["to"] for m in planned.values()])}
    moves = [Move(rows[pk], people[move["to"]]) for pk, move in planned.items()]
    if not validated:
        _refuse_unless_compliant(swap.program, moves)
    _move_rows(moves)
    swap.moves = checks.stamps_after(moves, planned)
    swap.status = Status.EXECUTED
    swap.executed_at = now
    swap.save(update_fields=["moves", "status", "executed_at", "updated_at"])
    _cancel_stale(swap, list(planned))
    _notify(
        swap,
        swap.parties(),
        Event.SWAP_EXECUTED,
        "Swap done",
        "; ".join(f"{move.assignment} now belongs to {move.to_person}" for move in moves),
    )
    return swap


def _planned_rows(
    swap: SwapRequest, now: datetime, since: str
) -> tuple[dict[int, dict[str, Any]], dict[int, Assignment]]:
    """Lock the rows of the planned moves; refuse when one changed (``since``) or cannot move."""
    planned = {int(move["assignment"]): move for move in swap.moves}
    rows = _locked_rows(list(planned))
    for pk, move in planned.items():
        row = rows.get(pk)
        if (
            row is None
            or row.state != State.PUBLISHED
            or row.person_id != move["from"]
            or row.updated_at.isoformat() != move["stamp"]
        ):
            raise ApplicationError(f"A shift in this swap has changed {since}: it cannot go ahead.")
        if row.starts_at <= now:
            raise ApplicationError(f"{row} has already started: past shifts cannot be swapped.")
        if row.locked:
            raise ApplicationError(f"{row} is locked by the coordinator and cannot be swapped.")
    return planned, rows


def _move_rows(moves: Sequence[Move], sources: Sequence[str] = ()) -> None:
    # Two people exchanging the same shift type on one date would briefly collide on the
    # published uniqueness constraint; a validated swap never does (it would be an overlap).
    # Other open offers are ranked again; conflicts over the days are detected again.
    schedule_changed(moves[0].to_person.program_id, *checks.span(moves))
    try:
        with transaction.atomic():
            for index, move in enumerate(moves):
                row = move.assignment
                row.person = move.to_person
                row.source = sources[index] if sources else Source.SWAP
                # updated_at moves on: the feeds' SEQUENCE grows and calendars update the event.
                row.save(update_fields=["person", "source", "updated_at"])
    except IntegrityError:  # a same shift added to the taker since validation
        raise ApplicationError("One of you already works that shift on that day.") from None


def _cancel_stale(swap: SwapRequest, assignment_ids: list[int]) -> None:
    """Other live offers of the moved shifts can no longer happen."""
    stale = SwapRequest.objects.filter(status__in=SwapRequest.LIVE).exclude(pk=swap.pk)
    stale = stale.filter(
        Q(assignment_id__in=assignment_ids) | Q(counterpart_assignment_id__in=assignment_ids)
    )
    for other in stale.select_for_update(of=("self",)):
        other.status = Status.CANCELLED
        other.reason = "The shift moved in another swap."
        other.save(update_fields=["status", "reason", "updated_at"])


def swap_undo(
    *, swap: SwapRequest, actor: Any, reason: str, now: datetime | None = None
) -> SwapRequest:
    """Restore the previous owners exactly, within the program's undo window, re-validated.

    A coordinator, or either party of the swap, may undo it."""
    now = now or timezone.now()
    if not reason.strip():
        raise ApplicationError("Give a reason for undoing the swap.")
    with transaction.atomic(), set_actor(actor):
        swap = _locked_swap(swap)
        party_ids = {person.pk for person in swap.parties()}
        person_id = access.grants(actor).get(swap.program_id)
        is_party = person_id is not None and person_id.person_id in party_ids
        if not (is_party or _is_manager(actor, swap.program)):
            raise ApplicationError("Only a coordinator or a party to the swap may undo it.")
        if swap.status != Status.EXECUTED or swap.executed_at is None:
            raise ApplicationError(
                f"Only an executed swap can be undone; this one is "
                f"{swap.get_status_display().lower()}."
            )
        hours = policy_for(swap.program).undo_hours
        if now > swap.executed_at + timedelta(hours=hours):
            raise ApplicationError(f"The undo window ({hours} h after execution) has passed.")
        executed = {int(move["assignment"]): move for move in swap.moves}
        rows = _locked_rows(list(executed))
        for pk, move in executed.items():
            row = rows.get(pk)
            if (
                row is None
                or row.person_id != move["to"]
                or row.updated_at.isoformat() != move["stamp"]
            ):
                raise ApplicationError(
                    "A shift of this swap has changed since; it cannot be undone."
                )
            if row.starts_at <= now:
                raise ApplicationError(f"{row} has already started: the swap cannot be undone.")
        people = {
            p.pk: p for p in Person.objects.filter(pk__in=[m["from"] for m in executed.values()])
        }
        moves = [Move(rows[pk], people[move["from"]]) for pk, move in executed.items()]
        _refuse_unless_compliant(swap.program, moves)
        _move_rows(moves, [move["source"] for move in executed.values()])
        swap.status = Status.UNDONE
        swap.undone_at = now
        swap.undo_reason = reason
        swap.save(update_fields=["status", "undone_at", "undo_reason", "updated_at"])
        _notify(swap, swap.parties(), Event.SWAP_UNDONE, "Swap undone", reason)
    return swap


def swap_match(*, swap: SwapRequest, notify: int = 3, now: datetime | None = None) -> list[Any]:
    """Rank the candidates of an open request and store them (replacing earlier ones); tell the
    best ``notify`` who were not candidates before. Derived data: no actor, no lock needed
    beyond the request's."""
    with transaction.atomic():
        swap = _locked_swap(swap)
        if swap.status != Status.OPEN:
            return []
        swap = SwapRequest.objects.select_related(
            "program", "requester", "assignment__shift_type", "assignment__person"
        ).get(pk=swap.pk)
        policy = policy_for(swap.program)
        matches = matcher.rank(swap, policy=policy, now=now)
        if not matches and swap.kind != SwapRequest.Kind.WEEK:
            matches = cycles.propose(swap, policy=policy, now=now)  # no pair works: chains
        known = set(swap.candidates.values_list("person_id", flat=True))
        swap.candidates.all().delete()
        SwapCandidate.objects.bulk_create(_candidate(swap, match) for match in matches)
        fresh = [m.person for m in matches if m.person.pk not in known][:notify]
        if fresh:
            _notify(
                swap,
                fresh,
                Event.SWAP_OFFERED,
                "A shift you could take is on offer",
                f"{swap.requester.full_name} offers {swap.assignment}.",
            )
    return matches


def _candidate(swap: SwapRequest, match: Any) -> SwapCandidate:
    candidate = SwapCandidate(
        swap=swap,
        person=match.person,
        assignment=match.assignment,
        score=match.score,
        factors={**match.factors, "explanation": match.explanation},
    )
    if "chain" in match.factors:  # a chain keeps its code across re-ranks (pages name it so)
        candidate.code = cycles.candidate_code(swap, match.factors["chain"])
    return candidate
