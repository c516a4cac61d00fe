"""A fallback is named by a public code (``Fallback.code``) in the dashboard and the API rather
than its database id (STYLE rule 6). Existing fallbacks get a random code each."""

import uuid

from django.db import migrations, models


def give_codes(apps, schema_editor):
    Fallback = apps.get_model("resilience", "Fallback")
    for fallback in Fallback.objects.filter(code__isnull=True).only("pk"):
        fallback.code = uuid.uuid4()
        fallback.save(update_fields=["code"])


class Migration(migrations.Migration):
    dependencies = [
        ("resilience", "0002_settings_contingency_fallback"),
    ]

    operations = [
        migrations.AddField(
            model_name="fallback",
            name="code",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="fallback",
            name="code",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
