from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand
from django.urls import reverse

from console.demo import seed_demo
from people.models import Program


class Command(BaseCommand):
    help = "Create the Riverside Family Medicine demo program (idempotent) and print its logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Skip when the database already holds programs other than the demo.",
        )
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help="Do not generate and publish the rotation plan and a block schedule.",
        )
        parser.add_argument("--time-limit", type=int, default=20, help="Seconds per solver run.")
        parser.add_argument(
            "--url",
            default=f"http://127.0.0.1:{os.environ.get('PORT') or 8000}",
            help="Where the site is served, for the printed login link (bin/dev-server passes it).",
        )

    def handle(
        self,
        *args: Any,
        if_empty: bool = False,
        no_schedule: bool = False,
        time_limit: int = 20,
        url: str = "",
        **options: Any,
    ) -> None:
        if (
            if_empty
            and Program.objects.exists()
            and not Program.objects.filter(name__startswith="Riverside").exists()
        ):
            self.stdout.write("The database already holds programs; the demo was not added.")
            return
        if not no_schedule:
            self.stdout.write(
                "Building the demo program, its rotation plan and a block schedule (about a minute)…"
            )
        program, logins, created = seed_demo(
            schedule=not no_schedule, time_limit=time_limit, look_ahead=not no_schedule
        )
        if created and not no_schedule:
            self.stdout.write(
                "N-1/N-2 contingency and fallbacks queued: the worker fills in the resilience "
                "dashboard within a few minutes."
            )
        verb = "Created" if created else "Already present:"
        self.stdout.write(self.style.SUCCESS(f"{verb} {program.name}."))
        self.stdout.write(f"Demo logins (log in at {url.rstrip('/')}{reverse('login')}):")
        for login in logins:
            self.stdout.write(
                f"  {login.role:<14} {login.username:<12} {login.password}   {login.person}"
            )
