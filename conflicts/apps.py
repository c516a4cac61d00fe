from __future__ import annotations

from django.apps import AppConfig


class ConflictsConfig(AppConfig):
    name = "conflicts"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from conflicts import models

        for model in (models.ConflictAlert,):
            auditlog.register(model)
