"""Coordinator console for swaps: scoping, and status moving only through services."""

from __future__ import annotations

from typing import Any

import pytest

from swaps.models import SwapCandidate, SwapChainLink, SwapRequest

pytestmark = pytest.mark.django_db


def test_it_keeps_a_swaps_status_read_only(console: Any) -> None:
    swap = console.world.a[SwapRequest]
    response = console.coordinator.get(console.url(SwapRequest, "change", swap.pk))
    assert "status" not in response.context["adminform"].form.fields


def test_it_lists_candidates_under_their_swap(console: Any) -> None:
    swap = console.world.a[SwapRequest]
    response = console.coordinator.get(console.url(SwapRequest, "change", swap.pk))
    links, inline = response.context["inline_admin_formsets"]
    assert (links.opts.model, inline.opts.model) == (SwapChainLink, SwapCandidate)
    assert [form.original for form in links] == [console.world.a[SwapChainLink]]
    assert [form.original for form in inline] == [console.world.a[SwapCandidate]]


def test_it_rejects_from_the_console_through_the_service(
    program_a: Any, resident_a: Any, coordinator_a: Any
) -> None:
    from django.test import Client

    from swaps import services
    from swaps.tests.cast import NOW, build_swap_cast

    cast = build_swap_cast(program_a, resident_a, coordinator_a)
    swap = services.swap_offer_create(
        assignment=cast.rows["rey_wed"], person=cast.rey, actor=cast.rey_user, now=NOW
    )
    client = Client()
    client.force_login(coordinator_a)
    client.post(
        "/admin/swaps/swaprequest/",
        {"action": "reject", "_selected_action": [swap.pk]},
    )
    swap.refresh_from_db()
    assert (swap.status, swap.decided_by) == (SwapRequest.Status.REJECTED, coordinator_a)
