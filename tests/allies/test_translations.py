"""The Dutch catalogue is complete, compiled and in step with the source."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def test_every_message_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(PO))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert missing == [], f"{len(missing)} untranslated, e.g. {missing[:5]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


def test_the_compiled_catalogue_is_current():
    assert MO.exists(), "run `make setup` (manage.py compile_catalogue)"
    assert MO.stat().st_mtime >= PO.stat().st_mtime, "the .mo is older than the .po"
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(MO))}
    source = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural)
        for e in polib.pofile(str(PO)).translated_entries()
    }
    assert compiled == source


SOURCES = [
    "allies",
    "circles",
    "meetings",
    "actions",
    "polls",
    "reports",
    "templates",
    "locale",
    "manage.py",
]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_the_catalogue_holds_every_marked_string(tmp_path):
    """`make messages` would change nothing: no marked string is missing from the catalogue,
    none is left over. Runs makemessages on a copy, so the real catalogue is never touched."""
    base = Path(settings.BASE_DIR)
    for name in SOURCES:
        source = base / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale=nl", "--no-obsolete"],
        cwd=tmp_path,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "allies.settings", "DEBUG": "1"},
        check=True,
        capture_output=True,
    )
    fresh = polib.pofile(str(tmp_path / "locale" / "nl" / "LC_MESSAGES" / "django.po"))
    ours = polib.pofile(str(PO))
    keys = lambda catalogue: {(e.msgctxt, e.msgid) for e in catalogue}  # noqa: E731
    assert keys(fresh) - keys(ours) == set(), "marked strings missing: run `make messages`"
    assert keys(ours) - keys(fresh) == set(), "strings no longer used: run `make messages`"
