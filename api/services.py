"""Writes the API makes that no app service covers yet: plain rows, subscriptions, idempotency.

Every write runs in one transaction under ``set_actor(actor)``: the audit middleware sets the
actor from ``request.user`` before DRF has authenticated a JWT user, so API writes name the actor
themselves. Plain rows (people, rotations, blocks, ...) have no rules beyond their model's
``clean()`` and constraints, so one ``record_*`` family serves them all; anything with rules of
its own (schedule runs, assignments) goes through its app's service.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, TypeVar

from auditlog.context import set_actor
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from api.models import IdempotencyKey
from lib.errors import ApplicationError
from people.models import CalendarSubscription, Person

M = TypeVar("M", bound=models.Model)


def record_create(*, model: type[M], values: dict[str, Any], actor: Any) -> M:
    with transaction.atomic(), set_actor(actor):
        instance = model(**values)
        instance.full_clean()
        instance.save()
    return instance


def record_update(*, instance: M, values: dict[str, Any], actor: Any) -> M:
    with transaction.atomic(), set_actor(actor):
        for name, value in values.items():
            setattr(instance, name, value)
        instance.full_clean()
        fields = [*values]
        if any(f.name == "updated_at" for f in instance._meta.fields):
            fields.append("updated_at")
        instance.save(update_fields=fields)
    return instance


def record_delete(*, instance: models.Model, actor: Any) -> None:
    with transaction.atomic(), set_actor(actor):
        instance.delete()


def calendar_subscription_create(
    *,
    owner: Person,
    scope: str,
    actor: Any,
    rotation: Any = None,
    label: str = "",
) -> tuple[CalendarSubscription, str]:
    """A new feed link; the token is returned once and only its SHA-256 hash is kept."""
    if scope == CalendarSubscription.Scope.ROTATION and rotation is None:
        raise ApplicationError(
            "A rotation feed names its rotation.", details={"rotation": "required"}
        )
    if rotation is not None and rotation.program_id != owner.program_id:
        raise ApplicationError("That rotation belongs to another program.")
    token = secrets.token_urlsafe(32)
    with transaction.atomic(), set_actor(actor):
        subscription = CalendarSubscription.objects.create(
            program_id=owner.program_id,
            owner=owner,
            scope=scope,
            rotation=rotation if scope == CalendarSubscription.Scope.ROTATION else None,
            label=label,
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            token_hint=token[:8],
        )
    return subscription, token


def calendar_subscription_revoke(
    *, subscription: CalendarSubscription, actor: Any
) -> CalendarSubscription:
    with transaction.atomic(), set_actor(actor):
        if subscription.revoked_at is None:
            subscription.revoked_at = timezone.now()
            subscription.save(update_fields=["revoked_at", "updated_at"])
    return subscription


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
