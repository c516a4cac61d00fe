"""Abstract bases shared by the domain models."""

from __future__ import annotations

import uuid

from django.db import models


class CodedModel(models.Model):
    """A user-facing row: URLs and the API carry its public UUID code, never the primary key."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
