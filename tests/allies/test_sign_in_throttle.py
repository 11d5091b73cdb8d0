"""Sign-in throttling: a username and address pair is locked after repeated failures, for a
while, with a clear page; the right address is used behind a trusted proxy."""

import datetime
import logging

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


def sign_in(client, username, password, address="198.51.100.7", url=None, **headers):
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def fail_until_locked(client, username, address="198.51.100.7", url=None, **headers):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(client, username, "wrong password", address, url, **headers)
    return response


def test_a_wrong_password_shows_the_form_again(client, citizen):
    response = sign_in(client, "citizen", "wrong password")
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert "_auth_user_id" not in client.session


def test_it_locks_after_the_set_number_of_failures(client, citizen):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "citizen", "wrong password").status_code == 200
    response = sign_in(client, "citizen", "wrong password")
    assert response.status_code == 429
    # Even the right password is refused while locked.
    response = sign_in(client, "citizen", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_says_how_long_and_offers_a_reset(client, citizen):
    response = fail_until_locked(client, "citizen")
    html = response.content.decode()
    assert "Sign-in paused" in html
    assert f"paused for {settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in html
    assert reverse("password_reset") in html
    assert response["Content-Security-Policy"]


def test_the_lockout_page_is_translated(client, citizen, settings):
    settings.LANGUAGE_CODE = "nl"
    response = fail_until_locked(client, "citizen", HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 429
    assert '<html lang="nl">' in response.content.decode()


def test_changing_the_case_of_the_name_does_not_start_a_new_count(client, citizen):
    for typed in ["citizen", "Citizen", "CITIZEN", "cItizen"]:
        assert sign_in(client, typed, "wrong password").status_code == 200
    assert sign_in(client, "citiZen", "wrong password").status_code == 429


def test_it_unlocks_after_the_cool_off(client, citizen):
    with time_machine.travel(START, tick=False) as traveller:
        fail_until_locked(client, "citizen")
        assert sign_in(client, "citizen", PASSWORD).status_code == 429
        traveller.shift(settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=5))
        assert sign_in(client, "citizen", PASSWORD).status_code == 429
        traveller.shift(datetime.timedelta(seconds=10))
        response = sign_in(client, "citizen", PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(citizen.pk)


def test_the_lock_holds_the_pair_not_the_person_everywhere(client, citizen):
    fail_until_locked(client, "citizen", address="198.51.100.7")
    # The member signs in from elsewhere: a stranger cannot lock them out by guessing.
    response = sign_in(client, "citizen", PASSWORD, address="203.0.113.20")
    assert response.status_code == 302


def test_a_success_resets_the_count(client, citizen):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "citizen", "wrong password")
    assert sign_in(client, "citizen", PASSWORD).status_code == 302
    client.logout()
    assert sign_in(client, "citizen", "wrong password").status_code == 200


def test_the_admin_sign_in_is_throttled_too(client, admin_user):
    url = reverse("admin:login")
    response = fail_until_locked(client, "admin", url=url)
    assert response.status_code == 429
    assert sign_in(client, "admin", PASSWORD, url=url).status_code == 429


def test_forwarded_addresses_are_ignored_without_a_trusted_proxy(client, citizen):
    # Without a proxy, X-Forwarded-For is whatever the client says: a new value each try
    # must not escape the lock.
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(client, "citizen", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_address_it_saw_counts(client, citizen, settings):
    settings.TRUSTED_PROXY = 1
    # The proxy (127.0.0.1) appends the address it got the request from; the rest is forged.
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(
            client,
            "citizen",
            "wrong",
            address="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}, 198.51.100.7",
        )
    assert response.status_code == 429
    other = sign_in(
        client, "citizen", PASSWORD, address="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.20"
    )
    assert other.status_code == 302


def test_sign_ins_failures_and_lockouts_are_logged_without_secrets(client, citizen, caplog):
    caplog.set_level(logging.INFO, logger="allies.security")
    sign_in(client, "citizen", PASSWORD)
    client.post(reverse("logout"))
    sign_in(client, "my secret passphrase", "wrong password")
    fail_until_locked(client, "citizen")
    lines = [r.getMessage() for r in caplog.records if r.name == "allies.security"]
    text = "\n".join(lines)
    assert f"sign-in user={citizen.pk}:'citizen' ip=198.51.100.7" in text
    assert f"sign-out user={citizen.pk}:'citizen'" in text
    assert "sign-in failed username='citizen' ip=198.51.100.7" in text
    assert "sign-in failed username=<no such account>" in text
    assert "sign-in locked out username='citizen' ip=198.51.100.7" in text
    all_logs = "\n".join(r.getMessage() for r in caplog.records)
    assert "wrong password" not in all_logs
    assert PASSWORD not in all_logs
    assert "my secret passphrase" not in all_logs


def set_new_password(client, person, password, address):
    """Through the emailed link, as the lockout page offers, from this address."""
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    page = client.get(f"/accounts/reset/{uid}/{token}/", follow=True, REMOTE_ADDR=address)
    data = {"new_password1": password, "new_password2": password}
    response = client.post(page.redirect_chain[-1][0], data, REMOTE_ADDR=address)
    assert response.status_code == 302


def test_a_new_password_from_the_link_lifts_the_pause_for_this_address(client, citizen):
    fail_until_locked(client, "citizen", address="198.51.100.7")
    fail_until_locked(client, "citizen", address="203.0.113.20")
    new = "a brand new passphrase 42"
    set_new_password(client, citizen, new, address="198.51.100.7")
    assert sign_in(client, "citizen", new, address="198.51.100.7").status_code == 302
    client.logout()
    # Whoever guessed from elsewhere stays paused: the link proves nothing about them.
    assert sign_in(client, "citizen", new, address="203.0.113.20").status_code == 429


def test_the_new_password_lifts_a_pause_earned_with_the_email_address(client, citizen):
    """An invited person signs in with their address, which need not be their username."""
    fail_until_locked(client, "Citizen@Example.org")
    new = "a brand new passphrase 42"
    set_new_password(client, citizen, new, address="198.51.100.7")
    assert sign_in(client, "citizen@example.org", new).status_code == 302
