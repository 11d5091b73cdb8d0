"""The welcome an admin sends from the people list, or while adding a person: a circle's first
coordinator, made in the admin, gets the invitation a coordinator's invite sends (a link to
choose a password), and its link welcomes them into the circle."""

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from allies.models import User
from circles.models import Circle, Membership, Sector
from circles.services import INVITED
from tests.allies.test_password_reset_confirm import NEW_PASSWORD, choose_password, open_link
from tests.conftest import PASSWORD, make_person

CHANGELIST = reverse("admin:allies_user_changelist")
ADD = reverse("admin:allies_user_add")


def member(username, circle, **extra) -> User:
    """A person the admin made a member: never signed in, not yet committed."""
    person = make_person(username, **extra)
    Membership.objects.create(person=person, circle=circle, sector=Sector.POLICE)
    return person


def send_welcome(client, people, capture):
    with capture(execute=True):
        data = {"action": "send_welcome", "_selected_action": [p.pk for p in people]}
        response = client.post(CHANGELIST, data, follow=True)
    assert response.redirect_chain[-1][0] == CHANGELIST
    return [str(m) for m in get_messages(response.wsgi_request)]


def link_in(message) -> str:
    """The path of the link to choose a password in the email."""
    link = re.search(r"http://\S+/accounts/reset/\S+/", message.body).group()
    assert f'href="{link}"' in message.alternatives[0][0]
    return link.removeprefix(settings.SITE_URL)


def welcome_page(message, circle) -> str:
    """The HTML of the page the email's link opens, in a browser of the person's own, where
    choosing a password signs them in on the circle's commitment."""
    visitor, page = open_link(link_in(message))
    response = choose_password(visitor, page)
    assert response.url == f"/circles/{circle.pk}/#commitment"
    return page.content.decode()


def test_each_selected_member_gets_the_invitation_in_their_language(
    admin_client, circle, django_capture_on_commit_callbacks
):
    dutch = member("jan", circle, name="Jan de Boer", preferred_language="nl")
    english = member("noor", circle, name="Noor Bakker")
    shown = send_welcome(admin_client, [dutch, english], django_capture_on_commit_callbacks)
    assert shown == ["2 welcome emails sent, each with a link to choose a password."]
    by_address = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_address) == ["jan@example.org", "noor@example.org"]
    # Named as who invites, not as the circle's coordinator: the admin is not one.
    assert by_address["jan@example.org"].subject == "Admin nodigt je uit voor Overvecht Allies"
    assert "Admin nodigt je uit om mee te doen met Overvecht Allies (Utrecht)" in (
        by_address["jan@example.org"].body
    )
    message = by_address["noor@example.org"]
    assert message.subject == "Admin invites you to Overvecht Allies"
    assert "Admin invites you to join Overvecht Allies (Utrecht): police" in message.body
    assert "coordinator of" not in message.body
    assert "You are its coordinator" not in message.body  # a member, not a coordinator


