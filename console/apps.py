from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ConsoleConfig(AppConfig):
    """The coordinator console's framework (``console.admin``) and the demo seed."""

    name = "console"


# Imported as a module: a class imported into this module would count as a second default config.
class ConsoleAdminConfig(admin_apps.AdminConfig):
    """Installs the coordinator console as the default admin site (``admin.site``)."""

    default = False
    default_site = "console.admin.SchedulerAdminSite"
