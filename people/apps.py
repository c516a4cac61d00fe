from __future__ import annotations

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from people import login_guard, models  # noqa: F401  (login_guard: signal receiver)

        for model in (
            models.Program,
            models.AcademicYear,
            models.Person,
            models.Membership,
            models.Absence,
            models.Request,
            models.Certification,
            models.Procedure,
            models.ProcedureCredential,
            models.Notification,
            models.CalendarSubscription,
        ):
            auditlog.register(
                model, exclude_fields=["token_hash", "heartbeat_at", "elapsed_seconds"]
            )
