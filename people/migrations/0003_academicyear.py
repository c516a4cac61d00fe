"""AcademicYear moves from rotations to people, next to Program; its table does not move.

State only: the model keeps its table (``rotations_academicyear``), its rows, its named
constraints and the foreign keys that point at it. rotations 0003 drops the old model from the
state and renames its content type, so audit history and permissions follow the model.
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_initial"),
        ("rotations", "0002_block_no_overlap"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AcademicYear",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("code", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("name", models.CharField(help_text="e.g. 2026–2027", max_length=40)),
                        ("start_date", models.DateField()),
                        ("end_date", models.DateField()),
                        (
                            "program",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="academic_years",
                                to="people.program",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "rotations_academicyear",
                        "ordering": ["-start_date"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="academicyear",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("end_date__gt", models.F("start_date"))),
                        name="academic_year_end_after_start",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="academicyear",
                    constraint=models.UniqueConstraint(
                        fields=("program", "start_date"),
                        name="academic_year_unique_start_per_program",
                    ),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="pgy_override_year",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="people.academicyear",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
