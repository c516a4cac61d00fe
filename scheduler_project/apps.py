from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class SchedulerAdminConfig(AdminConfig):
    """Installs the coordinator console as the default admin site (``admin.site``)."""

    default_site = "scheduler_project.admin.SchedulerAdminSite"
