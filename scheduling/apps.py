from __future__ import annotations

from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from scheduling import models, tasks

        # Services queue tasks by name from the Celery app's registry (no import back into
        # tasks.py); importing the module here registers them in every process.
        del tasks

        for model in (
            models.ScheduleRun,
            models.RotationAssignment,
            models.Assignment,
        ):
            auditlog.register(
                model, exclude_fields=["token_hash", "heartbeat_at", "elapsed_seconds"]
            )
