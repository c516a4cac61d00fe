"""Celery tasks: thin wrappers that take ids and call one service."""

from __future__ import annotations

from celery import shared_task

from swaps import services
from swaps.models import SwapRequest


@shared_task(name="swaps.match_swap")
def match_swap(swap_id: int) -> int:
    """Rank an open request's candidates (a request no longer open is left alone)."""
    swap = SwapRequest.objects.filter(pk=swap_id, status=SwapRequest.Status.OPEN).first()
    return len(services.swap_match(swap=swap)) if swap else 0


@shared_task(name="swaps.rematch_program")
def rematch_program(program_id: int) -> int:
    """After the schedule changes: re-rank every open request of the program."""
    swaps = SwapRequest.objects.filter(program_id=program_id, status=SwapRequest.Status.OPEN)
    return sum(len(services.swap_match(swap=swap)) for swap in swaps)
