"""Choosing a password from an emailed link (/accounts/reset/<uidb64>/<token>/, which Django
moves to /accounts/reset/<uidb64>/set-password/): how a person invited to a circle first
signs in, so the page says each rule once and in the site's own words."""

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.allies.test_dutch_pages import formal_words
from tests.conftest import PASSWORD


def set_password_page(client, person, **headers):
    """The set-password page of the person's link, where its link leads."""
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    response = client.get(f"/accounts/reset/{uid}/{token}/", follow=True, **headers)
    assert response.redirect_chain[-1][0] == f"/accounts/reset/{uid}/set-password/"
    return response


def test_it_states_the_common_password_rule_once(client, citizen):
    html = set_password_page(client, citizen).content.decode()
    assert html.count("common") == 1
    assert "be a common password, padded or repeated." in html


def test_in_dutch_it_says_je_not_u_and_each_rule_once(client, citizen):
    html = set_password_page(client, citizen, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert formal_words(html) == []
    assert "Je wachtwoord mag niet te veel lijken op je andere persoonlijke gegevens." in html
    assert "Je wachtwoord moet minstens 15 tekens lang zijn." in html
    assert html.count("veelgebruikt") == 1


def test_in_dutch_its_errors_say_je_too(client, citizen):
    page = set_password_page(client, citizen, HTTP_ACCEPT_LANGUAGE="nl")
    response = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "citizen1", "new_password2": "citizen1"},
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    html = response.content.decode()
    # Django 5.2 has no Dutch for its too-short error: it was English on a Dutch page.
    assert "Dit wachtwoord is te kort. Het moet minstens 15 tekens lang zijn." in html
    # Django's Dutch says "op de e-mailadres" for another field: "je" fits every one.
    assert "Het wachtwoord lijkt te veel op je gebruikersnaam." in html
    assert formal_words(html) == []
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)
