from allies.models import User
from tests.conftest import PASSWORD


def sign_in(client, username):
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "sign-in failed"


def test_get_is_not_allowed(client, db):
    assert client.get("/i18n/setlang/").status_code == 405


def test_anonymous_choice_switches_the_page(client, db):
    client.post("/i18n/setlang/", {"language": "nl", "next": "/accounts/login/"})
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="nl">' in html
    assert "E-mailadres of gebruikersnaam" in html


def test_language_picked_before_sign_in_becomes_the_preferred_language(client, citizen):
    assert citizen.preferred_language == "en"
    client.post("/i18n/setlang/", {"language": "nl", "next": "/accounts/login/"})
    sign_in(client, "citizen")
    html = client.get("/").content.decode()
    assert '<html lang="nl">' in html
    citizen.refresh_from_db()
    assert citizen.preferred_language == "nl"


def test_the_picked_language_is_applied_once(client, citizen):
    client.post("/i18n/setlang/", {"language": "nl", "next": "/accounts/login/"})
    sign_in(client, "citizen")
    client.get("/")
    # Changed later elsewhere (the profile, another device): the old pick must not win again.
    User.objects.filter(pk=citizen.pk).update(preferred_language="en")
    assert '<html lang="en">' in client.get("/").content.decode()


def test_sign_in_without_a_pick_keeps_the_preferred_language(client, citizen):
    client.cookies["django_language"] = "nl"
    sign_in(client, "citizen")
    assert '<html lang="en">' in client.get("/").content.decode()
    citizen.refresh_from_db()
    assert citizen.preferred_language == "en"


def test_signed_in_choice_is_saved(client, citizen):
    client.force_login(citizen)
    response = client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.preferred_language == "nl"


def test_unknown_language_changes_nothing(client, citizen):
    client.post("/i18n/setlang/", {"language": "xx", "next": "/accounts/login/"})
    sign_in(client, "citizen")
    assert '<html lang="en">' in client.get("/").content.decode()
    citizen.refresh_from_db()
    assert citizen.preferred_language == "en"
