"""Password reset (/accounts/password_reset/): the email is in the person's own language."""

import pytest
from django.core import mail

from tests.conftest import make_person

URL = "/accounts/password_reset/"


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
