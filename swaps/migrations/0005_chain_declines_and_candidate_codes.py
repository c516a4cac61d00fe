"""Swap chains: a declined chain is remembered (``SwapChainDecline``), and a proposed chain is
named by a public code (``SwapCandidate.code``) rather than its database id. Existing candidates
get a random code each (derived rows: the next re-rank replaces them)."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


def give_codes(apps, schema_editor):
    SwapCandidate = apps.get_model("swaps", "SwapCandidate")
    for candidate in SwapCandidate.objects.filter(code__isnull=True).only("pk"):
        candidate.code = uuid.uuid4()
        candidate.save(update_fields=["code"])


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0009_delivery_preferences_invitations"),
        ("scheduling", "0005_assignment_override_reason"),
        ("swaps", "0004_swap_chains"),
    ]

    operations = [
        migrations.AddField(
            model_name="swapcandidate",
            name="code",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="swapcandidate",
            name="code",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.CreateModel(
            name="SwapChainDecline",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=255)),
                (
                    "links",
                    models.JSONField(default=list, help_text="The chain declined, as it was proposed."),
                ),
                ("declined_at", models.DateTimeField(auto_now_add=True)),
                (
                    "declined_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="people.person",
                    ),
                ),
                (
                    "program",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="declined_swap_chains",
                        to="people.program",
                    ),
                ),
                (
                    "swap",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="declines",
                        to="swaps.swaprequest",
                    ),
                ),
            ],
            options={
                "ordering": ["-declined_at"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("program", "key"), name="swap_chain_declined_once"
                    )
                ],
            },
        ),
    ]
