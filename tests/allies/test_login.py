import pytest
from django.contrib.auth.signals import user_login_failed

from tests.conftest import PASSWORD

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
