from __future__ import annotations

from django.apps import AppConfig


class ConflictsConfig(AppConfig):
    name = "conflicts"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from conflicts import models, tasks

        # The trigger queues tasks by name from the Celery app's registry; importing the module
        # here registers them in every process.
        del tasks

        for model in (models.ConflictAlert, models.ConflictPolicy, models.BackupDuty):
            auditlog.register(model)
