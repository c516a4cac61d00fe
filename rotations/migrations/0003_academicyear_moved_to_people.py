"""AcademicYear now lives in people (people 0003); the table ``rotations_academicyear`` stays.

State only for the model: Block's foreign key now names people.AcademicYear and the old model
leaves the state; no table, column, constraint, trigger or exclusion constraint changes (the
block_no_overlap_within_year trigger and exclusion constraint name rotations_block only). The
content type is renamed, not recreated, so django-auditlog entries and permissions that point at
it keep pointing at the model.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models.deletion import Collector


def _rename_content_type(apps, schema_editor, old_label, new_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    old = ContentType.objects.filter(app_label=old_label, model="academicyear").first()
    if old is None:
        return  # a fresh database: post_migrate creates the content type under its new label
    # After a rollback and a new migrate, post_migrate may have created the new label already,
    # holding only its default permissions: it gives way to the one the history points at. One
    # that anything else points at (audit entries, admin log) is never deleted here.
    stale = ContentType.objects.filter(app_label=new_label, model="academicyear").first()
    if stale is not None:
        collector = Collector(using=schema_editor.connection.alias)
        collector.collect([stale])
        # Rows the delete would cascade to: collected ones and bulk ("fast") deletes.
        reached = [(model, len(rows)) for model, rows in collector.data.items()]
        reached += [(qs.model, qs.count()) for qs in collector.fast_deletes]
        held = {
            model._meta.label: count
            for model, count in reached
            if model._meta.label not in ("contenttypes.ContentType", "auth.Permission") and count
        }
        if held:
            raise RuntimeError(
                f"Both {old_label}.academicyear and {new_label}.academicyear content types hold "
                f"rows ({held}); merge them by hand before migrating."
            )
        stale.delete()
    old.app_label = new_label
    old.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    _rename_content_type(apps, schema_editor, "rotations", "people")


def backwards(apps, schema_editor):
    _rename_content_type(apps, schema_editor, "people", "rotations")


class Migration(migrations.Migration):
    dependencies = [
        ("auditlog", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("people", "0003_academicyear"),
        ("rotations", "0002_block_no_overlap"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="block",
                    name="academic_year",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="blocks",
                        to="people.academicyear",
                    ),
                ),
                migrations.DeleteModel(name="AcademicYear"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
