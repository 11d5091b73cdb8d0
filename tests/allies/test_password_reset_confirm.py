"""Choosing a password from an emailed link (/accounts/reset/<uidb64>/<token>/, which Django
moves to /accounts/reset/<uidb64>/set-password/): how a person invited to a circle first
signs in, so the page says each rule once and in the site's own words."""

import datetime
import logging
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from allies.models import User
from meetings.services import meeting_schedule
from tests.allies.test_dutch_pages import formal_words
from tests.allies.test_sign_in_throttle import fail_until_locked
from tests.circles.test_invite import invite_new
from tests.conftest import PASSWORD, make_meeting
from tests.meetings.test_notify import uids


def new_link(person) -> str:
    """The path of a link to choose a new password, as the reset email gives it."""
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    return f"/accounts/reset/{uid}/{default_token_generator.make_token(person)}/"


def set_password_page(client, person, **headers):
    """The set-password page of the person's link, where its link leads."""
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    response = client.get(new_link(person), follow=True, **headers)
    assert response.redirect_chain[-1][0] == f"/accounts/reset/{uid}/set-password/"
    return response


def test_it_states_the_common_password_rule_once(client, citizen):
    html = set_password_page(client, citizen).content.decode()
    assert html.count("common") == 1
    assert "be a common password, padded or repeated." in html


@pytest.fixture
def dutch_citizen(citizen):
    """A working link speaks its person's language (test_a_working_link_speaks_...)."""
    citizen.preferred_language = "nl"
    citizen.save()
    return citizen