def test_the_link_welcomes_them_into_the_circle_naming_the_admin(
    admin_client, circle, django_capture_on_commit_callbacks
):
    noor = member("noor", circle, name="Noor Bakker")
    send_welcome(admin_client, [noor], django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    html = welcome_page(message, circle)
    assert '<h1 class="h3">Welcome to Overvecht Allies</h1>' in html
    assert "Admin invites you to join this circle, in the police sector." in html
    noor.refresh_from_db()
    assert noor.check_password(NEW_PASSWORD)


def test_the_invitation_is_kept_in_the_memberships_history(
    admin_client, admin_user, circle, django_capture_on_commit_callbacks
):
    noor = member("noor", circle)
    send_welcome(admin_client, [noor], django_capture_on_commit_callbacks)
    latest = Membership.history.filter(person=noor).latest("history_date")
    assert (latest.history_change_reason, latest.history_user) == (INVITED, admin_user)


def test_the_welcome_is_to_the_most_recent_active_membership(
    admin_client, circle, other_circle, django_capture_on_commit_callbacks
):
    noor = member("noor", other_circle)
    noor.memberships.update(joined_on=timezone.localdate() - datetime.timedelta(days=30))
    Membership.objects.create(person=noor, circle=circle, sector=Sector.COMMUNITY)
    left = Membership.objects.create(
        person=noor,
        circle=Circle.objects.create(name="Zwolle Allies", municipality="Zwolle"),
        sector=Sector.COMMUNITY,
        left_on=timezone.localdate(),
    )
    assert left.pk > noor.memberships.get(circle=circle).pk
    send_welcome(admin_client, [noor], django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.subject == "Admin invites you to Overvecht Allies"
    html = open_link(link_in(message))[1].content.decode()
    assert "Welcome to Overvecht Allies" in html
    assert "in the community sector" in html


def test_who_cannot_be_welcomed_is_named_with_the_reason(
    admin_client, circle, citizen, django_capture_on_commit_callbacks
):
    """A deactivated account, an account without an email address or without a circle, and
    someone who has signed in (they have a password) get nothing; the others do."""
    member("gone", circle, name="Gone Person", is_active=False)
    member("mailless", circle, name="No Mail", email="")
    make_person("loner", name="Lone Person")
    signed_in = member("regular", circle, name="Regular Member")
    Client().login(username="regular", password=PASSWORD)
    people = User.objects.exclude(username="admin").exclude(pk=citizen.pk)
    assert signed_in.pk in people.values_list("pk", flat=True)
    shown = send_welcome(admin_client, [*people, citizen], django_capture_on_commit_callbacks)
    assert sorted(shown) == [
        "1 welcome email sent, with a link to choose a password.",
        "No welcome email to Gone Person: their account is deactivated.",
        "No welcome email to Lone Person: they are not a member of a circle.",
        "No welcome email to No Mail: they have no email address.",
        "No welcome email to Regular Member: they have signed in before. If they forgot "
        "their password, they can ask for a new one on the sign-in page.",
    ]
    assert [message.to for message in mail.outbox] == [["citizen@example.org"]]


def test_in_dutch_the_admin_reads_who_was_skipped(
    client, circle, django_capture_on_commit_callbacks
):
    admin = make_person("beheer", name="Beheer", is_staff=True, is_superuser=True)
    admin.preferred_language = "nl"
    admin.save()
    client.force_login(admin)
    loner = make_person("loner", name="Lone Person")
    shown = send_welcome(client, [loner], django_capture_on_commit_callbacks)
    assert shown == [
        "Geen welkomstmail naar Lone Person: die is geen lid van een kring.",
        "0 welkomstmails verstuurd, elk met een link om een wachtwoord te kiezen.",
    ]


def test_a_failing_mail_server_is_logged_and_the_admin_still_told(
    admin_client, circle, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.meetings.test_notify.RefusesWithTheAddress"
    noor = member("noor", circle)
    shown = send_welcome(admin_client, [noor], django_capture_on_commit_callbacks)
    assert shown == ["1 welcome email sent, with a link to choose a password."]
    # Which email, not to whom: the address is personal data (notify.log_unsent).
    assert (
        "Could not send the email 'Admin invites you to Overvecht Allies' (SMTPRecipientsRefused)"
        in caplog.text
    )
    assert "noor@example.org" not in caplog.text
    # Asked for later, a new link still welcomes them.
    latest = Membership.history.filter(person=noor).latest("history_date")
    assert latest.history_change_reason == INVITED


@pytest.fixture
def staff_who_may_view_people(db):
    person = make_person("helpdesk", is_staff=True)
    person.user_permissions.add(Permission.objects.get(codename="view_user"))
    return person


def test_staff_who_may_not_change_people_do_not_get_the_action(
    client, circle, staff_who_may_view_people, django_capture_on_commit_callbacks
):
    client.force_login(staff_who_may_view_people)
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert b"send_welcome" not in page.content
    noor = member("noor", circle)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CHANGELIST, {"action": "send_welcome", "_selected_action": [noor.pk]})
    assert mail.outbox == []
    assert not Membership.history.filter(history_change_reason=INVITED).exists()


def test_staff_who_may_change_people_get_the_action(client, staff_who_may_view_people):
    staff_who_may_view_people.user_permissions.add(Permission.objects.get(codename="change_user"))
    client.force_login(staff_who_may_view_people)
    actions = dict(client.get(CHANGELIST).context["action_form"].fields["action"].choices)
    assert actions["send_welcome"] == "Send a welcome email with a link to choose a password"


# Adding a person: the circle they join, and a link to choose their own password.


def added(circle=None, **changes):
    """The add page's fields for a new person emailed a link, in Dutch; with a circle, its
    new coordinator."""
    values = {
        "username": "noor@example.org",
        "name": "Noor Bakker",
        "email": "noor@example.org",
        "preferred_language": "nl",
        "usable_password": "false",
        "password1": "",
        "password2": "",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    if circle is not None:
        values |= {
            "memberships-0-circle": circle.pk,
            "memberships-0-sector": "municipality",
            "memberships-0-is_coordinator": "on",
        }
    return values | changes


def test_the_add_page_offers_the_email_and_the_circle(admin_client):
    html = admin_client.get(ADD).content.decode()
    assert "<label>Getting a password:</label>" in html
    assert "Email them a link to choose a password" in html
    assert 'name="usable_password" value="false" class="radiolist inline" required' not in html
    assert re.search(r'value="false"[^>]*checked', html)  # the email, unless chosen otherwise
    assert 'name="memberships-0-circle"' in html
    assert 'name="memberships-0-is_coordinator"' in html
    assert 'name="preferred_language"' in html


def test_a_person_added_with_a_circle_gets_one_email_once_saved(
    admin_client, circle, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(ADD, added(circle))
        assert mail.outbox == []  # not before the person and membership are committed
    assert response.status_code == 302
    noor = User.objects.get(username="noor@example.org")
    membership = noor.memberships.get()
    assert (membership.circle, membership.sector, membership.is_coordinator) == (
        circle,
        "municipality",
        True,
    )
    # A password nobody knows, not an unusable one: "forgot your password" still works.
    assert noor.has_usable_password()
    assert not noor.check_password("")
    for callback in callbacks:
        callback()
    (message,) = mail.outbox
    assert message.to == ["noor@example.org"]
    assert message.subject == "Admin nodigt je uit voor Overvecht Allies"
    # Where a new coordinator starts.
    where_to_start = (
        "Jij bent de coördinator van de kring: als je bent ingelogd, plan je de diners en "
        "nodig je de leden uit op de pagina van de kring."
    )
    assert where_to_start in message.body
    assert f"<p>{where_to_start}</p>" in message.alternatives[0][0]
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert "1 welcome email sent, with a link to choose a password." in shown

    html = welcome_page(message, circle)
    assert '<h1 class="h3">Welkom bij Overvecht Allies</h1>' in html
    assert "Admin nodigt je uit voor deze kring, in de sector gemeente." in html


def test_emailing_a_link_needs_a_circle(admin_client, circle):
    response = admin_client.post(ADD, added())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose the circle they join: the email welcomes them to it." in html
    assert 'value="Noor Bakker"' in html
    assert not User.objects.filter(username="noor@example.org").exists()


def test_emailing_a_link_needs_an_email_address(admin_client, circle):
    response = admin_client.post(ADD, added(circle, email=""))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["email"] == [
        "Enter their email address: the link to choose a password goes to it."
    ]
    assert not User.objects.filter(username="noor@example.org").exists()


def test_a_person_given_a_password_gets_no_welcome(
    admin_client, circle, django_capture_on_commit_callbacks
):
    values = added(circle, usable_password="true", password1=NEW_PASSWORD, password2=NEW_PASSWORD)
    del values["memberships-0-is_coordinator"]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(ADD, values)
    assert response.status_code == 302
    noor = User.objects.get(username="noor@example.org")
    assert noor.check_password(NEW_PASSWORD)
    assert mail.outbox == []


def test_a_coordinator_given_a_password_gets_the_coordinator_email_only(
    admin_client, circle, coordinator, django_capture_on_commit_callbacks
):
    values = added(circle, usable_password="true", password1=NEW_PASSWORD, password2=NEW_PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(ADD, values, follow=True)
    assert User.objects.get(username="noor@example.org").memberships.get().is_coordinator
    [message] = mail.outbox
    assert message.to == ["noor@example.org"]
    assert message.subject == "Je coördineert nu Overvecht Allies"
    assert "Admin heeft je coördinator gemaakt van Overvecht Allies (Utrecht)." in message.body
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Noor Bakker gets an email saying what a coordinator does." in shown


def test_a_password_is_still_asked_for_when_not_emailing(admin_client):
    response = admin_client.post(ADD, added(usable_password="true"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["password1"] == ["This field is required."]
    assert not User.objects.filter(username="noor@example.org").exists()
