"""A conflict alert kind for an inactive person still holding published shifts."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("conflicts", "0003_detection_policy_backup"),
    ]

    operations = [
        migrations.AlterField(
            model_name="conflictalert",
            name="kind",
            field=models.CharField(
                choices=[
                    ("absence", "Absence over a shift"),
                    ("coverage", "Coverage gap"),
                    ("duty_hours", "Duty-hour rule"),
                    ("supervision", "Supervision ratio"),
                    ("credential", "Missing credential"),
                    ("double_booking", "Double booking"),
                    ("eligibility", "Not eligible"),
                    ("near_limit", "Near the duty-hour limit"),
                    ("workload", "Workload imbalance"),
                    ("inactive", "Inactive person holds shifts"),
                ],
                max_length=16,
            ),
        ),
    ]
