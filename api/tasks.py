"""Periodic API housekeeping (thin: the work is in api.services)."""

from __future__ import annotations

from celery import shared_task

from api import services


@shared_task(name="api.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    return services.idempotency_keys_purge()


@shared_task(name="api.purge_expired_tokens")
def purge_expired_tokens() -> int:
    return services.expired_tokens_purge()
