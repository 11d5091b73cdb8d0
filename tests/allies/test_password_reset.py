"""Password reset (/accounts/password_reset/): the email is in the person's own language, and
goes at most once per person per few minutes, with the same answer either way."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client

from tests.conftest import make_person

URL = "/accounts/password_reset/"
START = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("preferred", "browser", "subject", "line"),
    [
        ("nl", "en", "Je wachtwoord voor Bondgenoten", "Kies hier een nieuw wachtwoord:"),
        ("en", "nl", "Your Allies password", "Choose a new password here:"),
    ],
)
def test_the_email_speaks_the_persons_language_not_the_browsers(
    client, db, preferred, browser, subject, line
):
    make_person("henk", preferred_language=preferred)
    response = client.post(URL, {"email": "henk@example.org"}, HTTP_ACCEPT_LANGUAGE=browser)
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["henk@example.org"]
    assert message.subject == subject
    assert line in message.body
    assert "/accounts/reset/" in message.body


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
