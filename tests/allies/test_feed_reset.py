"""POST /accounts/profile/feed/reset/: a new secret link for my calendar feed."""

from django.contrib.messages import get_messages

URL = "/accounts/profile/feed/reset/"


def test_anonymous_is_sent_to_sign_in(client, citizen):
    old = citizen.feed_token
    response = client.post(URL)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    citizen.refresh_from_db()
    assert citizen.feed_token == old


def test_get_is_not_allowed(client, citizen):
    client.force_login(citizen)
    assert client.get(URL).status_code == 405


def test_reset_gives_a_new_link_and_the_old_one_gives_404(client, citizen, meeting):
    old = citizen.feed_token
    client.force_login(citizen)
    response = client.post(URL)
    assert response.status_code == 302
    assert response.url == "/accounts/profile/"
    [message] = get_messages(response.wsgi_request)
    assert "reset" in str(message)
    citizen.refresh_from_db()
    assert citizen.feed_token != old
    assert len(citizen.feed_token) == 32
    client.logout()
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{citizen.feed_token}.ics").status_code == 200


def test_reset_changes_only_my_link(client, citizen, officer):
    theirs = officer.feed_token
    client.force_login(citizen)
    client.post(URL)
    officer.refresh_from_db()
    assert officer.feed_token == theirs
