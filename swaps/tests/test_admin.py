"""Coordinator console for swaps: scoping, and status moving only through services."""

from __future__ import annotations

from typing import Any

import pytest

from swaps.models import SwapCandidate, SwapRequest

pytestmark = pytest.mark.django_db


def test_it_keeps_a_swaps_status_read_only(console: Any) -> None:
    swap = console.world.a[SwapRequest]
    response = console.coordinator.get(console.url(SwapRequest, "change", swap.pk))
    assert "status" not in response.context["adminform"].form.fields


def test_it_lists_candidates_under_their_swap(console: Any) -> None:
    swap = console.world.a[SwapRequest]
    response = console.coordinator.get(console.url(SwapRequest, "change", swap.pk))
    (inline,) = response.context["inline_admin_formsets"]
    assert inline.opts.model is SwapCandidate
    assert [form.original for form in inline] == [console.world.a[SwapCandidate]]
