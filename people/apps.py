from __future__ import annotations

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from people import login_guard, models, tasks

        # Services queue tasks by name from the Celery app's registry; importing the module
        # here registers them in every process (as scheduling does). login_guard: its signal
        # receiver counts failed sign-ins.
        del tasks, login_guard

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
            models.ProgramWebhook,
            models.NotificationPreference,
            models.Invitation,
            models.ProgramRule,
            models.StandingPreference,
            models.PreferencePolicy,
        ):
            auditlog.register(
                model, exclude_fields=["token_hash", "heartbeat_at", "elapsed_seconds"]
            )
