from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from people.models import Program
from scheduler_project.demo import seed_demo


class Command(BaseCommand):
    help = "Create the Riverside Family Medicine demo program (idempotent) and print its logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Skip when the database already holds programs other than the demo.",
        )

    def handle(self, *args: Any, if_empty: bool = False, **options: Any) -> None:
        if (
            if_empty
            and Program.objects.exists()
            and not Program.objects.filter(name__startswith="Riverside").exists()
        ):
            self.stdout.write("The database already holds programs; the demo was not added.")
            return
        program, logins, created = seed_demo()
        verb = "Created" if created else "Already present:"
        self.stdout.write(self.style.SUCCESS(f"{verb} {program.name}."))
        self.stdout.write("Demo logins (http://127.0.0.1:8000/admin/):")
        for login in logins:
            self.stdout.write(
                f"  {login.role:<14} {login.username:<12} {login.password}   {login.person}"
            )