def test_in_dutch_it_says_je_not_u_and_each_rule_once(client, dutch_citizen):
    citizen = dutch_citizen
    html = set_password_page(client, citizen, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert formal_words(html) == []
    assert "Je wachtwoord mag niet te veel lijken op je andere persoonlijke gegevens." in html
    assert "Je wachtwoord moet minstens 15 tekens lang zijn." in html
    assert html.count("veelgebruikt") == 1


def test_in_dutch_its_errors_say_je_too(client, dutch_citizen):
    citizen = dutch_citizen
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


def test_a_working_link_speaks_the_persons_language_whatever_the_browser_says(
    client, dutch_citizen
):
    page = set_password_page(client, dutch_citizen, HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="nl">' in page.content.decode()
    done = choose_password(client, page, HTTP_ACCEPT_LANGUAGE="en")
    assert done.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
    html = client.get(done.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="nl">' in html and "Wachtwoord opgeslagen" in html


def test_a_language_the_visitor_picked_stands(client, dutch_citizen):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = set_password_page(client, dutch_citizen)
    assert '<html lang="en">' in page.content.decode()


# A person invited to a circle chooses their first password here: welcomed, then signed in
# and taken to the circle's commitment. Anyone else resets as before.

NEW_PASSWORD = "a long dinner in Overvecht"


def invite_noor(client, coordinator, capture, **coordinator_changes) -> str:
    """The coordinator invites Noor, new here: the path of the link in her email."""
    message = invite_new(client, coordinator, capture, **coordinator_changes)
    client.logout()
    link = re.search(r"http://\S+/accounts/reset/\S+/", message.body).group()
    return link.removeprefix(settings.SITE_URL)


def open_link(path, **headers):
    """A browser of its own, as the invited person's: the page the link leads to."""
    visitor = Client(**headers)
    return visitor, visitor.get(path, follow=True)


def choose_password(visitor, page, password=NEW_PASSWORD, **extra):
    data = {"new_password1": password, "new_password2": password}
    return visitor.post(page.redirect_chain[-1][0], data, **extra)


def test_an_invited_person_is_welcomed_to_the_circle_by_who_invited_them(
    client, circle, coordinator, django_capture_on_commit_callbacks
):
    path = invite_noor(
        client, coordinator, django_capture_on_commit_callbacks, name="Sanne de Vries"
    )
    _visitor, page = open_link(path)
    html = page.content.decode()
    assert "<title>Welcome to Overvecht Allies" in html
    assert '<h1 class="h3">Welcome to Overvecht Allies</h1>' in html
    assert "Utrecht" in html
    assert "Sanne de Vries invites you to join this circle, in the community sector." in html
    assert "Once your password is saved, you are signed in and go on to the circle" in html
    assert '<h2 class="h5">Choose a password</h2>' in html
    assert 'name="new_password1"' in html


def test_in_dutch_the_welcome_says_je(
    client, circle, coordinator, django_capture_on_commit_callbacks
):
    path = invite_noor(
        client, coordinator, django_capture_on_commit_callbacks, preferred_language="nl"
    )
    _visitor, page = open_link(path, HTTP_ACCEPT_LANGUAGE="nl")
    html = page.content.decode()
    assert '<h1 class="h3">Welkom bij Overvecht Allies</h1>' in html
    assert "Coordinator nodigt je uit voor deze kring, in de sector bewoners." in html
    assert "ga je verder naar de toezegging van de kring" in html
    assert formal_words(html) == []


def test_when_the_inviters_account_is_gone_the_welcome_names_nobody(
    client, circle, coordinator, officer, django_capture_on_commit_callbacks
):
    officer.memberships.update(is_coordinator=True)  # the circle keeps a coordinator
    path = invite_noor(client, coordinator, django_capture_on_commit_callbacks)
    coordinator.delete()
    html = open_link(path)[1].content.decode()
    assert "You are invited to join this circle, in the community sector." in html
    assert "None" not in html


def test_after_choosing_a_password_an_invited_person_is_signed_in_on_the_commitment(
    client, circle, coordinator, django_capture_on_commit_callbacks, caplog
):
    path = invite_noor(client, coordinator, django_capture_on_commit_callbacks)
    noor = User.objects.get(email="Noor@Example.org")
    visitor, page = open_link(path)
    caplog.set_level(logging.INFO, logger="allies.security")
    response = choose_password(visitor, page)
    assert response.status_code == 302
    assert response.url == f"/circles/{circle.pk}/#commitment"
    noor.refresh_from_db()
    assert noor.check_password(NEW_PASSWORD)
    assert noor.last_login is not None
    # A sign-in like any other: in the security log, and it lasts.
    assert f"sign-in user={noor.pk}:'noor@example.org'" in caplog.text
    html = visitor.get(response.url).content.decode()
    card = html[html.index('id="commitment"') :]
    welcome = (
        "Welcome to Overvecht Allies. Being an ally is a commitment: read it here, and commit "
        "if you agree."
    )
    assert f'<div class="alert alert-success" role="status">{welcome}</div>' in card
    assert "As an ally I take part in the circle" in card
    assert ">I commit</button>" in card
    assert visitor.get("/").status_code == 200


def test_the_welcome_speaks_the_invited_persons_language(
    client, circle, coordinator, django_capture_on_commit_callbacks
):
    """The circle page after it speaks the language Noor chose (the inviting page's), whatever
    the browser that opened the link says: so does the welcome on it."""
    path = invite_noor(
        client, coordinator, django_capture_on_commit_callbacks, preferred_language="nl"
    )
    visitor, page = open_link(path, HTTP_ACCEPT_LANGUAGE="en")
    html = visitor.get(choose_password(visitor, page).url).content.decode()
    assert "Welkom bij Overvecht Allies. Bondgenoot zijn is een toezegging" in html
    assert ">Ik zeg toe</button>" in html


def test_a_language_picked_on_the_welcome_page_carries_on_to_the_commitment(
    client, circle, coordinator, django_capture_on_commit_callbacks
):
    path = invite_noor(client, coordinator, django_capture_on_commit_callbacks)
    visitor, page = open_link(path)
    visitor.post(reverse("set_language"), {"language": "nl", "next": page.request["PATH_INFO"]})
    html = visitor.get(choose_password(visitor, page).url).content.decode()
    assert "Welkom bij Overvecht Allies. Bondgenoot zijn is een toezegging" in html
    assert User.objects.get(email="Noor@Example.org").preferred_language == "nl"


def test_once_their_password_is_chosen_they_are_invited_to_the_meetings_ahead(
    client, circle, coordinator, django_capture_on_commit_callbacks, mailoutbox
):
    """Not with the invitation (invite_noor finds that one email only): they had said yes to
    nothing yet."""
    dinners = [make_meeting(circle, days_ahead=days) for days in (10, 50)]
    path = invite_noor(client, coordinator, django_capture_on_commit_callbacks)
    visitor, page = open_link(path)
    with django_capture_on_commit_callbacks(execute=True):
        choose_password(visitor, page)
    _invitation, message = mailoutbox
    assert message.to == ["Noor@Example.org"]
    assert message.subject == "Invitation: the next 2 dinners of Overvecht Allies"
    assert uids(message) == [f"{dinner.uid}@allies" for dinner in dinners]


def test_a_meeting_planned_after_the_invitation_is_not_sent_again(
    client, circle, coordinator, django_capture_on_commit_callbacks, mailoutbox
):
    """Invited by email, they are a member at once, and get the invitation to a dinner planned
    meanwhile as it is planned: the email of the meetings ahead leaves it out."""
    earlier = make_meeting(circle, days_ahead=10)
    path = invite_noor(client, coordinator, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        later = meeting_schedule(
            circle=circle,
            starts_at=earlier.starts_at + datetime.timedelta(days=30),
            ends_at=earlier.ends_at + datetime.timedelta(days=30),
            venue_name="Stadhuis",
        )
    visitor, page = open_link(path)
    with django_capture_on_commit_callbacks(execute=True):
        choose_password(visitor, page)
    to_noor = [m for m in mailoutbox if m.to == ["Noor@Example.org"]]
    assert [uids(m) for m in to_noor[1:]] == [[f"{later.uid}@allies"], [f"{earlier.uid}@allies"]]
    assert to_noor[-1].subject == "Invitation: the next dinner of Overvecht Allies"


def test_the_meetings_email_speaks_a_language_picked_on_the_welcome_page(
    client, circle, coordinator, django_capture_on_commit_callbacks, mailoutbox
):
    make_meeting(circle, days_ahead=10)
    path = invite_noor(client, coordinator, django_capture_on_commit_callbacks)
    visitor, page = open_link(path)
    visitor.post(reverse("set_language"), {"language": "nl", "next": page.request["PATH_INFO"]})
    with django_capture_on_commit_callbacks(execute=True):
        choose_password(visitor, page)
    assert mailoutbox[-1].subject == "Uitnodiging: het volgende diner van Overvecht Allies"


def test_an_ordinary_reset_sends_no_meetings(
    client, circle, citizen, django_capture_on_commit_callbacks, mailoutbox
):
    make_meeting(circle, days_ahead=10)
    page = set_password_page(client, citizen)
    with django_capture_on_commit_callbacks(execute=True):
        choose_password(client, page)
    assert mailoutbox == []


def test_a_new_link_asked_for_after_the_invitation_expired_welcomes_too(
    client, circle, coordinator, django_capture_on_commit_callbacks
):
    """As the invitation's email tells them to do once its link has expired."""
    invite_noor(client, coordinator, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=4)):
        client.post(reverse("password_reset"), {"email": "noor@example.org"})
        (message,) = mail.outbox
        link = re.search(r"http://\S+/accounts/reset/\S+/", message.body).group()
        visitor, page = open_link(link.removeprefix(settings.SITE_URL))
        assert "Coordinator invites you to join this circle" in page.content.decode()
        assert choose_password(visitor, page).url == f"/circles/{circle.pk}/#commitment"


def test_the_pause_of_a_locked_out_invited_person_is_lifted_and_they_are_signed_in(
    client, circle, coordinator, django_capture_on_commit_callbacks
):
    """django-axes: guessing at the new account's password paused it; the link's new password
    lifts that pause at this address, and the sign-in that follows is not refused."""
    path = invite_noor(client, coordinator, django_capture_on_commit_callbacks)
    fail_until_locked(client, "noor@example.org", address="198.51.100.7")
    visitor, page = open_link(path, REMOTE_ADDR="198.51.100.7")
    response = choose_password(visitor, page, REMOTE_ADDR="198.51.100.7")
    assert response.url == f"/circles/{circle.pk}/#commitment"
    assert visitor.get(response.url, REMOTE_ADDR="198.51.100.7").status_code == 200
    assert not AccessAttempt.objects.filter(username="noor@example.org").exists()


def test_an_ordinary_reset_is_unchanged(client, citizen):
    """A member who was not invited by email (the admin added them, as the cast was) gets
    Django's page and signs in themselves."""
    page = set_password_page(client, citizen)
    html = page.content.decode()
    assert '<h1 class="h3">Choose a password</h1>' in html
    assert "Welcome" not in html and "invites you" not in html
    response = choose_password(client, page)
    assert response.url == "/accounts/reset/done/"
    assert "_auth_user_id" not in client.session
    html = client.get(response.url).content.decode()
    assert "Password saved" in html and 'href="/accounts/login/"' in html


@pytest.mark.parametrize("since", ["signed in", "committed", "left", "deactivated"])
def test_once_an_invited_person_has_signed_in_or_committed_or_left_a_reset_is_ordinary(
    client, circle, coordinator, django_capture_on_commit_callbacks, since
):
    path = invite_noor(client, coordinator, django_capture_on_commit_callbacks)
    noor = User.objects.get(email="Noor@Example.org")
    membership = noor.memberships.get()
    if since == "signed in":
        noor.last_login = timezone.now()
        noor.save(update_fields=["last_login"])
    elif since == "committed":
        membership.commit()
    elif since == "left":
        membership.end()
    else:  # an account an admin deactivated cannot be signed in, so it is not welcomed
        noor.is_active = False
        noor.save(update_fields=["is_active"])
    if since == "signed in":  # which changes the token: the invitation's link no longer works
        path = new_link(noor)
    visitor, page = open_link(path)
    html = page.content.decode()
    assert '<h1 class="h3">Choose a password</h1>' in html and "Welcome" not in html
    assert choose_password(visitor, page).url == "/accounts/reset/done/"
    assert "_auth_user_id" not in visitor.session


def test_an_expired_link_is_unchanged_and_names_no_circle(
    client, circle, coordinator, django_capture_on_commit_callbacks
):
    path = invite_noor(client, coordinator, django_capture_on_commit_callbacks)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=4)):
        html = open_link(path)[1].content.decode()
    assert "This link has expired or was already used. Ask for a new one." in html
    assert '<h1 class="h3">Choose a password</h1>' in html
    assert "Overvecht" not in html and "Welcome" not in html and "Coordinator" not in html


def test_a_used_link_is_unchanged_and_names_no_circle(
    client, circle, coordinator, django_capture_on_commit_callbacks
):
    path = invite_noor(client, coordinator, django_capture_on_commit_callbacks)
    visitor, page = open_link(path)
    choose_password(visitor, page)
    html = open_link(path)[1].content.decode()
    assert "This link has expired or was already used. Ask for a new one." in html
    assert "Overvecht" not in html and "Welcome" not in html
