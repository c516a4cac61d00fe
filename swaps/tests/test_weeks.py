"""Whole-week exchanges: the week's shifts move together, its Friday/Saturday call only where the
program's policy says so, validated on the whole window, through service, matcher, page and API.

The cast's week of 8 March: Rey works Mon and Wed (WD) and the Friday call (24 h, to Saturday
07:00); Sam works Tue, Thu and Sat (WD, Saturday from 07:00)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from lib.errors import ApplicationError
from scheduling.models import Assignment
from swaps import matcher, services, weeks
from swaps.models import SwapPolicy, SwapRequest
from swaps.tests.cast import MONDAY, NOW, SwapCast, build_swap_cast

pytestmark = pytest.mark.django_db
Status = SwapRequest.Status
REY_WEEK = ("rey_mon", "rey_wed", "rey_fri_call")
SAM_WEEK = ("sam_tue", "sam_thu", "sam_sat")


@pytest.fixture
def cast(program_a: Any, resident_a: Any, coordinator_a: Any) -> SwapCast:
    return build_swap_cast(program_a, resident_a, coordinator_a)


@pytest.fixture
def carries(cast: SwapCast) -> SwapPolicy:
    return SwapPolicy.objects.create(program=cast.program, week_carries_call=True)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages and the API read the real clock: pin it to the cast's "now" (ticking)."""
    ticks = itertools.count()
    now: Callable[[], datetime] = lambda: NOW + timedelta(microseconds=next(ticks))  # noqa: E731
    monkeypatch.setattr("django.utils.timezone.now", now)


def owners(cast: SwapCast) -> dict[str, int]:
    rows = {row.pk: row.person_id for row in Assignment.objects.all()}
    return {name: rows[row.pk] for name, row in cast.rows.items()}


def offer_week(cast: SwapCast, day: Any = MONDAY) -> SwapRequest:
    return services.swap_week_offer_create(week=day, person=cast.rey, actor=cast.rey_user, now=NOW)


def test_it_leaves_the_friday_call_out_of_a_week_unless_the_program_says_so(
    cast: SwapCast,
) -> None:
    rows = weeks.week_rows([cast.rey.pk], MONDAY, carries_call=False)[cast.rey.pk]
    assert rows == [cast.rows["rey_mon"], cast.rows["rey_wed"]]
    rows = weeks.week_rows([cast.rey.pk], MONDAY, carries_call=True)[cast.rey.pk]
    assert rows == [cast.rows[name] for name in REY_WEEK]


def test_it_offers_the_week_holding_any_of_its_days(cast: SwapCast) -> None:
    swap = offer_week(cast, MONDAY + timedelta(days=3))
    assert (swap.kind, swap.week_start, swap.assignment) == (
        SwapRequest.Kind.WEEK,
        MONDAY,
        cast.rows["rey_mon"],
    )


def test_it_exchanges_whole_weeks_with_the_call_where_the_program_says_so(
    cast: SwapCast, carries: SwapPolicy
) -> None:
    swap = services.swap_respond(
        swap=offer_week(cast), person=cast.sam, actor=cast.sam_user, now=NOW
    )
    swap = services.swap_approve(swap=swap, actor=cast.coordinator, now=NOW)
    assert swap.status == Status.EXECUTED
    after = owners(cast)
    assert {name: after[name] for name in REY_WEEK} == dict.fromkeys(REY_WEEK, cast.sam.pk)
    assert {name: after[name] for name in SAM_WEEK} == dict.fromkeys(SAM_WEEK, cast.rey.pk)


def test_it_refuses_a_week_whose_call_stays_behind_and_breaks_a_rule(cast: SwapCast) -> None:
    # Without the call the exchange hands Rey Sam's Saturday right after Rey's own Friday call:
    # the window's validator sees 36 h of continuous duty; nothing moves.
    before = owners(cast)
    with pytest.raises(ApplicationError, match="would break a rule: acgme"):
        services.swap_respond(swap=offer_week(cast), person=cast.sam, actor=cast.sam_user, now=NOW)
    assert owners(cast) == before
    assert SwapRequest.objects.get().status == Status.OPEN


