"""System checks that prove the database runs the way the settings ask, and that production
sends its email and names who answers for the personal data on the site."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
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


# Backends that keep each email, its links that set a password included, where whoever reads
# the logs or the server's files finds it.
EMAIL_BACKENDS_IN_THE_OPEN = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


@register(Tags.security, deploy=True)
def check_email_backend(app_configs=None, **kwargs):
    if settings.EMAIL_BACKEND not in EMAIL_BACKENDS_IN_THE_OPEN:
        return []
    return [
        Warning(
            f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}: every email, with its links to set "
            "a password, ends up in the logs or in files instead of reaching its reader.",
            hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the "
            "EMAIL_HOST variables (README, Running in production).",
            id="allies.W001",
        )
    ]


@register(deploy=True)
def check_privacy_statement(app_configs=None, **kwargs):
    """The privacy statement names the organisation responsible and where members ask about
    their data; without them it tells them the organisation has not filled this in yet, which
    a demo may say but a site in use may not."""
    wanted = [
        ("PRIVACY_CONTROLLER", "the organisation responsible for the personal data", "W002"),
        ("PRIVACY_CONTACT", "the email address where members ask about their data", "W003"),
    ]
    return [
        Warning(
            f"{name} is not set: the privacy statement (/privacy/) says that the organisation "
            "running the site has not filled it in yet.",
            hint=f"Set {name} to {meaning} (see .env.example).",
            id=f"allies.{code}",
        )
        for name, meaning, code in wanted
        if not getattr(settings, name)
    ]
