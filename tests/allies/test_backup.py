"""manage.py backup: a consistent SQLite copy while the app writes; pg_dump on PostgreSQL."""

import os
import sqlite3
import stat
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

pytestmark = pytest.mark.django_db
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")

ROWS = 2000


@pytest.fixture
def live_database(tmp_path, monkeypatch):
    """A WAL-mode SQLite file standing in for the app's database."""
    path = tmp_path / "live.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE answer (id INTEGER PRIMARY KEY, note TEXT NOT NULL)")
    db.executemany("INSERT INTO answer (note) VALUES (?)", [("x" * 200,)] * ROWS)
    db.commit()
    db.close()
    monkeypatch.setitem(connection.settings_dict, "NAME", str(path))
    return path


def opened(path) -> tuple[str, int]:
    copy = sqlite3.connect(path)
    try:
        check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        rows = copy.execute("SELECT count(*) FROM answer").fetchone()[0]
    finally:
        copy.close()
    return check, rows


@sqlite_only
def test_the_copy_is_whole_while_another_connection_writes(live_database, tmp_path, capsys):
    # On a busy machine the writer may get no turn while a copy is made: then that copy
    # proved nothing about writing alongside, and another is made (each one is checked).
    for attempt in range(5):
        target = tmp_path / f"backup-{attempt}.sqlite3"
        _check, rows_before = opened(live_database)
        before, during, written = backup_while_writing(live_database, target)
        assert "Backed up the database" in capsys.readouterr().out
        check, rows = opened(target)
        assert check == "ok"
        assert rows_before + before <= rows <= rows_before + written
        assert not target.with_name(target.name + ".partial").exists()
        if during > before:  # the writer went on while the copy was made
            break
    else:
        pytest.fail("the writer never wrote while a copy was made")


def backup_while_writing(live_database, target) -> tuple[int, int, int]:
    """Back up to `target` while another connection writes rows to the live database: how many
    it had written when the backup started, when it ended, and in all."""
    started, stop = threading.Event(), threading.Event()
    written = []

    def writer():
        db = sqlite3.connect(live_database, timeout=20)
        while not stop.is_set() and len(written) < 20_000:
            db.execute("INSERT INTO answer (note) VALUES (?)", ("y" * 200,))
            db.commit()
            written.append(1)
            if len(written) == 50:
                started.set()
        db.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert started.wait(10)
        before = len(written)
        call_command("backup", str(target))
        during = len(written)
    finally:
        stop.set()
        thread.join()
    return before, during, len(written)


@sqlite_only
def test_only_its_owner_may_read_the_copy(live_database, tmp_path):
    """It holds every person's details; the usual umask (022) made it readable by anyone."""
    old = os.umask(0o022)
    try:
        call_command("backup", str(tmp_path / "copy.sqlite3"))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "copy.sqlite3").stat().st_mode) == 0o600
    assert opened(tmp_path / "copy.sqlite3") == ("ok", ROWS)


@sqlite_only
def test_the_command_never_overwrites(live_database, tmp_path):
    target = tmp_path / "exists.sqlite3"
    target.write_text("keep me")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", str(target))
    assert target.read_text() == "keep me"


@sqlite_only
def test_an_in_memory_database_has_nothing_to_copy(tmp_path, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", ":memory:")
    with pytest.raises(CommandError, match="in memory"):
        call_command("backup", str(tmp_path / "x.sqlite3"))


def test_on_postgresql_it_points_to_pg_dump(tmp_path, monkeypatch):
    monkeypatch.setattr(connection, "vendor", "postgresql")
    with pytest.raises(CommandError, match="pg_dump"):
        call_command("backup", str(tmp_path / "x"))
