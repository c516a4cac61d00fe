from __future__ import annotations

from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from scheduling import models

        for model in (
            models.ScheduleRun,
            models.RotationAssignment,
            models.Assignment,
        ):
            auditlog.register(
                model, exclude_fields=["token_hash", "heartbeat_at", "elapsed_seconds"]
            )
