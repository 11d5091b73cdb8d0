import pytest
from django.contrib.auth.signals import user_login_failed

from allies.models import User
from tests.conftest import PASSWORD, make_person

URL = "/accounts/login/"


@pytest.fixture
def failures():
    """The sign-in attempts that reached the authentication backends and failed."""
    seen = []

    def record(sender, credentials, **kwargs):
        seen.append(credentials["username"])

    user_login_failed.connect(record)
    yield seen
    user_login_failed.disconnect(record)


def test_the_coordinator_signs_in(client, coordinator, failures):
    response = client.post(URL, {"username": "coordinator", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    assert failures == []


def test_a_wrong_password_reaches_the_backends_and_fails(client, coordinator, failures):
    response = client.post(URL, {"username": "coordinator", "password": "guess"})
    assert "Please enter a correct username and password." in response.content.decode()
    assert failures == ["coordinator"]


@pytest.mark.parametrize(
    ("credentials", "error"),
    [
        ({"username": "x" * 10_000}, "Ensure this value has at most 150 characters"),
        ({"username": "coordinator\x00"}, "Null characters are not allowed."),
        ({"password": PASSWORD + "\x00"}, "Null characters are not allowed."),
        ({"username": "coordinator\r\nX-Evil: 1"}, "invisible control characters"),
    ],
)
def test_bad_input_is_refused_before_any_backend_sees_it(
    client, coordinator, failures, credentials, error
):
    values = {"username": "coordinator", "password": PASSWORD} | credentials
    response = client.post(URL, values)
    assert response.status_code == 200
    assert error in response.content.decode()
    # Nothing reached the backends, nor django-axes, which keeps a failed username in a column
    # of 255 characters.
    assert failures == []
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "typed", ["Coordinator", "coordinator@example.org", "Coordinator@Example.ORG"]
)
def test_the_username_or_email_address_in_any_case_signs_in(client, coordinator, typed):
    response = client.post(URL, {"username": typed, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(coordinator.pk)


def test_an_invited_person_signs_in_with_their_old_address_as_username(client, db):
    person = make_person("ilse@example.org", email="ilse.de.boer@example.org")
    client.post(URL, {"username": "Ilse@Example.org", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(person.pk)


def test_a_name_that_fits_two_accounts_signs_in_neither(client, db, failures):
    make_person("sam")
    make_person("Sam", email="sam.two@example.org")
    client.post(URL, {"username": "SAM", "password": PASSWORD})
    assert "_auth_user_id" not in client.session and failures == ["SAM"]
    client.post(URL, {"username": "Sam", "password": PASSWORD})  # exactly one of them
    assert client.session["_auth_user_id"] == str(User.objects.get(username="Sam").pk)


def test_the_form_asks_for_the_email_address_or_username(client, db):
    assert "Email address or username" in client.get(URL).content.decode()
