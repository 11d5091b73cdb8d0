import pytest
from django.db import OperationalError, connection


@pytest.mark.django_db
def test_healthz_answers_ok_without_signing_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database unavailable"
