"""POST /accounts/profile/email/cancel/: withdraw the new email address I asked for, so that a
mistyped one is not left with a working link for days."""

import datetime

import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse

from tests.allies.test_profile import START, ask_for_link, link_in, sent_to

URL = reverse("email_change_cancel")
PROFILE = reverse("profile")


def test_anonymous_is_sent_to_sign_in(client, citizen):
    response = client.post(URL)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_get_is_not_allowed(client, citizen):
    client.force_login(citizen)
    assert client.get(URL).status_code == 405


def test_cancelling_ends_the_link_and_the_page_no_longer_shows_it(client, citizen):
    client.force_login(citizen)
    with time_machine.travel(START, tick=False):
        ask_for_link(client, citizen, "fatmia@example.org")
        response = client.post(URL, follow=True)
        assert response.redirect_chain == [(PROFILE, 302)]
        html = response.content.decode()
        assert (
            "The change to fatmia@example.org is cancelled: the link we sent there no longer "
            "works." in html
        )
        assert "is waiting for confirmation" not in html and "Cancel this change" not in html
        client.logout()
        refused = client.post(link_in(mail.outbox[0]))
    assert refused.context["reason"] == "cancelled"
    assert "This change was cancelled on your profile page" in refused.content.decode()
    citizen.refresh_from_db()
    assert (citizen.email, citizen.pending_email) == ("citizen@example.org", "")


def test_cancelling_does_not_lift_the_limit_on_links(client, citizen):
    """Otherwise asking and cancelling in turn would flood an inbox as before."""
    client.force_login(citizen)
    with time_machine.travel(START, tick=False) as traveller:
        ask_for_link(client, citizen, "fatmia@example.org")
        traveller.shift(datetime.timedelta(seconds=30))
        cancelled = client.post(URL, follow=True).content.decode()
        assert "You can ask for a link to another address in 5 minutes." in cancelled
        traveller.shift(datetime.timedelta(seconds=30))
        assert ask_for_link(client, citizen, "fatima@example.org").status_code == 429
        traveller.shift(settings.EMAIL_CHANGE_EMAIL_INTERVAL)
        assert ask_for_link(client, citizen, "fatima@example.org").status_code == 302
    assert sent_to() == [["fatmia@example.org"], ["fatima@example.org"]]


def test_with_nothing_waiting_it_says_so(client, citizen):
    client.force_login(citizen)
    response = client.post(URL, follow=True)
    assert "No change of your email address was waiting." in response.content.decode()
    citizen.refresh_from_db()
    assert (citizen.email, citizen.pending_email) == ("citizen@example.org", "")


def test_a_change_whose_link_expired_is_not_said_to_be_cancelled(client, citizen):
    client.force_login(citizen)
    with time_machine.travel(START, tick=False) as traveller:
        ask_for_link(client, citizen, "fatmia@example.org")
        client.get(PROFILE)  # reads the message about the link
        traveller.shift(datetime.timedelta(days=3))
        html = client.post(URL, follow=True).content.decode()
    assert "No change of your email address was waiting." in html
    assert "fatmia" not in html


def test_it_is_told_in_my_language(client, citizen):
    citizen.preferred_language = "nl"
    citizen.save()
    client.force_login(citizen)
    ask_for_link(client, citizen, "fatmia@example.org")
    client.get(PROFILE)
    html = client.post(URL, follow=True).content.decode()
    assert (
        "De wijziging naar fatmia@example.org is geannuleerd: de link die we daarheen stuurden "
        "werkt niet meer." in html
    )
