"""Production settings refuse to start without what they need."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

PROBE = "import django; django.setup(); print('started')"


def start(probe: str = PROBE, **env) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}
    }
    return subprocess.run(  # noqa: S603 (our own interpreter and a fixed probe)
        [sys.executable, "-c", probe],
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


# Two requests through Django's WSGI handler, as gunicorn serves them: the status of each, and
# whether the second used the connection the first opened.
SECOND_REQUEST_PROBE = """
import django; django.setup()
from wsgiref.util import setup_testing_defaults
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
app = WSGIHandler()
def healthz():
    environ = {"PATH_INFO": "/healthz"}
    setup_testing_defaults(environ)
    statuses = []
    app(environ, lambda status, headers: statuses.append(status)).close()
    return statuses[0], connection.connection
first_status, first = healthz()
second_status, second = healthz()
print(first_status, second_status, first is not None and second is first)
"""


@pytest.mark.parametrize(
    ("env", "kept"),
    [
        ({"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "127.0.0.1"}, True),
        # runserver starts a thread per request: a kept connection would only linger.
        ({}, False),
    ],
    ids=["production", "development"],
)
def test_the_connection_is_kept_between_requests_only_in_production(tmp_path, env, kept):
    """Opening SQLite (its pragmas, a cold statement cache) costs a millisecond a request, as
    much as the whole health check: in production a worker's next request reuses it. In
    development every request closes it."""
    result = start(SECOND_REQUEST_PROBE, SQLITE_PATH=str(tmp_path / "probe.sqlite3"), **env)
    assert result.stdout.strip() == f"200 OK 200 OK {kept}", result.stderr


# The production variables of the README's "Running on PostgreSQL with gunicorn".
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k3Q9-vX2pL7_mN4rT8wY1zB6cF0hJ5sD-aG3eK9uR2oI7wE4tZ8yU1nM6",
    "ALLOWED_HOSTS": "allies.example.nl",
    "CSRF_TRUSTED_ORIGINS": "https://allies.example.nl",
    "SITE_URL": "https://allies.example.nl",
    "DATABASE_URL": "postgres://allies:secret@127.0.0.1:5432/allies",
    "PRIVACY_CONTROLLER": "Gemeente Utrecht",
    "PRIVACY_CONTACT": "privacy@example.nl",
}


def manage(*args, **env) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their process; a deployment must not.
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "TRUSTED_PROXY",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )


def test_check_deploy_is_clean_with_the_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_check_deploy_is_clean_behind_a_proxy_without_an_ssl_redirect():
    env = {**PRODUCTION, "TRUSTED_PROXY": "1", "SECURE_SSL_REDIRECT": "1"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_sends_email_by_smtp_unless_told_otherwise():
    probe = PROBE.replace("print('started')", "print(django.conf.settings.EMAIL_BACKEND)")
    result = start(probe, DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="allies.example.nl")
    assert result.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend", result.stderr
    assert (
        start(probe, DEBUG="1").stdout.strip() == "django.core.mail.backends.console.EmailBackend"
    )


@pytest.mark.parametrize("backend", ["console", "filebased"])
def test_check_deploy_warns_when_production_email_would_land_in_the_logs(backend):
    """Printed by the console backend, a password link was readable by whoever reads the logs."""
    env = {**PRODUCTION, "EMAIL_BACKEND": f"django.core.mail.backends.{backend}.EmailBackend"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "allies.W001" in result.stderr + result.stdout


def test_check_deploy_warns_about_development_settings():
    # The check is not toothless: DEBUG on fails it.
    env = {**PRODUCTION, "DEBUG": "1"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout


def test_production_settings_are_secure():
    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS >= 31536000, s.CSRF_TRUSTED_ORIGINS, "
        "s.SECURE_PROXY_SSL_HEADER)"
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter and a fixed probe)
        [sys.executable, "-c", probe],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "allies.settings",
            **PRODUCTION,
            "TRUSTED_PROXY": "1",
        },
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert result.stdout.split("\n")[0] == (
        "True True True True ['https://allies.example.nl'] ('HTTP_X_FORWARDED_PROTO', 'https')"
    ), result.stderr


def test_a_privacy_contact_that_is_no_email_address_fails_loudly():
    result = start(PRIVACY_CONTACT="the privacy officer")
    assert result.returncode != 0
    assert "Unexpected value PRIVACY_CONTACT=the privacy officer" in result.stderr


def test_a_bad_trusted_proxy_count_fails_loudly():
    result = start(TRUSTED_PROXY="yes")
    assert result.returncode != 0
    assert "Unexpected value TRUSTED_PROXY=yes" in result.stderr


def test_cookies_over_plain_http_make_the_deploy_check_fail():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, SECURE_COOKIES="0"
    )
    assert result.returncode != 0
    assert "security.W012" in result.stderr + result.stdout  # SESSION_COOKIE_SECURE
