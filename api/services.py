"""Writes the API makes that no app service covers yet: plain rows, subscriptions, idempotency.

Every write runs in one transaction under ``set_actor(actor)``: the audit middleware sets the
actor from ``request.user`` before DRF has authenticated a JWT user, so API writes name the actor
themselves. Plain rows (people, rotations, blocks, ...) have no rules beyond their model's
``clean()`` and constraints, so one ``record_*`` family serves them all; anything with rules of
its own (schedule runs, assignments) goes through its app's service. Rows that decide conflicts
(people, coverage: ``conflicts.triggers.WATCHED``) queue conflict detection on commit.
"""

from __future__ import annotations

import copy
import hashlib
from datetime import timedelta
from typing import Any, TypeVar

from auditlog.context import set_actor
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from api.models import IdempotencyKey
from conflicts import triggers

M = TypeVar("M", bound=models.Model)


def record_create(*, model: type[M], values: dict[str, Any], actor: Any) -> M:
    with transaction.atomic(), set_actor(actor):
        instance = model(**values)
        instance.full_clean()
        instance.save()
        triggers.row_changed(None, instance)
    return instance


def record_update(*, instance: M, values: dict[str, Any], actor: Any) -> M:
    before = copy.copy(instance)
    with transaction.atomic(), set_actor(actor):
        for name, value in values.items():
            setattr(instance, name, value)
        instance.full_clean()
        fields = [*values]
        if any(f.name == "updated_at" for f in instance._meta.fields):
            fields.append("updated_at")
        instance.save(update_fields=fields)
        triggers.row_changed(before, instance)
    return instance


def record_delete(*, instance: models.Model, actor: Any) -> None:
    with transaction.atomic(), set_actor(actor):
        instance.delete()
        triggers.row_changed(instance, None)


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def idempotency_key_find(*, user: Any, key: str) -> IdempotencyKey | None:
    return IdempotencyKey.objects.filter(user=user, key=key).first()


def idempotency_key_store(
    *,
    user: Any,
    key: str,
    method: str,
    path: str,
    fingerprint: str,
    status_code: int,
    body: Any,
    location: str = "",
) -> IdempotencyKey | None:
    """Remember the answer; None when a concurrent request with the same key stored first."""
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                user=user,
                key=key,
                method=method,
                path=path,
                fingerprint=fingerprint,
                status_code=status_code,
                body=body,
                location=location,
            )
    except IntegrityError:
        return None


def idempotency_keys_purge(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Forget answers older than ``older_than``; a client retries within minutes, not days."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted


def expired_tokens_purge() -> int:
    """Forget refresh tokens (and their blacklist rows) that have expired: a dead token needs no
    blacklist entry to be refused."""
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    deleted, _ = OutstandingToken.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
