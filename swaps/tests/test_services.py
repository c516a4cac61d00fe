"""Swap services: every transition and every refusal (with nothing changed)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry

from lib.errors import ApplicationError
from people.models import Notification, ProgramRule
from scheduling.engine.validator import validate
from scheduling.models import Assignment, Source
from swaps import services
from swaps.checks import Window
from swaps.models import SwapPolicy, SwapRequest
from swaps.tests.cast import MONDAY, NOW, SwapCast, assign, build_swap_cast

pytestmark = pytest.mark.django_db(transaction=False)
Status = SwapRequest.Status


@pytest.fixture
def cast(program_a: Any, resident_a: Any, coordinator_a: Any) -> SwapCast:
    return build_swap_cast(program_a, resident_a, coordinator_a)


def owners(cast: SwapCast) -> dict[str, tuple[int, str]]:
    rows = {row.pk: row for row in Assignment.objects.all()}
    return {name: (rows[row.pk].person_id, rows[row.pk].source) for name, row in cast.rows.items()}


def owner(cast: SwapCast, name: str) -> int:
    return owners(cast)[name][0]


def offer(cast: SwapCast, name: str = "rey_mon", **extra: Any) -> SwapRequest:
    return services.swap_offer_create(
        assignment=cast.rows[name], person=cast.rey, actor=cast.rey_user, now=NOW, **extra
    )


def take(cast: SwapCast, swap: SwapRequest, back: str | None = None, who: str = "sam") -> Any:
    person, user = (cast.sam, cast.sam_user) if who == "sam" else (cast.ned, cast.ned_user)
    return services.swap_respond(
        swap=swap,
        person=person,
        actor=user,
        assignment=cast.rows[back] if back else None,
        now=NOW,
    )


def auto(cast: SwapCast) -> None:
    SwapPolicy.objects.create(program=cast.program, approval=SwapPolicy.Approval.AUTO)


def hard_count(cast: SwapCast) -> int:
    window = Window(cast.program, [MONDAY, MONDAY + timedelta(days=6)])
    return len(validate(window.built.problem, window.current).hard)


# Offer ----------------------------------------------------------------------------------------


def test_it_opens_an_offer_with_note_and_wish(cast: SwapCast) -> None:
    swap = offer(cast, note="Family visit", wants="a Thursday")
    assert (swap.status, swap.requester, swap.note, swap.wants) == (
        Status.OPEN,
        cast.rey,
        "Family visit",
        "a Thursday",
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("rey_past", "already started"),
        ("sam_tue", "is not Rey Resident's shift"),
        ("rey_locked", "locked"),
        ("rey_soon", "within 2 days"),
    ],
)
def test_it_refuses_offers_it_may_not_make(cast: SwapCast, name: str, message: str) -> None:
    with pytest.raises(ApplicationError, match=message):
        offer(cast, name)
    assert not SwapRequest.objects.exists()


def test_it_lets_a_coordinator_offer_inside_the_lock_window_with_a_reason(cast: SwapCast) -> None:
    swap = services.swap_offer_create(
        assignment=cast.rows["rey_soon"],
        person=cast.rey,
        actor=cast.coordinator,
        reason="Rey is ill",
        now=NOW,
    )
    assert swap.status == Status.OPEN


def test_it_refuses_a_second_offer_of_the_same_shift(cast: SwapCast) -> None:
    offer(cast)
    with pytest.raises(ApplicationError, match="already on offer"):
        offer(cast)
    assert SwapRequest.objects.count() == 1


# Respond, approve, execute ----------------------------------------------------------------


def test_it_waits_for_a_coordinator_after_a_response(cast: SwapCast) -> None:
    before = owners(cast)
    swap = take(cast, offer(cast), back="sam_tue")
    assert (swap.status, swap.kind, swap.counterpart) == (
        Status.ACCEPTED,
        SwapRequest.Kind.ONE_TO_ONE,
        cast.sam,
    )
    assert owners(cast) == before


def test_it_exchanges_both_shifts_when_a_coordinator_approves(cast: SwapCast) -> None:
    swap = take(cast, offer(cast), back="sam_tue")
    swap = services.swap_approve(swap=swap, actor=cast.coordinator, now=NOW)
    assert swap.status == Status.EXECUTED
    assert (owner(cast, "rey_mon"), owner(cast, "sam_tue")) == (cast.sam.pk, cast.rey.pk)
    assert Assignment.objects.get(pk=cast.rows["rey_mon"].pk).source == Source.SWAP


def test_it_bumps_the_moved_rows_updated_at_for_calendar_sequence(cast: SwapCast) -> None:
    stamp = cast.rows["rey_mon"].updated_at
    services.swap_approve(swap=take(cast, offer(cast)), actor=cast.coordinator, now=NOW)
    assert Assignment.objects.get(pk=cast.rows["rey_mon"].pk).updated_at > stamp


def test_it_executes_at_once_under_auto_approval(cast: SwapCast) -> None:
    auto(cast)
    swap = take(cast, offer(cast))
    assert (swap.status, swap.kind) == (Status.EXECUTED, SwapRequest.Kind.GIVE_AWAY)
    assert owner(cast, "rey_mon") == cast.sam.pk


def test_it_notifies_both_parties_after_execution(
    cast: SwapCast, django_capture_on_commit_callbacks: Any
) -> None:
    auto(cast)
    with django_capture_on_commit_callbacks(execute=True):
        take(cast, offer(cast))
    recipients = set(Notification.objects.values_list("recipient", flat=True))
    assert recipients == {cast.rey_user.pk, cast.sam_user.pk}


def test_it_lets_a_coordinator_execute_an_accepted_swap(cast: SwapCast) -> None:
    swap = services.swap_execute(swap=take(cast, offer(cast)), actor=cast.coordinator, now=NOW)
    assert (swap.status, owner(cast, "rey_mon")) == (Status.EXECUTED, cast.sam.pk)


def test_it_refuses_approval_by_a_resident(cast: SwapCast) -> None:
    swap = take(cast, offer(cast))
    with pytest.raises(ApplicationError, match="Only a coordinator"):
        services.swap_approve(swap=swap, actor=cast.sam_user, now=NOW)
    assert SwapRequest.objects.get(pk=swap.pk).status == Status.ACCEPTED


def test_it_refuses_a_taker_who_is_not_eligible(cast: SwapCast) -> None:
    swap = offer(cast)
    before = owners(cast)
    with pytest.raises(ApplicationError, match=r"assignment\.ineligible: Ned Resident"):
        take(cast, swap, who="ned")
    assert SwapRequest.objects.get(pk=swap.pk).status == Status.OPEN
    assert owners(cast) == before


def test_it_refuses_a_swap_that_breaks_a_duty_hour_rule(cast: SwapCast) -> None:
    swap = offer(cast, "rey_fri_call")
    with pytest.raises(ApplicationError, match="would break a rule: acgme") as raised:
        take(cast, swap)
    assert "Sam Resident" in raised.value.message
    assert SwapRequest.objects.get(pk=swap.pk).status == Status.OPEN


def test_it_refuses_a_taker_who_already_works_that_shift(cast: SwapCast) -> None:
    assign(cast.sam, cast.wd, MONDAY)
    swap = offer(cast)
    with pytest.raises(ApplicationError, match=r"assignment\.overlap: Sam Resident"):
        take(cast, swap)
    assert owner(cast, "rey_mon") == cast.rey.pk


def test_it_refuses_faculty_taking_a_residents_shift(cast: SwapCast, faculty_a: Any) -> None:
    with pytest.raises(ApplicationError, match="Only residents"):
        services.swap_respond(swap=offer(cast), person=cast.fay, actor=faculty_a, now=NOW)


def test_it_refuses_giving_back_a_shift_that_is_not_mine(cast: SwapCast) -> None:
    with pytest.raises(ApplicationError, match="is not Sam Resident's shift"):
        take(cast, offer(cast), back="rey_wed")


def test_it_refuses_an_offer_already_taken(cast: SwapCast) -> None:
    auto(cast)
    swap = offer(cast)
    take(cast, swap)
    with pytest.raises(ApplicationError, match="already been taken"):
        take(cast, swap, who="ned")


def test_it_refuses_execution_when_a_shift_changed_since_acceptance(cast: SwapCast) -> None:
    swap = take(cast, offer(cast), back="sam_tue")
    row = Assignment.objects.get(pk=cast.rows["sam_tue"].pk)
    row.note = "edited"
    row.save(update_fields=["note", "updated_at"])
    with pytest.raises(ApplicationError, match="changed since it was accepted"):
        services.swap_approve(swap=swap, actor=cast.coordinator, now=NOW)
    assert owner(cast, "rey_mon") == cast.rey.pk


def test_it_refuses_executing_a_past_shift(cast: SwapCast) -> None:
    swap = take(cast, offer(cast))
    with pytest.raises(ApplicationError, match="already started"):
        services.swap_approve(
            swap=swap, actor=cast.coordinator, reason="late", now=NOW + timedelta(days=10)
        )
    assert owner(cast, "rey_mon") == cast.rey.pk


def test_it_cancels_other_live_offers_of_moved_shifts(cast: SwapCast) -> None:
    auto(cast)
    sams = services.swap_offer_create(
        assignment=cast.rows["sam_tue"], person=cast.sam, actor=cast.sam_user, now=NOW
    )
    take(cast, offer(cast), back="sam_tue")
    assert SwapRequest.objects.get(pk=sams.pk).status == Status.CANCELLED


@pytest.mark.parametrize("back", [None, "sam_tue", "sam_thu"])
def test_it_never_leaves_hard_violations_worse(cast: SwapCast, back: str | None) -> None:
    before = hard_count(cast)
    services.swap_approve(swap=take(cast, offer(cast), back=back), actor=cast.coordinator, now=NOW)
    assert hard_count(cast) <= before


# Withdraw, reject ------------------------------------------------------------------------


def test_it_withdraws_an_open_offer(cast: SwapCast) -> None:
    swap = services.swap_withdraw(swap=offer(cast), actor=cast.rey_user)
    assert swap.status == Status.CANCELLED


def test_it_refuses_taking_a_withdrawn_offer(cast: SwapCast) -> None:
    swap = services.swap_withdraw(swap=offer(cast), actor=cast.rey_user)
    with pytest.raises(ApplicationError, match="cancelled"):
        take(cast, swap)


def test_it_rejects_with_a_reason(cast: SwapCast) -> None:
    swap = services.swap_reject(
        swap=take(cast, offer(cast)), actor=cast.coordinator, reason="Coverage"
    )
    assert (swap.status, swap.reason, swap.decided_by) == (
        Status.REJECTED,
        "Coverage",
        cast.coordinator,
    )


def test_it_refuses_a_rejection_without_a_reason(cast: SwapCast) -> None:
    with pytest.raises(ApplicationError, match="reason"):
        services.swap_reject(swap=offer(cast), actor=cast.coordinator, reason=" ")


# Undo ------------------------------------------------------------------------------------


def executed(cast: SwapCast) -> SwapRequest:
    swap = take(cast, offer(cast), back="sam_tue")
    return services.swap_approve(swap=swap, actor=cast.coordinator, now=NOW)


def test_it_undoes_to_the_previous_owners_exactly(cast: SwapCast) -> None:
    before = owners(cast)
    swap = services.swap_undo(swap=executed(cast), actor=cast.sam_user, reason="Mistake", now=NOW)
    assert (swap.status, swap.undo_reason) == (Status.UNDONE, "Mistake")
    assert owners(cast) == before


def test_it_audits_the_undo(cast: SwapCast) -> None:
    swap = services.swap_undo(
        swap=executed(cast), actor=cast.coordinator, reason="Mistake", now=NOW
    )
    entry = LogEntry.objects.get_for_object(swap).order_by("-timestamp").first()
    assert entry is not None
    assert entry.actor == cast.coordinator
    assert entry.changes_dict["status"] == [Status.EXECUTED, Status.UNDONE]


def test_it_refuses_undo_after_the_window(cast: SwapCast) -> None:
    swap = executed(cast)
    with pytest.raises(ApplicationError, match="undo window"):
        services.swap_undo(
            swap=swap, actor=cast.coordinator, reason="x", now=NOW + timedelta(hours=25)
        )
    assert owner(cast, "rey_mon") == cast.sam.pk


def test_it_refuses_undo_by_someone_else(cast: SwapCast) -> None:
    with pytest.raises(ApplicationError, match="party"):
        services.swap_undo(swap=executed(cast), actor=cast.ned_user, reason="x", now=NOW)


def test_a_shift_inside_the_programs_freeze_is_swapped_only_by_a_coordinator_with_a_reason(
    cast: SwapCast,
) -> None:
    ProgramRule.objects.create(
        program=cast.program, kind=ProgramRule.Kind.FREEZE, value=14, hard=True
    )  # frozen until Sun 14 March: Rey's Monday 8 March is inside
    with pytest.raises(ApplicationError, match="inside the program's freeze"):
        offer(cast)
    assert not SwapRequest.objects.exists()
    swap = services.swap_offer_create(
        assignment=cast.rows["rey_mon"],
        person=cast.rey,
        actor=cast.coordinator,
        now=NOW,
        reason="Rey's exam moved",
    )
    assert swap.reason == "Rey's exam moved"
