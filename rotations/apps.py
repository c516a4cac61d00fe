from __future__ import annotations

from django.apps import AppConfig


class RotationsConfig(AppConfig):
    name = "rotations"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from rotations import models

        for model in (
            models.Block,
            models.Rotation,
            models.CurriculumRequirement,
            models.ShiftType,
            models.CoverageRequirement,
        ):
            auditlog.register(model)
