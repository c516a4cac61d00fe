"""Twenty people take the same offer at the same instant: exactly one wins (PostgreSQL only).

SQLite serialises every writer on one file lock, so the race it would show is not the one
production has; the test runs where ``select_for_update`` means a row lock (CI's PostgreSQL).
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from conftest import make_member
from lib.errors import ApplicationError
from people.models import Membership
from rotations.models import Block
from scheduling.models import Assignment, RotationAssignment
from swaps import services
from swaps.models import SwapPolicy, SwapRequest
from swaps.tests.cast import NOW, build_swap_cast, resident

TAKERS = 20


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_twenty_concurrent_takers_win(
    program_a: Any, resident_a: Any, coordinator_a: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (CI runs this with DATABASE_URL set)")
    cast = build_swap_cast(program_a, resident_a, coordinator_a)
    SwapPolicy.objects.create(program=program_a, approval=SwapPolicy.Approval.AUTO)
    block = Block.objects.get()
    rotation = RotationAssignment.objects.first().rotation  # type: ignore[union-attr]
    takers = []
    for number in range(TAKERS):
        person = resident(program_a, f"Taker{number:02d}")
        RotationAssignment.objects.create(person=person, block=block, rotation=rotation)
        takers.append(
            (person, make_member(program_a, f"taker{number}", Membership.Role.RESIDENT, person))
        )
    swap = services.swap_offer_create(
        assignment=cast.rows["rey_mon"], person=cast.rey, actor=cast.rey_user, now=NOW
    )
    start = threading.Barrier(TAKERS)
    outcomes: list[tuple[int, str]] = []
    lock = threading.Lock()

    def take(person: Any, user: Any) -> None:
        try:
            start.wait()
            services.swap_respond(swap=swap, person=person, actor=user, now=NOW)
            outcome = "won"
        except ApplicationError as error:
            outcome = error.message
        finally:
            connection.close()  # each thread had its own connection
        with lock:
            outcomes.append((person.pk, outcome))

    threads = [threading.Thread(target=take, args=taker) for taker in takers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [pk for pk, outcome in outcomes if outcome == "won"]
    assert len(winners) == 1
    assert sorted(outcome for _, outcome in outcomes if outcome != "won") == [
        "This offer has already been taken."
    ] * (TAKERS - 1)
    swap.refresh_from_db()
    assert (swap.status, swap.counterpart_id) == (SwapRequest.Status.EXECUTED, winners[0])
    assert Assignment.objects.get(pk=cast.rows["rey_mon"].pk).person_id == winners[0]
    assert Assignment.objects.filter(date=cast.rows["rey_mon"].date).count() == 1
