from __future__ import annotations

from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from analytics import models, tasks

        auditlog.register(models.ParetoStudy)
        # Services queue tasks by name from the Celery app's registry; importing the module
        # here registers them in every process (the web and management commands too).
        del tasks
