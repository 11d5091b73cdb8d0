"""Password reset (/accounts/password_reset/): the email is in the person's own language, and
goes at most once per person per few minutes, with the same answer either way; one client
address may ask only so often, whichever addresses it names."""

import datetime
import logging
import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.mail.backends import locmem
from django.test import Client

from allies.models import PasswordResetRequest, User
from tests.allies.test_profile import refuse
from tests.conftest import make_person

URL = "/accounts/password_reset/"
START = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("preferred", "browser", "subject", "line", "sender"),
    [
        (
            "nl",
            "en",
            "Je wachtwoord voor Bondgenoten",
            "Kies hier een nieuw wachtwoord:",
            "Bondgenoten",
        ),
        ("en", "nl", "Your Allies password", "Choose a new password here:", "Allies"),
    ],
)
def test_the_email_speaks_the_persons_language_not_the_browsers(
    client, db, preferred, browser, subject, line, sender
):
    make_person("henk", preferred_language=preferred)
    response = client.post(URL, {"email": "henk@example.org"}, HTTP_ACCEPT_LANGUAGE=browser)
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["henk@example.org"]
    assert message.subject == subject
    assert message.from_email == f"{sender} <allies@localhost>"
    assert line in message.body
    assert "/accounts/reset/" in message.body


def test_the_link_is_on_the_sites_own_address_whatever_host_was_asked(client, db, settings):
    """Password-reset poisoning: with several ALLOWED_HOSTS, the request's Host header chose
    the host of the link."""
    settings.ALLOWED_HOSTS = ["allies.example.nl", ".politie.example"]
    settings.SITE_URL = "https://allies.example.nl"
    make_person("henk")
    client.post(URL, {"email": "henk@example.org"}, HTTP_HOST="evil.politie.example")
    [message] = mail.outbox
    assert "evil" not in message.body
    assert re.search(r"^https://allies\.example\.nl/accounts/reset/\S+/$", message.body, re.M)


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, db):
    make_person("henk")
    known = client.post(URL, {"email": "henk@example.org"})
    unknown = client.post(URL, {"email": "nobody@example.org"})
    assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
    assert [m.to for m in mail.outbox] == [["henk@example.org"]]


def ask(client, email="henk@example.org", **headers):
    response = client.post(URL, {"email": email}, **headers)
    assert response.status_code == 302
    return response.url


def sent_to() -> list[list[str]]:
    return [message.to for message in mail.outbox]


def test_asking_again_within_the_interval_sends_nothing_and_answers_the_same(client, db):
    make_person("henk")
    with time_machine.travel(START, tick=False) as traveller:
        first = ask(client)
        traveller.shift(settings.PASSWORD_RESET_EMAIL_INTERVAL - datetime.timedelta(seconds=1))
        again = ask(client)
    assert again == first == "/accounts/password_reset/done/"
    assert sent_to() == [["henk@example.org"]]


def test_the_page_after_asking_says_how_often_an_email_goes(client, db):
    make_person("henk")
    html = client.post(URL, {"email": "henk@example.org"}, follow=True).content.decode()
    assert "at most once every 10 minutes" in html


def test_after_the_interval_it_sends_again(client, db):
    make_person("henk")
    with time_machine.travel(START, tick=False) as traveller:
        ask(client)
        traveller.shift(datetime.timedelta(minutes=1))
        ask(client)
        assert sent_to() == [["henk@example.org"]]
        traveller.shift(settings.PASSWORD_RESET_EMAIL_INTERVAL)
        ask(client)
    assert sent_to() == [["henk@example.org"], ["henk@example.org"]]


def test_another_account_is_unaffected(client, db):
    make_person("henk")
    make_person("ingrid")
    with time_machine.travel(START, tick=False):
        ask(client, "henk@example.org")
        ask(client, "ingrid@example.org")
        ask(client, "henk@example.org")
    assert sent_to() == [["henk@example.org"], ["ingrid@example.org"]]


def test_the_limit_holds_for_a_second_client_from_elsewhere(db):
    """The time of the last email is kept with the account in the database, not in a session
    or a worker's memory: another browser, address or worker finds it too."""
    make_person("henk")
    with time_machine.travel(START, tick=False):
        ask(Client(), REMOTE_ADDR="198.51.100.7")
        ask(Client(), REMOTE_ADDR="203.0.113.20")
    assert sent_to() == [["henk@example.org"]]


