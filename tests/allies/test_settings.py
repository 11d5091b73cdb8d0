"""Production settings refuse to start without what they need."""

import os
import subprocess
import sys

from django.conf import settings

PROBE = "import django; django.setup(); print('started')"


def start(**env) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}
    }
    return subprocess.run(  # noqa: S603 (our own interpreter and a fixed probe)
        [sys.executable, "-c", PROBE],
        env={**clean, "DJANGO_SETTINGS_MODULE": "allies.settings", **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = start(DEBUG="0", ALLOWED_HOSTS="allies.example.nl")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = start(DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "Set ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_both():
    result = start(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="allies.example.nl")
    assert result.stdout.strip() == "started", result.stderr


def test_a_bad_boolean_fails_loudly():
    result = start(DEBUG="maybe")
    assert result.returncode != 0
    assert "Unexpected value DEBUG=maybe" in result.stderr
