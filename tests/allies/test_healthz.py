import pytest


@pytest.mark.django_db
def test_healthz_answers_ok_without_signing_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
