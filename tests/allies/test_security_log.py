"""Refused accesses are logged to "allies.security": who, what, why; secrets masked."""

import logging

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.allies.refusing_urls")]


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO, logger="allies.security")

    def lines():
        messages = (r.getMessage() for r in caplog.records if r.name == "allies.security")
        return [m for m in messages if m.startswith("refused")]

    return lines


def test_a_hidden_circle_is_logged_as_a_refused_404(client, outsider, security_log):
    client.force_login(outsider)
    assert client.get("/circles/7/").status_code == 404
    assert security_log() == [
        f"refused 404 GET /circles/7/ user={outsider.pk}:'outsider' ip=127.0.0.1 reason=not found"
    ]


def test_a_forbidden_change_is_logged_once_as_a_refused_403(client, citizen, security_log):
    client.force_login(citizen)
    assert client.get("/circles/7/edit/").status_code == 403
    assert security_log() == [
        f"refused 403 GET /circles/7/edit/ user={citizen.pk}:'citizen' ip=127.0.0.1 "
        "reason=permission denied"
    ]


def test_calendar_tokens_never_reach_the_log(client, security_log):
    secret = "Zq4XK0c9s8bLr1fJYb2pQ9eW3mN5tT7u"
    client.get(f"/calendar/{secret}.ics")
    assert security_log() == [
        "refused 404 GET /calendar/***.ics user=anonymous ip=127.0.0.1 reason=not found"
    ]


def test_unknown_addresses_are_not_logged(client, security_log):
    # Scanners probing for /wp-admin/ are noise, not refused accesses.
    assert client.get("/wp-admin/").status_code == 404
    assert security_log() == []


def test_a_refused_csrf_check_is_logged_once(client, citizen, security_log):
    client.handler.enforce_csrf_checks = True
    client.force_login(citizen)
    assert client.post("/i18n/setlang/", {"language": "nl"}).status_code == 403
    [line] = security_log()
    assert line.startswith(f"refused 403 POST /i18n/setlang/ user={citizen.pk}:'citizen'")
    assert "reason=CSRF: CSRF cookie not set." in line


def test_django_and_gunicorn_log_lines_have_url_secrets_masked():
    from datetime import timedelta
    from types import SimpleNamespace

    from allies.gunicorn_logging import Logger
    from allies.logmask import MaskSecretsFilter

    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        ("/calendar/Zq4XK0c9s8bLr1fJYb2pQ9eW3mN5tT7u.ics",),
        None,
    )
    assert MaskSecretsFilter().filter(record)
    assert record.getMessage() == "Not Found: /calendar/***.ics"

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/accounts/reset/MQ/cbx2-8f1e0a9d/?next=/",
        "PATH_INFO": "/accounts/reset/MQ/cbx2-8f1e0a9d/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://allies.example.nl/calendar/secret-token.ics",
    }
    logger = Logger.__new__(Logger)  # atoms() needs none of the configuration
    atoms = logger.atoms(
        SimpleNamespace(status="200 OK", sent=10, headers=[]), {}, environ, timedelta(seconds=1)
    )
    assert atoms["r"] == "GET /accounts/reset/***/***/?next=/ HTTP/1.1"
    assert atoms["U"] == "/accounts/reset/***/***/"
    assert atoms["f"] == "https://allies.example.nl/calendar/***.ics"


def test_the_link_that_confirms_a_new_email_address_is_masked():
    from allies.logmask import mask_secrets

    line = 'GET /accounts/profile/email/WzEsImZAZXhhbXBsZS5vcmciXQ:1vPq2x:Zq4XK0c9s8/ HTTP/1.1" 200'
    assert mask_secrets(line) == 'GET /accounts/profile/email/***/ HTTP/1.1" 200'
