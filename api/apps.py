from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from api import models, tasks

        # Services queue tasks by name from the Celery app's registry; importing the module
        # here registers them in every process.
        del tasks

        auditlog.register(models.ImportRecord)
