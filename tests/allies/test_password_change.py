"""Changing my password (/accounts/password_change/): the current password is checked as a
sign-in is, so that guessing it at an open session is paused like guessing it at sign-in."""

from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

from tests.allies.test_dutch_pages import formal_words
from tests.conftest import PASSWORD

URL = "/accounts/password_change/"
NEW = "dinner at the town hall"


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_it_is_styled_like_the_site(client, citizen):
    client.force_login(citizen)
    html = client.get(URL).content.decode()
    assert "Change my password" in html
    assert 'href="/accounts/profile/"' in html
    assert "Django administration" not in html


def test_it_changes_the_password(client, citizen):
    client.force_login(citizen)
    new = "dinner at the town hall"
    response = client.post(
        URL,
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert "Your new password works from now on." in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(new)


def test_it_keeps_me_on_the_form_with_a_wrong_old_password(client, citizen):
    client.force_login(citizen)
    new = "dinner at the town hall"
    response = client.post(
        URL, {"old_password": "wrong", "new_password1": new, "new_password2": new}
    )
    assert "Your old password was entered incorrectly." in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


def test_in_dutch_its_rules_and_errors_say_je_not_u(client, citizen):
    citizen.preferred_language = "nl"
    citizen.save()
    client.force_login(citizen)
    response = client.post(
        URL, {"old_password": "wrong", "new_password1": "citizen1", "new_password2": "citizen1"}
    )
    html = response.content.decode()
    assert "Je oude wachtwoord klopt niet. Vul het opnieuw in." in html
    assert "Je wachtwoord moet minstens 15 tekens lang zijn." in html
    assert "Dit wachtwoord is te kort. Het moet minstens 15 tekens lang zijn." in html
    assert "Het wachtwoord lijkt te veel op je gebruikersnaam." in html
    assert formal_words(html) == []


def change(client, old_password, address="198.51.100.7"):
    return client.post(
        URL,
        {"old_password": old_password, "new_password1": NEW, "new_password2": NEW},
        REMOTE_ADDR=address,
    )


def test_repeated_wrong_old_passwords_lock_even_the_right_one(client, citizen):
    client.force_login(citizen)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = change(client, "wrong")
    assert response.status_code == 429
    response = change(client, PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Sign-in paused" in html
    assert f"paused for {settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in html
    assert reverse("password_reset") in html
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


def test_fewer_wrong_old_passwords_are_counted_then_the_right_one_works(client, citizen):
    client.force_login(citizen)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert change(client, "wrong").status_code == 200
    [attempt] = AccessAttempt.objects.all()
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT - 1
    response = change(client, PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    citizen.refresh_from_db()
    assert citizen.check_password(NEW)


def test_the_right_old_password_clears_the_wrong_ones_before_it(client, citizen):
    """As a successful sign-in does (AXES_RESET_ON_SUCCESS): whoever mistyped and then got it
    right starts counting again from nothing, here and at sign-in. Only at their address:
    guesses from elsewhere stay counted."""
    client.force_login(citizen)
    change(client, "wrong", address="203.0.113.20")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        change(client, "wrong")
    assert change(client, PASSWORD).status_code == 302
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.20"]
    response = change(client, "wrong")
    assert response.status_code == 200
    assert "Your old password was entered incorrectly." in response.content.decode()
    attempt = AccessAttempt.objects.get(ip_address="198.51.100.7")
    assert attempt.failures_since_start == 1


def test_the_right_old_password_from_an_unknown_address_clears_nothing(client, citizen):
    """Axes would take no address as every address: an attacker's guesses from elsewhere."""
    client.force_login(citizen)
    change(client, "wrong", address="203.0.113.20")
    assert change(client, PASSWORD, address="unknown").status_code == 302
    assert AccessAttempt.objects.filter(ip_address="203.0.113.20").exists()


def test_the_lock_also_pauses_signing_in_with_that_name_from_that_address(client, citizen):
    client.force_login(citizen)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        change(client, "wrong")
    client.logout()
    response = client.post(
        reverse("login"), {"username": "citizen", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 429


def test_the_passwords_typed_are_not_stored_with_the_failure(client, citizen):
    client.force_login(citizen)
    change(client, "my wrong guess")
    [attempt] = AccessAttempt.objects.all()
    assert (attempt.username, attempt.ip_address) == ("citizen", "198.51.100.7")
    assert "my wrong guess" not in attempt.post_data
    assert NEW not in attempt.post_data


def test_staff_change_their_password_on_the_throttled_page_not_in_admin(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("admin:password_change"))
    assert response.status_code == 302 and response.url == reverse("password_change")
    response = client.post(reverse("admin:password_change"), {"old_password": "x"})
    assert response.status_code == 302 and response.url == reverse("password_change")
