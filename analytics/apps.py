from __future__ import annotations

from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from analytics import models

        auditlog.register(models.ParetoStudy)
