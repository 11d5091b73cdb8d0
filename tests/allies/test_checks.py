"""The system check proves that the SQLite pragmas of the settings took."""

import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

from allies.checks import sqlite_pragma_errors

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only"),
]


def wrapper_for(path, **options) -> DatabaseWrapper:
    config = {**settings.DATABASES["default"], "NAME": str(path)}
    config["OPTIONS"] = {**config["OPTIONS"], **options}
    return DatabaseWrapper(config, alias="probe")


def test_the_configured_pragmas_take(tmp_path):
    probe = wrapper_for(tmp_path / "probe.sqlite3")
    try:
        assert sqlite_pragma_errors(probe) == []
    finally:
        probe.close()


def test_a_missing_pragma_is_reported(tmp_path):
    probe = wrapper_for(
        tmp_path / "probe.sqlite3", init_command="", transaction_mode=None, timeout=0
    )
    try:
        ids = {error.id for error in sqlite_pragma_errors(probe)}
    finally:
        probe.close()
    assert ids == {"allies.E001", "allies.E002", "allies.E003"}
