"""Operations the project's migrations share."""

from django.db import migrations


def drop_own_index(model_name: str, name: str, field, table: str, index: str):
    """A ForeignKey that no longer has an index of its own (db_index=False), as a migration
    operation: AlterField for the migration state, and in the database only DROP INDEX.
    Django's AlterField would rebuild the whole table on SQLite, and on PostgreSQL drop and
    add the foreign key again, locking the table while it checks every row (1.56 M answers
    at national size)."""
    column = f"{name}_id"
    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AlterField(model_name=model_name, name=name, field=field)],
        database_operations=[
            migrations.RunSQL(
                f'DROP INDEX IF EXISTS "{index}"',
                reverse_sql=f'CREATE INDEX "{index}" ON "{table}" ("{column}")',
            )
        ],
    )
