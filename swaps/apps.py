from __future__ import annotations

from django.apps import AppConfig


class SwapsConfig(AppConfig):
    name = "swaps"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from swaps import models, tasks

        # Services queue tasks by name from the Celery app's registry; importing the module
        # here registers them in every process.
        del tasks

        for model in (
            models.SwapRequest,
            models.SwapCandidate,
            models.SwapChainLink,
            models.SwapChainDecline,
            models.SwapPolicy,
        ):
            auditlog.register(model)