def test_it_undoes_a_week_to_the_previous_owners_exactly_and_audits_it(
    cast: SwapCast, carries: SwapPolicy
) -> None:
    before = owners(cast)
    swap = services.swap_respond(
        swap=offer_week(cast), person=cast.sam, actor=cast.sam_user, now=NOW
    )
    swap = services.swap_approve(swap=swap, actor=cast.coordinator, now=NOW)
    swap = services.swap_undo(swap=swap, actor=cast.rey_user, reason="Rota changed", now=NOW)
    assert owners(cast) == before
    entry = LogEntry.objects.get_for_object(swap).order_by("-timestamp").first()
    assert entry is not None and entry.changes_dict["status"] == [Status.EXECUTED, Status.UNDONE]


def freeze_reads(queries: CaptureQueriesContext) -> int:
    """The freeze rule's reads (scheduling.freeze.frozen_before) among the captured queries."""
    return sum(
        "people_programrule" in q["sql"] and "'freeze'" in q["sql"]
        for q in queries.captured_queries
    )


def test_it_reads_the_freeze_once_per_operation_however_many_shifts_move(
    cast: SwapCast, carries: SwapPolicy
) -> None:
    # Three shifts each way: one read of the freeze rule to offer, one to take.
    with CaptureQueriesContext(connection) as offering:
        swap = offer_week(cast)
    with CaptureQueriesContext(connection) as taking:
        services.swap_respond(swap=swap, person=cast.sam, actor=cast.sam_user, now=NOW)
    assert (freeze_reads(offering), freeze_reads(taking)) == (1, 1)


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (MONDAY + timedelta(days=7), "locked"),  # the week holds only a locked shift
        (MONDAY + timedelta(days=14), "no published shift"),
        (NOW.date() - timedelta(days=3), "already started"),  # holds rey_past
    ],
)
def test_it_refuses_week_offers_it_may_not_make(cast: SwapCast, day: Any, message: str) -> None:
    with pytest.raises(ApplicationError, match=message):
        offer_week(cast, day)
    assert not SwapRequest.objects.exists()


def test_it_refuses_a_week_to_an_ineligible_peer(cast: SwapCast, carries: SwapPolicy) -> None:
    with pytest.raises(ApplicationError, match="ineligible"):
        services.swap_respond(swap=offer_week(cast), person=cast.ned, actor=cast.ned_user, now=NOW)


def test_it_ranks_peers_for_a_week_with_an_explanation(cast: SwapCast, carries: SwapPolicy) -> None:
    matches = matcher.rank(offer_week(cast), policy=carries, now=NOW)
    assert [m.person for m in matches] == [cast.sam]  # Ned is not on the rotation
    assert "week exchange, 3 shifts for 3" in matches[0].explanation
    assert 0 <= matches[0].score <= 1


def test_it_offers_and_takes_a_week_from_the_pages(
    cast: SwapCast, carries: SwapPolicy, clock: None
) -> None:
    rey, sam = Client(), Client()
    rey.force_login(cast.rey_user)
    sam.force_login(cast.sam_user)
    rey.post(reverse("swaps:offer_week"), {"week": MONDAY.isoformat(), "note": "Course"})
    swap = SwapRequest.objects.get()
    market = sam.get(reverse("swaps:market"))
    assert [(row.pk, verdict) for row, verdict in market.context["rows"]] == [(swap.pk, "")]
    assert "Week of" in market.content.decode()
    response = sam.post(reverse("swaps:respond", args=[swap.code]), {"week": MONDAY.isoformat()})
    assert response.status_code == 302
    swap.refresh_from_db()
    assert (swap.status, swap.counterpart) == (Status.ACCEPTED, cast.sam)


def test_it_offers_and_takes_a_week_through_the_api(
    cast: SwapCast, carries: SwapPolicy, clock: None
) -> None:
    rey, sam = APIClient(), APIClient()
    rey.force_authenticate(cast.rey_user)
    sam.force_authenticate(cast.sam_user)
    offered = rey.post("/api/v1/swaps/", {"week": MONDAY.isoformat()}, format="json")
    assert offered.status_code == 201, offered.content
    assert (offered.json()["kind"], offered.json()["week_start"]) == ("week", MONDAY.isoformat())
    code = offered.json()["code"]
    taken = sam.post(f"/api/v1/swaps/{code}/respond/", {}, format="json")
    assert taken.json()["status"] == "accepted", taken.content
    both = rey.post(
        "/api/v1/swaps/",
        {"week": MONDAY.isoformat(), "assignment": str(cast.rows["rey_wed"].code)},
        format="json",
    )
    assert both.status_code == 400