def test_an_email_that_could_not_be_sent_can_be_asked_for_again_at_once(
    client, db, monkeypatch, caplog
):
    henk = make_person("henk")
    with time_machine.travel(START, tick=False):
        with monkeypatch.context() as mail_server_down:
            mail_server_down.setattr(locmem.EmailBackend, "send_messages", refuse)
            failed = ask(client)
        # The same answer as for an address without an account: it tells nothing.
        assert failed == ask(client, "nobody@example.org") == "/accounts/password_reset/done/"
        assert mail.outbox == []
        again = ask(client)
    assert again == failed
    assert sent_to() == [["henk@example.org"]]
    assert [
        (r.levelno, r.getMessage()) for r in caplog.records if r.levelno >= logging.WARNING
    ] == [
        (logging.ERROR, "Could not send the email 'Your Allies password' (ConnectionRefusedError)"),
        (
            logging.WARNING,
            f"Person {henk.pk} did not get the email 'Your Allies password'; asking again "
            "sends it at once",
        ),
    ]


def test_a_slow_failed_email_does_not_undo_the_next_one(db):
    """An email that failed after the interval had passed gives back nothing: a request
    made meanwhile has claimed it anew."""
    henk = make_person("henk")
    with time_machine.travel(START, tick=False) as traveller:
        assert henk.claim_email("password_reset_sent_at")
        traveller.shift(settings.PASSWORD_RESET_EMAIL_INTERVAL)
        assert User.objects.get(pk=henk.pk).claim_email("password_reset_sent_at")
    henk.release_email("password_reset_sent_at", previous=None)
    henk.refresh_from_db()
    assert henk.password_reset_sent_at == START + settings.PASSWORD_RESET_EMAIL_INTERVAL


REFUSED = "Too many requests for a new password came from your address. Try again in 60 minutes."


@pytest.fixture
def limit(db, settings):
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 3
    for name in ("anna", "bart", "cees", "henk"):
        make_person(name)
    return settings.PASSWORD_RESET_ADDRESS_LIMIT


def ask_from(client, address, email, **headers):
    return client.post(URL, {"email": email}, REMOTE_ADDR=address, **headers)


def test_one_address_may_ask_only_so_often_whoever_it_names(client, limit):
    for name in ("anna", "bart", "cees"):
        assert ask_from(client, "198.51.100.7", f"{name}@example.org").status_code == 302
    response = ask_from(client, "198.51.100.7", "henk@example.org")
    assert response.status_code == 429
    html = response.content.decode()
    assert REFUSED in html
    assert 'value="henk@example.org"' in html  # what was typed stays
    assert ["henk@example.org"] not in sent_to()
    assert len(mail.outbox) == limit


def test_the_refusal_is_the_same_for_a_known_and_an_unknown_address(client, limit):
    for name in ("anna", "bart", "cees"):
        ask_from(client, "198.51.100.7", f"{name}@example.org")
    known = ask_from(client, "198.51.100.7", "henk@example.org")
    unknown = ask_from(client, "198.51.100.7", "nobody@example.org")
    assert known.status_code == unknown.status_code == 429
    assert REFUSED in unknown.content.decode()


def test_another_address_may_still_ask(client, limit):
    for name in ("anna", "bart", "cees"):
        ask_from(client, "198.51.100.7", f"{name}@example.org")
    assert ask_from(client, "198.51.100.7", "henk@example.org").status_code == 429
    assert ask_from(Client(), "203.0.113.20", "henk@example.org").status_code == 302
    assert sent_to()[-1] == ["henk@example.org"]


def test_the_address_may_ask_again_after_the_window(client, limit, settings):
    with time_machine.travel(START, tick=False) as traveller:
        for name in ("anna", "bart", "cees"):
            ask_from(client, "198.51.100.7", f"{name}@example.org")
        traveller.shift(settings.PASSWORD_RESET_ADDRESS_WINDOW - datetime.timedelta(seconds=1))
        assert ask_from(client, "198.51.100.7", "henk@example.org").status_code == 429
        traveller.shift(datetime.timedelta(seconds=1))
        assert ask_from(client, "198.51.100.7", "henk@example.org").status_code == 302
        # Only the requests of the last window are kept, and with no account named.
        assert list(PasswordResetRequest.objects.values_list("ip_address", "requested_at")) == [
            ("198.51.100.7", START + settings.PASSWORD_RESET_ADDRESS_WINDOW)
        ]


def test_a_forged_forwarded_address_does_not_escape_the_limit(client, limit):
    for attempt, name in enumerate(("anna", "bart", "cees", "henk")):
        response = ask_from(
            client, "198.51.100.7", f"{name}@example.org", HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}"
        )
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_address_it_saw_counts(client, limit, settings):
    settings.TRUSTED_PROXY = 1
    for attempt, name in enumerate(("anna", "bart", "cees", "henk")):
        response = ask_from(
            client,
            "127.0.0.1",
            f"{name}@example.org",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}, 198.51.100.7",
        )
    assert response.status_code == 429
    other = ask_from(client, "127.0.0.1", "henk@example.org", HTTP_X_FORWARDED_FOR="203.0.113.20")
    assert other.status_code == 302
