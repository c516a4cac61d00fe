"""Blocks of one academic year may not overlap: block_no_overlap_within_year.

The rule spans rows, so a CheckConstraint cannot hold it. PostgreSQL gets an exclusion
constraint over the blocks' date ranges; SQLite gets triggers that abort the same writes.
"""

from __future__ import annotations

from django.db import migrations

PG_CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE rotations_block ADD CONSTRAINT block_no_overlap_within_year
    EXCLUDE USING gist (academic_year_id WITH =, daterange(start_date, end_date, '[]') WITH &&);
"""
PG_DROP = "ALTER TABLE rotations_block DROP CONSTRAINT IF EXISTS block_no_overlap_within_year;"

SQLITE_CONDITION = """
    EXISTS (SELECT 1 FROM rotations_block b
            WHERE b.academic_year_id = NEW.academic_year_id AND b.id != NEW.id
              AND b.start_date <= NEW.end_date AND NEW.start_date <= b.end_date)
"""
SQLITE_CREATE = [
    f"""CREATE TRIGGER block_no_overlap_within_year_{when}
    BEFORE {what} ON rotations_block FOR EACH ROW WHEN {SQLITE_CONDITION}
    BEGIN SELECT RAISE(ABORT, 'block_no_overlap_within_year'); END;"""
    for when, what in (("insert", "INSERT"), ("update", "UPDATE"))
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS block_no_overlap_within_year_{when};" for when in ("insert", "update")
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CREATE)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("rotations", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
