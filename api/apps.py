from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from api import models

        auditlog.register(models.ImportRecord)
