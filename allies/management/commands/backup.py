"""manage.py backup <path>: a consistent copy of the SQLite database, while the app runs."""

import os
import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections


def sqlite_backup(source: sqlite3.Connection, target: Path) -> str:
    """Copy `source` into a new file at `target` with SQLite's online backup API, in one step,
    so the copy is one consistent snapshot even while other connections write (in WAL mode
    they are not held up). The copy is written beside the target and renamed into place, so a
    failed backup never leaves a half file under the target's name. Returns the copy's
    `PRAGMA integrity_check` result ("ok"). Only its owner may read it, whatever the umask:
    it holds every person's details."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))  # empty: a new db
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy, pages=-1)
        result = copy.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        copy.close()
    if result != "ok":
        partial.unlink(missing_ok=True)
        raise CommandError(f"The copy failed its integrity check: {result}")
    os.replace(partial, target)
    return result


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the SQLite database to PATH while the app runs. "
        "On PostgreSQL use pg_dump instead (see the README)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the file to write; must not exist yet")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, path: Path, database, **options):
        connection = connections[database]
        if connection.vendor != "sqlite":
            raise CommandError(
                f"The database is {connection.vendor}, not SQLite: back it up with pg_dump, "
                'for example: pg_dump --format=custom --file=allies.dump "$DATABASE_URL"'
            )
        if path.exists():
            raise CommandError(f"{path} exists already; choose a new file.")
        if not path.parent.is_dir():
            raise CommandError(f"There is no folder {path.parent}.")
        if connection.is_in_memory_db():
            raise CommandError("The database lives in memory only; there is no file to copy.")
        # A connection of its own, outside any transaction of Django's, waiting for writers
        # as long as the app's connections do.
        source = sqlite3.connect(
            connection.settings_dict["NAME"], timeout=settings.SQLITE_BUSY_TIMEOUT_MS / 1000
        )
        try:
            sqlite_backup(source, path)
        finally:
            source.close()
        self.stdout.write(self.style.SUCCESS(f"Backed up the database to {path}."))
