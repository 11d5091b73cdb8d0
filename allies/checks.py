"""System checks that prove the database runs the way the settings ask."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import connections


def sqlite_pragma_errors(connection) -> list[Error]:
    """Errors for each SQLite pragma of the settings that did not take on this connection."""
    with connection.cursor() as cursor:
        journal_mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        busy_timeout = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
    errors = []
    if journal_mode.lower() != "wal":
        errors.append(
            Error(
                f"SQLite journal_mode is {journal_mode}, expected wal",
                hint="Check the init_command in DATABASES OPTIONS.",
                id="allies.E001",
            )
        )
    if busy_timeout < settings.SQLITE_BUSY_TIMEOUT_MS:
        errors.append(
            Error(
                f"SQLite busy_timeout is {busy_timeout} ms, expected "
                f"{settings.SQLITE_BUSY_TIMEOUT_MS}",
                id="allies.E002",
            )
        )
    if connection.transaction_mode != "IMMEDIATE":
        errors.append(
            Error("SQLite transactions are not IMMEDIATE", id="allies.E003"),
        )
    return errors


@register(Tags.database)
def check_sqlite_pragmas(app_configs=None, databases=None, **kwargs):
    errors = []
    for alias in databases or []:
        connection = connections[alias]
        # An in-memory database (the test database) cannot use WAL; nothing to prove there.
        if connection.vendor == "sqlite" and not connection.is_in_memory_db():
            errors.extend(sqlite_pragma_errors(connection))
    return errors
