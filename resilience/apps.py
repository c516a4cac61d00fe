from __future__ import annotations

from django.apps import AppConfig


class ResilienceConfig(AppConfig):
    name = "resilience"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from resilience import models, tasks

        # Services queue tasks by name from the Celery app's registry; importing the module
        # here registers them in every process (a management command included).
        del tasks

        for model in (
            models.ResilienceSnapshot,
            models.ResilienceSettings,
            models.ContingencyStudy,
            models.Fallback,
        ):
            auditlog.register(model)

        from resilience.metrics import register

        register()
