from __future__ import annotations

from django.apps import AppConfig


class SwapsConfig(AppConfig):
    name = "swaps"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from swaps import models

        for model in (
            models.SwapRequest,
            models.SwapCandidate,
            models.SwapPolicy,
        ):
            auditlog.register(model)
